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
from golive.evidence.verdict import Statistic, count, ms, percent

P95 = 0.95


class Judgement(StrEnum):
    PASS = "Pass"
    FAIL = "Fail"
    NODATA = "NoData"


def level(confidence: float) -> str:
    """A confidence as written in a gate: 0.95 -> "95%", 0.975 -> "97.5%"."""
    return f"{confidence * 100:g}%"


@dataclass(frozen=True)
class MetricResult:
    name: str
    judgement: Judgement
    value: float | None  # the point estimate, None without a sample
    target: str
    samples: int
    reason: str
    unit: str  # "ms" or "%"
    bound: float | None = None  # the one-sided bound the judgement rests on
    bound_kind: str = ""  # "lower" or "upper"
    confidence: float = 0.95
    needed: int | None = None  # samples in all that would prove the target (NoData)

    def _fmt(self, v: float) -> str:
        return ms(v) if self.unit == "ms" else percent(v)

    @property
    def shown(self) -> str:
        """Estimate, bound, confidence and samples, with units:
        "24.6 ms (95% upper bound 31.0 ms, 3448 samples)"."""
        n = count(self.samples, "sample")
        if self.value is None:
            return n
        if self.bound is None:
            return f"{self._fmt(self.value)} ({n}: too few for a {self._bound_name})"
        return f"{self._fmt(self.value)} ({self._bound_name} {self._fmt(self.bound)}, {n})"

    @property
    def _bound_name(self) -> str:
        return f"{level(self.confidence)} {self.bound_kind} bound"

    @property
    def statistic(self) -> Statistic:
        """The same figures as a record for the evidence (results.json)."""
        return Statistic(
            unit="ms" if self.unit == "ms" else "share",
            estimate=self.value,
            bound=self.bound,
            side=self.bound_kind,
            confidence=self.confidence,
            samples=self.samples,
            needed=self.needed,
        )


def p95(values: Sequence[float]) -> float:
    """95th percentile, nearest-rank (no interpolation: a reported value was really seen)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def _more(need: int | None, have: int, min_samples: int, noun: str) -> tuple[int | None, str]:
    """The samples in all that would prove the target, and the words for it."""
    if need is None:
        return None, f"at the rate seen, no number of {noun} (up to a billion) can prove the target"
    need = max(need, min_samples)
    return need, f"{need} {noun} in all ({need - have} more) would prove it at the rate seen"


def judge_latency(
    latencies_ms: Sequence[float], target_ms: float, min_samples: int, confidence: float = 0.95
) -> MetricResult:
    """The p95 passes when its distribution-free upper bound is under ``target_ms``."""
    name, n, lv = "API latency p95", len(latencies_ms), level(confidence)
    target = f"p95 < {target_ms:g} ms"
    if n == 0:
        floor = max(min_samples, samples_for_quantile(P95, confidence))
        return MetricResult(name, Judgement.NODATA, None, target, 0,
                            f"no request measured: at least {floor} are needed to bound the "
                            f"p95 at {lv}", "ms", None, "upper", confidence, floor)  # fmt: skip
    b = quantile_bounds(latencies_ms, P95, confidence)
    seen = f"p95 of {n} requests is {ms(b.estimate)}"
    if n >= min_samples and b.upper is not None and b.upper < target_ms:
        return MetricResult(name, Judgement.PASS, b.estimate, target, n,
                            f"{seen}; its {lv} upper bound {ms(b.upper)} is under the target",
                            "ms", b.upper, "upper", confidence)  # fmt: skip
    if n >= min_samples and b.lower is not None and b.lower >= target_ms:
        return MetricResult(name, Judgement.FAIL, b.estimate, target, n,
                            f"{seen}; even its {lv} lower bound {ms(b.lower)} misses the target",
                            "ms", b.lower, "lower", confidence)  # fmt: skip
    # The upper bound is under the target exactly when the share of requests under it has a
    # Clopper–Pearson lower bound of at least 95% (docs/monitoring.md): the same sample size.
    slow = sum(1 for x in latencies_ms if x >= target_ms) / n
    need, more = _more(samples_to_pass(P95, confidence, failure_rate=slow), n, min_samples,
                       "requests")  # fmt: skip
    bound = (
        f"{n} requests are too few for a {lv} upper bound" if b.upper is None
        else f"its {lv} upper bound {ms(b.upper)} is not under the target"
        if n >= min_samples else f"{n} requests are fewer than the {min_samples} required"
    )  # fmt: skip
    return MetricResult(name, Judgement.NODATA, b.estimate, target, n, f"{seen}; {bound}: {more}",
                        "ms", b.upper, "upper", confidence, need)  # fmt: skip


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
    lv = level(confidence)
    if total == 0:
        clean = samples_to_pass(target, confidence)
        need = None if clean is None else max(clean, min_samples)
        why = (
            "no finite number of samples proves 100%" if need is None else
            f"at least {need} without a failure are needed to prove the target at {lv}"
        )  # fmt: skip
        return MetricResult(name, Judgement.NODATA, None, shown, 0, f"no samples: {why}", "%",
                            None, "lower", confidence, need)  # fmt: skip
    value = good / total
    low = ratio_lower_bound(good, total, confidence)
    high = ratio_upper_bound(good, total, confidence)
    passed = low > target if strict else low >= target
    failed = high <= target if strict else high < target
    seen = f"{good} of {total} succeeded ({percent(value)})"
    if total >= min_samples and passed:
        return MetricResult(name, Judgement.PASS, value, shown, total,
                            f"{seen}; the {lv} lower bound {percent(low)} meets the target",
                            "%", low, "lower", confidence)  # fmt: skip
    if total >= min_samples and failed:
        return MetricResult(name, Judgement.FAIL, value, shown, total,
                            f"{seen}; even the {lv} upper bound {percent(high)} misses the "
                            "target", "%", high, "upper", confidence)  # fmt: skip
    need, more = _more(samples_to_pass(target, confidence, failure_rate=1 - value), total,
                       min_samples, "samples")  # fmt: skip
    bound = (
        f"the {lv} lower bound {percent(low)} cannot prove the target"
        if not passed
        else f"{total} samples are fewer than the {min_samples} required"
    )
    return MetricResult(name, Judgement.NODATA, value, shown, total, f"{seen}; {bound}: {more}",
                        "%", low, "lower", confidence, need)  # fmt: skip
