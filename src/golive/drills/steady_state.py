"""The steady-state hypothesis: named probes, each with a tolerance, checked as a whole.

A probe that raises is a deviation like any other (the steady state cannot be shown to
hold), never a skip. Every probe runs on every check, so one check reports every
deviation it can see, not only the first.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from golive.drills.tolerance import Tolerance


class Phase(Enum):
    """When the steady state is checked."""

    BEFORE = "before the change"
    AFTER_CHANGE = "after the change"
    AFTER_ROLLBACK = "after the rollback"


@dataclass(frozen=True)
class Probe:
    """Something measured on the platform, and what it must be in the steady state."""

    name: str
    measure: Callable[[], Any]
    tolerance: Tolerance


@dataclass(frozen=True)
class ProbeResult:
    name: str
    tolerance: str
    value: Any
    deviation: str | None  # None: within tolerance
    error: str | None  # the probe itself raised
    seconds: float

    @property
    def ok(self) -> bool:
        return self.deviation is None and self.error is None

    def finding(self) -> str:
        why = self.error if self.error is not None else self.deviation
        return f"{self.name!r} ({self.tolerance}): {why}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "probe": self.name,
            "tolerance": self.tolerance,
            "value": jsonable(self.value),
            "status": "ok" if self.ok else ("failed" if self.error else "deviated"),
            "deviation": self.deviation,
            "error": self.error,
            "duration_s": round(self.seconds, 6),
        }


@dataclass(frozen=True)
class HypothesisResult:
    phase: Phase
    results: tuple[ProbeResult, ...]
    started_at: float  # seconds since the epoch
    seconds: float

    @property
    def met(self) -> bool:
        return all(r.ok for r in self.results)

    def value(self, probe: str) -> Any:
        for r in self.results:
            if r.name == probe:
                return r.value
        raise KeyError(probe)

    def findings(self) -> list[str]:
        return [f"{self.phase.value}: {r.finding()}" for r in self.results if not r.ok]

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase.value,
            "met": self.met,
            "at": iso(self.started_at),
            "duration_s": round(self.seconds, 6),
            "probes": [r.to_dict() for r in self.results],
        }


@dataclass
class Hypothesis:
    """A titled list of probes with tolerances."""

    title: str
    probes: list[Probe] = field(default_factory=list)

    def __post_init__(self) -> None:
        names = [p.name for p in self.probes]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"probe name(s) {dupes!r} appear twice in {self.title!r}")
        if not self.probes:
            raise ValueError(f"the steady-state hypothesis {self.title!r} has no probes")

    def check(self, phase: Phase, baseline: HypothesisResult | None = None) -> HypothesisResult:
        """Run every probe once and judge each value (against ``baseline`` where it asks)."""
        started, t0 = time.time(), time.perf_counter()
        results = []
        for probe in self.probes:
            before = None if baseline is None else _value_or_none(baseline, probe.name)
            results.append(_run(probe, before))
        return HypothesisResult(phase, tuple(results), started, time.perf_counter() - t0)


def _value_or_none(result: HypothesisResult, name: str) -> Any:
    try:
        return result.value(name)
    except KeyError:
        return None


def _run(probe: Probe, before: Any) -> ProbeResult:
    t0 = time.perf_counter()
    desc = probe.tolerance.describe()
    try:
        value = probe.measure()
    except Exception as exc:  # a probe that cannot measure is a finding, not a skip
        err = f"the probe failed: {type(exc).__name__}: {exc}"[:1000]
        return ProbeResult(probe.name, desc, None, None, err, time.perf_counter() - t0)
    deviation = probe.tolerance.deviation(value, before)
    return ProbeResult(probe.name, desc, value, deviation, None, time.perf_counter() - t0)


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def jsonable(value: Any, limit: int = 50) -> Any:
    """A JSON-friendly copy of a probe value (long lists cut, the rest as text)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): jsonable(v, limit) for k, v in value.items()}
    if isinstance(value, Sequence | set | frozenset):
        items = list(value)
        out = [jsonable(v, limit) for v in items[:limit]]
        if len(items) > limit:
            out.append(f"... and {len(items) - limit} more")
        return out
    return str(value)
