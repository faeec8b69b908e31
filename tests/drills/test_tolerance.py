"""Tolerances: each accepts what the steady state allows and names what it does not."""

from __future__ import annotations

import pytest

from golive.drills.tolerance import Between, Exactly, Matches, NoneFound, SameAsBefore


def test_exactly_accepts_the_value_and_refuses_another_type() -> None:
    tol = Exactly("ok")
    assert tol.deviation("ok") is None
    assert tol.deviation("degraded") == "'degraded', expected exactly 'ok'"
    assert Exactly(1).deviation(True) is not None  # True == 1, but not the same value
    assert Exactly(1).deviation(1.0) is not None


def test_between_is_inclusive_and_refuses_non_integers() -> None:
    tol = Between(0, 3)
    assert tol.deviation(0) is None
    assert tol.deviation(3) is None
    assert tol.deviation(4) == "4 is outside 0..3"
    assert tol.deviation(-1) is not None
    assert tol.deviation(2.5) == "2.5 is not a whole number"
    assert tol.deviation(True) is not None
    with pytest.raises(ValueError, match="low is above high"):
        Between(5, 1)


def test_matches_needs_a_full_match_of_a_string() -> None:
    tol = Matches(r"[12]")
    assert tol.deviation("1") is None
    assert tol.deviation("12") is not None
    assert tol.deviation(1) is not None


def test_none_found_lists_the_findings_and_counts_the_rest() -> None:
    tol = NoneFound("stuck job")
    assert tol.deviation([]) is None
    found = tol.deviation([f"job {i}" for i in range(8)])
    assert found is not None
    assert found.startswith("8 stuck job(s): job 0; job 1")
    assert "(and 3 more)" in found
    assert "job 5" not in found
    # a probe that returns something other than a list of findings is not a pass
    assert tol.deviation("nothing") is not None
    assert tol.deviation({}) is not None
    assert tol.deviation(None) is not None


def test_same_as_before_takes_any_value_as_baseline_then_compares() -> None:
    tol = SameAsBefore("unexplained money")
    assert tol.deviation({"house EUR": 0}) is None  # before the change: the baseline
    assert tol.deviation(None) == "no unexplained money measured"
    assert tol.deviation({"house EUR": 0}, before={"house EUR": 0}) is None
    # a key missing on one side counts as zero
    assert tol.deviation({}, before={"house EUR": 0}) is None
    moved = tol.deviation({"house EUR": -120, "customer EUR": 5}, before={"house EUR": 0})
    assert moved == "unexplained money moved: customer EUR: 0 → 5; house EUR: 0 → -120"
    assert tol.deviation(3, before=3) is None
    assert tol.deviation(4, before=3) == "unexplained money was 3 before the change, now 4"
