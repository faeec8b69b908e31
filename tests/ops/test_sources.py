from __future__ import annotations

from datetime import date

import pytest

from golive.driver import PlatformClient
from golive.errors import ConfigError, TargetUnreachable
from golive.ops.sources import day_window, fetch_settlement, parse_window, platform_ledger_lines

from .book import Book
from .fake_platform import serve

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
    assert warnings == []
    got = sorted((ln.psp, ln.kind, ln.reference, ln.amount, ln.platform_id) for ln in lines)
    assert got == sorted([
        ("stripe", "payment", "pi_1", 1000, dep),
        ("stripe", "payout", "po_1", -400, wd),
        ("adyen", "payout", "ADY1", -300, bad),
        ("adyen", "payout_reversal", "ADY1", 300, bad),
    ])  # fmt: skip


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
