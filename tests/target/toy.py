"""A toy wallet API that knows nothing of golive, and an adapter that drives it.

The API names things its own way (wallets, cents, "auth"/"capture"/"void") and answers with
its own objects; ToyAdapter is what a platform team would write to put golive on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from golive.target import (
    Account,
    Balance,
    Deposit,
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


class ToyRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ToyWalletApi:
    """The platform's own API: wallets with a spendable figure and authorisations."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)
        self.wallets: dict[str, dict[str, Any]] = {}
        self.auths: dict[str, dict[str, Any]] = {}

    def open_wallet(self, owner: str, ccy: str) -> dict[str, Any]:
        wid = f"w{next(self.ids)}"
        self.wallets[wid] = {"wallet": wid, "owner": owner, "ccy": ccy, "cents": 0, "held": 0}
        return dict(self.wallets[wid])

    def top_up(self, wid: str, cents: int) -> dict[str, Any]:
        self.wallets[wid]["cents"] += cents
        return {"topup": f"t{next(self.ids)}", "wallet": wid, "cents": cents, "state": "done"}

    def authorise(self, wid: str, cents: int) -> dict[str, Any]:
        w = self.wallets[wid]
        if cents > w["cents"]:
            raise ToyRefused("NO_FUNDS")
        w["cents"] -= cents
        w["held"] += cents
        aid = f"a{next(self.ids)}"
        self.auths[aid] = {"auth": aid, "wallet": wid, "cents": cents, "state": "open"}
        return dict(self.auths[aid])

    def capture(self, aid: str) -> dict[str, Any]:
        a = self.auths[aid]
        if a["state"] != "open":
            raise ToyRefused("AUTH_CLOSED")
        a["state"] = "captured"
        self.wallets[a["wallet"]]["held"] -= a["cents"]
        return dict(a)


class ToyAdapter:
    """The target interface over ToyWalletApi; refusals become PlatformError."""

    def __init__(self, api: ToyWalletApi | None = None) -> None:
        self.api = api or ToyWalletApi()

    def _do(self, fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        try:
            return fn(*args)
        except ToyRefused as exc:
            codes = {"NO_FUNDS": "insufficient_funds", "AUTH_CLOSED": "hold_not_pending"}
            raise PlatformError(409, codes[exc.reason], f"refused: {exc.reason}") from exc

    def health(self) -> Health:
        return Health("ok")

    def version(self) -> Version:
        return Version("1", "1", "1.0")

    def close(self) -> None:
        pass

    def create_account(self, owner_ref: str, currency: str, *, key: str | None = None) -> Account:
        w = self.api.open_wallet(owner_ref, currency)
        return Account(w["wallet"], w["owner"], w["ccy"])

    def balance(self, account_id: str) -> Balance:
        w = self.api.wallets[account_id]
        return Balance(account_id, w["ccy"], w["cents"], w["held"], 0)

    def deposit(
        self, account_id: str, amount: int, currency: str, psp: str | None = None,
        *, key: str | None = None,
    ) -> Deposit:  # fmt: skip
        t = self.api.top_up(account_id, amount)
        return Deposit(t["topup"], account_id, amount, currency, psp or "stripe", None, "succeeded")

    def get_deposit(self, deposit_id: str) -> Deposit:
        raise PlatformError(404, "deposit_not_found")

    def place_hold(
        self, account_id: str, amount: int, currency: str, *,
        expires_in_seconds: int | None = None, key: str | None = None,
    ) -> Hold:  # fmt: skip
        return self._hold(self._do(self.api.authorise, account_id, amount), currency)

    def get_hold(self, hold_id: str) -> Hold:
        a = self.api.auths[hold_id]
        return self._hold(a, self.api.wallets[a["wallet"]]["ccy"])

    def burn(self, hold_id: str, amount: int | None = None, *, key: str | None = None) -> Hold:
        a = self._do(self.api.capture, hold_id)
        return self._hold(a, self.api.wallets[a["wallet"]]["ccy"])

    def release(self, hold_id: str, *, key: str | None = None) -> Hold:
        raise PlatformError(422, "not_supported")

    def expire_holds(self, now: datetime | None = None, *, key: str | None = None) -> list[str]:
        return []

    def transfer(
        self, from_id: str, to_id: str, amount: int, currency: str, *, key: str | None = None
    ) -> Transfer:
        raise PlatformError(422, "not_supported")

    def withdraw(
        self, account_id: str, amount: int, currency: str, psp: str | None = None,
        *, key: str | None = None,
    ) -> Withdrawal:  # fmt: skip
        raise PlatformError(422, "not_supported")

    def get_withdrawal(self, withdrawal_id: str) -> Withdrawal:
        raise PlatformError(404, "withdrawal_not_found")

    def entries_page(self, cursor: str | None = None, *, limit: int = 500) -> EntryPage:
        return EntryPage((), None)

    def totals(self) -> list[Total]:
        return []

    def jobs(self, *, kind: str | None = None, state: str | None = None) -> list[Job]:
        return []

    def settings(self) -> Settings:
        return Settings(True, "stripe")

    def update_settings(
        self, *, withdrawals_enabled: bool | None = None, primary_psp: str | None = None,
        fee_bps: int | None = None,
    ) -> Settings:  # fmt: skip
        return self.settings()

    @staticmethod
    def _hold(a: dict[str, Any], currency: str) -> Hold:
        status = {"open": "pending", "captured": "burned"}[a["state"]]
        burned = a["cents"] if status == "burned" else 0
        return Hold(a["auth"], a["wallet"], a["cents"], currency, status, burned, 0, "")


class ToyAtUrl(ToyAdapter):
    """Made the way golive makes an adapter for a run: with the platform's base URL; its API
    does not answer health checks (NoAnswer), as a platform that is down would not."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def health(self) -> Health:
        raise NoAnswer(f"{self.base_url} did not answer")


class NoBurn(ToyAdapter):
    """An adapter that forgot one method."""

    burn = None  # type: ignore[assignment]


class OldDeposit(ToyAdapter):
    """An adapter written against an older interface: deposit() takes no psp and no key."""

    def deposit(self, account_id: str, amount: int, currency: str) -> Deposit:  # type: ignore[override]
        return super().deposit(account_id, amount, currency)


not_a_class = ToyAdapter()
