"""The env check as a table (for people) and as JSON (for pipelines)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from golive.envcheck.assess import EnvReport
from golive.envcheck.dates import iso

_STATUS = {
    "open": "[red]OPEN[/]",
    "waived": "[yellow]WAIVED[/]",
    "waiver-expired": "[red]WAIVER EXPIRED[/]",
}


def to_json(report: EnvReport) -> str:
    return json.dumps(report.to_json(), indent=2)


def print_table(report: EnvReport, console: Console) -> None:
    title = f"golive env check: profile {report.profile!r}, {report.env_file} at {iso(report.now)}"
    table = Table(title=title, show_lines=False)
    for col in ("finding", "risk", "status", "detail", "waiver / fix"):
        table.add_column(col, overflow="fold")
    for o in report.outcomes:
        w = o.waiver
        note = (
            f"{w.owner}, until {iso(w.deadline)} (line {w.line}): {w.mitigation}"
            if w
            else o.finding.fix
        )
        table.add_row(o.finding.id, o.finding.risk, _STATUS[o.status], o.finding.detail, note)
    if report.outcomes:
        console.print(table)
    else:
        console.print(f"{title}: no findings")
    for warning in report.warnings:
        console.print(f"[yellow]warning[/] {warning.code}: {warning.message}")
    variables = Table(title="variables (values are never shown)", show_lines=False)
    variables.add_column("variable")
    variables.add_column("state")
    variables.add_column("fingerprint")
    for v in report.variables:
        variables.add_row(v.name, v.state, v.fingerprint or "")
    console.print(variables)
    waived = sum(1 for o in report.outcomes if o.status == "waived")
    if report.ready:
        console.print(f"[bold green]READY[/] ({waived} finding(s) waived)")
    else:
        open_ = sum(1 for o in report.failures if o.status == "open")
        expired = len(report.failures) - open_
        console.print(
            f"[bold red]NOT READY[/]: {open_} finding(s) open, {expired} waiver(s) expired, "
            f"{waived} waived"
        )
