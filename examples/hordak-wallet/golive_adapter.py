"""golive adapter for the hordak wallet: golive's target interface on the wallet's own API.

The wallet speaks decimal strings in major units, its own names (wallets, top-ups,
reservations, payouts, legs, tasks) and its own error body ``{"problem": {"type", ...}}``;
this class translates each call of ``golive.target.Target`` into it and back. Name it in
golive.toml as ``adapter = "golive_adapter:HordakWalletTarget"`` (this folder on PYTHONPATH).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx

from golive.money import exponent
from golive.target import (
    Account,
    Balance,
    Deposit,
    Entry,
    EntryPage,
    Health,
    Hold,
    Job,
    NoAnswer,
    PlatformError,
    Settings,
    Total,
    Transfer,
    Version,
    Withdrawal,
)

CODES = {  # the wallet's problem types → the contract's error codes
    "NOT_ENOUGH_MONEY": "insufficient_funds",
    "NOT_OPEN": "hold_not_pending",
    "KEY_REUSED": "idempotency_key_reused",
    "IN_PROGRESS": "idempotency_key_in_progress",
    "PAYOUTS_OFF": "withdrawals_disabled",
    "PSP_UNAVAILABLE": "psp_unavailable",
    "WRONG_CURRENCY": "currency_mismatch",
    "BAD_CURRENCY": "unknown_currency",
    "NO_SUCH_WALLET": "account_not_found",
    "NO_SUCH_RESERVATION": "hold_not_found",
    "NO_SUCH_TOPUP": "deposit_not_found",
    "NO_SUCH_PAYOUT": "withdrawal_not_found",
    "TOO_MUCH": "invalid_field",
    "SAME_WALLET": "invalid_field",
    "BAD_AMOUNT": "invalid_field",
    "BAD_FIELD": "invalid_field",
}
KINDS = {
    "funds": "customer_wallet",
    "reserved": "customer_held",
    "psp_clearing": "psp_clearing",
    "payouts": "payouts_in_transit",
    "revenue": "house_revenue",
    "fees": "house_fees",
}
TOPUP_STATES = {"awaiting_psp": "pending", "credited": "succeeded", "declined": "failed"}
PAYOUT_STATES = {"sent": "in_transit", "settled": "paid", "returned": "failed"}
HOLD_STATES = {"open": "pending", "captured": "burned", "voided": "released", "lapsed": "expired"}
TASK_KINDS = {"topup_confirmation": "deposit_confirmation", "payout": "payout"}
TASK_STATES = {"open": "pending", "done": "done"}


def major(amount: int, currency: str) -> str:
    """Integer minor units as the wallet's decimal string: 1229 EUR → "12.29"."""
    return str(Decimal(amount).scaleb(-exponent(currency)))


def minor(text: str, currency: str) -> int:
    """The wallet's decimal string as integer minor units, refusing anything inexact."""
    scaled = Decimal(text).scaleb(exponent(currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(f"{text} {currency} is not a whole number of minor units")
    return int(scaled)


class HordakWalletTarget:
    """golive's Target protocol over the wallet's HTTP API (httpx)."""

    def __init__(
        self,
        base_url: str = "http://127.0.0.1:8100",
        *,
        timeout: float = 30.0,
        event_hooks: dict[str, list[Any]] | None = None,
    ) -> None:
        self.http = httpx.Client(
            base_url=base_url.rstrip("/") + "/api/v1", timeout=timeout, event_hooks=event_hooks
        )

    # -- plumbing --------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        body: Any = None,
        key: str | None = None,
        params: dict[str, str] | None = None,
    ) -> Any:
        headers = {"Idempotency-Key": key or str(uuid.uuid4())} if method != "GET" else {}
        try:
            r = self.http.request(method, path, json=body, headers=headers, params=params)
        except httpx.TransportError as exc:
            raise NoAnswer(f"{method} {path}: {type(exc).__name__}: {exc}") from None
        try:
            data = r.json()
        except ValueError:
            data = None
        if r.status_code >= 400:
            problem = data.get("problem") if isinstance(data, dict) else None
            kind = problem.get("type") if isinstance(problem, dict) else None
            detail = problem.get("detail", "") if isinstance(problem, dict) else r.text[:200]
            resource = None
            if isinstance(data, dict) and "topup" in data:
                resource = self._deposit(data["topup"])
            elif isinstance(data, dict) and "payout" in data:
                resource = self._withdrawal(data["payout"])
            raise PlatformError(
                r.status_code, CODES.get(str(kind), kind), detail, body=data, resource=resource
            )
        return data

    # -- the service -----------------------------------------------------------------------
    def health(self) -> Health:
        return Health("ok" if self._call("GET", "/status").get("state") == "serving" else "down")

    def version(self) -> Version:
        s = self._call("GET", "/status")
        schema = str(int(s["schema"])) if str(s["schema"]).isdigit() else "0"
        return Version(app_version=s["release"], schema_version=schema, contract=s["api"])

    def close(self) -> None:
        self.http.close()

    # -- accounts and money in -------------------------------------------------------------
    def create_account(self, owner_ref: str, currency: str, *, key: str | None = None) -> Account:
        w = self._call("POST", "/wallets", {"owner_ref": owner_ref, "currency": currency}, key)
        return Account(w["wallet_id"], w["owner_ref"], w["currency"], w["opened_at"])

    def balance(self, account_id: str) -> Balance:
        b = self._call("GET", f"/wallets/{account_id}/balance")
        cur = b["currency"]
        return Balance(
            b["wallet_id"],
            cur,
            minor(b["spendable"], cur),
            minor(b["reserved"], cur),
            minor(b["incoming"], cur),
        )

    def deposit(
        self,
        account_id: str,
        amount: int,
        currency: str,
        psp: str | None = None,
        *,
        key: str | None = None,
    ) -> Deposit:
        body = {"amount": major(amount, currency), "currency": currency}
        if psp:
            body["provider"] = psp
        return self._deposit(self._call("POST", f"/wallets/{account_id}/topups", body, key))

    def get_deposit(self, deposit_id: str) -> Deposit:
        return self._deposit(self._call("GET", f"/topups/{deposit_id}"))

    def _deposit(self, t: dict[str, Any]) -> Deposit:
        cur = t["currency"]
        return Deposit(
            t["topup_id"],
            t["wallet_id"],
            minor(t["amount"], cur),
            cur,
            t["provider"],
            t["provider_ref"],
            TOPUP_STATES[t["state"]],
            t["failure"],
            t["created_at"],
            t["updated_at"],
        )

    # -- holds: the wallet's reservations --------------------------------------------------
    def place_hold(
        self,
        account_id: str,
        amount: int,
        currency: str,
        *,
        expires_in_seconds: int | None = None,
        key: str | None = None,
    ) -> Hold:
        body = {
            "amount": major(amount, currency),
            "currency": currency,
            "ttl_seconds": expires_in_seconds or 3600,
        }
        return self._hold(self._call("POST", f"/wallets/{account_id}/reservations", body, key))

    def get_hold(self, hold_id: str) -> Hold:
        return self._hold(self._call("GET", f"/reservations/{hold_id}"))

    def burn(self, hold_id: str, amount: int | None = None, *, key: str | None = None) -> Hold:
        body: dict[str, Any] = {}
        if amount is not None:
            cur = self.get_hold(hold_id).currency  # a capture names its amount only
            body["amount"] = major(amount, cur)
        return self._hold(self._call("POST", f"/reservations/{hold_id}/capture", body, key))

    def release(self, hold_id: str, *, key: str | None = None) -> Hold:
        return self._hold(self._call("POST", f"/reservations/{hold_id}/void", {}, key))

    def expire_holds(self, now: datetime | None = None, *, key: str | None = None) -> list[str]:
        body = {} if now is None else {"as_of": now.isoformat()}
        return list(self._call("POST", "/reservations/lapse", body, key)["lapsed"])

    def _hold(self, r: dict[str, Any]) -> Hold:
        cur = r["currency"]
        fee = minor(r["fee"], cur) if r.get("fee") is not None else None
        if r["state"] != "captured" and fee is not None:
            fee = 0  # the fee of a reservation not captured is the wallet's quote: none charged
        return Hold(
            r["reservation_id"],
            r["wallet_id"],
            minor(r["amount"], cur),
            cur,
            HOLD_STATES[r["state"]],
            minor(r["captured"], cur),
            minor(r["returned"], cur),
            r["lapses_at"],
            fee,
            r["created_at"],
            r["closed_at"],
        )

    # -- transfers and money out -----------------------------------------------------------
    def transfer(
        self, from_id: str, to_id: str, amount: int, currency: str, *, key: str | None = None
    ) -> Transfer:
        body = {
            "from_wallet": from_id,
            "to_wallet": to_id,
            "amount": major(amount, currency),
            "currency": currency,
        }
        m = self._call("POST", "/transfers", body, key)
        cur = m["currency"]
        return Transfer(
            m["transfer_id"],
            m["ledger_txn"],
            m["from_wallet"],
            m["to_wallet"],
            minor(m["amount"], cur),
            cur,
            m["created_at"],
        )

    def withdraw(
        self,
        account_id: str,
        amount: int,
        currency: str,
        psp: str | None = None,
        *,
        key: str | None = None,
    ) -> Withdrawal:
        body = {"amount": major(amount, currency), "currency": currency}
        if psp:
            body["provider"] = psp
        return self._withdrawal(self._call("POST", f"/wallets/{account_id}/payouts", body, key))

    def get_withdrawal(self, withdrawal_id: str) -> Withdrawal:
        return self._withdrawal(self._call("GET", f"/payouts/{withdrawal_id}"))

    def _withdrawal(self, p: dict[str, Any]) -> Withdrawal:
        cur = p["currency"]
        return Withdrawal(
            p["payout_id"],
            p["wallet_id"],
            minor(p["amount"], cur),
            cur,
            p["provider"],
            p["provider_ref"],
            PAYOUT_STATES[p["state"]],
            p["failure"],
            p["created_at"],
            p["updated_at"],
        )

    # -- the ledger: hordak's legs ---------------------------------------------------------
    def entries_page(self, cursor: str | None = None, *, limit: int = 500) -> EntryPage:
        params = {"page_size": str(limit)} | ({"after": cursor} if cursor else {})
        page = self._call("GET", "/ledger/legs", params=params)
        entries = tuple(
            Entry(
                str(g["leg"]),
                g["txn"],
                g["book"],
                KINDS.get(g["book_kind"], g["book_kind"]),
                "debit" if g["side"] == "DR" else "credit",
                minor(g["amount"], g["currency"]),
                g["currency"],
                g["at"],
            )
            for g in page["legs"]
        )
        more = page["paging"]["more"]
        return EntryPage(entries, str(page["paging"]["after"]) if more else None)

    def totals(self) -> list[Total]:
        return [
            Total(
                KINDS.get(t["book_kind"], t["book_kind"]),
                t["currency"],
                -minor(t["net"], t["currency"]),  # the wallet says debits less credits
            )
            for t in self._call("GET", "/ledger/totals")["totals"]
        ]

    # -- operations ------------------------------------------------------------------------
    def jobs(self, *, kind: str | None = None, state: str | None = None) -> list[Job]:
        params = {}
        if kind:
            params["kind"] = {v: k for k, v in TASK_KINDS.items()}.get(kind, kind)
        if state:
            params["state"] = {v: k for k, v in TASK_STATES.items()}.get(state, state)
        return [
            Job(
                t["task_id"],
                TASK_KINDS.get(t["kind"], t["kind"]),
                TASK_STATES.get(t["state"], t["state"]),
                t["ref"],
                t["created_at"],
                t["updated_at"],
            )
            for t in self._call("GET", "/tasks", params=params)["tasks"]
        ]

    def settings(self) -> Settings:
        return self._settings(self._call("GET", "/config"))

    def update_settings(
        self,
        *,
        withdrawals_enabled: bool | None = None,
        primary_psp: str | None = None,
        fee_bps: int | None = None,
    ) -> Settings:
        body: dict[str, Any] = {}
        if withdrawals_enabled is not None:
            body["payouts_enabled"] = withdrawals_enabled
        if primary_psp is not None:
            body["default_provider"] = primary_psp
        if fee_bps is not None:
            body["fee_bps"] = fee_bps
        return self._settings(self._call("PATCH", "/config", body))

    def _settings(self, c: dict[str, Any]) -> Settings:
        return Settings(c["payouts_enabled"], c["default_provider"], c.get("fee_bps"))
