"""One scenario's view of the platform: its wallet, what it did, and what it expects.

Steps are a few lines each over these methods, so the same behaviour serves every phrasing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from golive.canary.model import WalletModel
from golive.canary.psp_ops import PspOps
from golive.errors import ExpectationFailed
from golive.money import Money
from golive.target import Balance, Deposit, Hold, PlatformError, Target, Withdrawal


@dataclass
class Outcome:
    """What the last attempted operation returned, or how it was refused."""

    result: Deposit | Hold | Withdrawal | None = None
    error: PlatformError | None = None


@dataclass
class CanaryWorld:
    client: Target
    psp: PspOps
    wallet: WalletModel | None = None
    deposits: list[Deposit] = field(default_factory=list)
    withdrawals: list[Withdrawal] = field(default_factory=list)
    hold: Hold | None = None
    holds: list[Hold] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    one_shot_faults: bool = False  # PSP faults that must be cleared after the first failure
    new_webhook_secret: str | None = None

    # -- wallets and deposits ---------------------------------------------------------
    def new_wallet(self, currency: str) -> WalletModel:
        acc = self.client.create_account(f"canary-{uuid.uuid4().hex[:12]}", currency)
        self.wallet = WalletModel(acc.id, currency)
        return self.wallet

    @property
    def w(self) -> WalletModel:
        if self.wallet is None:
            raise ExpectationFailed(
                "the scenario has no wallet yet (add 'Given a new customer wallet')"
            )
        return self.wallet

    def deposit(self, amount: Money, psp: str) -> Deposit:
        dep = self.client.deposit(self.w.account_id, amount.amount_minor, amount.currency, psp)
        self.w.deposits[dep.id] = amount.amount_minor
        self.deposits.append(dep)
        return dep

    def deposit_retrying(self, amount: Money, psp: str, attempts: int = 4) -> Deposit:
        """A client that retries a failed deposit (bounded): the same idempotency key while
        the platform gives no answer, a new one after a definitive failure."""
        last: Exception | None = None
        for _ in range(attempts):
            try:
                dep = self.deposit(amount, psp)
            except PlatformError as exc:
                if exc.status < 500:
                    raise
                last = exc
                failed = exc.resource
                if isinstance(failed, Deposit) and failed.id:
                    self.w.deposits[failed.id] = amount.amount_minor
                    self.deposits.append(failed)
                if self.one_shot_faults:
                    self.psp.clear_faults()
                continue
            return dep
        raise ExpectationFailed(f"the deposit failed {attempts} times: {last}")

    def deposit_attempts(self) -> list[dict[str, Any]]:
        """The PSP's delivery attempts of the last deposit's webhook events."""
        return self.psp.attempts_for(str(self.deposits[-1].psp_reference))

    def settle_deposits(self) -> None:
        """Let the PSP deliver what is due, then take the platform's word on every deposit."""
        self.psp.deliver_due()
        for dep in self.deposits:
            status = self.client.get_deposit(dep.id).status
            if status == "succeeded":
                self.w.credited.add(dep.id)
            elif status == "failed":
                self.w.failed_deposits.add(dep.id)

    def expect_deposit_status(self, status: str, which: str = "last") -> None:
        deps = self.deposits[-1:] if which == "last" else self.deposits
        for dep in deps:
            seen = self.client.get_deposit(dep.id).status
            if seen != status:
                raise ExpectationFailed(f"deposit {dep.id} is {seen!r}, expected {status!r}")

    def fund(self, amount: Money, psp: str) -> None:
        self.new_wallet(amount.currency)
        dep = self.deposit(amount, psp)
        self.settle_deposits()
        if dep.id not in self.w.credited:
            raise ExpectationFailed(f"funding deposit {dep.id} of {amount} was not credited")

    # -- holds ----------------------------------------------------------------------------
    def attempt(
        self, fn: Callable[..., Deposit | Hold | Withdrawal], *args: Any, **kw: Any
    ) -> Outcome:
        try:
            outcome = Outcome(result=fn(*args, **kw))
        except PlatformError as exc:
            if exc.status >= 500:
                raise
            outcome = Outcome(error=exc)
        self.outcomes.append(outcome)
        return outcome

    def place_hold(self, amount: Money, key: str | None = None) -> Hold:
        hold = self.client.place_hold(
            self.w.account_id, amount.amount_minor, amount.currency, key=key
        )
        self.w.holds[hold.id] = amount.amount_minor
        self.hold = hold
        self.holds.append(hold)
        return hold

    def burn(self, amount: Money | None = None) -> None:
        hold = self._hold()
        res = self.client.burn(hold.id, None if amount is None else amount.amount_minor)
        burned = self.w.holds[hold.id] if amount is None else amount.amount_minor
        self.w.burn(hold.id, burned)
        if res.status != "burned":
            raise ExpectationFailed(f"hold {hold.id} burned but reports status {res.status!r}")

    def release(self) -> None:
        hold = self._hold()
        res = self.client.release(hold.id)
        self.w.release(hold.id)
        if res.status != "released":
            raise ExpectationFailed(f"hold {hold.id} released but reports {res.status!r}")

    def _hold(self) -> Hold:
        if self.hold is None:
            raise ExpectationFailed("no hold has been placed in this scenario")
        return self.hold

    # -- withdrawals ------------------------------------------------------------------
    def withdraw(self, amount: Money, psp: str | None, key: str | None = None) -> Withdrawal:
        wd = self.client.withdraw(
            self.w.account_id, amount.amount_minor, amount.currency, psp, key=key
        )
        if wd.id not in self.w.withdrawals:
            self.w.withdrawals[wd.id] = amount.amount_minor
        self.withdrawals.append(wd)
        return wd

    def settle_payouts(self, *, advance: bool = True) -> None:
        """Let the PSP's clock pass the payouts' arrival, deliver the events, read the outcome."""
        if advance:
            self.psp.pass_payout_arrival()
        for wd in self.withdrawals:
            status = self.client.get_withdrawal(wd.id).status
            if status == "paid":
                self.w.paid.add(wd.id)
            elif status == "failed":
                self.w.refunded.add(wd.id)

    def expect_withdrawal_status(self, status: str) -> None:
        wd = self.withdrawals[-1]
        seen = self.client.get_withdrawal(wd.id).status
        if seen != status:
            raise ExpectationFailed(f"withdrawal {wd.id} is {seen!r}, expected {status!r}")

    # -- balances -----------------------------------------------------------------------
    def expect_balance(self, available: Money, held: Money, pending: Money) -> Balance:
        """The wallet shows exactly these figures, and they are the model's figures too."""
        bal = self.client.balance(self.w.account_id)
        seen = (bal.available, bal.held, bal.pending)
        want = (available.amount_minor, held.amount_minor, pending.amount_minor)
        model = (self.w.available, self.w.held, self.w.pending)
        cur = self.w.currency
        if seen != want:
            raise ExpectationFailed(
                f"wallet {self.w.account_id} shows available/held/pending = {_fmt(seen, cur)}, "
                f"expected {_fmt(want, cur)}"
            )
        if want != model:
            raise ExpectationFailed(
                f"the scenario's figures {_fmt(want, cur)} disagree with the operations it made "
                f"({_fmt(model, cur)}): fix the feature file's amounts"
            )
        return bal


def _fmt(values: tuple[int, int, int], currency: str) -> str:
    return " / ".join(str(Money(v, currency)) for v in values)
