"""The drill journal: every activity with its timings, and the steady state at each check.

Shaped after Chaos Toolkit's journal (experiment, status, steady states, run, rollbacks),
written as JSON into the evidence.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from golive.drills.rollback.steady_state import HypothesisResult, iso, jsonable


class Kind(Enum):
    """What an activity is, in the drill's terms."""

    ACTION = "action"  # preparing or operating the platform (funding a wallet, a deposit…)
    CHANGE = "change"  # the change under test (a release, a PSP outage, a kill switch)
    ROLLBACK = "rollback"  # an action that undoes the change
    HYPOTHESIS = "steady-state"  # one check of the steady-state hypothesis
    VERIFY = "verify"  # a check after the rollback (a Then step)


class Status(Enum):
    """A drill's outcome; only COMPLETED is a pass."""

    RUNNING = "running"
    COMPLETED = "completed"  # steady state held throughout and came back after the rollback
    DEVIATED = "deviated"  # a steady-state check or a verification found a deviation
    FAILED = "failed"  # an activity or a rollback action failed
    ABORTED = "aborted"  # the steady state did not hold before the change: nothing was changed


@dataclass(frozen=True)
class Activity:
    seq: int
    name: str
    kind: Kind
    started_at: float
    seconds: float
    ok: bool
    output: Any = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
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
class Journal:
    """What happened in one drill, in order (safe to append from several threads)."""

    drill: str
    title: str
    target_seconds: float
    started_at: float
    activities: list[Activity] = field(default_factory=list)
    steady_states: list[HypothesisResult] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    status: Status = Status.RUNNING
    ended_at: float | None = None
    rollback_seconds: float | None = None
    context: dict[str, Any] = field(default_factory=dict)
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
        with self._lock:
            act = Activity(
                len(self.activities) + 1, name, kind, started_at, seconds, ok, output, error
            )
            self.activities.append(act)
            return act

    def find(self, kind: Kind) -> list[Activity]:
        return [a for a in self.activities if a.kind is kind]

    def to_dict(self) -> dict[str, Any]:
        end = self.ended_at
        return {
            "drill": self.drill,
            "title": self.title,
            "status": self.status.value,
            "start": iso(self.started_at),
            "end": None if end is None else iso(end),
            "duration_s": None if end is None else round(end - self.started_at, 6),
            "rollback_seconds": None
            if self.rollback_seconds is None
            else round(self.rollback_seconds, 6),
            "target_rollback_seconds": self.target_seconds,
            "context": jsonable(self.context),
            "findings": list(self.findings),
            "steady_states": [s.to_dict() for s in self.steady_states],
            # in the order they started (an action may enclose the change, as in the kill switch)
            "activities": [
                a.to_dict() | {"seq": i}
                for i, a in enumerate(sorted(self.activities, key=lambda a: a.started_at), 1)
            ],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=False)
