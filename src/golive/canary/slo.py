"""SLO metrics judged like a canary analysis: each metric is Pass, Fail or NoData, with a reason."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from golive.evidence.verdict import ms, percent


class Judgement(StrEnum):
    PASS = "Pass"
    FAIL = "Fail"
    NODATA = "NoData"


@dataclass(frozen=True)
class MetricResult:
    name: str
    judgement: Judgement
    value: float | None
    target: str
    samples: int
    reason: str
    unit: str  # "ms" or "%"

    @property
    def shown(self) -> str | None:
        """The measured value with its unit ("24.6 ms", "99.90 %"), None without data."""
        if self.value is None:
            return None
        return ms(self.value) if self.unit == "ms" else percent(self.value)


def p95(values: Sequence[float]) -> float:
    """95th percentile, nearest-rank (no interpolation: a reported value was really seen)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def judge_latency(
    latencies_ms: Sequence[float], target_ms: float, min_samples: int
) -> MetricResult:
    n = len(latencies_ms)
    target = f"p95 < {target_ms:g} ms"
    if n < min_samples:
        return MetricResult("API latency p95", Judgement.NODATA, None, target, n,
                            f"only {n} requests measured, {min_samples} needed", "ms")  # fmt: skip
    value = p95(latencies_ms)
    ok = value < target_ms
    return MetricResult(
        "API latency p95", Judgement.PASS if ok else Judgement.FAIL, value, target, n,
        f"p95 of {n} platform requests is {ms(value)}", "ms",
    )  # fmt: skip


def judge_ratio(
    name: str, good: int, total: int, target: float, min_samples: int, *, strict: bool
) -> MetricResult:
    """A success ratio against a target (``strict``: must be above it, else at least it)."""
    shown = f"{'>' if strict else '≥'} {percent(target)}"
    if total < min_samples:
        return MetricResult(name, Judgement.NODATA, None, shown, total,
                            f"only {total} samples, {min_samples} needed", "%")  # fmt: skip
    value = good / total
    ok = value > target if strict else value >= target
    return MetricResult(
        name, Judgement.PASS if ok else Judgement.FAIL, value, shown, total,
        f"{good} of {total} succeeded ({percent(value)})", "%",
    )  # fmt: skip
