"""The hypercare probes on a target that is not an HTTP client: they read the platform only
through the target interface (ledger legs, finance jobs, deposits, withdrawals)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from golive.config import Config
from golive.errors import TargetUnreachable
from golive.ops.jobsource import jobs_from_platform
from golive.ops.matcher import reconcile
from golive.ops.sources import day_window, platform_ledger_lines
from golive.ops.stuck import find_stuck, slas_from
from golive.target import NoAnswer, Target, protocol_gaps

from .cli_runner import in_process
from .helpers import at_psp
from .memory_target import BOOKS, T0, Books, MemoryTarget

DAY = day_window(date(2025, 12, 27))


def _target(books: Books) -> Target:
    return MemoryTarget(books)


def test_the_memory_target_is_a_whole_target_without_http() -> None:
    assert protocol_gaps(MemoryTarget) == []
    t = MemoryTarget(Books())
    assert not any(hasattr(t, name) for name in ("call", "base_url", "http", "request"))


def test_reconciliation_reads_only_the_target_interface() -> None:
    books = Books()
    dep = books.deposit("acc-1", 1000, "stripe", "pi_1")
    wd = books.withdraw("acc-1", 400, "adyen", "ADY1", minutes=1)
    back = books.withdraw("acc-1", 300, "stripe", "po_9", minutes=2, returned=True)
    lines, warnings = platform_ledger_lines(_target(books), DAY)
    assert warnings == []
    got = sorted((ln.psp, ln.kind, ln.reference, ln.amount) for ln in lines)
    assert got == sorted([
        ("stripe", "payment", "pi_1", 1000),
        ("adyen", "payout", "ADY1", -400),
        ("stripe", "payout", "po_9", -300),
        ("stripe", "payout_reversal", "po_9", 300),  # returned after it was paid
    ])  # fmt: skip
    # the PSP accounts do not name their PSP: the records did, found through the jobs
    assert {c.split()[0] for c in books.calls} == {
        "entries_page", "jobs", "get_deposit", "get_withdrawal"
    }  # fmt: skip
    assert len([c for c in books.calls if c.startswith("entries_page")]) == 6  # 12 legs, 2 a page
    assert {f"get_deposit {dep}", f"get_withdrawal {wd}", f"get_withdrawal {back}"} <= set(
        books.calls
    )
    rec = reconcile(lines, [
        at_psp("pi_1", 1000), at_psp("ADY1", -400, "payout", psp="adyen"),
        at_psp("po_9", -300, "payout", minutes=2),
        at_psp("po_9", 300, "payout_reversal", minutes=12),
    ], DAY.label)  # fmt: skip
    assert rec.ok, [(i.reference, i.kind, i.status) for i in rec.items]
    short = reconcile(lines, [at_psp("pi_1", 1000)], DAY.label)
    # po_9 out and back nets to zero (the matcher's rule for a payout refunded unpaid)
    assert {(i.reference, i.status) for i in short.mismatches} == {("ADY1", "missing_at_psp")}


def test_without_references_the_records_pair_by_amount() -> None:
    books = Books(with_reference=False)
    dep = books.deposit("acc-1", 1000, "adyen", "ADY7")
    wd = books.withdraw("acc-1", 250, "stripe", "po_3", minutes=1)
    lines, warnings = platform_ledger_lines(_target(books), DAY)
    assert "carry no `reference`" in warnings[0]
    got = sorted((ln.psp, ln.kind, ln.reference, ln.amount, ln.platform_id) for ln in lines)
    assert got == [("adyen", "payment", "ADY7", 1000, dep), ("stripe", "payout", "po_3", -250, wd)]


def test_a_silent_target_is_unreachable_not_a_crash() -> None:
    class Silent(MemoryTarget):
        def entries_page(self, cursor: str | None = None, *, limit: int = 500):  # type: ignore[no-untyped-def]
            raise NoAnswer("connection refused")

        def jobs(self, *, kind: str | None = None, state: str | None = None):  # type: ignore[no-untyped-def]
            raise NoAnswer("connection refused")

    with pytest.raises(TargetUnreachable, match="the wallet does not answer"):
        platform_ledger_lines(Silent(Books()), DAY, "the wallet")
    with pytest.raises(TargetUnreachable, match="the wallet does not answer"):
        jobs_from_platform(Silent(Books()), "the wallet")


def test_stuck_jobs_read_only_the_jobs() -> None:
    books = Books()
    wd = books.withdraw("acc-1", 500, "adyen", "ADY2", settled=False, state="pending")
    books.withdraw("acc-1", 100, "stripe", "po_1", minutes=1)
    jobs, warnings = jobs_from_platform(_target(books))
    assert warnings == []
    assert {c.split()[0] for c in books.calls} == {"jobs"}
    report = find_stuck(jobs, now=T0 + timedelta(hours=25), slas=slas_from(Config()),
                        payout_target=0.95)  # fmt: skip
    assert [(s.job.kind, s.job.reference) for s in report.stuck] == [("payout", wd)]
    assert int(report.exit_code) == 1
    assert find_stuck(jobs, now=T0 + timedelta(hours=23), slas=slas_from(Config()),
                      payout_target=0.95).ok  # fmt: skip


def test_the_cli_reads_through_the_configured_adapter(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    url = "http://memory.invalid:1"  # never dialled: the adapter holds the platform
    books = BOOKS[url] = Books()
    books.withdraw("acc-1", 500, "adyen", "ADY2", settled=False, state="pending")
    cfg = tmp_path / "golive.toml"
    cfg.write_text(
        f'[target]\nurl = "{url}"\nadapter = "tests.ops.memory_target:MemoryTarget"\n',
        encoding="utf-8",
    )
    try:
        args = ("stuck-jobs", "--target", url, "--config", cfg, "--now", "2025-12-28T11:00:00Z")
        stuck = in_process(capsys, monkeypatch, "ops", *args)
        assert stuck.returncode == 1, stuck.stderr
        assert stuck.stdout.startswith("STUCK payout ")
        assert books.calls[-1] == "close"
        out = tmp_path / "out"
        out.mkdir()
        csv = tmp_path / "stripe.csv"
        csv.write_text(
            "balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
            "reporting_category,source_id,payment_intent_id,payout_id,description\n",
            encoding="utf-8",
        )
        args2 = ("reconcile", "--date", "2025-12-27", "--target", url, "--config", cfg,
                 "--stripe-report", csv, "--out", out)  # fmt: skip
        rec = in_process(capsys, monkeypatch, "ops", *args2)
        # the payout left the wallet but the PSP's report does not have it
        assert rec.returncode == 1, rec.stderr
        assert "ADY2" in rec.stdout
        assert "entries_page None" in books.calls
    finally:
        del BOOKS[url]
