"""Detection: the point-in-time drill passes against the platform without faults, and ends
NO-GO, naming the table, when the platform keeps its ledger in an UNLOGGED table.

The drill is not told which fault is on: the switch reaches only the platform (and its
migration) through the environment, as in production.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.drills.restore import run_pitr_drill
from golive.drills.restore.drill import DrillOptions
from golive.drills.restore.seed import SeedAccount
from golive.money import Money
from golive.postgres import Provider

pytestmark = pytest.mark.slow
CUSTOMERS = [
    SeedAccount(f"detect-{i}", Money(50_000, "EUR"), "stripe" if i % 2 else "adyen")
    for i in range(8)
]


@pytest.mark.parametrize("fault", ["", "unlogged-table"])
def test_point_in_time_drill_detects_an_unlogged_ledger(
    local_provider: Provider, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fault: str
) -> None:
    monkeypatch.setenv("GOLIVE_PLATFORM_FAULTS", fault)
    report = run_pitr_drill(
        local_provider, tmp_path, accounts=CUSTOMERS, transfers=12, traffic_before=10,
        traffic_after=5, options=DrillOptions(workers=1),
    )  # fmt: skip
    if not fault:
        assert report.verdict == "GO", report.summary()
        assert report.findings == []
        assert report.rpo_seconds is not None
        return
    assert report.verdict == "NO-GO", report.summary()
    rows = [f for f in report.findings if f.check == "rows equal"]
    assert [f.subject for f in rows] == ["ledger_entries"], report.summary()
    assert "UNLOGGED" in rows[0].detail
    assert "0 rows restored" in rows[0].detail
    assert "ledger_entries" in " ".join(report.reasons())
