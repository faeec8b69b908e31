"""A restore drill's outcome, read from its journal: the status, RTO and RPO as objectives,
the gates they become (golive.drills.gates, as for every drill), the figure and the evidence.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from golive.config import DrillTargets
from golive.drills.gates import EVIDENCE, Gate, Metric, Objective, Sink, record
from golive.drills.journal import Journal, Status
from golive.drills.restore.canary import CanaryOutcome
from golive.drills.restore.figure import timeline_svg
from golive.evidence import GateStatus
from golive.evidence.verdict import count
from golive.invariants.ledger import Violation

TITLES = {
    "logical": "logical restore drill",
    "pitr": "point-in-time restore drill",
    "dump": "restore of an existing dump",
    "basebackup": "restore of an existing base backup",
}
VERIFIED = "schema, rows, storage, invariants and canary all passed"


def title_of(kind: str) -> str:
    return TITLES.get(kind, f"{kind} restore drill")


@dataclass
class DrillReport:
    """The drill's journal, judged; ``findings`` are the journal's findings, structured."""

    journal: Journal
    findings: list[Violation] = field(default_factory=list)
    canary: CanaryOutcome | None = None

    @property
    def kind(self) -> str:
        return self.journal.drill

    @property
    def title(self) -> str:
        return self.journal.title

    @property
    def facts(self) -> dict[str, Any]:
        return self.journal.context

    def _seconds(self, objective: Metric) -> float | None:
        found = self.journal.objective(objective)
        return None if found is None else found.seconds

    @property
    def rto_seconds(self) -> float | None:
        return self._seconds(Metric.RTO)

    @property
    def rpo_seconds(self) -> float | None:
        return self._seconds(Metric.RPO)

    def gates(self) -> list[Gate]:
        return list(self.journal.gates)

    @property
    def passed(self) -> bool:
        return all(g.status is not GateStatus.FAIL for g in self.gates() if g.critical)

    @property
    def verdict(self) -> str:
        return "GO" if self.passed else "NO-GO"

    def reasons(self) -> list[str]:
        return [f"{g.name}: {g.reason}" for g in self.gates()
                if g.critical and g.status is GateStatus.FAIL]  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return self.journal.to_dict()

    def svg(self) -> str:
        return timeline_svg(self.journal)

    def summary(self) -> str:
        j = self.journal
        lines = [f"{j.title}: {self.verdict} (drill {j.status.value})"]
        for g in j.gates:
            value = f" {g.value}" if g.value else ""
            target = f" (target {g.target})" if g.target else ""
            lines.append(f"  [{g.status.value}] {g.name}:{value}{target} — {g.reason}")
        lines += [f"  finding: {f}" for f in j.findings[:50]]
        lines += [f"  note: {n}" for n in j.context.get("notes", [])]
        return "\n".join(lines)


def judge(
    journal: Journal,
    *,
    targets: DrillTargets,
    findings: list[Violation],
    rto: tuple[float, float] | None,  # (disaster or restore start, canary passed)
    rpo: tuple[float, float] | None,  # (last commit restored, last commit at the source)
    rto_from: str = "the disaster",
    canary: CanaryOutcome | None = None,
    canary_wanted: bool = True,
    unlogged: list[str] | None = None,
) -> DrillReport:
    """End the journal: its status, its objectives (RTO; RPO when there is a source) and the
    gates they become, then the report over it."""
    j, unlogged = journal, unlogged or []
    if j.status is Status.RUNNING:
        j.status = Status.COMPLETED
    j.ended_at = time.time()
    if rto is None and not canary_wanted and not findings:
        no_rto, why = GateStatus.NODATA, "the canary was off: no recovery to time"
    elif canary is not None:
        no_rto, why = GateStatus.FAIL, "never recovered: the canary failed on the restore"
    else:
        no_rto = GateStatus.FAIL
        why = "never recovered: the drill stopped before a canary could run on the restore"
    j.objectives = [
        Objective(name=Metric.RTO, gate=f"{j.title}: RTO", target_seconds=targets.rto_seconds,
                  span=rto, measured=f"from {rto_from} to a passing canary on the restored "
                  "database", unmeasured=why, no_span=no_rto, over="[drills] rto_seconds"),
    ]  # fmt: skip
    if j.drill in ("logical", "pitr"):
        j.objectives.append(
            Objective(name=Metric.RPO, gate=f"{j.title}: RPO", target_seconds=targets.rpo_seconds,
                      span=rpo, measured="last commit at the source to the last commit present "
                      "after recovery", unmeasured="no commit times to compare (restore failed, "
                      "or commit timestamps are off at the source)", no_span=GateStatus.NODATA,
                      over="[drills] rpo_seconds", digits=3)
        )  # fmt: skip
    j.gates = [
        j.outcome(f"{j.title}: restored database verified", passed=VERIFIED),
        *(o.to_gate() for o in j.objectives),
    ]  # fmt: skip
    if unlogged:
        j.gates.append(
            Gate(
                "durable tables (no UNLOGGED table)",
                GateStatus.FAIL,
                count(len(unlogged), "UNLOGGED table"),
                count(0, "UNLOGGED table"),
                f"{', '.join(unlogged)}: UNLOGGED tables are emptied by crash recovery and "
                "missing from every base backup and replica",
                critical=False,
            )
        )
    j.context.update(
        targets={"rto_seconds": targets.rto_seconds, "rpo_seconds": targets.rpo_seconds},
        unlogged_tables=list(unlogged),
        canary=canary.to_dict() if canary else None,
    )
    return DrillReport(j, list(findings), canary)


def record_evidence(report: DrillReport, sink: Sink | None = None) -> None:
    """The journal's gates, the journal (JSON) and its timeline (SVG), into the run."""
    sink = sink or EVIDENCE
    record(sink, report.journal.gates)
    report.journal.attach(sink)
    sink.attach(f"restore-timeline-{report.kind}.svg", report.svg(), "svg")
