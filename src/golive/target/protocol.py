"""The target interface: everything the suites do to a platform, as one typed protocol.

An implementation answers with the records of golive.target.models (and Balance, Entry, Job),
raises ``PlatformError`` when the platform refuses and ``NoAnswer`` when it does not answer.
``key`` is the idempotency key of a mutating call: the same key again must replay the first
answer and move nothing (a fresh key is made when the caller gives none).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from golive.driver.models import Balance, Entry, Job
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


class Target(Protocol):
    """What golive asks of a money platform (docs/adopting.md)."""

    # -- the service -----------------------------------------------------------------------
    def health(self) -> Health: ...

    def version(self) -> Version: ...

    def close(self) -> None: ...

    # -- accounts and money in -------------------------------------------------------------
    def create_account(
        self, owner_ref: str, currency: str, *, key: str | None = None
    ) -> Account: ...

    def balance(self, account_id: str) -> Balance: ...

    def deposit(
        self,
        account_id: str,
        amount: int,
        currency: str,
        psp: str | None = None,
        *,
        key: str | None = None,
    ) -> Deposit: ...

    def get_deposit(self, deposit_id: str) -> Deposit: ...

    # -- holds: place (pending), burn (post), release (void), expire ------------------------
    def place_hold(
        self,
        account_id: str,
        amount: int,
        currency: str,
        *,
        expires_in_seconds: int | None = None,
        key: str | None = None,
    ) -> Hold: ...

    def get_hold(self, hold_id: str) -> Hold: ...

    def burn(self, hold_id: str, amount: int | None = None, *, key: str | None = None) -> Hold: ...

    def release(self, hold_id: str, *, key: str | None = None) -> Hold: ...

    def expire_holds(self, now: datetime | None = None, *, key: str | None = None) -> list[str]:
        """Expire the pending holds due at ``now`` (the platform's clock when None); their ids."""
        ...

    # -- transfers and money out ------------------------------------------------------------
    def transfer(
        self, from_id: str, to_id: str, amount: int, currency: str, *, key: str | None = None
    ) -> Transfer: ...

    def withdraw(
        self,
        account_id: str,
        amount: int,
        currency: str,
        psp: str | None = None,
        *,
        key: str | None = None,
    ) -> Withdrawal: ...

    def get_withdrawal(self, withdrawal_id: str) -> Withdrawal: ...

    # -- the ledger -------------------------------------------------------------------------
    def entries_page(self, cursor: str | None = None, *, limit: int = 500) -> EntryPage:
        """One page of ledger legs in ledger order, from ``cursor`` (the start when None)."""
        ...

    def totals(self) -> list[Total]: ...

    # -- operations -------------------------------------------------------------------------
    def jobs(self, *, kind: str | None = None, state: str | None = None) -> list[Job]: ...

    def settings(self) -> Settings: ...

    def update_settings(
        self,
        *,
        withdrawals_enabled: bool | None = None,
        primary_psp: str | None = None,
        fee_bps: int | None = None,
    ) -> Settings:
        """Change the settings given (None leaves one as it is); the settings now."""
        ...


def iter_entries(target: Target, *, limit: int = 500) -> Iterator[Entry]:
    """Every ledger leg, following the cursor to the end."""
    cursor: str | None = None
    while True:
        page = target.entries_page(cursor, limit=limit)
        yield from page.entries
        if not page.next_cursor:
            return
        cursor = page.next_cursor


# The names an implementation must provide (the protocol's own methods).
METHODS = tuple(sorted(n for n, v in vars(Target).items() if not n.startswith("_") and callable(v)))
