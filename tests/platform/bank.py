"""A running refbank for tests: its URL, an HTTP client, helpers for the money loop."""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg

from refbank import Platform
from tests.platform import signing
from tests.platform.fake_psp import FakePsp


@dataclass
class Bank:
    url: str
    platform: Platform
    dsn: str
    psp: FakePsp
    http: httpx.Client

    # -- plumbing --------------------------------------------------------------------------
    def post(self, path: str, body: Any = None, *, key: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return self.http.post(path, json=body, headers=headers)

    def ok(self, resp: httpx.Response, status: int = 200) -> dict[str, Any]:
        assert resp.status_code == status, (
            f"{resp.request.url.path}: {resp.status_code} {resp.text}"
        )
        if not resp.headers.get("content-type", "").startswith("application/json"):
            return {"text": resp.text}  # Adyen's "[accepted]"
        return resp.json()  # type: ignore[no-any-return]

    def get(self, path: str) -> dict[str, Any]:
        return self.ok(self.http.get(path))

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            cur = conn.execute(query, params)
            return cur.fetchall() if cur.description else []

    # -- the money loop --------------------------------------------------------------------
    def account(self, currency: str = "EUR", owner: str = "customer") -> str:
        body = {"owner_ref": owner, "currency": currency}
        return str(self.ok(self.post("/accounts", body), 201)["id"])

    def deposit(
        self, account: str, amount: int, psp: str = "stripe", currency: str = "EUR"
    ) -> dict[str, Any]:
        body = {"account_id": account, "amount": amount, "currency": currency, "psp": psp}
        return self.ok(self.post("/deposits", body), 201)

    def confirm(
        self, dep: dict[str, Any], success: bool = True, event_id: str | None = None
    ) -> httpx.Response:
        """Deliver the PSP's signed confirmation of a deposit."""
        if dep["psp"] == "stripe":
            kind = "payment_intent.succeeded" if success else "payment_intent.payment_failed"
            obj = {
                "id": dep["psp_reference"],
                "object": "payment_intent",
                "amount": dep["amount"],
                "currency": dep["currency"].lower(),
                "metadata": {"deposit_id": dep["id"]},
                "status": "succeeded" if success else "requires_payment_method",
            }
            return self.stripe(signing.stripe_event(kind, obj, event_id))
        item = signing.adyen_item(
            "AUTHORISATION",
            dep["psp_reference"],
            dep["id"],
            dep["amount"],
            dep["currency"],
            success,
        )
        return self.adyen(item)

    def fund(
        self, account: str, amount: int, psp: str = "stripe", currency: str = "EUR"
    ) -> dict[str, Any]:
        dep = self.deposit(account, amount, psp, currency)
        self.ok(self.confirm(dep))
        return dep

    def withdraw(
        self, account: str, amount: int, psp: str = "stripe", currency: str = "EUR"
    ) -> dict[str, Any]:
        body = {"account_id": account, "amount": amount, "currency": currency, "psp": psp}
        return self.ok(self.post("/withdrawals", body), 201)

    def settle(self, wd: dict[str, Any], paid: bool = True) -> httpx.Response:
        """Deliver the PSP's signed payout outcome."""
        if wd["psp"] == "stripe":
            obj = {
                "id": wd["psp_reference"],
                "object": "payout",
                "amount": wd["amount"],
                "currency": wd["currency"].lower(),
                "metadata": {"withdrawal_id": wd["id"]},
                "status": "paid" if paid else "failed",
                "failure_code": None if paid else "account_closed",
            }
            return self.stripe(
                signing.stripe_event("payout.paid" if paid else "payout.failed", obj)
            )
        item = signing.adyen_item(
            "PAYOUT_THIRDPARTY", wd["psp_reference"], wd["id"], wd["amount"], wd["currency"], paid
        )
        return self.adyen(item)

    def hold(
        self, account: str, amount: int, currency: str = "EUR", **extra: Any
    ) -> httpx.Response:
        return self.post(
            "/holds", {"account_id": account, "amount": amount, "currency": currency, **extra}
        )

    def stripe(self, event: dict[str, Any], **sign: Any) -> httpx.Response:
        payload = json.dumps(event).encode()
        return self.http.post(
            "/webhooks/stripe", content=payload, headers=signing.stripe_headers(payload, **sign)
        )

    def adyen(self, *items: dict[str, Any]) -> httpx.Response:
        return self.http.post(
            "/webhooks/adyen",
            content=signing.adyen_notification(*items),
            headers={"Content-Type": "application/json"},
        )

    # -- reading ---------------------------------------------------------------------------
    def balance(self, account: str) -> dict[str, Any]:
        return self.get(f"/accounts/{account}/balance")

    def entries(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        cursor = ""  # the first page has no cursor
        while True:
            page = self.get(f"/ledger/entries?limit=200{cursor and f'&cursor={cursor}'}")
            out += page["entries"]
            if not page["next_cursor"]:
                return out
            cursor = page["next_cursor"]

    def totals(self) -> dict[tuple[str, str], int]:
        return {
            (t["account_kind"], t["currency"]): t["balance"]
            for t in self.get("/ledger/totals")["totals"]
        }

    def problems(self) -> list[str]:
        """Every way the ledger seen through the contract is inconsistent (empty when sound)."""
        found: list[str] = []
        entries = self.entries()
        per_txn: dict[tuple[str, str], int] = defaultdict(int)
        per_account: dict[tuple[str, str], int] = defaultdict(int)
        for e in entries:
            signed = e["amount"] if e["direction"] == "credit" else -e["amount"]
            per_txn[(e["transaction_id"], e["currency"])] += signed
            per_account[(e["account_kind"], e["account_id"])] += signed
        found += [f"transaction {t} legs sum to {s} {c}" for (t, c), s in per_txn.items() if s]
        by_currency: dict[str, int] = defaultdict(int)
        for (_, cur), bal in self.totals().items():
            by_currency[cur] += bal
        found += [f"totals in {c} sum to {s}" for c, s in by_currency.items() if s]
        for (acct,) in self.sql("SELECT id::text FROM accounts"):
            bal = self.balance(acct)
            wallet = per_account[("customer_wallet", acct)]
            held = per_account[("customer_held", acct)]
            if bal["available"] != wallet:
                found.append(
                    f"account {acct}: available {bal['available']} but wallet legs {wallet}"
                )
            if bal["held"] != held:
                found.append(f"account {acct}: held {bal['held']} but held legs {held}")
            if min(bal["available"], bal["held"], bal["pending"]) < 0:
                found.append(f"account {acct}: negative balance {bal}")
        return found


def new_key() -> str:
    return str(uuid.uuid4())
