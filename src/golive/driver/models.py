"""Typed records of the platform contract (docs/platform-contract.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Balance:
    account_id: str
    currency: str
    available: int
    held: int
    pending: int

    @classmethod
    def of(cls, d: dict[str, Any]) -> Balance:
        return cls(str(d["account_id"]), d["currency"], d["available"], d["held"], d["pending"])


@dataclass(frozen=True)
class Entry:
    """One ledger leg. ``signed`` is + for debit, - for credit (sums to zero per transaction)."""

    id: str
    transaction_id: str
    account_id: str
    account_kind: str
    direction: str
    amount: int
    currency: str
    created_at: str
    reference: str | None = None  # the PSP's reference of its deposit or withdrawal

    @property
    def signed(self) -> int:
        return self.amount if self.direction == "debit" else -self.amount

    @classmethod
    def of(cls, d: dict[str, Any]) -> Entry:
        return cls(
            str(d["id"]), str(d["transaction_id"]), str(d["account_id"]), d["account_kind"],
            d["direction"], d["amount"], d["currency"], str(d.get("created_at", "")),
            d.get("reference"),
        )  # fmt: skip


@dataclass(frozen=True)
class Job:
    id: str
    kind: str
    state: str
    reference: str | None
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, d: dict[str, Any]) -> Job:
        return cls(
            str(d["id"]), d["kind"], d["state"], d.get("reference"),
            str(d["created_at"]), str(d["updated_at"]),
        )  # fmt: skip
