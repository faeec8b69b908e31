"""The drill's own books: every wallet it made and every operation that completed.

The steady state after the rollback is "the state before, plus the effects of the
operations that completed". The books make that checkable: from the canary worlds'
models they compute what every ledger account group should hold; whatever the platform
holds beyond that is *unexplained*, and it must be the same after the rollback as before.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from golive.canary.world import CanaryWorld
from golive.invariants import Violation
from golive.money import Money
from golive.target import Total

# ledger account kinds → the groups whose totals the books can predict
GROUPS = {
    "customer_wallet": "customer money",
    "customer_held": "customer money",
    "house_revenue": "house money",
    "house_fees": "house money",  # v2 books part of a burn as a fee; a downgrade folds it back
    "payouts_in_transit": "payouts in transit",
    "psp_clearing": "PSP clearing",
}


@dataclass
class Book:
    """The drill's wallets (one canary world each), shared by every step of one drill."""

    worlds: list[CanaryWorld] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, world: CanaryWorld) -> CanaryWorld:
        with self._lock:
            self.worlds.append(world)
        return world

    def funded(self) -> list[CanaryWorld]:
        return [w for w in self.worlds if w.wallet is not None]

    def refresh(self) -> None:
        """Take the platform's word on every deposit and withdrawal status (read-only)."""
        for world in self.funded():
            w, client = world.w, world.client
            for dep in world.deposits:
                status = client.get_deposit(dep.id).status
                if status == "succeeded":
                    w.credited.add(dep.id)
                elif status == "failed":
                    w.failed_deposits.add(dep.id)
            for wd in world.withdrawals:
                status = client.get_withdrawal(wd.id).status
                if status == "paid":
                    w.paid.add(wd.id)
                elif status == "failed":
                    w.refunded.add(wd.id)

    def expected_totals(self) -> dict[str, int]:
        """What each account group should hold, per currency, from the operations made."""
        out: dict[str, int] = defaultdict(int)
        for world in self.funded():
            w = world.w
            cur = w.currency
            credited = sum(w.deposits[d] for d in w.credited)
            paid = sum(w.withdrawals[x] for x in w.paid)
            out[f"customer money {cur}"] += w.available + w.held
            out[f"house money {cur}"] += w.burned
            out[f"payouts in transit {cur}"] += w.in_transit
            out[f"PSP clearing {cur}"] += paid - credited
        return dict(out)

    def unexplained(self, totals: Iterable[Total]) -> dict[str, int]:
        """Platform totals minus the books, per group and currency (zeros left out)."""
        self.refresh()
        seen: dict[str, int] = defaultdict(int)
        for row in totals:
            group = GROUPS.get(row.account_kind, row.account_kind)
            seen[f"{group} {row.currency}"] += row.balance
        expected = self.expected_totals()
        keys = set(seen) | set(expected)
        diff = {k: seen.get(k, 0) - expected.get(k, 0) for k in sorted(keys)}
        return {k: v for k, v in diff.items() if v}

    def wallet_mismatches(self) -> list[Violation]:
        """Every wallet whose available / held / pending differ from the books."""
        self.refresh()
        found = []
        for world in self.funded():
            w = world.w
            bal = world.client.balance(w.account_id)
            seen = (bal.available, bal.held, bal.pending)
            want = (w.available, w.held, w.pending)
            if seen != want:
                found.append(
                    Violation(
                        "wallet matches the books",
                        f"wallet {w.account_id}",
                        f"available/held/pending {_fmt(seen, w.currency)}, the completed "
                        f"operations give {_fmt(want, w.currency)}",
                    )
                )
        return found


def _fmt(values: tuple[int, int, int], currency: str) -> str:
    return " / ".join(str(Money(v, currency)) for v in values)
