"""The concurrent bank workload against the target platform, checked Jepsen-style."""

from __future__ import annotations

from collections.abc import Callable

from fixtures.properties import PropertyRun
from golive.canary.psp_ops import PspOps
from golive.properties import check_history, format_report, run_bank, save_bank_run
from golive.target import Target


def test_bank_workload(
    bank_clients: Callable[[], Target], psp_ops: PspOps, property_run: PropertyRun
) -> None:
    """Workers hold, burn, release and transfer at once while readers take snapshots: the
    total is conserved, no balance goes negative, every read is explained by the history."""
    history = run_bank(bank_clients, psp_ops, property_run.bank_config())
    report = check_history(history)
    save_bank_run(history, report)
    assert report.ok, format_report(report, history.currency)
