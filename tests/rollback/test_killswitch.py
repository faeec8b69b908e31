"""The kill switch's judgement of who was accepted and who refused (no platform needed)."""

from __future__ import annotations

from typing import Any

from golive.drills.rollback.incidents import Attempt, KillSwitchRun, switch_findings
from golive.target import Withdrawal

WORLD: Any = None


def run(*attempts: Attempt) -> KillSwitchRun:
    return KillSwitchRun(list(attempts), switch_started=10.0, switch_done=11.0)


def accepted(start: float, end: float, wid: str = "w") -> Attempt:
    return Attempt(
        WORLD, start, end, withdrawal=Withdrawal(wid, "a", 500, "EUR", "stripe", None, "in_transit")
    )


def refused(start: float, end: float, code: str = "withdrawals_disabled") -> Attempt:
    return Attempt(WORLD, start, end, refused=code)


def test_accepted_before_and_refused_after_is_clean() -> None:
    # a request in flight while the switch is thrown may go either way
    r = run(accepted(1, 2), accepted(10.5, 10.8), refused(10.2, 10.9), refused(12, 12.1))
    assert switch_findings(r) == []
    assert r.summary() == {"accepted": 2, "refused": 2, "errors": 0}


def test_a_withdrawal_accepted_after_the_switch_is_named() -> None:
    found = switch_findings(run(accepted(1, 2), accepted(12, 12.2, "late"), refused(13, 13.1)))
    assert found == ["withdrawal late started after the switch and was accepted"]


def test_refusals_for_another_reason_or_before_the_switch_are_findings() -> None:
    found = switch_findings(
        run(accepted(1, 2), refused(3, 4), refused(12, 13, "insufficient_funds"))
    )
    assert "a withdrawal was refused as switched off before the switch was thrown" in found
    assert "a withdrawal was refused for 'insufficient_funds', not the kill switch" in found
    assert "no withdrawal was attempted after the switch, so the refusal was not shown" not in found


def test_a_run_that_proves_nothing_says_so() -> None:
    found = switch_findings(run())
    assert "no withdrawal was accepted before the switch: nothing was in flight" in found
    assert "no withdrawal was attempted after the switch, so the refusal was not shown" in found
    errors = KillSwitchRun(errors=["ReadTimeout: boom"], switch_started=1, switch_done=2)
    assert "ReadTimeout: boom" in switch_findings(errors)
