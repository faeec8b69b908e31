"""A run's SLIs as Prometheus text exposition (``slis.prom``), the format node_exporter's
textfile collector and promtool read. Metric names are the ones the exported rules use."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

REQUESTS = "golive_platform_requests"  # counter: _total{operation, outcome}
DURATION = "golive_platform_request_duration_seconds"  # histogram{operation}
WEBHOOKS = "golive_webhook_deliveries"  # counter: _total{outcome}
PAYOUTS = "golive_payouts_settled"  # counter: _total{within_sla}
BUCKETS_S = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
SERVER_SIDE = ("server_error", "no_answer")  # the outcomes that spend availability's budget

_ID = re.compile(r"^(?:[0-9a-fA-F-]{16,}|\d+|[a-z]+_[A-Za-z0-9]{8,})$")


def operation(method: str, url: str) -> str:
    """``POST /accounts/5e3…/holds`` → ``POST /accounts/{id}/holds`` (bounded label values)."""
    path = re.sub(r"^[a-z]+://[^/]+", "", url).split("?", 1)[0]
    parts = ["{id}" if _ID.match(p) else p for p in path.split("/")]
    return f"{method.upper()} {'/'.join(parts) or '/'}"


def request_outcome(status: int | None) -> str:
    if status is None:
        return "no_answer"
    if status >= 500:
        return "server_error"
    return "client_error" if status >= 400 else "success"


def delivery_outcome(status: int | None) -> str:
    """A webhook the platform acknowledged (2xx), rejected (4xx: validation) or failed."""
    if status is not None and 200 <= status < 300:
        return "acknowledged"
    return "rejected" if status is not None and 400 <= status < 500 else "failed"


@dataclass
class RunSlis:
    """What a run measured, by SLI."""

    latency_target_s: float
    requests: Counter[tuple[str, str]] = field(default_factory=Counter)  # (operation, outcome)
    durations: dict[str, list[float]] = field(default_factory=dict)  # operation -> seconds
    webhooks: Counter[str] = field(default_factory=Counter)
    payouts: Counter[bool] = field(default_factory=Counter)  # within the SLA?

    def request(self, method: str, url: str, status: int | None, seconds: float | None) -> None:
        op = operation(method, url)
        self.requests[(op, request_outcome(status))] += 1
        if seconds is not None:
            self.durations.setdefault(op, []).append(seconds)

    def delivery(self, status: int | None) -> None:
        self.webhooks[delivery_outcome(status)] += 1

    def payout(self, within_sla: bool) -> None:
        self.payouts[within_sla] += 1

    def buckets(self) -> tuple[float, ...]:
        # the latency target is a bucket edge, so "under target" is read exactly
        return tuple(sorted({*BUCKETS_S, self.latency_target_s}))

    def to_text(self) -> str:
        registry = CollectorRegistry(auto_describe=True)
        registry.register(_Collector(self))
        return generate_latest(registry).decode()


class _Collector(Collector):
    def __init__(self, slis: RunSlis) -> None:
        self.slis = slis

    def collect(self) -> Iterator[Metric]:
        s = self.slis
        req = CounterMetricFamily(
            REQUESTS, "Platform API requests by operation and outcome "
            "(success, client_error, server_error, no_answer).", labels=["operation", "outcome"],
        )  # fmt: skip
        for (op, outcome), n in sorted(s.requests.items()):
            req.add_metric([op, outcome], n)
        yield req
        hist = HistogramMetricFamily(
            DURATION, "Platform API request latency.", labels=["operation"]
        )
        for op, values in sorted(s.durations.items()):
            hist.add_metric([op], _cumulative(values, s.buckets()), sum_value=sum(values))
        yield hist
        hooks = CounterMetricFamily(
            WEBHOOKS, "Webhook deliveries to the platform by outcome "
            "(acknowledged, rejected, failed).", labels=["outcome"],
        )  # fmt: skip
        for outcome in ("acknowledged", "rejected", "failed"):
            hooks.add_metric([outcome], s.webhooks[outcome])
        yield hooks
        pay = CounterMetricFamily(
            PAYOUTS, "Payouts settled, within their SLA or not.", labels=["within_sla"]
        )
        for within in (True, False):
            pay.add_metric([str(within).lower()], s.payouts[within])
        yield pay


def _cumulative(values: Iterable[float], edges: tuple[float, ...]) -> list[tuple[str, float]]:
    ordered = sorted(values)
    out, i = [], 0
    for edge in edges:
        while i < len(ordered) and ordered[i] <= edge:
            i += 1
        out.append((_le(edge), float(i)))
    out.append(("+Inf", float(len(ordered))))
    return out


def _le(edge: float) -> str:
    return repr(float(edge))
