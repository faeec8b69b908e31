"""The ledger state machine against the target platform (any platform that speaks the contract)."""

from __future__ import annotations

from fixtures.properties import PropertyRun
from golive.properties import LedgerMachine, PropertyContext


def test_ledger_machine(ledger_probe: PropertyContext, property_run: PropertyRun) -> None:
    """Arbitrary sequences of deposits, holds, burns, releases, expiries, transfers,
    withdrawals, payouts, replayed webhooks and retried requests keep the books right."""
    property_run.machine(lambda: LedgerMachine(ledger_probe), test="test_ledger_machine")
