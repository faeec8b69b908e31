"""A drill: steady state, the change, steady state, the rollback, steady state again.

Learned from Chaos Toolkit, made stricter:

- the steady state must hold before the change, or nothing is changed (ABORTED, a NO-GO);
- rollback actions are registered *before* the change runs, so a change that fails
  partway is still rolled back, and they always run once a change started — at the
  rollback step, or when the drill closes after a failed step; they are never skipped;
- a rollback action that fails, or a steady state that does not come back, is a NO-GO;
- the time to roll back (first rollback action → steady state confirmed back) is measured
  and gated against the configured target;
- every activity and every check is journaled with its timings, and the journal is
  attached to the evidence when the drill closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from golive.drills.gates import EVIDENCE, Metric, Objective, Sink, record
from golive.drills.journal import Journal, Kind, Status
from golive.drills.steady_state import Hypothesis, HypothesisResult, Phase
from golive.errors import ConfigError, GateFailed, PlatformFault

T = TypeVar("T")
E = TypeVar("E", bound=BaseException)


class SteadyStateDeviated(GateFailed):
    """The steady-state hypothesis did not hold at a check."""


class RollbackFailed(GateFailed):
    """A rollback action failed."""


class ActivityFailed(PlatformFault):
    """An action or the change itself failed (the cause is chained)."""


@dataclass(frozen=True)
class RollbackAction:
    """One action that undoes (part of) the change."""

    name: str
    run: Callable[[], Any]


@dataclass
class RollbackOutcome:
    failures: list[str] = field(default_factory=list)
    steady: HypothesisResult | None = None
    seconds: float = 0.0  # first rollback action → steady state checked

    @property
    def ok(self) -> bool:
        return not self.failures and self.steady is not None and self.steady.met


class Drill:
    """One drill's state; steps call its methods, the fixture closes it."""

    def __init__(
        self,
        name: str,
        title: str,
        hypothesis: Hypothesis,
        *,
        target_seconds: float,
        sink: Sink | None = None,
    ) -> None:
        if target_seconds <= 0:
            raise ConfigError(
                f"the rollback time target {target_seconds!r} s must be positive; set "
                "[drills] rollback_seconds in golive.toml"
            )
        self.name = name
        self.hypothesis = hypothesis
        self.target_seconds = target_seconds
        self.sink: Sink = sink or EVIDENCE
        self.journal = Journal("rollback", name, title)
        self.steady: dict[Phase, HypothesisResult] = {}
        self.rollbacks: list[RollbackAction] = []
        self.changed = False
        self.outcome: RollbackOutcome | None = None
        self.closed = False
        self._seen: set[int] = set()  # ids of the exceptions already journaled

    @property
    def status(self) -> Status:
        return self.journal.status

    # -- activities ---------------------------------------------------------------------
    def act(self, name: str, fn: Callable[[], T], *, kind: Kind = Kind.ACTION) -> T:
        """Run ``fn`` as a journaled activity; a failure is journaled and raised."""
        try:
            with self.journal.timed(name, kind) as step:
                step.output = value = fn()
        except Exception as exc:
            err = f"{type(exc).__name__}: {exc}"[:2000]
            if kind is not Kind.ROLLBACK:
                self.journal.fail(Status.FAILED, f"{kind.value} {name!r} failed: {err}")
            raise self._journaled(ActivityFailed(f"{kind.value} {name!r} failed: {err}")) from exc
        return value

    def change(self, name: str, fn: Callable[[], T], *, rollback: list[RollbackAction]) -> T:
        """Make the change under test, its rollback actions registered first."""
        self._arm(name, rollback)
        return self.act(name, fn, kind=Kind.CHANGE)

    def attempt_change(
        self, name: str, fn: Callable[[], object], *, rollback: list[RollbackAction]
    ) -> Exception | None:
        """A change that is meant to fail (a failed upgrade): returns its error, None if it
        succeeded. Its failure is journaled, but it is the drill's premise, not a finding."""
        self._arm(name, rollback)
        try:
            with self.journal.timed(name, Kind.CHANGE) as step:
                step.output = fn()
        except Exception as exc:
            return exc
        return None

    def _arm(self, name: str, rollback: list[RollbackAction]) -> None:
        before = self.steady.get(Phase.BEFORE)
        if before is None:
            raise ConfigError(
                f"drill {self.name!r} was asked to make the change {name!r} before checking "
                "the steady state: add the steady-state step before the change"
            )
        if not before.met:
            raise self._journaled(
                SteadyStateDeviated(
                    f"drill {self.name!r}: the steady state did not hold before the change, so "
                    f"{name!r} was not made: " + "; ".join(before.findings())
                )
            )
        if not rollback:
            raise ConfigError(f"the change {name!r} has no rollback action; a drill needs one")
        self.rollbacks.extend(rollback)
        self.changed = True

    def verify(self, name: str, fn: Callable[[], T]) -> T:
        """A check after the change or the rollback; a failure is a deviation (journaled)."""
        try:
            with self.journal.timed(name, Kind.VERIFY) as step:
                step.output = value = fn()
        except Exception as exc:
            err = f"{type(exc).__name__}: {exc}"[:2000]
            self.journal.fail(Status.DEVIATED, f"check {name!r} failed: {err}")
            self._journaled(exc)
            raise
        return value

    def note_failure(self, what: str, exc: BaseException | None = None) -> None:
        """Record a failure seen outside the drill's own activities (a failed step).

        A failure the drill raised itself is already in the journal and is not repeated.
        """
        if exc is not None and id(exc) in self._seen:
            return
        self.journal.fail(Status.DEVIATED, what)

    def _journaled(self, exc: E) -> E:
        self._seen.add(id(exc))
        return exc

    # -- the steady state -------------------------------------------------------------------
    def check(self, phase: Phase) -> HypothesisResult:
        """Check the hypothesis now; a deviation is journaled (and raised by ``require``)."""
        result = self.hypothesis.check(phase, self.steady.get(Phase.BEFORE))
        self.steady[phase] = result
        self.journal.check(result)
        if not result.met:
            status = Status.ABORTED if phase is Phase.BEFORE else Status.DEVIATED
            for finding in result.findings():
                self.journal.fail(status, finding)
        return result

    def require(self, phase: Phase) -> HypothesisResult:
        result = self.check(phase)
        if not result.met:
            raise self._journaled(SteadyStateDeviated(_deviated(self.name, result)))
        return result

    # -- the rollback ---------------------------------------------------------------------
    def rollback(self) -> RollbackOutcome:
        """Run every rollback action (last registered first), then check the steady state.

        All actions run even when one fails. The time runs from the first action to the
        end of the steady-state check. Runs once; later calls return the same outcome.
        """
        if self.outcome is not None:
            return self.outcome
        if not self.changed:
            raise ConfigError(f"drill {self.name!r} has nothing to roll back: no change was made")
        outcome = RollbackOutcome()
        t0 = time.time()
        for action in reversed(self.rollbacks):
            try:
                self.act(action.name, action.run, kind=Kind.ROLLBACK)
            except ActivityFailed as exc:
                outcome.failures.append(str(exc))
                self.journal.fail(Status.FAILED, f"rollback failed: {exc}")
        outcome.steady = self.check(Phase.AFTER_ROLLBACK)
        t1 = time.time()
        outcome.seconds = t1 - t0
        self.journal.objectives = [self._time_to_roll_back((t0, t1) if outcome.ok else None)]
        self.outcome = outcome
        return outcome

    def require_rolled_back(self) -> RollbackOutcome:
        """Roll back and raise if a rollback action failed (the deviation is a Then step)."""
        outcome = self.rollback()
        if outcome.failures:
            failures = "; ".join(outcome.failures)
            raise self._journaled(RollbackFailed(f"drill {self.name!r}: {failures}"))
        return outcome

    def require_steady_state_back(self) -> RollbackOutcome:
        outcome = self.rollback()
        steady = outcome.steady
        if steady is None or not steady.met:
            raise self._journaled(
                SteadyStateDeviated(
                    _deviated(self.name, steady) if steady else f"drill {self.name!r}: unchecked"
                )
            )
        return outcome

    def require_within_target(self) -> float:
        outcome = self.rollback()
        if not outcome.ok:
            raise self._journaled(
                GateFailed(
                    f"drill {self.name!r}: the rollback did not bring the steady state back, so "
                    "it has no time to roll back: " + "; ".join(self.journal.findings)
                )
            )
        if outcome.seconds > self.target_seconds:
            raise self._journaled(
                GateFailed(
                    f"drill {self.name!r}: the rollback took {outcome.seconds:.2f} s, over the "
                    f"target of {self.target_seconds:g} s ([drills] rollback_seconds)"
                )
            )
        return outcome.seconds

    # -- the end --------------------------------------------------------------------------
    def close(self) -> Journal:
        """Roll back if a change is still in place, judge, record the gates, attach the journal."""
        if self.closed:
            return self.journal
        self.closed = True
        if self.changed and self.outcome is None:
            self.journal.findings.append(
                "the drill stopped before its rollback step; the rollback ran when it closed"
            )
            self.rollback()
        j = self.journal
        if j.status is Status.RUNNING:
            j.status = Status.COMPLETED
        j.ended_at = time.time()
        held = "the steady state held before and after the change and came back after the rollback"
        j.gates = [
            j.outcome(f"rollback drill: {j.title}", passed=held),
            *(o.to_gate() for o in j.objectives),
        ]
        record(self.sink, j.gates)
        j.attach(self.sink)
        return j

    def _time_to_roll_back(self, span: tuple[float, float] | None) -> Objective:
        return Objective(
            name=Metric.TIME_TO_ROLL_BACK,
            gate=f"time to roll back: {self.journal.title}",
            target_seconds=self.target_seconds,
            span=span,
            measured="first rollback action → steady state confirmed back",
            unmeasured="the steady state did not come back after the rollback, so the rollback "
            "never finished",
            over="over the target: [drills] rollback_seconds",
            digits=2,
        )


def _deviated(name: str, result: HypothesisResult) -> str:
    return f"drill {name!r}: the steady state did not hold {result.phase.value}: " + "; ".join(
        r.finding() for r in result.results if not r.ok
    )
