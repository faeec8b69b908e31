"""Crafted settlement reports: a PSP report with one line removed, repriced or repeated,
as reconciliation scenarios need them. Pure functions over the CSV text."""

from __future__ import annotations

import csv
import io

from golive.money import Money
from golive.ops.lines import read_adyen_report, read_stripe_report

READERS = {"stripe": read_stripe_report, "adyen": read_adyen_report}
ALTERATIONS = ("drop", "reprice", "repeat")


def alter_report(text: str, provider: str, reference: str, kind: str, how: str,
                 delta_minor: int = -1) -> str:  # fmt: skip
    """``text`` with the (single) row of ``reference``/``kind`` dropped, repriced by
    ``delta_minor`` (its gross amount) or repeated; ValueError when there is no such row."""
    if how not in ALTERATIONS:
        raise ValueError(f"how={how!r} is not one of {', '.join(ALTERATIONS)}")
    lines = [
        ln
        for ln in READERS[provider](text, "report")
        if (ln.reference, ln.kind) == (reference, kind)
    ]
    if len(lines) != 1:
        raise ValueError(f"the {provider} report has {len(lines)} {kind} row(s) for {reference!r}")
    target = lines[0]
    row_no = int(target.where.rsplit(":", 1)[1])  # 1-based line in the file; 1 is the header
    rows = list(csv.reader(io.StringIO(text)))
    header, index = rows[0], row_no - 1
    row = rows[index]
    if how == "drop":
        del rows[index]
    elif how == "repeat":
        rows.insert(index + 1, list(row))
    else:
        _reprice(header, row, provider, target.amount + delta_minor, target.currency)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _decimal(amount: int, currency: str) -> str:
    return str(Money(amount, currency)).split(" ")[0]


def _reprice(header: list[str], row: list[str], provider: str, amount: int, currency: str) -> None:
    col = {name: n for n, name in enumerate(header)}
    if provider == "stripe":
        fee = Money.parse(row[col["fee"]] or "0", currency).amount_minor
        row[col["gross"]] = _decimal(amount, currency)
        row[col["net"]] = _decimal(amount - fee, currency)
        return
    credit, debit = col["Gross Credit (GC)"], col["Gross Debit (GC)"]
    row[credit], row[debit] = (
        (_decimal(amount, currency), "") if amount >= 0 else ("", _decimal(-amount, currency))
    )
