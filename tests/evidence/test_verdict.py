"""The verdict rules of docs/architecture.md, "Verdicts and exit codes"."""

from __future__ import annotations

import pytest

from golive.evidence.verdict import (
    Gate,
    GateStatus,
    TestOutcome,
    Verdict,
    VerdictResult,
    decide,
)

PASS = TestOutcome("a", "passed")
FAIL = TestOutcome("features: broken payout", "failed")


def gate(status: GateStatus, *, critical: bool = True) -> Gate:
    return Gate("p95 latency", status, "700 ms", "< 500 ms", "too slow", critical)


def test_all_passed_is_go() -> None:
    result = decide(tests=[PASS], gates=[gate(GateStatus.PASS)])
    assert result.verdict is Verdict.GO
    assert result.exit_code == 0
    assert "1 test(s) passed" in result.reasons[0]


def test_failed_test_is_no_go_and_names_it() -> None:
    result = decide(tests=[PASS, FAIL], gates=[])
    assert result.verdict is Verdict.NO_GO
    assert result.exit_code == 1
    assert "features: broken payout" in result.reasons[0]


def test_critical_gate_failure_is_no_go_with_measurement() -> None:
    result = decide(tests=[PASS], gates=[gate(GateStatus.FAIL)])
    assert result.verdict is Verdict.NO_GO
    assert "'p95 latency' failed (measured 700 ms, target < 500 ms): too slow" in result.reasons[0]


def test_non_critical_gate_failure_is_a_note_only() -> None:
    result = decide(tests=[PASS], gates=[gate(GateStatus.FAIL, critical=False)])
    assert result.verdict is Verdict.GO
    assert any(r.startswith("(non-critical)") for r in result.reasons)


@pytest.mark.parametrize(
    ("tests", "gates", "words"),
    [
        ([PASS], [gate(GateStatus.NODATA)], "has no data"),
        ([], [], "no test ran"),
        ([PASS, TestOutcome("b", "skipped")], [], "did not run (skipped)"),
        ([TestOutcome("c", "error", config_problem=True)], [], "configuration problem"),
    ],
)
def test_inconclusive_cases(tests: list[TestOutcome], gates: list[Gate], words: str) -> None:
    result = decide(tests=tests, gates=gates)
    assert result.verdict is Verdict.INCONCLUSIVE
    assert result.exit_code == 3
    assert any(words in r for r in result.reasons)


def test_interrupted_is_aborted_even_with_failures_and_keeps_them() -> None:
    result = decide(tests=[PASS, FAIL], gates=[], interrupted="interrupted by SIGINT")
    assert result.verdict is Verdict.ABORTED
    assert result.exit_code == 3
    assert result.reasons[0] == "the run was aborted: interrupted by SIGINT"
    assert any("broken payout" in r for r in result.reasons)


def test_problems_make_an_otherwise_good_run_inconclusive() -> None:
    result = decide(tests=[PASS], gates=[], problems=["evidence was NOT signed"])
    assert result.verdict is Verdict.INCONCLUSIVE


@pytest.mark.parametrize("verdict", list(Verdict))
def test_only_go_is_passed_in_toto(verdict: Verdict) -> None:
    assert (verdict.in_toto_result == "PASSED") is (verdict is Verdict.GO)
    assert verdict.in_toto_result in ("PASSED", "FAILED")


def test_round_trip() -> None:
    result = decide(tests=[FAIL], gates=[gate(GateStatus.FAIL)])
    assert VerdictResult.from_dict(result.to_dict()) == result
    g = gate(GateStatus.NODATA, critical=False)
    assert Gate.from_dict(g.to_dict()) == g


def test_a_test_that_did_not_finish_never_gives_go() -> None:
    result = decide(tests=[PASS, TestOutcome("b", "not run")], gates=[])
    assert result.verdict is Verdict.INCONCLUSIVE
    assert "1 test(s) did not finish: b" in result.reasons
    aborted = decide(
        tests=[PASS, TestOutcome("c", "interrupted")], gates=[], interrupted="by SIGTERM"
    )
    assert aborted.verdict is Verdict.ABORTED
    assert "1 test(s) did not finish: c" in aborted.reasons
    assert not any("failed" in r for r in aborted.reasons)  # cut off is not a failure
