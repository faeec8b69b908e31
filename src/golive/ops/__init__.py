"""Hypercare probes: stuck finance jobs and the daily reconciliation (docs/operations.md).

Scenario helpers (golive.ops.scenario) are not imported here: they need the canary world.
"""

from __future__ import annotations

from golive.ops.lines import (
    LedgerLine,
    PspLine,
    read_adyen_report,
    read_ledger_lines,
    read_stripe_report,
    write_ledger_lines,
)
from golive.ops.matcher import STATUSES, Item, Reconciliation, Totals, reconcile
from golive.ops.reports import to_csv, to_html, to_markdown, write_reports
from golive.ops.run import ReconcileInputs, run_reconcile
from golive.ops.sources import Window, day_window, parse_window, platform_ledger_lines
from golive.ops.stuck import JobRecord, PayoutSlo, StuckJob, StuckReport, find_stuck, slas_from

__all__ = [
    "STATUSES",
    "Item",
    "JobRecord",
    "LedgerLine",
    "PayoutSlo",
    "PspLine",
    "ReconcileInputs",
    "Reconciliation",
    "StuckJob",
    "StuckReport",
    "Totals",
    "Window",
    "day_window",
    "find_stuck",
    "parse_window",
    "platform_ledger_lines",
    "read_adyen_report",
    "read_ledger_lines",
    "read_stripe_report",
    "reconcile",
    "run_reconcile",
    "slas_from",
    "to_csv",
    "to_html",
    "to_markdown",
    "write_ledger_lines",
    "write_reports",
]
