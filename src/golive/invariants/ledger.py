"""Invariant checks over what the contract exposes. Each returns every ``Violation`` it finds."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from golive.driver import Balance, Entry


@dataclass(frozen=True)
class Violation:
    """One broken invariant: which check, on what, and what was seen."""

    check: str
    subject: str
    detail: str

    def __str__(self) -> str:
        return f"{self.check}: {self.subject}: {self.detail}"


def unbalanced_transactions(entries: Iterable[Entry]) -> list[Violation]:
    """Every transaction's legs sum to zero per currency (double entry)."""
    sums: dict[tuple[str, str], int] = defaultdict(int)
    for e in entries:
        sums[(e.transaction_id, e.currency)] += e.signed
    return [
        Violation("transaction balances", f"transaction {tx}", f"legs sum to {s} {cur}, not 0")
        for (tx, cur), s in sorted(sums.items())
        if s != 0
    ]


def negative_available(balances: Iterable[Balance]) -> list[Violation]:
    return [
        Violation(
            "no negative balance",
            f"account {b.account_id}",
            f"available is {b.available} {b.currency}",
        )
        for b in balances
        if b.available < 0 or b.held < 0 or b.pending < 0
    ]


def wallet_mismatches(entries: Iterable[Entry], balances: Iterable[Balance]) -> list[Violation]:
    """A wallet's available balance equals what its ledger legs add up to (credit-normal)."""
    ledger: dict[str, int] = defaultdict(int)
    for e in entries:
        if e.account_kind == "customer_wallet":
            ledger[e.account_id] -= e.signed
    return [
        Violation(
            "balance matches ledger",
            f"account {b.account_id}",
            f"balance API says {b.available} {b.currency} available, its ledger legs add up to "
            f"{ledger.get(b.account_id, 0)}",
        )
        for b in balances
        if ledger.get(b.account_id, 0) != b.available
    ]
