from __future__ import annotations

from datetime import date

import pytest

from golive.driver import PlatformClient
from golive.errors import ConfigError, TargetUnreachable
from golive.ops.matcher import Reconciliation, reconcile
from golive.ops.sources import day_window, fetch_settlement, parse_window, platform_ledger_lines

from .book import Book
from .fake_platform import serve
from .helpers import at_psp

DAY = day_window(date(2025, 12, 27))


def _lines(book: Book):  # type: ignore[no-untyped-def]
    with serve(book.data) as url:
        client = PlatformClient(url)
        try:
            return platform_ledger_lines(client, DAY)
        finally:
            client.close()


@pytest.mark.parametrize("with_reference", [False, True])
def test_psp_facing_transactions_with_their_psp_references(with_reference: bool) -> None:
    book = Book(with_reference=with_reference)
    dep = book.deposit("acc-1", 1000, psp_ref="pi_1")
    wd = book.withdraw("acc-1", 400, psp_ref="po_1", minutes=1)
    bad = book.withdraw("acc-1", 300, psp="adyen", psp_ref="ADY1", minutes=2, fails=True)
    book.hold_burn("acc-1", 100)
    lines, warnings = _lines(book)
    assert len(warnings) == (0 if with_reference else 1)
    got = sorted((ln.psp, ln.kind, ln.reference, ln.amount) for ln in lines)
    assert got == sorted([
        ("stripe", "payment", "pi_1", 1000),
        ("stripe", "payout", "po_1", -400),
        ("adyen", "payout", "ADY1", -300),
        ("adyen", "payout_reversal", "ADY1", 300),
    ])  # fmt: skip
    # paired by reference, golive never looks the records up; else it must, and says so
    looked_up = any(
        r.startswith(("/jobs", "/deposits", "/withdrawals")) for r in book.data.requests
    )
    assert looked_up is not with_reference
    ids = {ln.platform_id for ln in lines}
    assert ids == ({None} if with_reference else {dep, wd, bad})
    if not with_reference:
        assert "carry no `reference`" in warnings[0]


def test_a_double_credit_gets_the_same_record_and_a_note() -> None:
    book = Book()
    dep = book.deposit("acc-1", 2500, psp_ref="pi_9", credits=2)
    lines, _ = _lines(book)
    assert [(ln.reference, ln.platform_id) for ln in lines] == [("pi_9", dep), ("pi_9", dep)]
    assert lines[0].note == ""
    assert lines[1].note == "another ledger transaction for the same record (2 for 1)"


def test_same_amount_deposits_pair_in_time_order() -> None:
    book = Book()
    first = book.deposit("acc-1", 500, psp_ref="pi_a", minutes=0)
    second = book.deposit("acc-1", 500, psp_ref="pi_b", minutes=10)
    lines, _ = _lines(book)
    assert [(ln.reference, ln.platform_id) for ln in lines] == [("pi_a", first), ("pi_b", second)]


def test_without_transaction_kind_the_legs_tell() -> None:
    book = Book(with_kind=False)
    book.deposit("acc-1", 1000, psp_ref="pi_1")
    book.withdraw("acc-1", 400, psp_ref="po_1", minutes=1)
    lines, _ = _lines(book)
    assert sorted((ln.kind, ln.amount) for ln in lines) == [("payment", 1000), ("payout", -400)]


def test_only_the_window() -> None:
    book = Book()
    book.deposit("acc-1", 1000, psp_ref="pi_1", minutes=-11 * 60)  # 23:00 the day before
    book.deposit("acc-1", 1000, psp_ref="pi_2", minutes=0)
    lines, _ = _lines(book)
    assert [ln.reference for ln in lines] == ["pi_2"]


def test_a_transaction_without_a_record() -> None:
    book = Book()
    book.deposit("acc-1", 1000, psp_ref="pi_1")
    book.data.jobs.clear()
    lines, _ = _lines(book)
    assert [(ln.reference, ln.note) for ln in lines] == [
        (None, "no platform record found for this transaction")
    ]


def test_an_unreachable_platform_is_exit_2() -> None:
    client = PlatformClient("http://127.0.0.1:9", timeout=2)
    with pytest.raises(TargetUnreachable, match="does not answer"):
        platform_ledger_lines(client, DAY)
    with pytest.raises(TargetUnreachable, match="does not answer"):
        fetch_settlement("http://127.0.0.1:9", "stripe", date(2025, 12, 27))


def test_windows() -> None:
    w = parse_window("2025-12-27", None, None)
    assert (w.label, [d.isoformat() for d in w.days()]) == ("2025-12-27 (UTC)", ["2025-12-27"])
    w = parse_window(None, "2025-12-27T22:00:00Z", "2025-12-28T02:00:00Z")
    assert [d.isoformat() for d in w.days()] == ["2025-12-27", "2025-12-28"]
    assert [d.isoformat() for d in w.shifted(86400).days()] == ["2025-12-28", "2025-12-29"]


@pytest.mark.parametrize(
    ("args", "pattern"),
    [
        (("2025-12-27", "2025-12-27T00:00:00Z", None), "either --date or --from/--to"),
        (("27/12/2025", None, None), "--date '27/12/2025' is not a date"),
        ((None, "2025-12-28T00:00:00Z", "2025-12-27T00:00:00Z"), "is not after --from"),
        ((None, "soon", "later"), "reconcile window: 'soon' is not an ISO 8601 time"),
        ((None, None, None), "say which day to reconcile"),
    ],
)
def test_bad_windows(args: tuple[str | None, str | None, str | None], pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        parse_window(*args)


def test_a_payout_the_psp_never_took_is_found_by_its_record() -> None:
    book = Book(with_reference=True)
    book.withdraw("acc-1", 300, psp_ref="po_1")
    refused = book.withdraw("acc-1", 300, minutes=1, fails=True)  # no PSP reference
    lines, warnings = _lines(book)
    assert warnings == []
    got = sorted((ln.kind, ln.reference, ln.platform_id) for ln in lines if ln.reference is None)
    assert got == [("payout", None, refused), ("payout_reversal", None, refused)]
    assert [ln.reference for ln in lines if ln.kind == "payout" and ln.reference] == ["po_1"]


def _two_equal_deposits_one_credited_twice(with_reference: bool) -> Reconciliation:
    """Two 5.00 EUR deposits on one day, both settled at the PSP; the platform credits the
    first twice (a duplicated webhook) and never the second (its webhook was lost)."""
    book = Book(with_reference=with_reference)
    book.deposit("acc-1", 500, psp_ref="pi_a", credits=2)
    book.deposit("acc-1", 500, psp_ref="pi_b", credits=0, minutes=10)
    lines, _ = _lines(book)
    return reconcile(lines, [at_psp("pi_a", 500), at_psp("pi_b", 500, minutes=10)], DAY.label)


def test_two_equal_deposits_on_one_day_are_told_apart_by_reference() -> None:
    rec = _two_equal_deposits_one_credited_twice(with_reference=True)
    assert {i.reference: i.status for i in rec.items} == {
        "pi_a": "duplicate",
        "pi_b": "missing_in_ledger",
    }
    assert not rec.ok


def test_without_references_two_equal_deposits_defeat_the_pairing() -> None:
    """Why the reference matters: paired by account, PSP and amount, the second credit of
    pi_a passes for pi_b's, and the day looks clean (the warning says it may)."""
    rec = _two_equal_deposits_one_credited_twice(with_reference=False)
    assert rec.ok
