"""`golive ops stuck-jobs` and `golive ops reconcile` (registered by golive.cli).

Both are made for cron: plain text (or --json) on stdout, and an exit code to alert on:
0 all well, 1 something stuck or not reconciled, 2 bad input or an unreachable target,
3 the probe itself failed (golive.cli.main: a crash is never read as a finding).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer

from golive.options import path_value

ops_app = typer.Typer(
    help=(
        "Hypercare probes: finance jobs stuck past their SLA, and the daily reconciliation of "
        "the platform ledger against the PSP settlement reports (docs/operations.md)."
    ),
    no_args_is_help=True,
)


def _instant(flag: str, text: str | None) -> datetime | None:
    from golive.envcheck.dates import DateError, parse_instant
    from golive.errors import ConfigError

    try:
        return parse_instant(text) if text else None
    except DateError as exc:
        raise ConfigError(f"{flag}: {exc}") from None


def _exit(code: int) -> None:
    # SystemExit, not typer.Exit: golive.cli.main runs click with standalone_mode=False,
    # which turns typer.Exit into a return value that main() does not pass on.
    raise SystemExit(code)


@ops_app.command("stuck-jobs")
def stuck_jobs(
    target: str = typer.Option(
        None, "--target", help="Platform base URL (its jobs, through [target] adapter if set)."
    ),
    dsn: str = typer.Option(None, "--dsn", help="Or the platform database, read-only."),
    now: str = typer.Option(None, "--now", help="Judge at this ISO time (default: now)."),
    since: str = typer.Option(None, "--since", help="Ignore jobs created before this time."),
    config: Path = typer.Option(None, "--config", help="golive.toml (default: ./golive.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """List finance jobs pending past their SLA (payouts 24 h); exit 1 when any is stuck."""
    from golive.config import load_config
    from golive.errors import ConfigError
    from golive.ops.jobsource import jobs_from_database, jobs_from_platform
    from golive.ops.run import open_platform
    from golive.ops.stuck import find_stuck, slas_from

    if bool(target) == bool(dsn):
        raise ConfigError("give exactly one of --target URL (the platform API) or --dsn DSN")
    if dsn:
        from golive.options import check_dsn

        check_dsn(dsn, "--dsn", createdb=False)
    at = _instant("--now", now) or datetime.now(UTC)
    after = _instant("--since", since)
    cfg = load_config(config)
    warnings: list[str] = []
    if target:
        platform = open_platform(target, cfg.target.adapter)
        try:
            jobs, warnings = jobs_from_platform(platform, f"the platform at {target!r}")
        finally:
            platform.close()
        source = target
    else:
        jobs, source = jobs_from_database(dsn, after), "the platform database"
    report = find_stuck(
        jobs, now=at, slas=slas_from(cfg), payout_target=cfg.slo.payouts_within_24h,
        since=after, source=source, warnings=warnings,
    )  # fmt: skip
    typer.echo(json.dumps(report.to_json(), indent=2) if as_json else report.to_text())
    _exit(int(report.exit_code))


@ops_app.command("reconcile")
def reconcile_cmd(
    date: str = typer.Option(None, "--date", help="The UTC day to reconcile (YYYY-MM-DD)."),
    start: str = typer.Option(None, "--from", help="Or a window: its start (ISO time)."),
    end: str = typer.Option(None, "--to", help="... and its end (ISO time, exclusive)."),
    target: str | None = typer.Option(
        None, "--target", help="Platform base URL (its ledger, through [target] adapter if set)."
    ),
    ledger: Path = typer.Option(None, "--ledger", help="Or a ledger-lines CSV file."),
    psp: str | None = typer.Option(None, "--psp", help="Stub PSP base URL (settlement reports)."),
    stripe_report: list[Path] = typer.Option(
        [], "--stripe-report", help="Or Stripe balance-transaction report CSV(s)."
    ),
    adyen_report: list[Path] = typer.Option(
        [], "--adyen-report", help="Or Adyen settlement-details report CSV(s)."
    ),
    out: Path = typer.Option(
        Path("."), "--out", parser=path_value, help="Folder for the .md, .html, .csv reports."
    ),
    save_inputs: Path = typer.Option(
        None,
        "--save-inputs",
        parser=path_value,
        help="Also keep the inputs read (ledger lines, PSP CSVs) here.",
    ),
    config: Path = typer.Option(
        None, "--config", help="golive.toml, for [target] adapter (default: ./golive.toml)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
) -> None:
    """Reconcile the platform ledger with the PSP settlement reports; exit 1 on any mismatch."""
    from golive.config import load_config
    from golive.ops.run import ReconcileInputs, run_reconcile, summary_json, summary_text
    from golive.ops.sources import parse_window
    from golive.options import check_http_url, check_out_dir

    window = parse_window(date, start, end)
    # URLs and output folders are checked before anything is read or written (exit 2);
    # the input files are checked as they are read, before anything is written.
    target = check_http_url(target, "--target") if target else None
    psp = check_http_url(psp, "--psp") if psp else None
    check_out_dir(out, "--out")
    if save_inputs is not None:
        check_out_dir(save_inputs, "--save-inputs")
    adapter = load_config(config).target.adapter if target or config else ""
    inputs = ReconcileInputs(
        target=target, ledger=ledger, psp=psp, stripe_reports=list(stripe_report),
        adyen_reports=list(adyen_report), adapter=adapter,
    )  # fmt: skip
    rec, paths, warnings = run_reconcile(inputs, window, out=out, save_inputs=save_inputs)
    if as_json:
        typer.echo(json.dumps(summary_json(rec, paths, warnings), indent=2))
    else:
        typer.echo(summary_text(rec, paths, warnings))
    _exit(int(rec.exit_code))
