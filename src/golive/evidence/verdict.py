"""The run verdict and the rules that decide it (docs/architecture.md, "Verdicts and exit codes").

Import-light on purpose: the CLI and other packages use it without loading pytest or
cryptography.

Precedence, first match wins:

1. the run was interrupted (signal, harness crash, collection errors)  -> ABORTED
2. a test failed or errored, or a critical gate FAILED                 -> NO-GO
3. a critical gate has NO DATA, no test ran, a test was skipped, or a
   test stopped on a configuration problem                             -> INCONCLUSIVE
4. otherwise                                                           -> GO

A failure seen before an interruption is still listed among the reasons of ABORTED.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

# Test outcomes as this module understands them.
PASSED = "passed"
FAILED = "failed"
ERROR = "error"  # failed in setup or teardown
SKIPPED = "skipped"
XFAILED = "xfailed"
NOT_RUN = "not run"  # collected, never started (the run stopped first)
INTERRUPTED = "interrupted"  # started, then the run was stopped before it finished


class Verdict(Enum):
    """What a run proved. The value is the spelling used in reports."""

    GO = "GO"
    NO_GO = "NO-GO"
    INCONCLUSIVE = "INCONCLUSIVE"
    ABORTED = "ABORTED"

    @property
    def exit_code(self) -> int:
        return _EXIT_CODES[self]

    @property
    def in_toto_result(self) -> str:
        """The test-result predicate's `result`: only GO is PASSED.

        INCONCLUSIVE and ABORTED map to FAILED rather than WARNED, so that a policy that
        admits WARNED never admits a run that did not prove readiness.
        """
        return "PASSED" if self is Verdict.GO else "FAILED"


_EXIT_CODES = {Verdict.GO: 0, Verdict.NO_GO: 1, Verdict.INCONCLUSIVE: 3, Verdict.ABORTED: 3}


class GateStatus(Enum):
    """The state of one go-live gate (an SLO, a drill target, a check)."""

    PASS = "PASS"
    FAIL = "FAIL"
    NODATA = "NODATA"


@dataclass(frozen=True)
class Statistic:
    """What a gate judged on samples rests on (docs/monitoring.md, "SLO gates").

    ``estimate`` and ``bound`` are in ``unit``: "ms", or "share" (0.999 is 99.9 %); ``bound``
    is one-sided, on ``side`` ("lower" or "upper"), at ``confidence``. ``needed``: the samples
    in all that would prove the target at the rate seen (a gate without enough data).
    """

    unit: str
    estimate: float | None
    bound: float | None
    side: str
    confidence: float
    samples: int
    needed: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(vars(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statistic:
        return cls(
            unit=str(data["unit"]),
            estimate=data.get("estimate"),
            bound=data.get("bound"),
            side=str(data.get("side", "")),
            confidence=float(data["confidence"]),
            samples=int(data["samples"]),
            needed=data.get("needed"),
        )


@dataclass(frozen=True)
class Gate:
    """One row of the SLO/gates table."""

    name: str
    status: GateStatus
    value: str | None
    target: str | None
    reason: str
    critical: bool = True
    statistic: Statistic | None = None  # a gate judged on a confidence bound

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "status": self.status.value,
            "value": self.value,
            "target": self.target,
            "reason": self.reason,
            "critical": self.critical,
        }
        if self.statistic is not None:
            out["statistic"] = self.statistic.to_dict()
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gate:
        stat = data.get("statistic")
        return cls(
            name=str(data["name"]),
            status=GateStatus(data["status"]),
            value=data.get("value"),
            target=data.get("target"),
            reason=str(data.get("reason", "")),
            critical=bool(data.get("critical", True)),
            statistic=Statistic.from_dict(stat) if isinstance(stat, dict) else None,
        )


@dataclass(frozen=True)
class TestOutcome:
    """The outcome of one test or scenario, reduced to what the verdict needs."""

    __test__ = False  # not a pytest test class

    name: str
    outcome: str  # PASSED, FAILED, ERROR, SKIPPED, XFAILED, NOT_RUN or INTERRUPTED
    config_problem: bool = False  # stopped on a ConfigError/Inconclusive, not a platform fault


@dataclass(frozen=True)
class VerdictResult:
    """A verdict and the plain-language reasons for it."""

    verdict: Verdict
    reasons: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return self.verdict.exit_code

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict.value,
            "exit_code": self.exit_code,
            "in_toto_result": self.verdict.in_toto_result,
            "reasons": list(self.reasons),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VerdictResult:
        return cls(Verdict(data["verdict"]), tuple(str(r) for r in data.get("reasons", [])))


def _names(items: Iterable[str], limit: int = 10) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown if len(items) <= limit else f"{shown} and {len(items) - limit} more"


def decide(
    *,
    tests: Sequence[TestOutcome],
    gates: Sequence[Gate],
    interrupted: str | None = None,
    problems: Sequence[str] = (),
) -> VerdictResult:
    """Decide the verdict from test outcomes and gates.

    `interrupted` says why the run stopped early (None if it ran to the end); `problems`
    are harness-side reasons that make the run INCONCLUSIVE (e.g. evidence not signable).
    """
    failed = [t.name for t in tests if t.outcome in (FAILED, ERROR) and not t.config_problem]
    config = [t.name for t in tests if t.outcome in (FAILED, ERROR) and t.config_problem]
    skipped = [t.name for t in tests if t.outcome in (SKIPPED, XFAILED)]
    unfinished = [t.name for t in tests if t.outcome in (NOT_RUN, INTERRUPTED)]
    passed = [t.name for t in tests if t.outcome == PASSED]
    gate_fail = [g for g in gates if g.status is GateStatus.FAIL and g.critical]
    gate_nodata = [g for g in gates if g.status is GateStatus.NODATA and g.critical]
    warn_gates = [g for g in gates if g.status is not GateStatus.PASS and not g.critical]

    no_go: list[str] = []
    if failed:
        no_go.append(f"{len(failed)} test(s) failed: {_names(failed)}")
    no_go += [_gate_reason(g) for g in gate_fail]

    unsure: list[str] = list(problems)
    if config:
        unsure.append(f"{len(config)} test(s) stopped on a configuration problem: {_names(config)}")
    unsure += [_gate_reason(g) for g in gate_nodata]
    if not tests or not (passed or failed or config):
        unsure.append("no test ran, so nothing was proved")
    if skipped:
        unsure.append(f"{len(skipped)} test(s) did not run (skipped): {_names(skipped)}")
    if unfinished:
        unsure.append(f"{len(unfinished)} test(s) did not finish: {_names(unfinished)}")

    notes = [f"(non-critical) {_gate_reason(g)}" for g in warn_gates]

    if interrupted is not None:
        reasons = [f"the run was aborted: {interrupted}", *no_go, *unsure, *notes]
        return VerdictResult(Verdict.ABORTED, tuple(reasons))
    if no_go:
        return VerdictResult(Verdict.NO_GO, tuple([*no_go, *unsure, *notes]))
    if unsure:
        return VerdictResult(Verdict.INCONCLUSIVE, tuple([*unsure, *notes]))
    gates_ok = sum(1 for g in gates if g.status is GateStatus.PASS)
    summary = f"all {len(passed)} test(s) passed and {gates_ok} gate(s) passed"
    return VerdictResult(Verdict.GO, (summary, *notes))


def _gate_reason(gate: Gate) -> str:
    if gate.status is GateStatus.PASS:
        return f"gate {gate.name!r} passed"
    parts = [f"measured {gate.value}"] if gate.value is not None else []
    if gate.target:
        parts.append(f"target {gate.target}")
    detail = f" ({', '.join(parts)})" if parts else ""
    word = "failed" if gate.status is GateStatus.FAIL else "has no data"
    return f"gate {gate.name!r} {word}{detail}: {gate.reason}"


# Figures: how a gate's measured value and target are written (a number always has a unit).
def ms(value: float) -> str:
    """A duration in milliseconds: "24.6 ms"."""
    return f"{value:.1f} ms"


def seconds(value: float, digits: int = 1) -> str:
    """A duration in seconds: "3.2 s"."""
    return f"{value:.{digits}f} s"


def percent(ratio: float) -> str:
    """A ratio as a percentage: 0.999 -> "99.90 %" (never rounded up to 100 % unless it is)."""
    shown = f"{ratio * 100:.2f}"
    if ratio < 1 and shown == "100.00":
        shown = "99.99"
    return f"{shown} %"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun: "1 finding", "3 findings"."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
