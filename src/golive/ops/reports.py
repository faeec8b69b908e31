"""The reconciliation as Markdown (for people and tickets), HTML (self-contained, opens
offline) and CSV (for finance's spreadsheets: one row per item, amounts in minor units).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from jinja2 import Environment, PackageLoader, select_autoescape

from golive.money import Money
from golive.ops.matcher import LABELS, Item, Reconciliation

CSV_COLUMNS = (
    "status", "psp", "kind", "psp_reference", "platform_id", "currency", "ledger_amount_minor",
    "psp_amount_minor", "difference_minor", "ledger_transactions", "psp_lines", "booked_at",
    "note",
)  # fmt: skip


def _m(amount: int, currency: str) -> str:
    return str(Money(amount, currency))


def to_csv(rec: Reconciliation) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for i in rec.items:
        writer.writerow([
            i.status, i.psp, i.kind, i.reference or "", i.platform_id or "", i.currency,
            i.ledger_amount, i.psp_amount, i.ledger_amount - i.psp_amount,
            " ".join(ln.transaction_id for ln in i.ledger),
            " ".join(p.line_id for p in i.at_psp), i.booked_at.isoformat(), i.note,
        ])  # fmt: skip
    return out.getvalue()


def _row(i: Item) -> str:
    ledger = i.money(i.ledger_amount) if i.ledger else "—"
    psp = i.money(i.psp_amount) if i.at_psp else "—"
    cells = [LABELS[i.status], i.psp, i.kind, f"`{i.reference}`" if i.reference else "—",
             f"`{i.platform_id}`" if i.platform_id else "—", ledger, psp, i.note]  # fmt: skip
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def to_markdown(rec: Reconciliation) -> str:
    counts = rec.counts()
    verdict = "**RECONCILED**" if rec.ok else f"**MISMATCH**: {len(rec.mismatches)} item(s)"
    lines = [
        f"# Reconciliation: {rec.period}",
        "",
        f"{verdict} of {len(rec.items)} do not reconcile." if not rec.ok else
        f"{verdict}: all {len(rec.items)} item(s) match.",
        "",
        "| status | items |",
        "| --- | ---: |",
        *(f"| {LABELS[s]} | {n} |" for s, n in counts.items()),
        "",
        "## Totals",
        "",
        "| PSP | currency | ledger | PSP gross | PSP fees | difference |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]  # fmt: skip
    for t in rec.totals():
        lines.append(
            f"| {t.psp} | {t.currency} | {_m(t.ledger, t.currency)} | "
            f"{_m(t.psp_gross, t.currency)} | {_m(t.psp_fees, t.currency)} | "
            f"{_m(t.difference, t.currency)} |"
        )
    header = [
        "| status | PSP | kind | PSP reference | platform id | ledger | PSP | note |",
        "| --- | --- | --- | --- | --- | ---: | ---: | --- |",
    ]
    if rec.mismatches:
        lines += ["", "## Needs attention", "", *header, *map(_row, rec.mismatches)]
    matched = [i for i in rec.items if i.status == "matched"]
    if matched:
        lines += ["", "## Matched", "", *header, *map(_row, matched)]
    return "\n".join(lines) + "\n"


_env = Environment(
    loader=PackageLoader("golive.ops", "."),
    autoescape=select_autoescape(["html", "j2"], default=True),
)


def to_html(rec: Reconciliation) -> str:
    template = _env.get_template("reconcile.html.j2")
    return template.render(rec=rec, labels=LABELS, money=_m)


def write_reports(rec: Reconciliation, out_dir: Path, stem: str) -> list[Path]:
    """``<stem>.md``, ``.html`` and ``.csv`` in ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for ext, render in (("md", to_markdown), ("html", to_html), ("csv", to_csv)):
        path = out_dir / f"{stem}.{ext}"
        path.write_text(render(rec), encoding="utf-8")
        paths.append(path)
    return paths
