"""A drill's outcome: findings, RTO and RPO against their targets, the gates, and evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from golive.config import DrillTargets
from golive.drills.restore.canary import CanaryOutcome
from golive.drills.restore.figure import timeline_svg
from golive.drills.restore.timeline import Timeline
from golive.evidence import GateStatus, attach, record_gate
from golive.evidence.verdict import count, seconds
from golive.invariants.ledger import Violation

TITLES = {
    "logical": "logical restore drill",
    "pitr": "point-in-time restore drill",
    "dump": "restore of an existing dump",
    "basebackup": "restore of an existing base backup",
}


class Objective(Enum):
    """The recovery objective a gate holds the drill to."""

    RTO = "RTO"
    RPO = "RPO"


@dataclass(frozen=True)
class GateRow:
    name: str
    status: GateStatus
    value: str | None
    target: str | None
    reason: str
    critical: bool = True
    objective: Objective | None = None  # RTO, RPO; None for the other gates


@dataclass
class DrillReport:
    kind: str
    provider: str
    targets: DrillTargets
    timeline: Timeline
    findings: list[Violation] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    rto: tuple[float, float] | None = None  # (disaster or restore start, canary passed)
    rpo: tuple[float, float] | None = None  # (last commit restored, last commit at the source)
    rto_from: str = "the disaster"
    unlogged: list[str] = field(default_factory=list)
    canary: CanaryOutcome | None = None
    canary_wanted: bool = True

    @property
    def title(self) -> str:
        return TITLES.get(self.kind, f"{self.kind} restore drill")

    @property
    def rto_seconds(self) -> float | None:
        return None if self.rto is None else max(0.0, self.rto[1] - self.rto[0])

    @property
    def rpo_seconds(self) -> float | None:
        return None if self.rpo is None else max(0.0, self.rpo[1] - self.rpo[0])

    def gates(self) -> list[GateRow]:
        label = self.title
        rows = []
        name = f"{label}: restored database verified"
        if self.findings:
            first = "; ".join(str(f) for f in self.findings[:3])
            more = f" (+{len(self.findings) - 3} more)" if len(self.findings) > 3 else ""
            found = count(len(self.findings), "finding")
            rows.append(GateRow(name, GateStatus.FAIL, found, count(0, "finding"), first + more))
        else:
            why = "schema, rows, storage, invariants and canary all passed"
            rows.append(
                GateRow(name, GateStatus.PASS, count(0, "finding"), count(0, "finding"), why)
            )
        target = f"≤ {self.targets.rto_seconds:g} s"
        rto = self.rto_seconds
        if rto is None:
            if not self.canary_wanted and not self.findings:
                status, why = GateStatus.NODATA, "the canary was off: no recovery to time"
            elif self.canary is not None:
                status, why = GateStatus.FAIL, "never recovered: the canary failed on the restore"
            else:
                status = GateStatus.FAIL
                why = "never recovered: the drill stopped before a canary could run on the restore"
            rows.append(
                GateRow(f"{label}: RTO", status, None, target, why, objective=Objective.RTO)
            )
        else:
            ok = rto <= self.targets.rto_seconds
            rows.append(
                GateRow(
                    f"{label}: RTO",
                    GateStatus.PASS if ok else GateStatus.FAIL,
                    seconds(rto),
                    target,
                    f"from {self.rto_from} to a passing canary on the restored database",
                    objective=Objective.RTO,
                )
            )
        if self.kind in ("logical", "pitr"):
            target = f"≤ {self.targets.rpo_seconds:g} s"
            rpo = self.rpo_seconds
            if rpo is None:
                rows.append(
                    GateRow(
                        f"{label}: RPO",
                        GateStatus.NODATA,
                        None,
                        target,
                        "no commit times to compare (restore failed, or commit "
                        "timestamps are off at the source)",
                        objective=Objective.RPO,
                    )
                )
            else:
                ok = rpo <= self.targets.rpo_seconds
                rows.append(
                    GateRow(
                        f"{label}: RPO",
                        GateStatus.PASS if ok else GateStatus.FAIL,
                        seconds(rpo, 3),
                        target,
                        "last commit at the source to the last commit present after recovery",
                        objective=Objective.RPO,
                    )
                )
        if self.unlogged:
            rows.append(
                GateRow(
                    "durable tables (no UNLOGGED table)",
                    GateStatus.FAIL,
                    count(len(self.unlogged), "UNLOGGED table"),
                    count(0, "UNLOGGED table"),
                    f"{', '.join(self.unlogged)}: UNLOGGED tables are emptied by crash "
                    "recovery and missing from every base backup and replica",
                    critical=False,
                )
            )
        return rows

    @property
    def passed(self) -> bool:
        return all(g.status is not GateStatus.FAIL for g in self.gates() if g.critical)

    @property
    def verdict(self) -> str:
        return "GO" if self.passed else "NO-GO"

    def reasons(self) -> list[str]:
        return [
            f"{g.name}: {g.reason}"
            for g in self.gates()
            if g.critical and g.status is GateStatus.FAIL
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "drill": self.kind,
            "title": self.title,
            "verdict": self.verdict,
            "reasons": self.reasons(),
            "provider": self.provider,
            "targets": {
                "rto_seconds": self.targets.rto_seconds,
                "rpo_seconds": self.targets.rpo_seconds,
            },
            "rto_seconds": self.rto_seconds,
            "rpo_seconds": self.rpo_seconds,
            "rpo_window": list(self.rpo) if self.rpo else None,
            "findings": [
                {"check": f.check, "subject": f.subject, "detail": f.detail} for f in self.findings
            ],
            "notes": self.notes,
            "unlogged_tables": self.unlogged,
            "canary": self.canary.to_dict() if self.canary else None,
            "gates": [
                {
                    "name": g.name,
                    "status": g.status.value,
                    "value": g.value,
                    "target": g.target,
                    "reason": g.reason,
                    "critical": g.critical,
                }
                for g in self.gates()
            ],
            "timeline": self.timeline.to_dict(),
            "facts": self.facts,
        }

    def svg(self) -> str:
        return timeline_svg(self.timeline, title=self.title, rto=self.rto, rpo=self.rpo)

    def summary(self) -> str:
        lines = [f"{self.title}: {self.verdict}"]
        for g in self.gates():
            value = f" {g.value}" if g.value else ""
            target = f" (target {g.target})" if g.target else ""
            lines.append(f"  [{g.status.value}] {g.name}:{value}{target} — {g.reason}")
        lines += [f"  finding: {f}" for f in self.findings[:50]]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def record_evidence(report: DrillReport, *, gates: bool = True) -> None:
    """The report (JSON), its timeline (SVG) and, with ``gates``, its gates, into the run."""
    stem = f"restore-drill-{report.kind}"
    attach(f"{stem}.json", json.dumps(report.to_dict(), indent=2, sort_keys=True), "json")
    attach(f"{stem}-timeline.svg", report.svg(), "svg")
    if gates:
        for g in report.gates():
            record_gate(
                g.name,
                g.status,
                value=g.value,
                target=g.target,
                reason=g.reason,
                critical=g.critical,
            )
