"""SLO gates judged on confidence bounds: a gate passes only on what its samples prove, fails
only on what they prove, and otherwise says how many samples would decide it."""

from __future__ import annotations

import random

import pytest

from golive.canary.slo import Judgement, judge_latency, judge_ratio


def test_a_clean_run_of_192_requests_cannot_prove_three_nines() -> None:
    # the measured clean run that used to be GO: 192 of 192
    res = judge_ratio("Availability", 192, 192, 0.999, 50, strict=False)
    assert res.judgement is Judgement.NODATA
    assert res.needed == 2995
    assert "2995 samples in all" in res.reason
    assert "(2803 more)" in res.reason
    assert res.shown == "100.00 % (95% lower bound 98.45 %)"


@pytest.mark.parametrize(
    ("target", "strict", "enough"), [(0.999, False, 2995), (0.995, True, 598), (0.95, False, 59)]
)
def test_the_reference_sample_sizes_decide_a_clean_ratio(
    target: float, strict: bool, enough: int
) -> None:
    assert judge_ratio("r", enough, enough, target, 1, strict=strict).judgement is Judgement.PASS
    below = judge_ratio("r", enough - 1, enough - 1, target, 1, strict=strict)
    assert below.judgement is Judgement.NODATA
    assert below.needed == enough


def test_a_ratio_fails_only_when_its_upper_bound_misses() -> None:
    res = judge_ratio("Availability", 2970, 3000, 0.999, 50, strict=False)  # 99.0 %
    assert res.judgement is Judgement.FAIL
    assert res.bound is not None
    assert res.bound < 0.999
    assert "even the 95% upper bound" in res.reason
    one_miss = judge_ratio("Availability", 199, 200, 0.999, 50, strict=False)  # 99.5 %
    assert one_miss.judgement is Judgement.NODATA  # cannot tell: neither proven nor refuted


def test_a_failure_rate_above_the_budget_can_never_be_proven() -> None:
    res = judge_ratio("Webhook success", 98, 100, 0.99, 10, strict=True)
    assert res.judgement is Judgement.NODATA
    assert res.needed is None
    assert "no number of samples can prove the target" in res.reason


def test_the_minimum_sample_floor_still_holds() -> None:
    assert judge_ratio("r", 40, 40, 0.9, 50, strict=False).judgement is Judgement.NODATA


def test_latency_passes_on_its_upper_bound_and_fails_on_its_lower() -> None:
    rng = random.Random(3)
    fast = [rng.uniform(5, 50) for _ in range(500)]
    res = judge_latency(fast, 500, 50)
    assert res.judgement is Judgement.PASS
    assert res.bound is not None
    assert res.value is not None
    assert res.value <= res.bound < 500
    assert res.shown is not None
    assert res.shown.endswith(" ms)")
    slow = [rng.uniform(400, 900) for _ in range(500)]
    assert judge_latency(slow, 500, 50).judgement is Judgement.FAIL
    few = judge_latency(fast[:58], 500, 10)
    assert few.judgement is Judgement.NODATA
    assert few.needed == 59


def test_no_sample_at_all_is_no_data_naming_the_count_needed() -> None:
    res = judge_ratio("Webhook success", 0, 0, 0.995, 50, strict=True)
    assert (res.judgement, res.value, res.needed) == (Judgement.NODATA, None, 598)
    assert judge_latency([], 500, 50).needed == 59
