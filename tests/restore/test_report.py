"""The drill's gates, read from its journal: RTO and RPO against their targets, findings,
and what is only a warning."""

from __future__ import annotations

import json

from golive.config import DrillTargets
from golive.drills.gates import Metric
from golive.drills.journal import Journal, Kind, Status
from golive.drills.restore.canary import CanaryOutcome
from golive.drills.restore.report import DrillReport, judge, record_evidence
from golive.evidence import GateStatus
from golive.invariants.ledger import Violation


def report(*findings: Violation, **kw: object) -> DrillReport:
    journal = Journal("restore", "pitr", "point-in-time restore drill", started_at=1000.0)
    journal.add("restore", Kind.CHANGE, 1011.0, 20.0, ok=True)
    journal.mark("disaster", 1010.0)
    for f in findings:
        journal.fail(Status.DEVIATED, str(f))
    base: dict[str, object] = {
        "targets": DrillTargets(rto_seconds=60, rpo_seconds=5), "findings": list(findings),
        "rto": (1010.0, 1050.0), "rpo": (1008.0, 1009.5),
        "canary": CanaryOutcome(started=1040.0, finished=1050.0, loops=2),
    }  # fmt: skip
    return judge(journal, **(base | kw))  # type: ignore[arg-type]


def gate(r: DrillReport, word: str) -> tuple[GateStatus, str | None]:
    g = next(g for g in r.gates() if word in g.name)
    return g.status, g.value


def test_within_targets_is_go() -> None:
    r = report()
    assert r.verdict == "GO"
    assert r.journal.status is Status.COMPLETED
    assert gate(r, "RTO") == (GateStatus.PASS, "40.0 s")
    assert gate(r, "RPO") == (GateStatus.PASS, "1.500 s")
    assert (r.rto_seconds, r.rpo_seconds) == (40.0, 1.5)
    assert r.reasons() == []
    svg = r.svg()
    assert svg.startswith("<svg")
    assert "RTO 40.0 s" in svg
    assert "disaster" in svg
    assert "restore (change)" in svg


def test_slow_recovery_or_lost_data_is_no_go() -> None:
    slow = report(rto=(1010.0, 1080.0))
    assert gate(slow, "RTO")[0] is GateStatus.FAIL
    assert slow.verdict == "NO-GO"
    lossy = report(rpo=(1000.0, 1009.0))
    assert gate(lossy, "RPO")[0] is GateStatus.FAIL
    assert any("RPO" in reason and "rpo_seconds" in reason for reason in lossy.reasons())


def test_a_finding_is_no_go_and_named() -> None:
    r = report(Violation("rows equal", "ledger_entries", "0 rows restored, 9 at the point"))
    assert r.verdict == "NO-GO"
    assert r.journal.status is Status.DEVIATED
    assert "ledger_entries" in " ".join(r.reasons())


def test_never_recovered_fails_rto_and_rpo_has_no_data() -> None:
    r = report(rto=None, rpo=None, canary=None)
    assert gate(r, "RTO")[0] is GateStatus.FAIL
    assert gate(r, "RPO")[0] is GateStatus.NODATA
    assert r.verdict == "NO-GO"


def test_without_the_canary_the_rto_has_no_data_and_decides_nothing() -> None:
    r = report(rto=None, canary=None, canary_wanted=False)
    assert gate(r, "RTO")[0] is GateStatus.NODATA
    assert r.verdict == "GO"


def test_unlogged_tables_warn_without_deciding() -> None:
    r = report(unlogged=["ledger_entries"])
    warn = next(g for g in r.gates() if "UNLOGGED" in g.name)
    assert warn.status is GateStatus.FAIL
    assert not warn.critical
    assert r.verdict == "GO"
    assert r.to_dict()["context"]["unlogged_tables"] == ["ledger_entries"]


def test_the_time_gates_are_known_by_their_objective() -> None:
    r = report(rto=(1010.0, 1080.0), unlogged=["ledger_entries"])
    by_objective = {g.objective: g for g in r.gates() if g.objective is not None}
    assert by_objective[Metric.RTO].name == "point-in-time restore drill: RTO"
    assert by_objective[Metric.RTO].status is GateStatus.FAIL
    assert by_objective[Metric.RPO].name == "point-in-time restore drill: RPO"
    others = [g.name for g in r.gates() if g.objective is None]
    assert others == [
        "point-in-time restore drill: restored database verified",
        "durable tables (no UNLOGGED table)",
    ]


class Sink:
    def __init__(self) -> None:
        self.gates: list[str] = []
        self.attached: dict[str, str] = {}

    def attach(self, name: str, data: str, kind: str) -> object:
        self.attached[name] = data
        return None

    def record_gate(self, name: str, status: GateStatus, **kw: object) -> None:
        self.gates.append(name)


def test_the_evidence_is_the_journal_every_drill_attaches_and_its_gates() -> None:
    r, sink = report(rto=(1010.0, 1080.0)), Sink()
    record_evidence(r, sink)
    data = json.loads(sink.attached["restore-journal-pitr.json"])
    assert sink.attached["restore-timeline-pitr.svg"].startswith("<svg")
    assert sink.gates == [g["name"] for g in data["gates"]] == [g.name for g in r.gates()]
    assert {o["name"]: o["met"] for o in data["objectives"]} == {"RTO": False, "RPO": True}
    assert [a["kind"] for a in data["activities"]] == ["change"]
    assert data["status"] == "completed"
