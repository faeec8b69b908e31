from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from golive.ops.matcher import reconcile

from .helpers import at_psp, led


def _statuses(rec) -> dict[str | None, str]:  # type: ignore[no-untyped-def]
    return {i.reference: i.status for i in rec.items}


def test_each_kind_of_line() -> None:
    rec = reconcile(
        [
            led("pi_ok", 1000),
            led("pi_short", 1000),
            led("pi_only_ledger", 500),
            led("pi_twice", 700, txn="a"),
            led("pi_twice", 700, txn="b"),
            led("po_ok", -400, "payout"),
            led("pi_late", 200),
        ],
        [
            at_psp("pi_ok", 1000, fee=59),
            at_psp("pi_short", 999),
            at_psp("pi_only_psp", 300),
            at_psp("pi_twice", 700),
            at_psp("po_ok", -400, "payout"),
            at_psp("pi_late", 200, minutes=3 * 24 * 60),
        ],
        "2025-12-27",
    )
    assert _statuses(rec) == {
        "pi_ok": "matched",
        "pi_short": "amount_mismatch",
        "pi_only_ledger": "missing_at_psp",
        "pi_only_psp": "missing_in_ledger",
        "pi_twice": "duplicate",
        "po_ok": "matched",
        "pi_late": "date_mismatch",
    }
    assert not rec.ok
    assert int(rec.exit_code) == 1
    assert rec.counts() == {
        "duplicate": 1, "amount_mismatch": 1, "date_mismatch": 1, "missing_in_ledger": 1,
        "missing_at_psp": 1, "matched": 2,
    }  # fmt: skip
    assert [i.status for i in rec.items][:5] == [
        "duplicate", "amount_mismatch", "date_mismatch", "missing_in_ledger", "missing_at_psp",
    ]  # fmt: skip
    late = next(i for i in rec.items if i.reference == "pi_late")
    assert late.note == (
        "ledger booked it 2025-12-27 10:00Z, the PSP 2025-12-30 10:00Z: more than 24 h apart"
    )
    short = next(i for i in rec.items if i.reference == "pi_short")
    assert short.note == "ledger 10.00 EUR, PSP 9.99 EUR"
    twice = next(i for i in rec.items if i.reference == "pi_twice")
    assert twice.note == "the ledger books it 2 time(s), the PSP 1 time(s)"


def test_everything_matched_is_ok() -> None:
    rec = reconcile([led("pi_1", 100), led("po_1", -50, "payout")],
                    [at_psp("pi_1", 100), at_psp("po_1", -50, "payout")], "d")  # fmt: skip
    assert rec.ok
    assert int(rec.exit_code) == 0


def test_nothing_on_either_side_is_ok() -> None:
    assert reconcile([], [], "d").ok


def test_a_duplicate_at_the_psp() -> None:
    rec = reconcile(
        [led("pi_1", 100)], [at_psp("pi_1", 100, line="a"), at_psp("pi_1", 100, line="b")], "d"
    )
    assert _statuses(rec) == {"pi_1": "duplicate"}


def test_same_reference_different_psp_or_kind_are_different_items() -> None:
    rec = reconcile(
        [led("X1", 100, psp="adyen"), led("X1", -100, "payout", psp="adyen")],
        [at_psp("X1", 100, psp="stripe")],
        "d",
    )
    assert sorted((i.psp, i.kind, i.status) for i in rec.items) == [
        ("adyen", "payment", "missing_at_psp"),
        ("adyen", "payout", "missing_at_psp"),
        ("stripe", "payment", "missing_in_ledger"),
    ]


def test_a_currency_difference_is_an_amount_mismatch() -> None:
    rec = reconcile([led("pi_1", 100, cur="EUR")], [at_psp("pi_1", 100, cur="USD")], "d")
    assert _statuses(rec) == {"pi_1": "amount_mismatch"}


def test_ledger_lines_without_reference_stay_apart_unless_same_record() -> None:
    rec = reconcile(
        [led(None, 100, pid="dep-1", txn="a"), led(None, 100, pid="dep-1", txn="b"),
         led(None, 100, pid="dep-2")],
        [], "d",
    )  # fmt: skip
    assert sorted(i.status for i in rec.items) == ["duplicate", "missing_at_psp"]
    lonely = next(i for i in rec.items if i.status == "missing_at_psp")
    assert "carries no PSP reference" in lonely.note


def test_a_payout_refunded_before_it_reached_the_psp_nets_to_zero() -> None:
    rec = reconcile(
        [led(None, -400, "payout", pid="wd-1"), led(None, 400, "payout_reversal", pid="wd-1")],
        [], "d",
    )  # fmt: skip
    assert rec.ok
    assert {i.note for i in rec.items} == {"refunded before it reached the PSP: nothing to settle"}


def test_a_lonely_payout_without_its_refund_is_not_netted() -> None:
    rec = reconcile([led(None, -400, "payout", pid="wd-1")], [], "d")
    assert [i.status for i in rec.items] == ["missing_at_psp"]


def test_totals_per_psp_and_currency() -> None:
    rec = reconcile(
        [led("pi_1", 1000), led("pi_2", 250), led("po_1", -300, "payout"),
         led("A", 500, psp="adyen", cur="JPY")],
        [at_psp("pi_1", 1000, fee=59), at_psp("po_1", -300, "payout"),
         at_psp("A", 500, psp="adyen", cur="JPY", fee=15)],
        "d",
    )  # fmt: skip
    totals = {(t.psp, t.currency): (t.ledger, t.psp_gross, t.psp_fees, t.difference)
              for t in rec.totals()}  # fmt: skip
    assert totals == {("adyen", "JPY"): (500, 500, 15, 0), ("stripe", "EUR"): (950, 700, 59, 250)}


refs = st.sampled_from(["pi_a", "pi_b", "pi_c", "po_a"])
amounts = st.integers(min_value=1, max_value=10_000)


@given(
    st.lists(st.tuples(refs, amounts), max_size=8), st.lists(st.tuples(refs, amounts), max_size=8)
)
def test_every_line_lands_in_exactly_one_item(
    mine: list[tuple[str, int]], theirs: list[tuple[str, int]]
) -> None:
    ledger = [led(r, a, txn=f"t{n}") for n, (r, a) in enumerate(mine)]
    psp = [at_psp(r, a, line=f"l{n}") for n, (r, a) in enumerate(theirs)]
    rec = reconcile(ledger, psp, "d")
    assert sorted(ln.transaction_id for i in rec.items for ln in i.ledger) == sorted(
        ln.transaction_id for ln in ledger
    )
    assert sorted(p.line_id for i in rec.items for p in i.at_psp) == sorted(p.line_id for p in psp)
    # reconciled exactly when both sides hold the same references once, with the same amounts
    same = sorted(mine) == sorted(theirs) and len({r for r, _ in mine}) == len(mine)
    assert rec.ok == same


def test_dates_are_compared_on_one_clock() -> None:
    """A PSP whose clock runs two days ahead books the same moment two days later."""
    ahead = timedelta(days=2)
    later = at_psp("pi_1", 100, minutes=2 * 24 * 60 + 5)
    assert reconcile([led("pi_1", 100)], [later], "d", psp_ahead=ahead).ok
    assert _statuses(reconcile([led("pi_1", 100)], [later], "d")) == {"pi_1": "date_mismatch"}
    assert reconcile([led("pi_1", 100)], [at_psp("pi_1", 100, minutes=23 * 60)], "d").ok
    assert reconcile([led("pi_1", 100)], [later], "d", max_lag=None).ok  # not compared
