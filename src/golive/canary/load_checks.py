"""After the load phase: every loop's money accounted for, with what is shared read once.

The ledger and the PSP's objects are read once for all loops (not once per loop: that is
quadratic in the number of loops); each wallet's balance and statuses are read per loop.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from golive.canary.conservation import conservation_violations
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.invariants import unbalanced_transactions
from golive.target import Target, iter_entries


class PspSnapshot(PspOps):
    """The PSP's answers to status questions from one read of its state."""

    def __init__(self, state: dict[str, Any]) -> None:  # no client: it never calls the PSP
        self._state = state

    def state(self) -> dict[str, Any]:
        return self._state


def settle_and_check(psp: PspOps, client: Target, worlds: dict[int, CanaryWorld]) -> list[str]:
    """Let the payouts arrive, then every loop's findings ("loop 7: …"), and the ledger's."""
    psp.pass_payout_arrival()
    ledger = list(iter_entries(client))
    found = [f"ledger: {v}" for v in unbalanced_transactions(ledger)]
    snapshot = PspSnapshot(psp.state())
    for i, world in sorted(worlds.items()):
        if world.wallet is None:
            continue
        try:
            world.settle_payouts(advance=False)
            found += [f"loop {i}: {v}" for v in conservation_violations(
                replace(world, psp=snapshot), ledger)]  # fmt: skip
        except Exception as exc:  # a check that cannot be made is a finding too
            found.append(f"loop {i}: {type(exc).__name__}: {exc}"[:400])
    return found
