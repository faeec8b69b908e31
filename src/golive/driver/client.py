"""The platform driver: the only way golive talks to a money platform (the HTTP contract).

Every mutating call sends an ``Idempotency-Key`` (a fresh one unless the caller passes its
own, so a scenario can retry with the same key). Responses come back as plain dicts for
resources and typed records where the harness computes with them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from golive.driver.models import Balance, Entry, Job
from golive.tls import tls_context


def error_code(body: Any) -> str | None:
    """The contract's ``error.code`` of an error answer's body (None when it has none)."""
    err = body.get("error") if isinstance(body, dict) else None
    code = err.get("code") if isinstance(err, dict) else None
    return None if code is None else str(code)


class PlatformError(Exception):
    """The platform answered with an error status; ``status`` and ``body`` say which."""

    def __init__(self, method: str, path: str, response: httpx.Response) -> None:
        self.status = response.status_code
        try:
            self.body: Any = response.json()
        except ValueError:
            self.body = response.text
        self.code = error_code(self.body)
        super().__init__(f"{method} {path} → {self.status}: {self.body!r}"[:500])


class PlatformClient:
    """A thin, typed client of the platform contract."""

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
        resp = self.request(method, path, body, **kw)
        if resp.status_code >= 400:
            raise PlatformError(method, path, resp)
        return resp.json()

    # -- contract -----------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        return self.call("GET", "/health")  # type: ignore[no-any-return]

    def version(self) -> dict[str, Any]:
        return self.call("GET", "/version")  # type: ignore[no-any-return]

    def contract(self) -> str:
        resp = self.http.get("/openapi.yaml")
        resp.raise_for_status()
        return resp.text

    def create_account(self, owner_ref: str, currency: str, **kw: Any) -> dict[str, Any]:
        return self.call("POST", "/accounts", {"owner_ref": owner_ref, "currency": currency}, **kw)  # type: ignore[no-any-return]

    def balance(self, account_id: str) -> Balance:
        return Balance.of(self.call("GET", f"/accounts/{account_id}/balance"))

    def deposit(
        self, account_id: str, amount: int, currency: str, psp: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"account_id": account_id, "amount": amount, "currency": currency}
        if psp:
            body["psp"] = psp
        return self.call("POST", "/deposits", body, **kw)  # type: ignore[no-any-return]

    def get_deposit(self, deposit_id: str) -> dict[str, Any]:
        return self.call("GET", f"/deposits/{deposit_id}")  # type: ignore[no-any-return]

    def place_hold(
        self,
        account_id: str,
        amount: int,
        currency: str,
        *,
        expires_in_seconds: int | None = None,
        **kw: Any,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"account_id": account_id, "amount": amount, "currency": currency}
        if expires_in_seconds is not None:
            body["expires_in_seconds"] = expires_in_seconds
        return self.call("POST", "/holds", body, **kw)  # type: ignore[no-any-return]

    def get_hold(self, hold_id: str) -> dict[str, Any]:
        return self.call("GET", f"/holds/{hold_id}")  # type: ignore[no-any-return]

    def burn(self, hold_id: str, amount: int | None = None, **kw: Any) -> dict[str, Any]:
        body = {} if amount is None else {"amount": amount}
        return self.call("POST", f"/holds/{hold_id}/burn", body, **kw)  # type: ignore[no-any-return]

    def release(self, hold_id: str, **kw: Any) -> dict[str, Any]:
        return self.call("POST", f"/holds/{hold_id}/release", {}, **kw)  # type: ignore[no-any-return]

    def expire_holds(self, now: str | None = None) -> list[str]:
        body = {"now": now} if now else {}
        return list(self.call("POST", "/admin/holds/expire", body)["expired"])

    def transfer(
        self, from_id: str, to_id: str, amount: int, currency: str, **kw: Any
    ) -> dict[str, Any]:
        body = {
            "from_account_id": from_id,
            "to_account_id": to_id,
            "amount": amount,
            "currency": currency,
        }
        return self.call("POST", "/transfers", body, **kw)  # type: ignore[no-any-return]

    def withdraw(
        self, account_id: str, amount: int, currency: str, psp: str | None = None, **kw: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"account_id": account_id, "amount": amount, "currency": currency}
        if psp:
            body["psp"] = psp
        return self.call("POST", "/withdrawals", body, **kw)  # type: ignore[no-any-return]

    def get_withdrawal(self, withdrawal_id: str) -> dict[str, Any]:
        return self.call("GET", f"/withdrawals/{withdrawal_id}")  # type: ignore[no-any-return]

    def entries(self, *, limit: int = 500) -> Iterator[Entry]:
        """Every ledger leg, following the cursor to the end."""
        cursor: str | None = None
        while True:
            params: dict[str, Any] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            page = self.call("GET", "/ledger/entries", params=params)
            for e in page["entries"]:
                yield Entry.of(e)
            cursor = page.get("next_cursor")
            if not cursor:
                return

    def totals(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/ledger/totals")["totals"])

    def jobs(self, **filters: str) -> list[Job]:
        return [Job.of(j) for j in self.call("GET", "/jobs", params=filters)["jobs"]]

    def settings(self) -> dict[str, Any]:
        return self.call("GET", "/admin/settings")  # type: ignore[no-any-return]

    def update_settings(self, **changes: Any) -> dict[str, Any]:
        return self.call("PUT", "/admin/settings", changes)  # type: ignore[no-any-return]
