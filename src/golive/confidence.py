"""Confidence bounds for SLO gates: a gate passes on what the data proves, not on luck.

Ratios (availability, webhook success, payouts on time) use the exact Clopper–Pearson
one-sided bounds. They are conservative: their coverage is at least the confidence whatever
the true rate, which matters where go-live targets sit, near 100% with few or no failures —
there Wilson's bound is tighter but covers less than it claims. Percentiles (API latency p95)
use the distribution-free bounds of order statistics: no assumption about the latency
distribution. Everything is exact binomial arithmetic in log space (no SciPy at run time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

_BISECTIONS = 64  # halvings of [0, 1]: below float resolution of a rate


def check_confidence(confidence: float) -> float:
    if not (isinstance(confidence, int | float) and 0.0 < confidence < 1.0):
        raise ValueError(f"confidence {confidence!r} must be strictly between 0 and 1")
    return float(confidence)


def _log_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    comb = math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)
    return comb + k * math.log(p) + (n - k) * math.log1p(-p)


def _support(n: int, p: float) -> tuple[int, int]:
    """The counts that carry Binomial(n, p)'s mass: by Bernstein's inequality, farther than
    40σ + 40 from the mean lies less than 1e-25 of it."""
    reach = 40.0 * math.sqrt(n * p * (1.0 - p)) + 40.0
    return max(0, math.floor(n * p - reach)), min(n, math.ceil(n * p + reach))


def binom_cdf(k: int, n: int, p: float) -> float:
    """P(X ≤ k) for X ~ Binomial(n, p), summing the shorter tail within the support (so a
    million samples cost a few thousand terms, not a million)."""
    low, high = _support(n, p)
    if k < low:
        return 0.0
    if k >= high:
        return 1.0
    if k - low <= high - k:
        return min(1.0, math.fsum(math.exp(_log_pmf(i, n, p)) for i in range(low, k + 1)))
    upper = math.fsum(math.exp(_log_pmf(i, n, p)) for i in range(k + 1, high + 1))
    return max(0.0, 1.0 - upper)


def ratio_lower_bound(good: int, total: int, confidence: float) -> float:
    """One-sided Clopper–Pearson lower bound of a success rate: the true rate is at least
    this with probability ``confidence``."""
    _check_counts(good, total)
    alpha = 1.0 - check_confidence(confidence)
    if good == 0:
        return 0.0
    if good == total:
        return float(alpha ** (1.0 / total))
    # the p at which seeing ``good`` or more successes has probability alpha
    lo, hi = 0.0, 1.0
    for _ in range(_BISECTIONS):
        mid = (lo + hi) / 2
        if 1.0 - binom_cdf(good - 1, total, mid) < alpha:
            lo = mid
        else:
            hi = mid
    return lo


def ratio_upper_bound(good: int, total: int, confidence: float) -> float:
    """One-sided Clopper–Pearson upper bound of a success rate."""
    _check_counts(good, total)
    if total == 0:
        return 1.0
    return 1.0 - ratio_lower_bound(total - good, total, confidence)


def samples_to_pass(target: float, confidence: float, failure_rate: float = 0.0) -> int | None:
    """The fewest samples whose lower bound reaches ``target`` when failures keep coming at
    ``failure_rate``; None when no sample size up to a billion can (the rate itself misses the
    target, or the target is 100%)."""
    check_confidence(confidence)
    if not 0.0 < target < 1.0 or 1.0 - failure_rate <= target:
        return None
    if failure_rate == 0.0:
        return math.ceil(math.log(1.0 - confidence) / math.log(target))

    def passes(n: int) -> bool:
        # the lower bound reaches the target exactly when, were the true rate the target,
        # seeing this many successes or more would have probability at most 1 - confidence
        good = n - math.ceil(failure_rate * n)
        return 1.0 - binom_cdf(good - 1, n, target) <= 1.0 - confidence

    hi = 1
    while not passes(hi):
        hi *= 2
        if hi > 10**9:
            return None
    lo = hi // 2
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if passes(mid) else (mid, hi)
    return hi


def quantile_upper_rank(n: int, q: float, confidence: float) -> int | None:
    """The smallest rank k (1-based) whose order statistic X(k) bounds the q-quantile from
    above with probability ``confidence``; None when n samples are too few."""
    check_confidence(confidence)
    if n <= 0:
        return None
    # P(X(k) >= quantile) = P(fewer than k samples fall below it) = P(Bin(n, q) <= k - 1)
    cdf = 0.0
    for k in range(1, n + 1):
        cdf += math.exp(_log_pmf(k - 1, n, q))
        if cdf >= confidence:
            return k
    return None


def quantile_lower_rank(n: int, q: float, confidence: float) -> int | None:
    """The largest rank k whose order statistic X(k) bounds the q-quantile from below with
    probability ``confidence``; None when n samples are too few."""
    check_confidence(confidence)
    if n <= 0:
        return None
    # P(X(k) <= quantile) = P(at least k samples fall below it) = P(Bin(n, q) >= k)
    tail = 0.0
    for k in range(n, 0, -1):
        tail += math.exp(_log_pmf(k, n, q))
        if tail >= confidence:
            return k
    return None


def samples_for_quantile(q: float, confidence: float) -> int:
    """The fewest samples for which the largest one bounds the q-quantile from above."""
    check_confidence(confidence)
    return math.ceil(math.log(1.0 - confidence) / math.log(q))


@dataclass(frozen=True)
class QuantileBounds:
    estimate: float  # nearest-rank sample quantile
    lower: float | None  # None: too few samples to bound it
    upper: float | None


def quantile_bounds(values: Sequence[float], q: float, confidence: float) -> QuantileBounds:
    """The sample q-quantile (nearest rank) with its distribution-free one-sided bounds."""
    if not values:
        raise ValueError("no samples")
    ordered = sorted(values)
    n = len(ordered)
    estimate = ordered[max(0, math.ceil(q * n) - 1)]
    up, low = quantile_upper_rank(n, q, confidence), quantile_lower_rank(n, q, confidence)
    return QuantileBounds(
        estimate,
        None if low is None else ordered[low - 1],
        None if up is None else ordered[up - 1],
    )


def _check_counts(good: int, total: int) -> None:
    if not 0 <= good <= total:
        raise ValueError(f"{good} successes of {total} samples is not a count")
