"""The ledger state machine: Hypothesis chooses the operations, the model judges the answers.

It drives the platform only through the contract (golive.driver), so it runs against any
platform that implements docs/platform-contract.yaml. Build it with the shared ``PropertyContext``:
``run_state_machine_as_test(lambda: LedgerMachine(probe))``.
"""

from __future__ import annotations

import sys

from hypothesis import strategies as st
from hypothesis import target
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from golive.properties import actions
from golive.properties.model import BPS, half_boundaries
from golive.properties.session import LedgerSession, PropertyContext
from golive.psp.magic import FAIL_AMOUNTS

CURRENCIES = ("EUR", "USD", "JPY", "BHD")  # minor-unit exponents 2, 2, 0 and 3
FEES_BPS = (0, 1, 7, 33, 50, 100, 250, 2500, 9999, 10_000)  # settings the machine switches to
MAX_ACCOUNTS = 4
EXPIRIES = (600, 3600, 86_400)  # long enough that real time never expires a hold mid-example


def amounts(limit: int) -> st.SearchStrategy[int]:
    """Mostly amounts a correct platform accepts (1..limit), sometimes the edge, just over it,
    far over it or zero, which it must refuse."""
    edges = st.sampled_from(sorted({0, limit, limit + 1}))
    over = st.integers(limit + 1, limit + 50_000)
    if limit < 1:
        return st.one_of(edges, over)
    within = st.integers(1, limit)
    return st.one_of(within, within, within, edges, over)


def float_fragile(minor: int) -> bool:
    """An amount that a trip through float major units (cents or mills), truncated, loses."""
    return any(int(minor / scale * scale) != minor for scale in (100, 1000))


# Small amounts (cents) and float-fragile ones are where rounding bugs live; large ones fund
# everything else.
FLOAT_FRAGILE = tuple(m for m in range(1, 5_000) if float_fragile(m))
deposit_amounts = st.one_of(
    st.integers(1, 2_000), st.integers(1, 100_000), st.sampled_from(FLOAT_FRAGILE)
)
rarely = st.sampled_from([False, False, False, False, True])


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    holds = Bundle("holds")

    def __init__(self, probe: PropertyContext) -> None:
        super().__init__()
        self.s = LedgerSession(probe)
        self.nearest_half = BPS  # how close a burn came to a fee of exactly half a unit

    def available(self, account: str) -> int:
        return self.s.model.account(account).available

    def burn_amounts(self, whole: int) -> st.SearchStrategy[int | None]:
        """All, part, one over the hold, or on purpose an amount whose fee is an exact half
        of a minor unit (or next to one), where rounding decides."""
        plain = st.none() | st.integers(1, whole) | st.just(whole + 1)
        edges = half_boundaries(self.s.model.fee_bps or 0, whole)
        return st.one_of(plain, st.sampled_from(edges)) if edges else plain

    def note_burn(self, amount: int) -> None:
        bps = self.s.model.fee_bps or 0
        if bps:
            self.nearest_half = min(self.nearest_half, abs(amount * bps % BPS - BPS // 2))

    # -- accounts and money in -------------------------------------------------------------
    def draw_psp(self, data: st.DataObject) -> str:
        """One of the payment providers the target uses."""
        return data.draw(st.sampled_from(self.s.probe.psps), label="psp")

    @initialize(
        target=accounts,
        currency=st.sampled_from(CURRENCIES),
        amount=deposit_amounts,
        data=st.data(),
    )
    def funded_account(self, currency: str, amount: int, data: st.DataObject) -> str:
        account = actions.open_account(self.s, currency)
        actions.deposit(self.s, account, amount, self.draw_psp(data))
        return account

    @initialize(target=holds, data=st.data(), currency=st.sampled_from(CURRENCIES))
    def pending_holds(self, data: st.DataObject, currency: str) -> object:
        """Every example starts with two pending holds on one account, so hold lifecycles
        (and what one hold's resolution may do to another's money) are always in play."""
        if not self.s.model.accounts:  # initializers run in any order
            account = actions.open_account(self.s, currency)
            amount = data.draw(deposit_amounts, label="deposit")
            actions.deposit(self.s, account, amount, self.s.probe.psps[0])
        account = next(iter(self.s.model.accounts))
        placed = []
        for expires_in in EXPIRIES[:2]:
            amount = data.draw(st.integers(1, max(1, self.available(account))), label="amount")
            placed.append(actions.place_hold(self.s, account, amount, expires_in))
        return multiple(*(h for h in placed if h is not None))

    @precondition(lambda self: len(self.s.model.accounts) < MAX_ACCOUNTS)
    @rule(target=accounts, currency=st.sampled_from(CURRENCIES))
    def open_account(self, currency: str) -> str:
        return actions.open_account(self.s, currency)

    @rule(
        account=accounts,
        amount=deposit_amounts,
        data=st.data(),
        duplicates=st.sampled_from([0, 0, 1, 2]),
        declined=rarely,
    )
    def deposit(
        self, account: str, amount: int, data: st.DataObject, duplicates: int, declined: bool
    ) -> None:
        """A deposit credited by its webhook (maybe delivered several times), or declined."""
        psp = self.draw_psp(data)
        if declined:
            actions.declined_deposit(self.s, account, psp)
        else:
            actions.deposit(self.s, account, amount, psp, duplicates=duplicates)

    # -- holds -------------------------------------------------------------------------------
    @rule(target=holds, account=accounts, data=st.data(), expires_in=st.sampled_from(EXPIRIES))
    def place_hold(self, account: str, data: st.DataObject, expires_in: int) -> object:
        amount = data.draw(amounts(self.available(account)), label="amount")
        hold = actions.place_hold(self.s, account, amount, expires_in)
        return multiple() if hold is None else hold

    @rule(target=holds, account=accounts, over=st.booleans())
    def place_hold_at_limit(self, account: str, over: bool) -> object:
        """A hold of exactly the available balance (accepted), or one more (refused)."""
        amount = self.available(account) + int(over)
        hold = actions.place_hold(self.s, account, amount, EXPIRIES[0])
        return multiple() if hold is None else hold

    @rule(hold=holds, data=st.data(), again=rarely)
    def burn(self, hold: str, data: st.DataObject, again: bool) -> None:
        """Burn all or part of a hold; ``again``: the client submits it twice (new key)."""
        whole = self.s.model.holds[hold].amount
        amount = data.draw(self.burn_amounts(whole), label="amount")
        self.note_burn(whole if amount is None else amount)
        for _ in range(1 + again):
            actions.burn(self.s, hold, amount)

    @precondition(lambda self: self.s.model.fee_bps is not None)
    @rule(account=accounts, data=st.data())
    def burn_at_a_half(self, account: str, data: st.DataObject) -> None:
        """A hold whose amount's fee is an exact half of a minor unit, burned in full; when
        the fee in force has no such amount within the balance, first a fee that has one."""
        available = self.available(account)
        if not half_boundaries(self.s.model.fee_bps or 0, available):
            fees = [f for f in FEES_BPS if half_boundaries(f, available)]
            if not fees:
                return
            actions.change_fee(self.s, data.draw(st.sampled_from(fees), label="fee_bps"))
        edges = half_boundaries(self.s.model.fee_bps or 0, available)
        if not edges:  # the platform's policy refused the fee
            return
        amount = data.draw(st.sampled_from(edges), label="amount")
        hold = actions.place_hold(self.s, account, amount, EXPIRIES[0])
        if hold is not None:
            self.note_burn(amount)
            actions.burn(self.s, hold, None)

    @precondition(lambda self: self.s.model.fee_bps is not None)
    @rule(fee_bps=st.sampled_from(FEES_BPS))
    def change_fee(self, fee_bps: int) -> None:
        """The platform's settings change (fee_bps); burns from now on must use the new fee."""
        actions.change_fee(self.s, fee_bps)

    @rule(hold=holds, again=rarely)
    def release(self, hold: str, again: bool) -> None:
        for _ in range(1 + again):
            actions.release(self.s, hold)

    @rule(hold=holds)
    def expire(self, hold: str) -> None:
        actions.expire_at(self.s, hold)

    @precondition(lambda self: any(h.status != "pending" for h in self.s.model.holds.values()))
    @rule(data=st.data(), how=st.sampled_from(["burn", "burn all", "release"]))
    def resolve_again(self, data: st.DataObject, how: str) -> None:
        """A second burn or release of a resolved hold (a client resubmitting with a new key):
        refused, and nothing moves."""
        # in the order they were placed: the platform's ids are random, so sorting by id
        # would make the same draws pick another hold on a replay
        done = [h.id for h in self.s.model.holds.values() if h.status != "pending"]
        hold = data.draw(st.sampled_from(done), label="hold")
        if how == "release":
            actions.release(self.s, hold)
        else:
            amount = None if how == "burn all" else self.s.model.holds[hold].amount // 2 or 1
            actions.burn(self.s, hold, amount)

    # -- transfers and withdrawals ----------------------------------------------------------
    @rule(src=accounts, dst=accounts, data=st.data())
    def transfer(self, src: str, dst: str, data: st.DataObject) -> None:
        amount = data.draw(amounts(self.available(src)), label="amount")
        actions.transfer(self.s, src, dst, amount)

    @rule(src=accounts, data=st.data())
    def transfer_to_nowhere(self, src: str, data: st.DataObject) -> None:
        """A transfer to an account that does not exist: refused, and nothing moves (a rule
        of its own, so that every budget tries it, not only a lucky one)."""
        amount = data.draw(amounts(self.available(src)), label="amount")
        actions.transfer_to_nowhere(self.s, src, max(1, amount))

    @rule(account=accounts, data=st.data(), fail=st.booleans())
    def withdraw(self, account: str, data: st.DataObject, fail: bool) -> None:
        psp = self.draw_psp(data)
        amount = data.draw(amounts(self.available(account)), label="amount")
        if amount in FAIL_AMOUNTS:  # the stub fails these on its own; keep the choice explicit
            amount -= len(FAIL_AMOUNTS)
        actions.withdraw(self.s, account, amount, psp, fail=fail)

    @precondition(
        lambda self: any(w.status == "in_transit" for w in self.s.model.withdrawals.values())
    )
    @rule(duplicates=st.sampled_from([0, 1]))
    def settle_payouts(self, duplicates: int) -> None:
        actions.settle_payouts(self.s, duplicates=duplicates)

    # -- idempotency ---------------------------------------------------------------------
    @precondition(lambda self: bool(self.s.calls))
    @rule(data=st.data(), other_body=rarely)
    def retry_same_key(self, data: st.DataObject, other_body: bool) -> None:
        """Retry an accepted request with its key (the first answer, replayed), or reuse the
        key for another amount (refused); either way nothing moves."""
        with_amount = [c for c in self.s.calls if c.amount is not None]
        if other_body and with_amount:
            actions.reuse_key(self.s, data.draw(st.sampled_from(with_amount), label="call"))
        else:
            actions.retry(self.s, data.draw(st.sampled_from(self.s.calls), label="call"))

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def books_agree(self) -> None:
        self.s.check()

    def teardown(self) -> None:
        if self.nearest_half < BPS:  # steer generation towards burns where rounding decides
            target(-self.nearest_half, label="distance of a burn's fee from an exact half")
        try:
            if not self.s.failed and sys.exc_info()[0] is None:
                actions.final_check(self.s)
        finally:
            actions.clean_up(self.s)
