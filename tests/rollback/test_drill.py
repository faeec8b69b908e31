"""The drill model on a fake platform: checks, change, rollback, journal, gates."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from golive.drills.gates import Metric
from golive.drills.journal import Kind, Status
from golive.drills.rollback import (
    ActivityFailed,
    Drill,
    RollbackAction,
    RollbackFailed,
    SteadyStateDeviated,
)
from golive.drills.steady_state import Hypothesis, Phase, Probe
from golive.drills.tolerance import Exactly, NoneFound, SameAsBefore
from golive.errors import ConfigError, GateFailed
from golive.evidence import GateStatus


@dataclass
class FakePlatform:
    """A platform with a version, some money and a list of broken things."""

    version: str = "1"
    money: dict[str, int] = field(default_factory=lambda: {"EUR": 100})
    broken: list[str] = field(default_factory=list)
    serving: bool = True

    def health(self) -> str:
        if not self.serving:
            raise ConnectionError("connection refused")
        return "ok"


@dataclass
class FakeSink:
    gates: list[dict[str, Any]] = field(default_factory=list)
    attached: dict[str, str] = field(default_factory=dict)

    def attach(self, name: str, data: str, kind: str) -> object:
        self.attached[name] = data
        return None

    def record_gate(self, name: str, status: GateStatus, **kw: Any) -> None:
        self.gates.append({"name": name, "status": status, **kw})

    def gate(self, prefix: str) -> dict[str, Any]:
        [found] = [g for g in self.gates if g["name"].startswith(prefix)]
        return found


def hypothesis(p: FakePlatform) -> Hypothesis:
    return Hypothesis(
        "the platform keeps its money",
        [
            Probe("platform serving", p.health, Exactly("ok")),
            Probe("nothing broken", lambda: list(p.broken), NoneFound("broken thing")),
            Probe("money", lambda: dict(p.money), SameAsBefore("money")),
        ],
    )


def make(p: FakePlatform, sink: FakeSink, target: float = 120.0) -> Drill:
    return Drill("release", "Release and roll back", hypothesis(p), target_seconds=target,
                 sink=sink)  # fmt: skip


def upgrade(p: FakePlatform) -> list[RollbackAction]:
    return [RollbackAction("switch the app back to 1", lambda: setattr(p, "version", "1"))]


def test_a_clean_drill_completes_and_passes_both_gates() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)
    drill.change("upgrade to 2", lambda: setattr(p, "version", "2"), rollback=upgrade(p))
    assert p.version == "2"
    drill.require(Phase.AFTER_CHANGE)
    outcome = drill.require_rolled_back()
    assert p.version == "1"
    assert outcome.ok
    drill.require_steady_state_back()
    assert drill.require_within_target() == outcome.seconds
    journal = drill.close()

    assert journal.status is Status.COMPLETED
    assert sink.gate("rollback drill")["status"] is GateStatus.PASS
    time_gate = sink.gate("time to roll back")
    assert time_gate["status"] is GateStatus.PASS
    assert time_gate["target"] == "≤ 120 s"
    data = json.loads(sink.attached["rollback-journal-release.json"])
    assert data["status"] == "completed"
    assert [s["phase"] for s in data["steady_states"]] == [p.value for p in Phase]
    kinds = [a["kind"] for a in data["activities"]]
    assert kinds == ["steady-state", "change", "steady-state", "rollback", "steady-state"]
    assert all(a["duration_s"] >= 0 and a["start"] <= a["end"] for a in data["activities"])
    [objective] = data["objectives"]
    assert objective["name"] == Metric.TIME_TO_ROLL_BACK.value
    assert objective["seconds"] == pytest.approx(outcome.seconds, abs=1e-5)
    assert (objective["target_seconds"], objective["met"]) == (120.0, True)
    assert [g["name"] for g in data["gates"]] == [g["name"] for g in sink.gates]
    assert journal.rollback_seconds == pytest.approx(objective["seconds"], abs=1e-5)


def test_a_steady_state_that_does_not_come_back_is_named_and_fails_both_gates() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)

    def careless_downgrade() -> None:
        p.version = "1"
        p.money["EUR"] -= 7  # the downgrade lost money

    drill.change("upgrade to 2", lambda: setattr(p, "version", "2"),
                 rollback=[RollbackAction("downgrade", careless_downgrade)])  # fmt: skip
    drill.require_rolled_back()  # the action itself succeeded
    with pytest.raises(SteadyStateDeviated, match=r"'money'.*EUR: 100 → 93"):
        drill.require_steady_state_back()
    with pytest.raises(GateFailed, match="no time to roll back"):
        drill.require_within_target()
    journal = drill.close()
    assert journal.status is Status.DEVIATED
    assert journal.rollback_seconds is None
    assert sink.gate("rollback drill")["status"] is GateStatus.FAIL
    assert "after the rollback: 'money'" in sink.gate("rollback drill")["reason"]
    assert sink.gate("time to roll back")["status"] is GateStatus.FAIL


def test_a_failing_rollback_action_is_a_no_go_and_the_others_still_run() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("downgrade refused: lock timeout")

    actions = [
        RollbackAction("switch the app back", lambda: ran.append("app")),
        RollbackAction("downgrade the schema", broken),
    ]
    drill.change("upgrade", lambda: None, rollback=actions)
    with pytest.raises(RollbackFailed, match="downgrade refused"):
        drill.require_rolled_back()
    assert ran == ["app"]  # registered first, run last, still run
    journal = drill.close()
    assert journal.status is Status.FAILED
    assert sink.gate("time to roll back")["status"] is GateStatus.FAIL
    rollbacks = journal.find(Kind.ROLLBACK)
    assert [a.ok for a in rollbacks] == [False, True]  # last registered runs first


def test_the_rollback_runs_when_the_drill_closes_after_a_failed_step() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)
    drill.change("upgrade", lambda: setattr(p, "version", "2"), rollback=upgrade(p))
    p.broken.append("payout job stuck")
    with pytest.raises(SteadyStateDeviated, match="payout job stuck"):
        drill.require(Phase.AFTER_CHANGE)
    # the scenario stops here; the fixture closes the drill
    journal = drill.close()
    assert p.version == "1"  # rolled back anyway: never skipped
    assert journal.status is Status.DEVIATED
    assert any("closed" in f for f in journal.findings)
    assert [a.kind for a in journal.find(Kind.ROLLBACK)] == [Kind.ROLLBACK]
    assert drill.close() is journal  # closing twice changes nothing
    assert len(sink.gates) == 2


def test_no_change_without_a_steady_state_before_it() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    with pytest.raises(ConfigError, match="before checking the steady state"):
        drill.change("upgrade", lambda: setattr(p, "version", "2"), rollback=upgrade(p))
    p.serving = False
    result = drill.check(Phase.BEFORE)
    assert not result.met
    assert "connection refused" in result.findings()[0]
    with pytest.raises(SteadyStateDeviated, match="was not made"):
        drill.change("upgrade", lambda: setattr(p, "version", "2"), rollback=upgrade(p))
    assert p.version == "1"
    journal = drill.close()
    assert journal.status is Status.ABORTED
    assert sink.gate("rollback drill")["status"] is GateStatus.FAIL
    assert [g["name"] for g in sink.gates] == ["rollback drill: Release and roll back"]


def test_a_change_needs_a_rollback_and_a_drill_needs_a_positive_target() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)
    with pytest.raises(ConfigError, match="no rollback action"):
        drill.change("upgrade", lambda: None, rollback=[])
    with pytest.raises(ConfigError, match="nothing to roll back"):
        drill.rollback()
    with pytest.raises(ConfigError, match="must be positive"):
        make(p, sink, target=0)


def test_a_rollback_over_the_target_fails_the_time_gate_only() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink, target=1e-9)
    drill.require(Phase.BEFORE)
    drill.change("upgrade", lambda: setattr(p, "version", "2"), rollback=upgrade(p))
    drill.require_steady_state_back()
    with pytest.raises(GateFailed, match="over the target"):
        drill.require_within_target()
    drill.close()
    assert sink.gate("time to roll back")["status"] is GateStatus.FAIL
    assert sink.gate("rollback drill")["status"] is GateStatus.PASS


def test_a_failed_upgrade_is_the_premise_and_is_still_rolled_back() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)

    def failing_migration() -> None:
        raise RuntimeError("lock timeout on settings")

    err = drill.attempt_change("migrate to 2", failing_migration, rollback=upgrade(p))
    assert isinstance(err, RuntimeError)
    assert drill.status is Status.RUNNING  # the failure was expected, not a finding
    assert drill.attempt_change("again", lambda: None, rollback=upgrade(p)) is None
    drill.require_steady_state_back()
    assert drill.close().status is Status.COMPLETED


def test_failed_actions_and_checks_are_journaled_with_the_cause() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)

    def boom() -> None:
        raise ValueError("PSP said no")

    with pytest.raises(ActivityFailed, match="PSP said no") as info:
        drill.act("fund a wallet", boom)
    assert isinstance(info.value.__cause__, ValueError)
    with pytest.raises(AssertionError):
        drill.verify("payouts complete", lambda: (_ for _ in ()).throw(AssertionError("stuck")))
    assert drill.verify("balances", lambda: 3) == 3
    journal = drill.close()
    assert journal.status is Status.FAILED
    assert [(a.name, a.ok) for a in journal.activities] == [
        ("fund a wallet", False), ("payouts complete", False), ("balances", True)
    ]  # fmt: skip
    assert journal.activities[0].error == "ValueError: PSP said no"


def test_hypothesis_refuses_duplicate_or_missing_probes() -> None:
    with pytest.raises(ValueError, match="appear twice"):
        Hypothesis("x", [Probe("a", lambda: 1, Exactly(1)), Probe("a", lambda: 1, Exactly(1))])
    with pytest.raises(ValueError, match="no probes"):
        Hypothesis("x", [])


def test_a_failed_step_is_journaled_once_and_a_foreign_failure_is_noted() -> None:
    p, sink = FakePlatform(), FakeSink()
    drill = make(p, sink)
    drill.require(Phase.BEFORE)
    drill.change("upgrade", lambda: setattr(p, "version", "2"), rollback=upgrade(p))
    p.broken.append("ledger")
    with pytest.raises(SteadyStateDeviated) as info:
        drill.require(Phase.AFTER_CHANGE)
    drill.note_failure("step Then 'steady' failed: ...", info.value)  # raised by the drill
    assert not any(f.startswith("step") for f in drill.journal.findings)
    drill.note_failure("step Then 'canary' failed: boom", AssertionError("boom"))
    assert "step Then 'canary' failed: boom" in drill.journal.findings
    assert drill.close().status is Status.DEVIATED
