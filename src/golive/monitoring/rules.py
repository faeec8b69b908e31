"""golive.toml's SLOs as Prometheus recording and alert rules.

Availability is alerted on its error budget with the multi-window, multi-burn-rate rules of
Google's SRE workbook (page: 2% of a 30-day budget in 1 h or 5% in 6 h; ticket: 10% in
3 days or a day's worth in a day), each long window paired with a short one so an alert
stops soon after the burn does. The closeout pack's severities: page (Severity 1) for
payout/withdrawal 5xx spikes and database connection saturation; ticket (Severity 2) for
webhook validation failures above 1% and a finance-job backlog beyond its SLA.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from golive.config import Config
from golive.monitoring.slis import DURATION, PAYOUTS, REQUESTS, SERVER_SIDE, WEBHOOKS

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# (severity, long window, short window, burn rate): SRE workbook, table 5-8
BURNS = (
    ("page", "1h", "5m", 14.4),
    ("page", "6h", "30m", 6.0),
    ("ticket", "1d", "2h", 3.0),
    ("ticket", "3d", "6h", 1.0),
)


@dataclass(frozen=True)
class Sources:
    """Where the SLIs come from in production (defaults: golive's own SLI names)."""

    requests: str = f"{REQUESTS}_total"
    duration: str = DURATION
    webhooks: str = f"{WEBHOOKS}_total"
    payouts: str = f"{PAYOUTS}_total"
    payout_operations: str = ".*(withdrawals|payouts).*"  # regex on the operation label
    db_connections: str = "sum(pg_stat_activity_count)"  # postgres_exporter
    db_max_connections: str = "max(pg_settings_max_connections)"
    jobs_over_sla: str = "golive_finance_jobs_over_sla"  # `golive ops stuck-jobs --prom`
    webhook_rejections_max: float = 0.01
    db_saturation_max: float = 0.9


def _sel(metric: str, *matchers: str) -> str:
    used = ",".join(m for m in matchers if m)
    return f"{metric}{{{used}}}" if used else metric


def _ratio(metric: str, window: str, good: str, where: str = "") -> str:
    """sum(rate(metric{where,good})) / sum(rate(metric{where})) over ``window``."""
    top, bottom = _sel(metric, where, good), _sel(metric, where)
    return f"sum(rate({top}[{window}])) / sum(rate({bottom}[{window}]))"


def _error_ratio(src: Sources, window: str, where: str = "") -> str:
    return _ratio(src.requests, window, f'outcome=~"{"|".join(SERVER_SIDE)}"', where)


def recording_rules(cfg: Config, src: Sources) -> dict[str, Any]:
    payout_ops = f'operation=~"{src.payout_operations}"'
    rules: list[dict[str, Any]] = []
    for w in WINDOWS:
        rules.append({"record": f"golive:availability:error_ratio_rate{w}",
                      "expr": _error_ratio(src, w)})  # fmt: skip
    for w in ("5m", "1h"):
        rules.append({"record": f"golive:payout_requests:error_ratio_rate{w}",
                      "expr": _error_ratio(src, w, payout_ops)})  # fmt: skip
    rules += [
        {
            "record": "golive:latency:p95_seconds_rate5m",
            "expr": f"histogram_quantile(0.95, sum by (le) (rate({src.duration}_bucket[5m])))",
        },
        {
            "record": "golive:webhooks:rejected_ratio_rate30m",
            "expr": _ratio(src.webhooks, "30m", 'outcome="rejected"'),
        },
        {
            "record": "golive:webhooks:success_ratio_rate1h",
            "expr": _ratio(src.webhooks, "1h", 'outcome="acknowledged"'),
        },
        {
            "record": "golive:payouts:within_sla_ratio_rate1d",
            "expr": _ratio(src.payouts, "1d", 'within_sla="true"'),
        },
        {
            "record": "golive:database:connection_saturation",
            "expr": f"{src.db_connections} / {src.db_max_connections}",
        },
    ]
    return {"name": "golive-slis", "rules": rules}


def alert_rules(cfg: Config, src: Sources) -> dict[str, Any]:
    slo = cfg.slo
    budget = 1.0 - slo.availability
    alerts: list[dict[str, Any]] = []
    for severity in ("page", "ticket"):
        pairs = [(lw, sw, rate) for sev, lw, sw, rate in BURNS if sev == severity]
        expr = " or ".join(
            f"(golive:availability:error_ratio_rate{lw} > {rate * budget:.6g}"
            f" and golive:availability:error_ratio_rate{sw} > {rate * budget:.6g})"
            for lw, sw, rate in pairs
        )
        alerts.append(_alert(
            f"GoliveAvailabilityBudgetBurn{'Fast' if severity == 'page' else 'Slow'}", expr,
            severity, "0m",
            f"The platform is spending its {slo.availability:.2%} availability error budget "
            f"{'fast' if severity == 'page' else 'steadily'}.",
        ))  # fmt: skip
    fast = BURNS[0][3] * budget
    alerts += [
        _alert(
            "GolivePayoutErrorsSpike",
            f"golive:payout_requests:error_ratio_rate5m > {fast:.6g}"
            f" and golive:payout_requests:error_ratio_rate1h > {fast:.6g}",
            "page", "0m", "Payout and withdrawal requests fail with 5xx (Severity 1).",
        ),
        _alert(
            "GoliveDatabaseConnectionsSaturated",
            f"golive:database:connection_saturation > {src.db_saturation_max:g}",
            "page", "5m", "The database's connections are nearly exhausted (Severity 1).",
        ),
        _alert(
            "GoliveWebhookValidationFailures",
            f"golive:webhooks:rejected_ratio_rate30m > {src.webhook_rejections_max:g}",
            "ticket", "10m",
            f"More than {src.webhook_rejections_max:.0%} of webhooks fail validation "
            "(Severity 2).",
        ),
        _alert(
            "GoliveWebhookSuccessBelowTarget",
            f"golive:webhooks:success_ratio_rate1h < {slo.webhook_success:g}",
            "ticket", "15m", f"Webhook success is below its {slo.webhook_success:.2%} target.",
        ),
        _alert(
            "GoliveLatencyP95AboveTarget",
            f"golive:latency:p95_seconds_rate5m > {slo.latency_p95_ms / 1000:g}",
            "ticket", "15m", f"API latency p95 is above {slo.latency_p95_ms:g} ms.",
        ),
        _alert(
            "GolivePayoutsLate",
            f"golive:payouts:within_sla_ratio_rate1d < {slo.payouts_within_24h:g}",
            "ticket", "1h", f"Fewer than {slo.payouts_within_24h:.0%} of payouts settle in 24 h.",
        ),
        _alert(
            "GoliveFinanceJobBacklog",
            f"{src.jobs_over_sla} > 0",
            "ticket", "15m", "Finance jobs are pending beyond their SLA (Severity 2).",
        ),
    ]  # fmt: skip
    return {"name": "golive-slo-alerts", "rules": alerts}


def _alert(name: str, expr: str, severity: str, for_: str, summary: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"alert": name, "expr": expr}
    if for_ != "0m":
        rule["for"] = for_
    rule["labels"] = {"severity": severity}
    rule["annotations"] = {"summary": summary}
    return rule


def rules_document(cfg: Config, src: Sources) -> dict[str, Any]:
    return {"groups": [recording_rules(cfg, src), alert_rules(cfg, src)]}
