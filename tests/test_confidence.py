"""The SLO gates' confidence bounds: the go-live reference sample sizes, and SciPy's exact
binomial intervals and order-statistic probabilities as the reference implementation."""

from __future__ import annotations

import math
import random

import pytest
from scipy import stats

from golive.confidence import (
    binom_cdf,
    quantile_bounds,
    quantile_lower_rank,
    quantile_upper_rank,
    ratio_lower_bound,
    ratio_upper_bound,
    samples_for_quantile,
    samples_to_pass,
)


@pytest.mark.parametrize(
    ("target", "needed"), [(0.999, 2995), (0.995, 598), (0.95, 59)]
)  # fmt: skip
def test_no_failure_needs_the_reference_sample_size(target: float, needed: int) -> None:
    assert samples_to_pass(target, 0.95) == needed
    assert ratio_lower_bound(needed, needed, 0.95) >= target
    assert ratio_lower_bound(needed - 1, needed - 1, 0.95) < target


def test_too_few_clean_samples_cannot_prove_the_target() -> None:
    # the gate of a measured clean run: 192 of 192 cannot tell 99.9% from 98.5%
    assert 0.984 < ratio_lower_bound(192, 192, 0.95) < 0.985
    assert 0.964 < ratio_lower_bound(84, 84, 0.95) < 0.966


@pytest.mark.parametrize(
    ("good", "total"),
    [(0, 10), (1, 10), (5, 10), (9, 10), (10, 10), (97, 100), (2990, 3000), (598, 600),
     (1, 1), (12345, 12400)],
)  # fmt: skip
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_ratio_bounds_match_scipy_exact_interval(good: int, total: int, confidence: float) -> None:
    # a one-sided bound at c is the two-sided exact interval's end at 2c - 1
    ci = stats.binomtest(good, total).proportion_ci(2 * confidence - 1, method="exact")
    assert ratio_lower_bound(good, total, confidence) == pytest.approx(ci.low, abs=1e-9)
    assert ratio_upper_bound(good, total, confidence) == pytest.approx(ci.high, abs=1e-9)


def test_ratio_bounds_match_scipy_on_many_random_counts() -> None:
    rng = random.Random(16)
    for _ in range(100):
        total = rng.choice([rng.randint(1, 60), rng.randint(60, 5000), rng.randint(5000, 50_000)])
        failures = rng.choice(
            [0, 1, 2, rng.randint(0, max(0, total // 100)), rng.randint(0, total)]
        )
        good = total - min(failures, total)
        confidence = rng.choice([0.8, 0.9, 0.95, 0.975, 0.99, 0.999])
        ci = stats.binomtest(good, total).proportion_ci(2 * confidence - 1, method="exact")
        where = (good, total, confidence)
        assert ratio_lower_bound(good, total, confidence) == pytest.approx(ci.low, abs=1e-9), where
        assert ratio_upper_bound(good, total, confidence) == pytest.approx(ci.high, abs=1e-9), where


@pytest.mark.parametrize("failure_rate", [0.0, 0.0002, 0.001, 0.003])
@pytest.mark.parametrize(("target", "confidence"), [(0.99, 0.95), (0.995, 0.9), (0.95, 0.99)])
def test_samples_to_pass_is_the_first_size_scipy_proves(
    target: float, confidence: float, failure_rate: float
) -> None:
    n = samples_to_pass(target, confidence, failure_rate=failure_rate)
    assert n is not None

    def low(size: int) -> float:
        good = size - math.ceil(failure_rate * size)
        ci = stats.binomtest(good, size).proportion_ci(2 * confidence - 1, method="exact")
        return float(ci.low)

    assert low(n) >= target
    assert low(n - 1) < target


def test_a_rate_just_inside_the_budget_needs_millions_and_answers_at_once() -> None:
    # 4.99 % slow requests against a p95: provable, but only with millions of samples
    n = samples_to_pass(0.95, 0.95, failure_rate=0.0499)
    assert n is not None
    assert 10**6 < n < 10**8
    good = n - math.ceil(0.0499 * n)
    assert stats.binom.sf(good - 1, n, 0.95) <= 0.05
    good = (n - 1) - math.ceil(0.0499 * (n - 1))
    assert stats.binom.sf(good - 1, n - 1, 0.95) > 0.05


def test_binomial_cdf_matches_scipy_for_a_million_samples() -> None:
    n = 1_000_000
    for p in (0.999, 0.95, 0.5, 1e-5):
        mean, sd = n * p, math.sqrt(n * p * (1 - p))
        for k in {0, int(mean - 3 * sd), int(mean), int(mean + 2 * sd), n - 1}:
            assert binom_cdf(k, n, p) == pytest.approx(stats.binom.cdf(k, n, p), abs=1e-9)


def test_binomial_cdf_matches_scipy() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(1, 4000)
        k, p = rng.randint(-1, n), rng.choice([rng.random(), 0.999, 0.95, 1e-4])
        assert binom_cdf(k, n, p) == pytest.approx(stats.binom.cdf(k, n, p), abs=1e-9)


def test_samples_to_pass_with_failures_is_the_first_size_that_passes() -> None:
    n = samples_to_pass(0.99, 0.95, failure_rate=0.002)
    assert n is not None
    assert ratio_lower_bound(n - math.ceil(0.002 * n), n, 0.95) >= 0.99
    assert ratio_lower_bound(n - 1 - math.ceil(0.002 * (n - 1)), n - 1, 0.95) < 0.99
    assert samples_to_pass(0.99, 0.95, failure_rate=0.01) is None  # the rate itself misses
    assert samples_to_pass(1.0, 0.95) is None  # no finite sample proves 100%


@pytest.mark.parametrize("n", [58, 59, 60, 100, 500, 3000])
@pytest.mark.parametrize("confidence", [0.9, 0.95, 0.99])
def test_quantile_ranks_have_the_coverage_they_claim(n: int, confidence: float) -> None:
    q = 0.95
    up = quantile_upper_rank(n, q, confidence)
    if up is None:
        assert stats.binom.cdf(n - 1, n, q) < confidence
    else:
        assert stats.binom.cdf(up - 1, n, q) >= confidence - 1e-12
        assert up == 1 or stats.binom.cdf(up - 2, n, q) < confidence  # the smallest such rank
    low = quantile_lower_rank(n, q, confidence)
    if low is not None:
        assert stats.binom.sf(low - 1, n, q) >= confidence - 1e-12
        assert low == n or stats.binom.sf(low, n, q) < confidence  # the largest such rank


def test_p95_needs_59_samples_at_95_percent() -> None:
    assert samples_for_quantile(0.95, 0.95) == 59
    assert quantile_upper_rank(58, 0.95, 0.95) is None
    assert quantile_upper_rank(59, 0.95, 0.95) == 59


def test_quantile_bounds_bracket_the_estimate() -> None:
    rng = random.Random(1)
    values = [rng.lognormvariate(3, 0.5) for _ in range(3000)]
    b = quantile_bounds(values, 0.95, 0.95)
    assert b.lower is not None
    assert b.upper is not None
    assert b.lower <= b.estimate <= b.upper
    assert quantile_bounds(values[:20], 0.95, 0.95).upper is None


@pytest.mark.parametrize("bad", [0, 1, -0.1, 1.5, float("nan")])
def test_confidence_outside_the_open_interval_is_refused(bad: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        ratio_lower_bound(1, 2, bad)
