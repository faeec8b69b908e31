"""The HTTP contract: golive's default target (docs/platform-contract.yaml), typed.

This module is the only place that reads platform response bodies: every answer becomes a
record of golive.target. Every mutating call sends an ``Idempotency-Key`` (a fresh one unless
the caller passes its own, so a scenario can retry with the same key).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

import httpx

from golive.driver.models import Balance, Entry, Job
from golive.target.errors import NoAnswer, PlatformError
from golive.target.models import (
    Account,
    Deposit,
    EntryPage,
    Health,
    Hold,
    Settings,
    Total,
    Transfer,
    Version,
    Withdrawal,
)
from golive.tls import tls_context


def error_code(body: Any) -> str | None:
    """The contract's ``error.code`` of an error answer's body (None when it has none)."""
    err = body.get("error") if isinstance(body, dict) else None
    code = err.get("code") if isinstance(err, dict) else None
    return None if code is None else str(code)


def refusal(method: str, path: str, response: httpx.Response) -> PlatformError:
    """The PlatformError for an error answer, with the failed deposit or withdrawal it names."""
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    err = body.get("error") if isinstance(body, dict) else None
    resource: object | None = None
    try:  # the failed deposit or withdrawal, when the error carries a whole one
        if isinstance(err, dict) and isinstance(err.get("deposit"), dict):
            resource = _deposit(err["deposit"])
        elif isinstance(err, dict) and isinstance(err.get("withdrawal"), dict):
            resource = _withdrawal(err["withdrawal"])
    except (KeyError, TypeError):
        resource = None
    return PlatformError(
        response.status_code,
        error_code(body),
        f"{method} {path} → {response.status_code}: {body!r}"[:500],
        body=body,
        resource=resource,
    )


class PlatformClient:
    """The target interface over the platform contract's HTTP API."""

    def __init__(
        self,
        base_url: str,
        *,
        timeout: float = 10.0,
        event_hooks: Mapping[str, list[Any]] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout,
            event_hooks=dict(event_hooks or {}),
            verify=tls_context(),
        )

    def close(self) -> None:
        self.http.close()

    # -- plumbing ---------------------------------------------------------------------
    def request(
        self, method: str, path: str, body: Any = None, *, key: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> httpx.Response:  # fmt: skip
        headers = {}
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            headers["Idempotency-Key"] = key or str(uuid.uuid4())
        return self.http.request(method, path, json=body, headers=headers, params=params)

    def call(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """The decoded answer; PlatformError on an error status (httpx errors pass through:
        ``answer`` is the same with them reported as NoAnswer)."""
        resp = self.request(method, path, body, **kw)
        if resp.status_code >= 400:
            raise refusal(method, path, resp)
        return resp.json()

    def answer(self, method: str, path: str, body: Any = None, **kw: Any) -> Any:
        """The decoded answer: PlatformError on an error status, NoAnswer when there is none
        (what an adapter built on this class uses for its own endpoints)."""
        try:
            return self.call(method, path, body, **kw)
        except httpx.HTTPError as exc:
            raise NoAnswer(f"{method} {path}: {exc!r}") from exc

    # -- the service --------------------------------------------------------------------
    def health(self) -> Health:
        return Health(str(self.answer("GET", "/health").get("status")))

    def version(self) -> Version:
        d = self.answer("GET", "/version")
        return Version(str(d["app_version"]), str(d["schema_version"]), str(d["contract"]))

    def contract(self) -> str:
        resp = self.http.get("/openapi.yaml")
        resp.raise_for_status()
        return resp.text

    # -- accounts and money in ----------------------------------------------------------
    def create_account(self, owner_ref: str, currency: str, *, key: str | None = None) -> Account:
        body = {"owner_ref": owner_ref, "currency": currency}
        d = self.answer("POST", "/accounts", body, key=key)
        return Account(str(d["id"]), d["owner_ref"], d["currency"], str(d.get("created_at", "")))

    def balance(self, account_id: str) -> Balance:
        return Balance.of(self.answer("GET", f"/accounts/{account_id}/balance"))

    def deposit(
        self, account_id: str, amount: int, currency: str, psp: str | None = None,
        *, key: str | None = None,
    ) -> Deposit:  # fmt: skip
        body: dict[str, Any] = {"account_id": account_id, "amount": amount, "currency": currency}
        if psp:
            body["psp"] = psp
        return _deposit(self.answer("POST", "/deposits", body, key=key))

    def get_deposit(self, deposit_id: str) -> Deposit:
        return _deposit(self.answer("GET", f"/deposits/{deposit_id}"))

    # -- holds ------------------------------------------------------------------------------
    def place_hold(
        self, account_id: str, amount: int, currency: str, *,
        expires_in_seconds: int | None = None, key: str | None = None,
    ) -> Hold:  # fmt: skip
        body: dict[str, Any] = {"account_id": account_id, "amount": amount, "currency": currency}
        if expires_in_seconds is not None:
            body["expires_in_seconds"] = expires_in_seconds
        return _hold(self.answer("POST", "/holds", body, key=key))

    def get_hold(self, hold_id: str) -> Hold:
        return _hold(self.answer("GET", f"/holds/{hold_id}"))

    def burn(self, hold_id: str, amount: int | None = None, *, key: str | None = None) -> Hold:
        body = {} if amount is None else {"amount": amount}
        return _hold(self.answer("POST", f"/holds/{hold_id}/burn", body, key=key))

    def release(self, hold_id: str, *, key: str | None = None) -> Hold:
        return _hold(self.answer("POST", f"/holds/{hold_id}/release", {}, key=key))

    def expire_holds(self, now: datetime | None = None, *, key: str | None = None) -> list[str]:
        body = {"now": now.isoformat()} if now else {}
        expired = self.answer("POST", "/admin/holds/expire", body, key=key)["expired"]
        return [str(h) for h in expired]

    # -- transfers and money out ------------------------------------------------------------
    def transfer(
        self, from_id: str, to_id: str, amount: int, currency: str, *, key: str | None = None
    ) -> Transfer:
        body = {
            "from_account_id": from_id,
            "to_account_id": to_id,
            "amount": amount,
            "currency": currency,
        }
        d = self.answer("POST", "/transfers", body, key=key)
        return Transfer(
            str(d["id"]), str(d["transaction_id"]), str(d["from_account_id"]),
            str(d["to_account_id"]), d["amount"], d["currency"], str(d.get("created_at", "")),
        )  # fmt: skip

    def withdraw(
        self, account_id: str, amount: int, currency: str, psp: str | None = None,
        *, key: str | None = None,
    ) -> Withdrawal:  # fmt: skip
        body: dict[str, Any] = {"account_id": account_id, "amount": amount, "currency": currency}
        if psp:
            body["psp"] = psp
        return _withdrawal(self.answer("POST", "/withdrawals", body, key=key))

    def get_withdrawal(self, withdrawal_id: str) -> Withdrawal:
        return _withdrawal(self.answer("GET", f"/withdrawals/{withdrawal_id}"))

    # -- the ledger -------------------------------------------------------------------------
    def entries_page(self, cursor: str | None = None, *, limit: int = 500) -> EntryPage:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["cursor"] = cursor
        page = self.answer("GET", "/ledger/entries", params=params)
        nxt = page.get("next_cursor")
        return EntryPage(tuple(Entry.of(e) for e in page["entries"]), str(nxt) if nxt else None)

    def entries(self, *, limit: int = 500) -> Iterator[Entry]:
        """Every ledger leg, following the cursor to the end."""
        from golive.target.protocol import iter_entries  # golive.target imports this module

        return iter_entries(self, limit=limit)

    def totals(self) -> list[Total]:
        return [
            Total(t["account_kind"], t["currency"], int(t["balance"]))
            for t in self.answer("GET", "/ledger/totals")["totals"]
        ]

    # -- operations -------------------------------------------------------------------------
    def jobs(self, *, kind: str | None = None, state: str | None = None) -> list[Job]:
        params = {k: v for k, v in (("kind", kind), ("state", state)) if v is not None}
        return [Job.of(j) for j in self.answer("GET", "/jobs", params=params)["jobs"]]

    def settings(self) -> Settings:
        return _settings(self.answer("GET", "/admin/settings"))

    def update_settings(
        self, *, withdrawals_enabled: bool | None = None, primary_psp: str | None = None,
        fee_bps: int | None = None,
    ) -> Settings:  # fmt: skip
        changes = {
            k: v
            for k, v in (
                ("withdrawals_enabled", withdrawals_enabled),
                ("primary_psp", primary_psp),
                ("fee_bps", fee_bps),
            )
            if v is not None
        }
        return _settings(self.answer("PUT", "/admin/settings", changes))


def _deposit(d: dict[str, Any]) -> Deposit:
    return Deposit(
        str(d["id"]), str(d["account_id"]), d["amount"], d["currency"], d["psp"],
        _opt(d.get("psp_reference")), d["status"], _opt(d.get("failure_reason")),
        str(d.get("created_at", "")), str(d.get("updated_at", "")),
    )  # fmt: skip


def _withdrawal(d: dict[str, Any]) -> Withdrawal:
    return Withdrawal(
        str(d["id"]), str(d["account_id"]), d["amount"], d["currency"], d["psp"],
        _opt(d.get("psp_reference")), d["status"], _opt(d.get("failure_reason")),
        str(d.get("created_at", "")), str(d.get("updated_at", "")),
    )  # fmt: skip


def _hold(d: dict[str, Any]) -> Hold:
    return Hold(
        str(d["id"]), str(d["account_id"]), d["amount"], d["currency"], d["status"],
        d["burned_amount"], d["released_amount"], str(d["expires_at"]), d.get("fee_amount"),
        str(d.get("created_at", "")), _opt(d.get("resolved_at")),
    )  # fmt: skip


def _settings(d: dict[str, Any]) -> Settings:
    return Settings(bool(d["withdrawals_enabled"]), str(d["primary_psp"]), d.get("fee_bps"))


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)
