"""What the properties leave in the evidence: anomaly reports, the total-over-time plot, the
workload's history, failing examples with their reproduce blobs."""

from __future__ import annotations

import json

from golive.evidence import GateStatus, attach, record_gate
from golive.evidence.verdict import count
from golive.properties.checker import BankReport
from golive.properties.history import History
from golive.properties.plot import total_over_time_svg
from golive.properties.replay import FailingExample


def format_report(report: BankReport, currency: str) -> str:
    """Markdown: one row per anomaly kind with its count, first, worst and last occurrence."""
    stats = report.stats
    lines = [
        f"# Concurrent bank workload: {'no anomalies' if report.ok else 'ANOMALIES FOUND'}",
        "",
        f"{stats.get('operations', 0)} operations by kind and outcome "
        f"{stats.get('by_kind_and_outcome', {})}; {stats.get('snapshots', 0)} snapshots; "
        f"{stats.get('duration_seconds', 0)} s; seed {stats.get('seed')}; amounts in "
        f"{currency} minor units.",
    ]
    summary = report.summary()
    if summary:
        lines += [
            "",
            "| anomaly | count | first | worst | last |",
            "| --- | --- | --- | --- | --- |",
        ]
        for kind, s in summary.items():
            cells = [f"{a.at:.3f} s {a.subject}: {a.detail}" for a in (s.first, s.worst, s.last)]
            lines.append(
                f"| {kind} | {s.count} | " + " | ".join(c.replace("|", "/") for c in cells) + " |"
            )
    return "\n".join(lines) + "\n"


def save_bank_run(history: History, report: BankReport) -> None:
    """Attach the history, the anomalies, the summary and the plot; record the gate."""
    attach("bank-workload-history", json.dumps(history.to_dict(), indent=1), "json")
    attach("bank-workload-anomalies", json.dumps(report.to_dict(), indent=1), "json")
    attach("bank-workload-summary", format_report(report, history.currency), "md")
    attach(
        "bank-workload-total-over-time",
        total_over_time_svg(report.totals, currency=history.currency),
        "svg",
    )
    kinds = report.summary()
    record_gate(
        "concurrent bank workload",
        GateStatus.PASS if report.ok else GateStatus.FAIL,
        value=count(len(report.anomalies), "anomaly", "anomalies"),
        target=count(0, "anomaly", "anomalies"),
        reason="no anomaly in the history"
        if report.ok
        else "; ".join(f"{k}: {s.count} (worst: {s.worst.detail})" for k, s in kinds.items()),
    )


def save_failing_example(example: FailingExample) -> None:
    attach(f"failing-example-{example.test}", example.text(), "text")
    attach(
        f"failing-example-{example.test}",
        json.dumps(example.__dict__, indent=1, default=str),
        "json",
    )
