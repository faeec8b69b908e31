"""What happened when during a drill: phases (start, end, outcome) and marks (instants)."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Phase:
    name: str
    start: float  # seconds since the epoch
    end: float = 0.0
    outcome: str = "running"  # "passed", "failed", "running"

    @property
    def seconds(self) -> float:
        return max(0.0, self.end - self.start)


@dataclass
class Timeline:
    started: float = field(default_factory=time.time)
    phases: list[Phase] = field(default_factory=list)
    marks: dict[str, float] = field(default_factory=dict)
    log: Callable[[str], None] | None = None

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[Phase]:
        """Time the block as one phase; an exception marks it failed (and propagates)."""
        ph = Phase(name, time.time())
        self.phases.append(ph)
        if self.log:
            self.log(f"{name} …")
        try:
            yield ph
        except BaseException:
            ph.outcome = "failed"
            raise
        else:
            if ph.outcome == "running":
                ph.outcome = "passed"
        finally:
            ph.end = time.time()
            if self.log:
                self.log(f"{name}: {ph.outcome} in {ph.seconds:.1f} s")

    def mark(self, name: str, at: float | None = None) -> float:
        self.marks[name] = time.time() if at is None else at
        return self.marks[name]

    def to_dict(self) -> dict[str, Any]:
        t0 = self.started
        return {
            "started_at": t0,
            "phases": [
                {
                    "name": p.name,
                    "start_s": round(p.start - t0, 3),
                    "end_s": round(p.end - t0, 3),
                    "seconds": round(p.seconds, 3),
                    "outcome": p.outcome,
                }
                for p in self.phases
            ],
            "marks": {k: round(v - t0, 3) for k, v in self.marks.items()},
        }
