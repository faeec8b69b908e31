"""What a scenario expects of one wallet, kept beside what the platform reports.

The model is the harness's own bookkeeping of the operations a scenario made and their
outcomes; conservation compares it with the platform's balances, statuses and the PSP.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class WalletModel:
    account_id: str
    currency: str
    deposits: dict[str, int] = field(default_factory=dict)  # id → amount
    credited: set[str] = field(default_factory=set)
    failed_deposits: set[str] = field(default_factory=set)
    holds: dict[str, int] = field(default_factory=dict)  # pending hold id → amount
    burned: int = 0
    withdrawals: dict[str, int] = field(default_factory=dict)
    paid: set[str] = field(default_factory=set)
    refunded: set[str] = field(default_factory=set)

    @property
    def available(self) -> int:
        credited = sum(self.deposits[d] for d in self.credited)
        out = sum(a for w, a in self.withdrawals.items() if w not in self.refunded)
        return credited - self.held - self.burned - out

    @property
    def held(self) -> int:
        return sum(self.holds.values())

    @property
    def pending(self) -> int:
        done = self.credited | self.failed_deposits
        return sum(a for d, a in self.deposits.items() if d not in done)

    @property
    def in_transit(self) -> int:
        done = self.paid | self.refunded
        return sum(a for w, a in self.withdrawals.items() if w not in done)

    def burn(self, hold_id: str, amount: int) -> None:
        self.holds.pop(hold_id)
        self.burned += amount

    def release(self, hold_id: str) -> None:
        self.holds.pop(hold_id)
