"""`golive slo export`: the SLOs of golive.toml as Prometheus rules and a Grafana dashboard."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer
import yaml

from golive.config import load_config
from golive.errors import ConfigError
from golive.monitoring.dashboard import dashboard
from golive.monitoring.rules import Sources, rules_document

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
RULES, DASHBOARD = "golive-slo-rules.yml", "golive-slo-dashboard.json"

slo_app = typer.Typer(
    help="The SLOs golive judges before go-live, exported for monitoring after it.",
    no_args_is_help=True,
)


@slo_app.command("export")
def export(
    out_arg: str = typer.Option(..., "--out", help="Folder to write the rules and dashboard into."),
    config: Path | None = typer.Option(
        None, "--config", help="golive.toml to read the targets from (default: ./golive.toml)."
    ),
    requests_metric: str = typer.Option(
        Sources.requests, help="Counter of platform requests with operation and outcome labels."
    ),
    duration_metric: str = typer.Option(
        Sources.duration, help="Histogram of platform request latency, in seconds."
    ),
    webhooks_metric: str = typer.Option(
        Sources.webhooks, help="Counter of webhook deliveries with an outcome label."
    ),
    payouts_metric: str = typer.Option(
        Sources.payouts, help="Counter of settled payouts with a within_sla label."
    ),
) -> None:
    """Write Prometheus recording and alert rules (multi-window, multi-burn-rate on the
    availability budget; Severity 1 pages and Severity 2 tickets of the closeout pack) and a
    Grafana dashboard for the SLO targets of golive.toml.

    Check them with `promtool check rules DIR/golive-slo-rules.yml`; import the dashboard
    JSON in Grafana. Metric names default to golive's own SLIs (a run's `slis.prom`).

    Example: `golive slo export --out monitoring/`
    """
    if not out_arg.strip():
        raise ConfigError("--out '' is not a folder: name the folder to write the rules into")
    out = Path(out_arg)
    cfg = load_config(config)
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {str(out)!r} is a file: name a folder")
    for key, name in (("--requests-metric", requests_metric), ("--duration-metric",
                      duration_metric), ("--webhooks-metric", webhooks_metric),
                      ("--payouts-metric", payouts_metric)):  # fmt: skip
        if not METRIC_NAME.fullmatch(name):
            raise ConfigError(
                f"{key} {name!r} is not a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"
            )
    src = Sources(
        requests=requests_metric,
        duration=duration_metric,
        webhooks=webhooks_metric,
        payouts=payouts_metric,
    )
    rules = yaml.safe_dump(rules_document(cfg, src), sort_keys=False, width=1000)
    board = json.dumps(dashboard(cfg), indent=2) + "\n"
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / RULES).write_text(rules)
        (out / DASHBOARD).write_text(board)
    except OSError as exc:
        raise ConfigError(f"--out {str(out)!r}: cannot write there ({exc.strerror})") from None
    typer.echo(f"wrote {out / RULES} and {out / DASHBOARD} (targets from {cfg.source})")
