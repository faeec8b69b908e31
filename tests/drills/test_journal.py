"""The journal and the gates every drill shares: timed activities, statuses, objectives."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import golive.drills as drills
from golive.drills.gates import Gate, Metric, Objective, record
from golive.drills.journal import Journal, Kind, Status
from golive.evidence import GateStatus

SRC = Path(drills.__file__).parent


def test_a_timed_block_is_one_activity_and_an_exception_fails_it() -> None:
    j = Journal("restore", "pitr", "point-in-time restore drill")
    with j.timed("base backup", Kind.ACTION) as step:
        step.output = {"bytes": 10}
    with pytest.raises(RuntimeError), j.timed("restore", Kind.CHANGE):
        raise RuntimeError("disk full")
    ok, failed = j.activities
    assert (ok.name, ok.kind, ok.ok, ok.output) == ("base backup", Kind.ACTION, True, {"bytes": 10})
    assert (failed.kind, failed.ok, failed.error) == (Kind.CHANGE, False, "RuntimeError: disk full")
    assert j.find(Kind.CHANGE) == [failed]


def test_the_worst_status_wins_and_findings_are_kept_once() -> None:
    j = Journal("rollback", "release", "Release")
    j.fail(Status.DEVIATED, "rows differ")
    j.fail(Status.FAILED, "backup broken")
    j.fail(Status.DEVIATED, "rows differ")
    assert j.status is Status.FAILED
    assert j.findings == ["rows differ", "backup broken"]


def objective(span: tuple[float, float] | None, **kw: object) -> Objective:
    base: dict[str, object] = {
        "name": Metric.RTO, "gate": "drill: RTO", "target_seconds": 60.0, "span": span,
        "measured": "disaster → canary", "unmeasured": "never recovered",
    }  # fmt: skip
    return Objective(**(base | kw))  # type: ignore[arg-type]


def test_an_objective_is_a_gate_against_its_target() -> None:
    within = objective((100.0, 140.0)).to_gate()
    assert (within.status, within.value, within.target) == (GateStatus.PASS, "40.0 s", "≤ 60 s")
    assert within.objective is Metric.RTO
    over = objective((100.0, 170.0), over="see [drills] rto_seconds").to_gate()
    assert over.status is GateStatus.FAIL
    assert over.reason == "disaster → canary (see [drills] rto_seconds)"
    never = objective(None).to_gate()
    assert (never.status, never.value, never.reason) == (GateStatus.FAIL, None, "never recovered")
    nodata = objective(None, no_span=GateStatus.NODATA).to_gate()
    assert nodata.status is GateStatus.NODATA


def test_the_outcome_gate_passes_only_a_completed_drill_and_quotes_findings() -> None:
    j = Journal("rollback", "release", "Release")
    j.status = Status.COMPLETED
    ok = j.outcome("drill", passed="all held")
    assert (ok.status, ok.value, ok.reason) == (GateStatus.PASS, "0 findings", "all held")
    for i in range(12):
        j.fail(Status.DEVIATED, f"finding {i}")
    bad = j.outcome("drill", passed="all held")
    assert bad.status is GateStatus.FAIL
    assert bad.value == "12 findings"
    assert bad.reason.startswith("the drill ended deviated: finding 0; finding 1")
    assert bad.reason.endswith("finding 9 (+2 more)")


class Sink:
    def __init__(self) -> None:
        self.gates: list[tuple[str, GateStatus, bool]] = []
        self.attached: dict[str, str] = {}

    def attach(self, name: str, data: str, kind: str) -> object:
        self.attached[name] = data
        return None

    def record_gate(self, name: str, status: GateStatus, **kw: object) -> None:
        self.gates.append((name, status, bool(kw["critical"])))


def test_the_journal_json_holds_objectives_gates_marks_and_activities_in_order() -> None:
    j = Journal("restore", "logical", "logical restore drill", started_at=100.0)
    j.add("restore", Kind.CHANGE, 120.0, 5.0, ok=True)
    j.add("seed", Kind.ACTION, 101.0, 2.0, ok=True)
    j.mark("disaster", 118.0)
    j.objectives = [objective((118.0, 130.0))]
    j.gates = [j.objectives[0].to_gate(), Gate("warn", GateStatus.FAIL, None, None, "w", False)]
    j.status, j.ended_at = Status.COMPLETED, 131.0
    sink = Sink()
    record(sink, j.gates)
    j.attach(sink)
    assert sink.gates == [("drill: RTO", GateStatus.PASS, True), ("warn", GateStatus.FAIL, False)]
    data = json.loads(sink.attached["restore-journal-logical.json"])
    assert [a["name"] for a in data["activities"]] == ["seed", "restore"]
    assert [a["seq"] for a in data["activities"]] == [1, 2]
    assert data["marks"] == {"disaster": "1970-01-01T00:01:58.000Z"}
    assert data["objectives"][0] | {"span": None} == {
        "name": "RTO", "seconds": 12.0, "target_seconds": 60.0, "met": True, "span": None,
        "measured": "disaster → canary",
    }  # fmt: skip
    assert data["gates"][1]["critical"] is False
    assert (data["status"], data["duration_s"]) == ("completed", 31.0)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    found |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    return found


@pytest.mark.parametrize(("family", "other"), [("restore", "rollback"), ("rollback", "restore")])
def test_one_drill_family_reaches_the_other_only_through_the_shared_model(
    family: str, other: str
) -> None:
    crossing = {
        f"{path.name}: {module}"
        for path in (SRC / family).glob("*.py")
        for module in _imports(path)
        if module.startswith(f"golive.drills.{other}")
    }
    assert crossing == set()
    shared = [p for p in SRC.glob("*.py")]
    assert not {m for p in shared for m in _imports(p) if m.startswith("golive.drills.r")}
