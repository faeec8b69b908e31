"""Typed records of what a target answers: one frozen dataclass per resource.

Money is integer minor units plus an ISO 4217 currency; timestamps are ISO 8601 strings as
the platform wrote them. Balance, Entry and Job live in golive.driver.models and are
re-exported by golive.target.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from golive.driver.models import Entry


@dataclass(frozen=True)
class Health:
    status: str  # "ok" when the platform is up

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass(frozen=True)
class Version:
    app_version: str
    schema_version: str
    contract: str


@dataclass(frozen=True)
class Account:
    id: str
    owner_ref: str
    currency: str
    created_at: str = ""


@dataclass(frozen=True)
class Deposit:
    """Money in through a PSP: pending until the PSP's webhook says succeeded or failed."""

    id: str
    account_id: str
    amount: int
    currency: str
    psp: str
    psp_reference: str | None
    status: str  # pending, succeeded, failed
    failure_reason: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Withdrawal:
    """Money out through a PSP payout; failed means refunded to the wallet."""

    id: str
    account_id: str
    amount: int
    currency: str
    psp: str
    psp_reference: str | None
    status: str  # in_transit, paid, failed
    failure_reason: str | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Hold:
    """A two-phase hold: pending, then burned (posted), released (voided) or expired."""

    id: str
    account_id: str
    amount: int
    currency: str
    status: str  # pending, burned, released, expired
    burned_amount: int
    released_amount: int
    expires_at: str
    fee_amount: int | None = None
    created_at: str = ""
    resolved_at: str | None = None


@dataclass(frozen=True)
class Transfer:
    id: str
    transaction_id: str
    from_account_id: str
    to_account_id: str
    amount: int
    currency: str
    created_at: str = ""


@dataclass(frozen=True)
class Total:
    """The balance of one account kind in one currency, credits minus debits as the contract
    says (customer money positive, PSP clearing zero or below); they sum to zero per currency."""

    account_kind: str
    currency: str
    balance: int


@dataclass(frozen=True)
class Settings:
    withdrawals_enabled: bool
    primary_psp: str
    fee_bps: int | None = None  # app v2 only


@dataclass(frozen=True)
class EntryPage:
    """One page of ledger legs, in ledger order; ``next_cursor`` is None on the last page."""

    entries: tuple[Entry, ...]
    next_cursor: str | None
