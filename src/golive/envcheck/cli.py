"""`golive env check` (registered by golive.cli)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

env_app = typer.Typer(
    help=(
        "Environment readiness: secrets, keys and database settings of a deployment, judged "
        "against a profile and a waiver register (docs/operations.md)."
    ),
    no_args_is_help=True,
)


@env_app.command("check")
def check(
    profile: str = typer.Option(..., "--profile", help="Profile to judge against (production…)."),
    env_file: Path = typer.Option(..., "--env-file", help="The deployment's KEY=value file."),
    waivers: Path = typer.Option(None, "--waivers", help="Waiver register (YAML)."),
    now: str = typer.Option(None, "--now", help="Judge waivers at this ISO time (default: now)."),
    config: Path = typer.Option(None, "--config", help="golive.toml (default: ./golive.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check an environment file; exit 0 ready, 1 findings not waived or waivers expired,
    2 bad input. Secret values are never printed, only sha256 fingerprints."""
    from golive.config import load_config
    from golive.envcheck.assess import check_environment
    from golive.envcheck.dates import DateError, parse_instant
    from golive.envcheck.render import print_table, to_json
    from golive.errors import ConfigError

    try:
        at = parse_instant(now) if now else None
    except DateError as exc:
        raise ConfigError(f"--now: {exc}") from None
    report = check_environment(
        profile, env_file, waivers, now=at, config=load_config(config) if config else None
    )
    if as_json:
        typer.echo(to_json(report))
    else:
        print_table(report, Console(width=160))
    # SystemExit, not typer.Exit: golive.cli.main runs click with standalone_mode=False,
    # which turns typer.Exit into a return value that main() does not pass on.
    raise SystemExit(int(report.exit_code))
