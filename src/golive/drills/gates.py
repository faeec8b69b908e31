"""How a drill's objectives become gates, and where a drill's gates are recorded.

Both drills end the same way: one gate for the drill's outcome (``Journal.outcome``: PASS
only when the journal ended ``completed``), one per objective (a time measured from one
moment to another, held to a target: the time to roll back, RTO, RPO), and any warnings of
their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

from golive import evidence
from golive.evidence import GateStatus, verdict
from golive.evidence.verdict import seconds


class Metric(StrEnum):
    """What an objective measures."""

    TIME_TO_ROLL_BACK = "time to roll back"  # first rollback action → steady state back
    RTO = "RTO"  # the disaster (or the restore's start) → a passing canary on the restore
    RPO = "RPO"  # the last commit at the source → the last commit restored


@dataclass(frozen=True)
class Gate(verdict.Gate):
    """A gate of the evidence, and what the objective it gates measures (None: no objective)."""

    objective: Metric | None = None


@dataclass(frozen=True, kw_only=True)
class Objective:
    """A time the drill is held to: from one moment to another, against a target."""

    name: Metric
    gate: str  # the gate's name in the evidence
    target_seconds: float
    span: tuple[float, float] | None  # (from, to), seconds since the epoch; None: not measured
    measured: str  # what the span is, in words
    unmeasured: str  # why there is no span
    no_span: GateStatus = GateStatus.FAIL  # NODATA when nothing could be measured at all
    over: str = ""  # appended to the reason when over the target (the setting to look at)
    digits: int = 1

    @property
    def seconds(self) -> float | None:
        return None if self.span is None else max(0.0, self.span[1] - self.span[0])

    def to_gate(self) -> Gate:
        target = f"≤ {self.target_seconds:g} s"
        secs = self.seconds
        if secs is None:
            return Gate(self.gate, self.no_span, None, target, self.unmeasured, objective=self.name)
        within = secs <= self.target_seconds
        return Gate(
            self.gate,
            GateStatus.PASS if within else GateStatus.FAIL,
            seconds(secs, self.digits),
            target,
            self.measured + ("" if within or not self.over else f" ({self.over})"),
            objective=self.name,
        )

    def to_dict(self) -> dict[str, Any]:
        secs = self.seconds
        return {
            "name": self.name,
            "seconds": None if secs is None else round(secs, 6),
            "target_seconds": self.target_seconds,
            "met": None if secs is None else secs <= self.target_seconds,
            "span": None if self.span is None else [round(t, 6) for t in self.span],
            "measured": self.measured if secs is not None else self.unmeasured,
        }


class Sink(Protocol):
    """Where a drill writes its evidence (``EVIDENCE`` in a run, a fake in unit tests)."""

    def attach(self, name: str, data: str, kind: str) -> object: ...

    def record_gate(
        self,
        name: str,
        status: GateStatus,
        *,
        value: str | None,
        target: str | None,
        reason: str,
        critical: bool = True,
    ) -> None: ...


EVIDENCE: Sink = evidence  # the run's evidence (harmless outside an evidence run)


def record(sink: Sink, gates: list[Gate]) -> None:
    for g in gates:
        sink.record_gate(
            g.name, g.status, value=g.value, target=g.target, reason=g.reason, critical=g.critical
        )
