"""Ledger invariants, checked from the outside (contract) and read-only from the database."""

from __future__ import annotations

from golive.invariants.ledger import (
    Violation,
    negative_available,
    unbalanced_transactions,
    wallet_mismatches,
)

__all__ = ["Violation", "negative_available", "unbalanced_transactions", "wallet_mismatches"]
