"""docs/properties.md stays in step with the code it describes."""

from __future__ import annotations

from pathlib import Path

from golive.invariants.sql import REFERENCE_CHECKS
from golive.properties.checker import ANOMALY_KINDS
from golive.properties.profiles import BUDGETS

DOC = (Path(__file__).resolve().parents[2] / "docs" / "properties.md").read_text()


def test_every_default_sql_check_is_documented() -> None:
    missing = [c.name for c in REFERENCE_CHECKS if f"`{c.name}`" not in DOC]
    assert missing == []


def test_every_anomaly_kind_and_profile_is_documented() -> None:
    assert [k for k in ANOMALY_KINDS if f"`{k}`" not in DOC] == []
    assert [p for p in BUDGETS if f"`{p}`" not in DOC] == []
