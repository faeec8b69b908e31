"""A target that is no HTTP client at all: typed records held in memory, in a shape of its own
(PSP accounts named without their PSP, no transaction kinds). It answers only what the
hypercare probes may read (ledger legs, finance jobs, deposits, withdrawals); anything else
fails the test, and it has no ``call``, ``base_url`` or ``http`` to fall back on."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn

from golive.target import (
    Account,
    Balance,
    Deposit,
    Entry,
    EntryPage,
    Health,
    Hold,
    Job,
    PlatformError,
    Settings,
    Total,
    Transfer,
    Version,
    Withdrawal,
)

T0 = datetime(2025, 12, 27, 10, 0, tzinfo=UTC)
BOOKS: dict[str, Books] = {}  # by base_url, for the adapter made by `golive ops --config`


@dataclass
class Books:
    """What the in-memory platform holds, and the calls made to it."""

    entries: list[Entry] = field(default_factory=list)
    jobs: list[Job] = field(default_factory=list)
    deposits: dict[str, Deposit] = field(default_factory=dict)
    withdrawals: dict[str, Withdrawal] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    with_reference: bool = True
    _ids: Any = field(default_factory=lambda: itertools.count(1))

    def _post(self, ref: str | None, at: datetime, *legs: tuple[str, str, str, int]) -> None:
        txn = str(uuid.uuid4())
        for kind, account, direction, amount in legs:
            self.entries.append(
                Entry(str(next(self._ids)), txn, account, kind, direction, amount, "EUR",
                      at.isoformat(), ref if self.with_reference else None)
            )  # fmt: skip

    def _job(self, kind: str, ref: str, at: datetime, state: str) -> None:
        self.jobs.append(Job(str(uuid.uuid4()), kind, state, ref, at.isoformat(), at.isoformat()))

    def deposit(self, account: str, amount: int, psp: str, psp_ref: str, minutes: int = 0) -> str:
        at = T0 + timedelta(minutes=minutes)
        dep = f"dep-{next(self._ids)}"
        self.deposits[dep] = Deposit(dep, account, amount, "EUR", psp, psp_ref, "succeeded",
                                     created_at=at.isoformat())  # fmt: skip
        self._job("deposit_confirmation", dep, at, "done")
        self._post(psp_ref, at, ("psp_clearing", f"clearing-{psp[:2]}", "debit", amount),
                   ("customer_wallet", account, "credit", amount))  # fmt: skip
        return dep

    def withdraw(
        self,
        account: str,
        amount: int,
        psp: str,
        psp_ref: str,
        *,
        minutes: int = 0,
        settled: bool = True,
        returned: bool = False,
        state: str = "done",
    ) -> str:
        at = T0 + timedelta(minutes=minutes)
        wd = f"wd-{next(self._ids)}"
        status = "failed" if returned else ("paid" if settled else "in_transit")
        self.withdrawals[wd] = Withdrawal(wd, account, amount, "EUR", psp, psp_ref, status,
                                          created_at=at.isoformat())  # fmt: skip
        self._job("payout", wd, at, state)
        clearing, transit = f"clearing-{psp[:2]}", f"transit-{psp[:2]}"
        self._post(psp_ref, at, ("customer_wallet", account, "debit", amount),
                   ("payouts_in_transit", transit, "credit", amount))  # fmt: skip
        later = at + timedelta(minutes=5)
        if settled:
            self._post(psp_ref, later, ("payouts_in_transit", transit, "debit", amount),
                       ("psp_clearing", clearing, "credit", amount))  # fmt: skip
        if returned:  # after it was paid: from PSP clearing back to the wallet
            self._post(psp_ref, later + timedelta(minutes=5),
                       ("psp_clearing", clearing, "debit", amount),
                       ("customer_wallet", account, "credit", amount))  # fmt: skip
        return wd


class MemoryTarget:
    """golive.target.Target over ``Books``; pages of two legs, cursor = the next index."""

    def __init__(self, books: Books | None = None, *, base_url: str = "") -> None:
        self.books = books if books is not None else BOOKS[base_url]

    # -- what the probes read ------------------------------------------------------------
    def entries_page(self, cursor: str | None = None, *, limit: int = 500) -> EntryPage:
        self.books.calls.append(f"entries_page {cursor}")
        start, size = int(cursor or 0), min(limit, 2)
        nxt = start + size
        more = nxt < len(self.books.entries)
        return EntryPage(tuple(self.books.entries[start:nxt]), str(nxt) if more else None)

    def jobs(self, *, kind: str | None = None, state: str | None = None) -> list[Job]:
        self.books.calls.append(f"jobs {kind} {state}")
        return [j for j in self.books.jobs if kind in (None, j.kind) and state in (None, j.state)]

    def get_deposit(self, deposit_id: str) -> Deposit:
        self.books.calls.append(f"get_deposit {deposit_id}")
        if deposit_id not in self.books.deposits:
            raise PlatformError(404, "deposit_not_found")
        return self.books.deposits[deposit_id]

    def get_withdrawal(self, withdrawal_id: str) -> Withdrawal:
        self.books.calls.append(f"get_withdrawal {withdrawal_id}")
        if withdrawal_id not in self.books.withdrawals:
            raise PlatformError(404, "withdrawal_not_found")
        return self.books.withdrawals[withdrawal_id]

    def close(self) -> None:
        self.books.calls.append("close")

    # -- what they must never touch --------------------------------------------------------
    def _no(self, what: str) -> NoReturn:
        raise AssertionError(f"a hypercare probe called {what}() on the platform")

    def health(self) -> Health:
        self._no("health")

    def version(self) -> Version:
        self._no("version")

    def create_account(self, owner_ref: str, currency: str, *, key: str | None = None) -> Account:
        self._no("create_account")

    def balance(self, account_id: str) -> Balance:
        self._no("balance")

    def deposit(self, account_id: str, amount: int, currency: str, psp: str | None = None, *,
                key: str | None = None) -> Deposit:  # fmt: skip
        self._no("deposit")

    def place_hold(
        self,
        account_id: str,
        amount: int,
        currency: str,
        *,
        expires_in_seconds: int | None = None,
        key: str | None = None,
    ) -> Hold:
        self._no("place_hold")

    def get_hold(self, hold_id: str) -> Hold:
        self._no("get_hold")

    def burn(self, hold_id: str, amount: int | None = None, *, key: str | None = None) -> Hold:
        self._no("burn")

    def release(self, hold_id: str, *, key: str | None = None) -> Hold:
        self._no("release")

    def expire_holds(self, now: datetime | None = None, *, key: str | None = None) -> list[str]:
        self._no("expire_holds")

    def transfer(self, from_id: str, to_id: str, amount: int, currency: str, *,
                 key: str | None = None) -> Transfer:  # fmt: skip
        self._no("transfer")

    def withdraw(self, account_id: str, amount: int, currency: str, psp: str | None = None, *,
                 key: str | None = None) -> Withdrawal:  # fmt: skip
        self._no("withdraw")

    def totals(self) -> list[Total]:
        self._no("totals")

    def settings(self) -> Settings:
        self._no("settings")

    def update_settings(
        self,
        *,
        withdrawals_enabled: bool | None = None,
        primary_psp: str | None = None,
        fee_bps: int | None = None,
    ) -> Settings:
        self._no("update_settings")
