from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from golive.ops.matcher import reconcile
from golive.ops.reports import CSV_COLUMNS, to_csv, to_html, to_markdown, write_reports

from .helpers import at_psp, led


def _rec():  # type: ignore[no-untyped-def]
    return reconcile(
        [led("pi_ok", 1000), led("pi_short", 1000), led("pi_dup", 700, txn="a"),
         led("pi_dup", 700, txn="b")],
        [at_psp("pi_ok", 1000, fee=59), at_psp("pi_short", 999), at_psp("pi_dup", 700),
         at_psp("<script>alert(1)</script>", 5)],
        "2025-12-27 (UTC)",
    )  # fmt: skip


def test_markdown_summary_and_sections() -> None:
    md = to_markdown(_rec())
    assert md.startswith("# Reconciliation: 2025-12-27 (UTC)\n")
    assert "**MISMATCH**: 3 item(s) of 4 do not reconcile." in md
    assert "| duplicate | 1 |" in md
    assert "| stripe | EUR | 34.00 EUR | 27.04 EUR | 0.59 EUR | 6.96 EUR |" in md
    attention = md.split("## Needs attention")[1].split("## Matched")[0]
    assert "`pi_dup`" in attention
    assert "`pi_short`" in attention
    assert "`pi_ok`" in md.split("## Matched")[1]


def test_markdown_when_all_match() -> None:
    md = to_markdown(reconcile([led("pi_1", 5)], [at_psp("pi_1", 5)], "d"))
    assert "**RECONCILED**: all 1 item(s) match." in md
    assert "Needs attention" not in md


def test_html_is_self_contained_and_escaped() -> None:
    html = to_html(_rec())
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "MISMATCH: 3 of 4 item(s) do not reconcile" in html
    assert "<style>" in html


def test_csv_one_row_per_item_in_minor_units() -> None:
    rows = list(csv.DictReader(io.StringIO(to_csv(_rec()))))
    assert tuple(rows[0]) == CSV_COLUMNS
    short = next(r for r in rows if r["psp_reference"] == "pi_short")
    assert (short["status"], short["ledger_amount_minor"], short["psp_amount_minor"],
            short["difference_minor"]) == ("amount_mismatch", "1000", "999", "1")  # fmt: skip
    dup = next(r for r in rows if r["psp_reference"] == "pi_dup")
    assert dup["ledger_transactions"] == "a b"
    assert len(rows) == 4


def test_write_reports(tmp_path: Path) -> None:
    paths = write_reports(_rec(), tmp_path / "out", "reconcile-2025-12-27")
    assert [p.name for p in paths] == [
        "reconcile-2025-12-27.md", "reconcile-2025-12-27.html", "reconcile-2025-12-27.csv",
    ]  # fmt: skip
    assert all(p.stat().st_size > 0 for p in paths)
