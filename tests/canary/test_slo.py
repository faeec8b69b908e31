"""SLO gates judged on confidence bounds: a gate passes only on what its samples prove, fails
only on what they prove, and otherwise says how many samples would decide it."""

from __future__ import annotations

import math
import random
import re
from pathlib import Path

import pytest

from golive.canary.slo import Judgement, MetricResult, judge_latency, judge_ratio, level
from golive.confidence import ratio_lower_bound
from golive.config import load_config
from golive.errors import ConfigError
from golive.evidence.verdict import Gate, GateStatus, Statistic


def test_a_clean_run_of_192_requests_cannot_prove_three_nines() -> None:
    # the measured clean run that used to be GO: 192 of 192
    res = judge_ratio("Availability", 192, 192, 0.999, 50, strict=False)
    assert res.judgement is Judgement.NODATA
    assert res.needed == 2995
    assert "2995 samples in all (2803 more) would prove it" in res.reason
    assert res.shown == "100.00 % (95% lower bound 98.45 %, 192 samples)"


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
    assert "(1 more)" in below.reason


def test_a_ratio_fails_only_when_its_upper_bound_misses() -> None:
    res = judge_ratio("Availability", 2970, 3000, 0.999, 50, strict=False)  # 99.0 %
    assert res.judgement is Judgement.FAIL
    assert res.bound is not None
    assert res.bound < 0.999
    assert res.bound_kind == "upper"
    assert "even the 95% upper bound" in res.reason
    assert res.shown.startswith("99.00 % (95% upper bound ")
    one_miss = judge_ratio("Availability", 199, 200, 0.999, 50, strict=False)  # 99.5 %
    assert one_miss.judgement is Judgement.NODATA  # cannot tell: neither proven nor refuted


def test_a_failure_rate_above_the_budget_can_never_be_proven() -> None:
    res = judge_ratio("Webhook success", 98, 100, 0.99, 10, strict=True)
    assert res.judgement is Judgement.NODATA
    assert res.needed is None
    assert "no number of samples (up to a billion) can prove the target" in res.reason


def test_the_minimum_sample_floor_still_holds() -> None:
    res = judge_ratio("r", 40, 40, 0.9, 50, strict=False)  # the bound alone would pass
    assert res.judgement is Judgement.NODATA
    assert res.needed == 50
    assert "40 samples are fewer than the 50 required" in res.reason
    assert "(10 more)" in res.reason


def test_a_higher_confidence_needs_more_samples() -> None:
    assert judge_ratio("r", 2995, 2995, 0.999, 1, strict=False).judgement is Judgement.PASS
    strict = judge_ratio("r", 2995, 2995, 0.999, 1, strict=False, confidence=0.99)
    assert strict.judgement is Judgement.NODATA
    assert strict.needed == math.ceil(math.log(0.01) / math.log(0.999))  # 4603
    assert "99% lower bound" in strict.shown
    assert level(0.975) == "97.5%"


def test_latency_passes_on_its_upper_bound_and_fails_on_its_lower() -> None:
    rng = random.Random(3)
    fast = [rng.uniform(5, 50) for _ in range(500)]
    res = judge_latency(fast, 500, 50)
    assert res.judgement is Judgement.PASS
    assert res.bound is not None
    assert res.value is not None
    assert res.value <= res.bound < 500
    assert res.shown.endswith(" ms, 500 samples)")
    assert "95% upper bound" in res.shown
    slow = [rng.uniform(400, 900) for _ in range(500)]
    failed = judge_latency(slow, 500, 50)
    assert failed.judgement is Judgement.FAIL
    assert "95% lower bound" in failed.shown
    few = judge_latency(fast[:58], 500, 10)
    assert few.judgement is Judgement.NODATA
    assert few.needed == 59
    assert few.shown.endswith("(58 samples: too few for a 95% upper bound)")
    assert "59 requests in all (1 more)" in few.reason


def test_a_latency_in_doubt_names_the_requests_that_would_decide_it() -> None:
    # 2 % of requests over the target: the p95 is under it, but 100 requests cannot prove so
    values = [10.0] * 98 + [900.0] * 2
    res = judge_latency(values, 500, 50)
    assert res.judgement is Judgement.NODATA
    assert res.needed is not None
    assert f"{res.needed} requests in all ({res.needed - 100} more)" in res.reason
    # that many, with the same share over the target, do prove it; one fewer does not
    slow = math.ceil(0.02 * res.needed)
    enough = [10.0] * (res.needed - slow) + [900.0] * slow
    assert judge_latency(enough, 500, 50).judgement is Judgement.PASS
    slow = math.ceil(0.02 * (res.needed - 1))
    short = [10.0] * (res.needed - 1 - slow) + [900.0] * slow
    assert judge_latency(short, 500, 50).judgement is Judgement.NODATA
    over = judge_latency([10.0] * 94 + [900.0] * 6, 500, 50)  # 6 % slow: never provable
    assert over.needed is None
    assert "no number of requests (up to a billion) can prove the target" in over.reason


def test_the_latency_bound_is_the_share_of_fast_requests_bound() -> None:
    # the p95's upper bound is under the target exactly when the Clopper–Pearson lower bound
    # of the share of requests under the target reaches 95 %
    rng = random.Random(11)
    for _ in range(300):
        n = rng.randint(59, 700)
        slow = rng.randint(0, max(1, n // 15))
        values = [rng.uniform(1, 499) for _ in range(n - slow)] + [600.0] * slow
        passed = judge_latency(values, 500, 1).judgement is Judgement.PASS
        assert passed is (ratio_lower_bound(n - slow, n, 0.95) >= 0.95), (n, slow)


def test_no_sample_at_all_is_no_data_naming_the_count_needed() -> None:
    res = judge_ratio("Webhook success", 0, 0, 0.995, 50, strict=True)
    assert (res.judgement, res.value, res.needed) == (Judgement.NODATA, None, 598)
    assert res.shown == "0 samples"
    assert "at least 598 without a failure" in res.reason
    latency = judge_latency([], 500, 50)
    assert (latency.needed, latency.shown) == (59, "0 samples")
    assert "at least 59 are needed" in latency.reason


def test_the_gate_record_carries_estimate_bound_samples_and_unit() -> None:
    res = judge_ratio("Availability", 3000, 3000, 0.999, 50, strict=False)
    stat = res.statistic
    assert (stat.unit, stat.estimate, stat.side, stat.confidence, stat.samples) == (
        "share", 1.0, "lower", 0.95, 3000)  # fmt: skip
    assert stat.bound == pytest.approx(0.05 ** (1 / 3000))
    latency = judge_latency([], 500, 50).statistic
    assert (latency.unit, latency.estimate, latency.samples, latency.needed) == ("ms", None, 0, 59)
    gate = Gate(res.name, GateStatus.PASS, res.shown, res.target, res.reason, statistic=stat)
    assert Gate.from_dict(gate.to_dict()) == gate
    assert gate.to_dict()["statistic"]["samples"] == 3000
    assert "statistic" not in Gate("g", GateStatus.PASS, "1 s", None, "").to_dict()
    assert isinstance(Gate.from_dict(gate.to_dict()).statistic, Statistic)


def _shown_has_units(res: MetricResult) -> None:
    assert re.search(r"\b\d+ samples?\b", res.shown), res.shown
    if res.value is not None:
        assert res.shown.split(" (")[0].endswith((" ms", " %")), res.shown


@pytest.mark.parametrize(
    "res",
    [
        judge_latency([20.0] * 10, 500, 5),
        judge_latency([20.0] * 100, 500, 5),
        judge_ratio("r", 9, 10, 0.5, 5, strict=False),
        judge_ratio("r", 1, 1, 0.999, 5, strict=False),
    ],
)
def test_every_judgement_shows_its_samples_and_unit(res: MetricResult) -> None:
    _shown_has_units(res)


@pytest.mark.parametrize(
    ("toml", "says"),
    [
        ("[slo]\nconfidence = 1.0\n", "slo.confidence = 1.0 must be strictly between 0 and 1"),
        ("[slo]\nconfidence = 1.5\n", "slo.confidence = 1.5 must be strictly between 0 and 1"),
        ("[slo]\nconfidence = 0\n", "slo.confidence = 0 must be above zero"),
        ("[slo]\nconfidence = -0.5\n", "slo.confidence = -0.5 must not be negative"),
        ("[slo]\navailability = 1.0\n", "slo.availability = 1.0: no finite number of samples"),
        ("[slo]\nwebhook_success = 1\n", "slo.webhook_success = 1: no finite number of samples"),
        ("[load]\nmax_seconds = 0\n", "load.max_seconds = 0 must be above zero"),
        ("[load]\nmax_seconds = -5.0\n", "load.max_seconds = -5.0 must not be negative"),
    ],
)
def test_bad_slo_settings_name_the_key_and_the_fix(tmp_path: Path, toml: str, says: str) -> None:
    path = tmp_path / "golive.toml"
    path.write_text(toml)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert says in message
    assert "\n" not in message
    assert "e.g." in message  # the fix: a value to write instead
