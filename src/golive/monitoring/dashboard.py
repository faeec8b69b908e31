"""A Grafana dashboard of the SLOs: availability, latency, webhooks and payouts against the
targets golive judged before go-live (panels read the exported recording rules)."""

from __future__ import annotations

from typing import Any

from golive.config import Config

UID = "golive-slo"


def _panel(
    i: int, title: str, expr: str, unit: str, target: float, *, above: bool
) -> dict[str, Any]:
    """A time series with the target as a threshold line (red on the wrong side of it)."""
    good, bad = ("green", "red") if above else ("red", "green")
    return {
        "id": i,
        "type": "timeseries",
        "title": title,
        "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
        "datasource": {"type": "prometheus", "uid": "${datasource}"},
        "targets": [{"refId": "A", "expr": expr, "legendFormat": title}],
        "fieldConfig": {
            "defaults": {
                "unit": unit,
                "thresholds": {
                    "mode": "absolute",
                    "steps": [{"color": bad, "value": None}, {"color": good, "value": target}],
                },
                "custom": {"thresholdsStyle": {"mode": "line"}},
            },
            "overrides": [],
        },
    }


def panels(cfg: Config) -> list[dict[str, Any]]:
    slo = cfg.slo
    budget = 1 - slo.availability
    return [
        _panel(0, f"Availability (target {slo.availability:.2%})",
               "1 - golive:availability:error_ratio_rate5m", "percentunit", slo.availability,
               above=True),
        _panel(1, f"API latency p95 (target < {slo.latency_p95_ms:g} ms)",
               "golive:latency:p95_seconds_rate5m", "s", slo.latency_p95_ms / 1000, above=False),
        _panel(2, f"Webhook success (target > {slo.webhook_success:.2%})",
               "golive:webhooks:success_ratio_rate1h", "percentunit", slo.webhook_success,
               above=True),
        _panel(3, f"Payouts within 24 h (target {slo.payouts_within_24h:.0%})",
               "golive:payouts:within_sla_ratio_rate1d", "percentunit", slo.payouts_within_24h,
               above=True),
        _panel(4, "Availability error budget burn rate (1 h)",
               f"golive:availability:error_ratio_rate1h / {budget:.6g}", "none", 14.4,
               above=False),
        _panel(5, "Payout and withdrawal 5xx ratio (5 m)",
               "golive:payout_requests:error_ratio_rate5m", "percentunit", 14.4 * budget,
               above=False),
    ]  # fmt: skip


def dashboard(cfg: Config) -> dict[str, Any]:
    return {
        "uid": UID,
        "title": "golive SLOs",
        "tags": ["golive", "slo"],
        "timezone": "utc",
        "schemaVersion": 39,
        "time": {"from": "now-24h", "to": "now"},
        "templating": {
            "list": [{"name": "datasource", "type": "datasource", "query": "prometheus"}]
        },
        "panels": panels(cfg),
    }
