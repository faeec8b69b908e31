"""The reference model: what a correct platform's books must say after each operation.

The state machine runs this model beside the platform. For every operation the model says
whether a correct platform must accept or refuse it (``*_allowed``) and, once the platform
has answered, applies the accepted ones. Balances follow the contract: ``available`` is
spendable, ``held`` is the sum of pending holds, ``pending`` is deposits not yet confirmed.
Pure Python, no I/O: tests/properties/test_model.py checks it on its own.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

PENDING = "pending"
RESOLVED = ("burned", "released", "expired")
BPS = 10_000  # basis points in a whole


def fee(amount: int, fee_bps: int) -> int:
    """The burn fee the contract states: ``fee_bps`` basis points of ``amount`` (minor units,
    whatever the currency's exponent), rounded half up."""
    return (amount * fee_bps + BPS // 2) // BPS


def half_boundaries(fee_bps: int, limit: int, count: int = 8) -> list[int]:
    """Amounts up to ``limit`` whose fee is an exact half of a minor unit (where rounding
    decides), each with its neighbours; the smallest ``count`` halves."""
    if fee_bps <= 0:
        return []
    out: list[int] = []
    for k in range(4 * BPS):  # a half is k units and 5000 bps: amount = (k·10⁴ + 5000) / bps
        whole, rest = divmod(k * BPS + BPS // 2, fee_bps)
        if whole > limit or len(out) >= 3 * count:
            break
        if not rest:
            out += [a for a in (whole - 1, whole, whole + 1) if 1 <= a <= limit]
    return sorted(set(out))


class ModelError(ValueError):
    """The harness asked the model for something impossible (a bug in the harness)."""


@dataclass
class ModelAccount:
    id: str
    currency: str
    available: int = 0


@dataclass
class ModelHold:
    id: str
    account_id: str
    amount: int
    expires_at: datetime
    status: str = PENDING
    burned: int = 0
    released: int = 0
    fee: int = 0  # of the burned amount


@dataclass
class ModelDeposit:
    id: str
    account_id: str
    amount: int
    status: str = PENDING  # pending | succeeded | failed


@dataclass
class ModelWithdrawal:
    id: str
    account_id: str
    amount: int
    fails: bool = False  # the PSP was told to fail this payout when it arrives
    status: str = "in_transit"  # in_transit | paid | failed (refunded)


@dataclass
class LedgerModel:
    """One example's accounts and everything done to them."""

    accounts: dict[str, ModelAccount] = field(default_factory=dict)
    holds: dict[str, ModelHold] = field(default_factory=dict)
    deposits: dict[str, ModelDeposit] = field(default_factory=dict)
    withdrawals: dict[str, ModelWithdrawal] = field(default_factory=dict)
    fee_bps: int | None = None  # the platform's burn fee (None: it has none, app v1)

    # -- accounts ---------------------------------------------------------------------------
    def open(self, account_id: str, currency: str) -> None:
        if account_id in self.accounts:
            raise ModelError(f"account {account_id!r} is already in the model")
        self.accounts[account_id] = ModelAccount(account_id, currency)

    def account(self, account_id: str) -> ModelAccount:
        try:
            return self.accounts[account_id]
        except KeyError:
            raise ModelError(f"account {account_id!r} is not in the model") from None

    def held(self, account_id: str) -> int:
        return sum(
            h.amount
            for h in self.holds.values()
            if h.account_id == account_id and h.status == PENDING
        )

    def pending(self, account_id: str) -> int:
        return sum(
            d.amount
            for d in self.deposits.values()
            if d.account_id == account_id and d.status == PENDING
        )

    def balance(self, account_id: str) -> tuple[int, int, int]:
        """(available, held, pending) a correct platform reports for the account."""
        return self.account(account_id).available, self.held(account_id), self.pending(account_id)

    # -- deposits ---------------------------------------------------------------------------
    def deposit_created(self, deposit_id: str, account_id: str, amount: int) -> None:
        self.account(account_id)
        self.deposits[deposit_id] = ModelDeposit(deposit_id, account_id, amount)

    def deposit_settled(self, deposit_id: str, succeeded: bool) -> None:
        dep = self.deposits[deposit_id]
        if dep.status != PENDING:
            raise ModelError(f"deposit {deposit_id!r} is already {dep.status}")
        dep.status = "succeeded" if succeeded else "failed"
        if succeeded:
            self.account(dep.account_id).available += dep.amount

    # -- holds --------------------------------------------------------------------------------
    def hold_allowed(self, account_id: str, amount: int, currency: str) -> bool:
        acc = self.account(account_id)
        return currency == acc.currency and 0 < amount <= acc.available

    def hold_placed(self, hold_id: str, account_id: str, amount: int, expires_at: datetime) -> None:
        self.account(account_id).available -= amount
        self.holds[hold_id] = ModelHold(hold_id, account_id, amount, expires_at)

    def burn_allowed(self, hold_id: str, amount: int | None) -> bool:
        hold = self.holds[hold_id]
        return hold.status == PENDING and (amount is None or 0 < amount <= hold.amount)

    def burned(self, hold_id: str, amount: int | None) -> None:
        hold = self._pending_hold(hold_id)
        hold.burned = hold.amount if amount is None else amount
        hold.released = hold.amount - hold.burned
        hold.fee = fee(hold.burned, self.fee_bps or 0)
        hold.status = "burned"
        self.account(hold.account_id).available += hold.released

    def hold_record(self, hold_id: str) -> tuple[str, int, int, int | None]:
        """(status, burned_amount, released_amount, fee_amount) the platform must report."""
        h = self.holds[hold_id]
        return h.status, h.burned, h.released, None if self.fee_bps is None else h.fee

    def release_allowed(self, hold_id: str) -> bool:
        return self.holds[hold_id].status == PENDING

    def released(self, hold_id: str, status: str = "released") -> None:
        hold = self._pending_hold(hold_id)
        hold.status = status
        hold.released = hold.amount
        self.account(hold.account_id).available += hold.amount

    def due_to_expire(self, now: datetime) -> set[str]:
        """Pending holds whose expiry is at or before ``now``."""
        return {h.id for h in self.holds.values() if h.status == PENDING and h.expires_at <= now}

    def expire(self, now: datetime) -> set[str]:
        due = self.due_to_expire(now)
        for hold_id in due:
            self.released(hold_id, "expired")
        return due

    def _pending_hold(self, hold_id: str) -> ModelHold:
        hold = self.holds[hold_id]
        if hold.status != PENDING:
            raise ModelError(f"hold {hold_id!r} is already {hold.status}")
        return hold

    # -- transfers and withdrawals -------------------------------------------------------
    def transfer_allowed(self, src: str, dst: str, amount: int, currency: str) -> bool:
        a, b = self.account(src), self.account(dst)
        return src != dst and a.currency == b.currency == currency and 0 < amount <= a.available

    def transferred(self, src: str, dst: str, amount: int) -> None:
        self.account(src).available -= amount
        self.account(dst).available += amount

    def withdraw_allowed(self, account_id: str, amount: int, currency: str) -> bool:
        return self.hold_allowed(account_id, amount, currency)

    def withdrawn(
        self, withdrawal_id: str, account_id: str, amount: int, *, fails: bool = False
    ) -> None:
        self.account(account_id).available -= amount
        self.withdrawals[withdrawal_id] = ModelWithdrawal(withdrawal_id, account_id, amount, fails)

    def payout_settled(self, withdrawal_id: str, paid: bool) -> None:
        wd = self.withdrawals[withdrawal_id]
        if wd.status != "in_transit":
            raise ModelError(f"withdrawal {withdrawal_id!r} is already {wd.status}")
        wd.status = "paid" if paid else "failed"
        if not paid:  # a failed payout is refunded to the wallet
            self.account(wd.account_id).available += wd.amount

    # -- money in the system ------------------------------------------------------------
    def flows(self) -> dict[str, dict[str, int]]:
        """Per currency: credited deposits, settled payouts, burned, in transit, balances."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        cur = {a.id: a.currency for a in self.accounts.values()}
        for d in self.deposits.values():
            if d.status == "succeeded":
                out[cur[d.account_id]]["credited"] += d.amount
        for w in self.withdrawals.values():
            key = {"paid": "paid_out", "in_transit": "in_transit"}.get(w.status)
            if key:
                out[cur[w.account_id]][key] += w.amount
        for h in self.holds.values():
            out[cur[h.account_id]]["burned"] += h.burned
            out[cur[h.account_id]]["revenue"] += h.burned - h.fee
            out[cur[h.account_id]]["fees"] += h.fee
        for a in self.accounts.values():
            out[a.currency]["available"] += a.available
            out[a.currency]["held"] += self.held(a.id)
        return {c: dict(v) for c, v in out.items()}

    def conserved(self) -> bool:
        """The model's own books balance: credited − paid out = what is still in the system."""
        for f in self.flows().values():
            inside = f.get("available", 0) + f.get("held", 0) + f.get("in_transit", 0)
            if f.get("credited", 0) - f.get("paid_out", 0) != inside + f.get("burned", 0):
                return False
        return True
