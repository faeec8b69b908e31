"""The reference model on its own: what it allows, what it books, and that it conserves money."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from golive.properties.model import LedgerModel, ModelError, fee, half_boundaries

T0 = datetime(2030, 1, 1, tzinfo=UTC)


def funded(amount: int = 1000, currency: str = "EUR") -> LedgerModel:
    m = LedgerModel()
    m.open("a", currency)
    m.deposit_created("d1", "a", amount)
    assert m.balance("a") == (0, 0, amount)
    m.deposit_settled("d1", succeeded=True)
    return m


def test_deposit_is_pending_until_settled_and_failed_ones_are_not_credited() -> None:
    m = funded(1000)
    m.deposit_created("d2", "a", 50)
    assert m.balance("a") == (1000, 0, 50)
    m.deposit_settled("d2", succeeded=False)
    assert m.balance("a") == (1000, 0, 0)
    with pytest.raises(ModelError, match="already failed"):
        m.deposit_settled("d2", succeeded=True)


def test_hold_limits_are_the_available_balance_and_the_currency() -> None:
    m = funded(1000)
    assert m.hold_allowed("a", 1000, "EUR")
    assert not m.hold_allowed("a", 1001, "EUR")
    assert not m.hold_allowed("a", 0, "EUR")
    assert not m.hold_allowed("a", 10, "USD")
    m.hold_placed("h", "a", 600, T0)
    assert m.balance("a") == (400, 600, 0)
    assert not m.hold_allowed("a", 401, "EUR")


def test_partial_burn_returns_the_rest_and_a_hold_resolves_once() -> None:
    m = funded(1000)
    m.hold_placed("h", "a", 600, T0)
    assert m.burn_allowed("h", 600)
    assert not m.burn_allowed("h", 601)
    assert not m.burn_allowed("h", 0)
    m.burned("h", 250)
    assert m.balance("a") == (750, 0, 0)
    assert (m.holds["h"].burned, m.holds["h"].released) == (250, 350)
    assert not m.burn_allowed("h", None)
    assert not m.release_allowed("h")
    with pytest.raises(ModelError, match="already burned"):
        m.released("h")


def test_expiry_takes_exactly_the_holds_due() -> None:
    m = funded(1000)
    m.hold_placed("early", "a", 100, T0)
    m.hold_placed("late", "a", 200, T0 + timedelta(hours=1))
    m.hold_placed("gone", "a", 300, T0)
    m.released("gone")
    assert m.expire(T0) == {"early"}
    assert m.holds["early"].status == "expired"
    assert m.balance("a") == (800, 200, 0)
    assert m.due_to_expire(T0 + timedelta(hours=1)) == {"late"}


def test_transfers_stay_in_one_currency_between_two_accounts() -> None:
    m = funded(1000)
    m.open("b", "EUR")
    m.open("y", "JPY")
    assert m.transfer_allowed("a", "b", 1000, "EUR")
    assert not m.transfer_allowed("a", "b", 1001, "EUR")
    assert not m.transfer_allowed("a", "a", 1, "EUR")
    assert not m.transfer_allowed("a", "y", 1, "EUR")
    m.transferred("a", "b", 300)
    assert (m.balance("a")[0], m.balance("b")[0]) == (700, 300)


def test_failed_payouts_are_refunded_and_paid_ones_leave_the_system() -> None:
    m = funded(1000)
    m.withdrawn("w1", "a", 100)
    m.withdrawn("w2", "a", 200, fails=True)
    assert m.balance("a")[0] == 700
    m.payout_settled("w1", paid=True)
    m.payout_settled("w2", paid=False)
    assert m.balance("a")[0] == 900
    assert m.flows()["EUR"] == {"credited": 1000, "paid_out": 100, "available": 900, "held": 0}
    assert m.conserved()


def test_a_broken_model_is_not_conserved() -> None:
    m = funded(1000)
    m.account("a").available += 1  # money from nowhere
    assert not m.conserved()


operations = st.lists(
    st.tuples(
        st.sampled_from(
            ["deposit", "hold", "burn", "release", "expire", "transfer", "withdraw", "settle"]
        ),
        st.integers(0, 2),
        st.integers(0, 2),
        st.integers(1, 5000),
        st.booleans(),
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(ops=operations)
def test_any_sequence_of_allowed_operations_conserves_money(ops: list[tuple]) -> None:
    """Whatever the allowed operations, no balance goes negative and every cent is accounted
    for: credited − paid out = available + held + in transit + burned."""
    m = LedgerModel()
    for i, cur in enumerate(["EUR", "EUR", "JPY"]):
        m.open(f"acc{i}", cur)
    for n, (kind, i, j, amount, flag) in enumerate(ops):
        a, b = f"acc{i}", f"acc{j}"
        cur = m.account(a).currency
        pending = [h for h in m.holds.values() if h.status == "pending"]
        if kind == "deposit":
            m.deposit_created(f"d{n}", a, amount)
            m.deposit_settled(f"d{n}", succeeded=flag)
        elif kind == "hold" and m.hold_allowed(a, amount, cur):
            m.hold_placed(f"h{n}", a, amount, T0 + timedelta(seconds=amount))
        elif kind == "burn" and pending:
            h = pending[amount % len(pending)]
            take = None if flag else 1 + amount % h.amount
            assert m.burn_allowed(h.id, take)
            m.burned(h.id, take)
        elif kind == "release" and pending:
            m.released(pending[amount % len(pending)].id)
        elif kind == "expire":
            m.expire(T0 + timedelta(seconds=amount))
        elif kind == "transfer" and m.transfer_allowed(a, b, amount, cur):
            m.transferred(a, b, amount)
        elif kind == "withdraw" and m.withdraw_allowed(a, amount, cur):
            m.withdrawn(f"w{n}", a, amount, fails=flag)
        elif kind == "settle":
            for w in list(m.withdrawals.values()):
                if w.status == "in_transit":
                    m.payout_settled(w.id, paid=not w.fails)
        for acc in m.accounts:
            assert min(m.balance(acc)) >= 0
        assert m.conserved()


# -- the burn fee: fee_bps basis points of the burned amount, rounded half up ----------------
@given(amount=st.integers(0, 10**15), fee_bps=st.integers(0, 10_000))
@example(amount=50, fee_bps=100)  # 0.5 → 1 (half to even would give 0)
@example(amount=250, fee_bps=100)  # 2.5 → 3 (half to even: 2)
@example(amount=149, fee_bps=100)  # 1.49 → 1
@example(amount=1, fee_bps=5_000)  # 0.5 → 1
@example(amount=5_000, fee_bps=1)  # 0.5 → 1
@example(amount=10**15 + 1, fee_bps=9_999)  # past a float's 53 bits
@example(amount=0, fee_bps=100)
def test_the_fee_is_the_exact_amount_rounded_half_up(amount: int, fee_bps: int) -> None:
    exact = Decimal(amount) * fee_bps / 10_000
    assert fee(amount, fee_bps) == int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@given(fee_bps=st.integers(1, 10_000), limit=st.integers(1, 200_000))
@example(fee_bps=100, limit=1_000)
@example(fee_bps=10_000, limit=1_000)  # a whole fee never has a half
def test_half_boundaries_are_exact_halves_and_their_neighbours(fee_bps: int, limit: int) -> None:
    found = half_boundaries(fee_bps, limit)
    halves = [a for a in found if a * fee_bps % 10_000 == 5_000]
    assert all(1 <= a <= limit for a in found)
    assert all(a - 1 in found or a == 1 for a in halves)
    assert {a for a in found} <= {h + d for h in halves for d in (-1, 0, 1)}
    first = next(
        (a for a in range(1, min(limit, 20_000) + 1) if a * fee_bps % 10_000 == 5_000), None
    )
    if first is not None:
        assert first in halves


@pytest.mark.parametrize("fee_bps", [None, 0, 100])
def test_a_burn_records_its_fee_and_a_release_none(fee_bps: int | None) -> None:
    m = funded(1000)
    m.fee_bps = fee_bps
    m.hold_placed("h1", "a", 250, T0)
    m.hold_placed("h2", "a", 100, T0)
    m.burned("h1", None)
    m.released("h2")
    fee_amount = None if fee_bps is None else fee(250, fee_bps)
    assert m.hold_record("h1") == ("burned", 250, 0, fee_amount)
    assert m.hold_record("h2") == ("released", 0, 100, None if fee_bps is None else 0)
    f = m.flows()["EUR"]
    assert f["revenue"] + f["fees"] == f["burned"] == 250
    assert f["fees"] == (fee_amount or 0)
