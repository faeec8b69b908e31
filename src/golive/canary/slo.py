"""SLO metrics judged on what the samples prove, at a confidence (golive.confidence).

A ratio passes only when its one-sided lower bound meets the target, a latency percentile
only when its upper bound is under it; either fails only when the opposite bound proves it
misses. Anything in between is NoData: too few samples to decide, and the reason says how
many would be needed. Fewer than ``min_samples`` samples is NoData whatever the bounds say.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from golive.confidence import (
    quantile_bounds,
    ratio_lower_bound,
    ratio_upper_bound,
    samples_for_quantile,
    samples_to_pass,
)
from golive.evidence.verdict import ms, percent


class Judgement(StrEnum):
    PASS = "Pass"
    FAIL = "Fail"
    NODATA = "NoData"


@dataclass(frozen=True)
class MetricResult:
    name: str
    judgement: Judgement
    value: float | None  # the point estimate
    target: str
    samples: int
    reason: str
    unit: str  # "ms" or "%"
    bound: float | None = None  # the bound the judgement rests on
    bound_kind: str = ""  # "lower" or "upper"
    confidence: float = 0.95
    needed: int | None = None  # samples in all that could decide it (NoData)

    def _fmt(self, v: float) -> str:
        return ms(v) if self.unit == "ms" else percent(v)

    @property
    def shown(self) -> str | None:
        """Estimate and bound with their unit ("24.6 ms (95% upper bound 31.0 ms)")."""
        if self.value is None:
            return None
        if self.bound is None:
            return self._fmt(self.value)
        level = f"{self.confidence:.0%}"
        return f"{self._fmt(self.value)} ({level} {self.bound_kind} bound {self._fmt(self.bound)})"


def p95(values: Sequence[float]) -> float:
    """95th percentile, nearest-rank (no interpolation: a reported value was really seen)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def judge_latency(
    latencies_ms: Sequence[float], target_ms: float, min_samples: int, confidence: float = 0.95
) -> MetricResult:
    name, n = "API latency p95", len(latencies_ms)
    target = f"p95 < {target_ms:g} ms"
    floor = max(min_samples, samples_for_quantile(0.95, confidence))
    if n == 0:
        return MetricResult(name, Judgement.NODATA, None, target, 0,
                            f"no request measured; at least {floor} needed", "ms",
                            confidence=confidence, needed=floor)  # fmt: skip
    b = quantile_bounds(latencies_ms, 0.95, confidence)
    level = f"{confidence:.0%}"
    if n >= floor and b.upper is not None and b.upper < target_ms:
        return MetricResult(name, Judgement.PASS, b.estimate, target, n,
                            f"p95 of {n} requests is {ms(b.estimate)}; its {level} upper bound "
                            f"{ms(b.upper)} is under the target", "ms", b.upper, "upper",
                            confidence)  # fmt: skip
    if n >= floor and b.lower is not None and b.lower >= target_ms:
        return MetricResult(name, Judgement.FAIL, b.estimate, target, n,
                            f"p95 of {n} requests is {ms(b.estimate)}; even its {level} lower "
                            f"bound {ms(b.lower)} misses the target", "ms", b.lower, "lower",
                            confidence)  # fmt: skip
    why = (
        f"only {n} requests, {floor} needed" if n < floor else
        f"p95 is {ms(b.estimate)} but its {level} bounds straddle the target"
    )  # fmt: skip
    return MetricResult(name, Judgement.NODATA, b.estimate, target, n,
                        f"{why}: more requests are needed to decide", "ms", b.upper, "upper",
                        confidence, needed=floor if n < floor else None)  # fmt: skip


def judge_ratio(
    name: str,
    good: int,
    total: int,
    target: float,
    min_samples: int,
    *,
    strict: bool,
    confidence: float = 0.95,
) -> MetricResult:
    """A success ratio against a target (``strict``: must be above it, else at least it)."""
    shown = f"{'>' if strict else '≥'} {percent(target)}"
    level = f"{confidence:.0%}"
    if total == 0:
        need = samples_to_pass(target, confidence)
        return MetricResult(name, Judgement.NODATA, None, shown, 0,
                            f"no samples; at least {need} without a failure are needed", "%",
                            confidence=confidence, needed=need)  # fmt: skip
    value = good / total
    low = ratio_lower_bound(good, total, confidence)
    high = ratio_upper_bound(good, total, confidence)
    passed = low > target if strict else low >= target
    failed = high <= target if strict else high < target
    seen = f"{good} of {total} succeeded ({percent(value)})"
    if total >= min_samples and passed:
        return MetricResult(name, Judgement.PASS, value, shown, total,
                            f"{seen}; the {level} lower bound {percent(low)} meets the target",
                            "%", low, "lower", confidence)  # fmt: skip
    if total >= min_samples and failed:
        return MetricResult(name, Judgement.FAIL, value, shown, total,
                            f"{seen}; even the {level} upper bound {percent(high)} misses the "
                            "target", "%", high, "upper", confidence)  # fmt: skip
    need = samples_to_pass(target, confidence, failure_rate=1 - value)
    if need is None:
        more = "at the failure rate seen, no number of samples can prove the target"
    else:
        need = max(need, min_samples)
        more = f"{need} samples in all at the failure rate seen ({need - total} more) to decide"
    return MetricResult(name, Judgement.NODATA, value, shown, total,
                        f"{seen}; the {level} lower bound {percent(low)} cannot prove the "
                        f"target: {more}", "%", low, "lower", confidence,
                        need)  # fmt: skip
