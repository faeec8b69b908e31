"""The drill journal, one for every drill (rollback and restore): each activity with its
timings and output, the steady state at each check, the instants worth marking, the
objectives and the gates they became.

Shaped after Chaos Toolkit's journal (experiment, status, steady states, run, rollbacks),
attached as JSON to the evidence (``<family>-journal-<drill>.json``); operation outputs in
it are the operations' own redacted records, and the evidence redacts every attachment again.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from golive.drills.gates import Gate, Metric, Objective, Sink
from golive.drills.steady_state import HypothesisResult, iso, jsonable
from golive.evidence import GateStatus
from golive.evidence.verdict import count


class Kind(Enum):
    """What an activity is, in the drill's terms."""

    ACTION = "action"  # preparing or operating the platform (a deposit, a backup…)
    CHANGE = "change"  # the change under test (a release, a PSP outage, a restore)
    ROLLBACK = "rollback"  # an action that undoes the change
    HYPOTHESIS = "steady-state"  # one check of the steady-state hypothesis
    VERIFY = "verify"  # a check after the change or the rollback (a Then step, the canary)


class Status(Enum):
    """A drill's outcome; only COMPLETED is a pass."""

    RUNNING = "running"
    COMPLETED = "completed"  # steady state held throughout (and came back after a rollback)
    DEVIATED = "deviated"  # a steady-state check or a verification found a deviation
    FAILED = "failed"  # an activity (a backup, a rollback action) failed
    ABORTED = "aborted"  # the steady state did not hold before the change: nothing was changed


QUOTED = 10  # findings quoted in a failed outcome gate's reason
RANK = {Status.RUNNING: 0, Status.COMPLETED: 0, Status.DEVIATED: 1, Status.FAILED: 2,
        Status.ABORTED: 2}  # fmt: skip


@dataclass(frozen=True)
class Activity:
    name: str
    kind: Kind
    started_at: float
    seconds: float
    ok: bool
    output: Any = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind.value,
            "start": iso(self.started_at),
            "end": iso(self.started_at + self.seconds),
            "duration_s": round(self.seconds, 6),
            "status": "succeeded" if self.ok else "failed",
            "output": jsonable(self.output),
            "error": self.error,
        }


@dataclass
class Step:
    """A timed block's outcome, set inside the block (``Journal.timed``)."""

    ok: bool = True
    output: Any = None
    error: str | None = None


@dataclass
class Journal:
    """What happened in one drill, in order (safe to append from several threads)."""

    family: str  # "rollback", "restore": the attachment's name starts with it
    drill: str
    title: str
    started_at: float = field(default_factory=time.time)
    activities: list[Activity] = field(default_factory=list)
    steady_states: list[HypothesisResult] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)  # instants: "disaster"…
    findings: list[str] = field(default_factory=list)
    status: Status = Status.RUNNING
    ended_at: float | None = None
    objectives: list[Objective] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(
        self,
        name: str,
        kind: Kind,
        started_at: float,
        seconds: float,
        *,
        ok: bool,
        output: Any = None,
        error: str | None = None,
    ) -> Activity:
        act = Activity(name, kind, started_at, seconds, ok, output, error)
        with self._lock:
            self.activities.append(act)
        return act

    @contextlib.contextmanager
    def timed(self, name: str, kind: Kind) -> Iterator[Step]:
        """Journal the block as one activity; an exception fails it (and propagates)."""
        step, started, t0 = Step(), time.time(), time.perf_counter()
        if self.log:
            self.log(f"{name} …")
        try:
            yield step
        except BaseException as exc:
            step.ok = False
            step.error = step.error or f"{type(exc).__name__}: {exc}"[:2000]
            raise
        finally:
            secs = time.perf_counter() - t0
            self.add(name, kind, started, secs, ok=step.ok, output=step.output, error=step.error)
            if self.log:
                self.log(f"{name}: {'passed' if step.ok else 'failed'} in {secs:.1f} s")

    def check(self, result: HypothesisResult) -> None:
        """A steady-state check, as a result and as an activity."""
        self.steady_states.append(result)
        error = None if result.met else "; ".join(result.findings())
        self.add(f"steady state {result.phase.value}", Kind.HYPOTHESIS, result.started_at,
                 result.seconds, ok=result.met, error=error)  # fmt: skip

    def mark(self, name: str, at: float | None = None) -> float:
        self.marks[name] = time.time() if at is None else at
        return self.marks[name]

    def fail(self, status: Status, finding: str) -> None:
        """A finding; the worst status wins (FAILED/ABORTED over DEVIATED over RUNNING)."""
        if RANK[status] > RANK[self.status]:
            self.status = status
        if finding not in self.findings:
            self.findings.append(finding)

    def outcome(self, name: str, *, passed: str) -> Gate:
        """The drill's outcome as a gate: PASS only when it completed (``passed`` says what
        that proved); else its status and the findings, quoted."""
        target, found = f"{count(0, 'finding')}, drill completed", self.findings
        if self.status is Status.COMPLETED:
            return Gate(name, GateStatus.PASS, count(len(found), "finding"), target, passed)
        more = f" (+{len(found) - QUOTED} more)" if len(found) > QUOTED else ""
        quoted = ": " + "; ".join(found[:QUOTED]) + more if found else ""
        why = f"the drill ended {self.status.value}{quoted}"
        return Gate(name, GateStatus.FAIL, count(len(found), "finding"), target, why)

    def find(self, kind: Kind) -> list[Activity]:
        return [a for a in self.activities if a.kind is kind]

    def objective(self, name: Metric) -> Objective | None:
        return next((o for o in self.objectives if o.name == name), None)

    @property
    def rollback_seconds(self) -> float | None:
        """The time to roll back, when measured (the rollback matrix shows it)."""
        found = self.objective(Metric.TIME_TO_ROLL_BACK)
        return None if found is None else found.seconds

    @property
    def file_name(self) -> str:
        return f"{self.family}-journal-{self.drill}.json"

    def to_dict(self) -> dict[str, Any]:
        end = self.ended_at
        return {
            "drill": self.drill,
            "family": self.family,
            "title": self.title,
            "status": self.status.value,
            "start": iso(self.started_at),
            "end": None if end is None else iso(end),
            "duration_s": None if end is None else round(end - self.started_at, 6),
            "objectives": [o.to_dict() for o in self.objectives],
            "gates": [g.to_dict() for g in self.gates],
            "findings": list(self.findings),
            "marks": {k: iso(v) for k, v in sorted(self.marks.items(), key=lambda kv: kv[1])},
            "context": jsonable(self.context),
            "steady_states": [s.to_dict() for s in self.steady_states],
            # in the order they started (an action may enclose the change, as in the kill switch)
            "activities": [
                {"seq": i} | a.to_dict()
                for i, a in enumerate(sorted(self.activities, key=lambda a: a.started_at), 1)
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)

    def attach(self, sink: Sink) -> None:
        sink.attach(self.file_name, self.to_json(), "json")
