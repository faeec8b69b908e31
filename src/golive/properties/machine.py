"""The ledger state machine: Hypothesis chooses the operations, the model judges the answers.

It drives the platform only through the contract (golive.driver), so it runs against any
platform that implements docs/platform-contract.yaml. Build it with the shared ``Probe``:
``run_state_machine_as_test(lambda: LedgerMachine(probe))``.
"""

from __future__ import annotations

import sys

from hypothesis import strategies as st
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
from golive.properties.session import LedgerSession, Probe
from golive.psp.magic import FAIL_AMOUNTS

CURRENCIES = ("EUR", "USD", "JPY")
PSPS = ("stripe", "adyen")
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


deposit_amounts = st.integers(1, 100_000)


class LedgerMachine(RuleBasedStateMachine):
    accounts = Bundle("accounts")
    holds = Bundle("holds")

    def __init__(self, probe: Probe) -> None:
        super().__init__()
        self.s = LedgerSession(probe)

    def available(self, account: str) -> int:
        return self.s.model.account(account).available

    # -- accounts and money in -------------------------------------------------------------
    @initialize(
        target=accounts,
        currency=st.sampled_from(CURRENCIES),
        amount=deposit_amounts,
        psp=st.sampled_from(PSPS),
    )
    def funded_account(self, currency: str, amount: int, psp: str) -> str:
        account = actions.open_account(self.s, currency)
        actions.deposit(self.s, account, amount, psp)
        return account

    @precondition(lambda self: len(self.s.model.accounts) < MAX_ACCOUNTS)
    @rule(target=accounts, currency=st.sampled_from(CURRENCIES))
    def open_account(self, currency: str) -> str:
        return actions.open_account(self.s, currency)

    @rule(
        account=accounts,
        amount=deposit_amounts,
        psp=st.sampled_from(PSPS),
        duplicates=st.sampled_from([0, 0, 1, 2]),
    )
    def deposit(self, account: str, amount: int, psp: str, duplicates: int) -> None:
        actions.deposit(self.s, account, amount, psp, duplicates=duplicates)

    @rule(account=accounts, psp=st.sampled_from(PSPS))
    def declined_deposit(self, account: str, psp: str) -> None:
        actions.declined_deposit(self.s, account, psp)

    # -- holds -------------------------------------------------------------------------------
    @rule(target=holds, account=accounts, data=st.data(), expires_in=st.sampled_from(EXPIRIES))
    def place_hold(self, account: str, data: st.DataObject, expires_in: int) -> object:
        amount = data.draw(amounts(self.available(account)), label="amount")
        hold = actions.place_hold(self.s, account, amount, expires_in)
        return multiple() if hold is None else hold

    @rule(hold=holds, data=st.data())
    def burn(self, hold: str, data: st.DataObject) -> None:
        whole = self.s.model.holds[hold].amount
        amount = data.draw(st.none() | st.integers(1, whole) | st.just(whole + 1), label="amount")
        actions.burn(self.s, hold, amount)

    @rule(hold=holds)
    def release(self, hold: str) -> None:
        actions.release(self.s, hold)

    @rule(hold=holds)
    def expire(self, hold: str) -> None:
        actions.expire_at(self.s, hold)

    # -- transfers and withdrawals ----------------------------------------------------------
    @rule(src=accounts, dst=accounts, data=st.data())
    def transfer(self, src: str, dst: str, data: st.DataObject) -> None:
        amount = data.draw(amounts(self.available(src)), label="amount")
        actions.transfer(self.s, src, dst, amount)

    @rule(src=accounts, data=st.data())
    def transfer_to_nowhere(self, src: str, data: st.DataObject) -> None:
        amount = data.draw(st.integers(1, max(1, self.available(src))), label="amount")
        actions.transfer_to_nowhere(self.s, src, amount)

    @rule(account=accounts, data=st.data(), psp=st.sampled_from(PSPS), fail=st.booleans())
    def withdraw(self, account: str, data: st.DataObject, psp: str, fail: bool) -> None:
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
    @rule(data=st.data())
    def retry_same_key(self, data: st.DataObject) -> None:
        actions.retry(self.s, data.draw(st.sampled_from(self.s.calls), label="call"))

    @precondition(lambda self: any("amount" in c.body for c in self.s.calls))
    @rule(data=st.data())
    def reuse_key_other_body(self, data: st.DataObject) -> None:
        calls = [c for c in self.s.calls if "amount" in c.body]
        actions.reuse_key(self.s, data.draw(st.sampled_from(calls), label="call"))

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def books_agree(self) -> None:
        self.s.check()

    def teardown(self) -> None:
        try:
            if not self.s.failed and sys.exc_info()[0] is None:
                actions.final_check(self.s)
        finally:
            actions.clean_up(self.s)
