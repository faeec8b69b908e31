"""`golive doctor` and `golive postgres …` (registered by golive.cli)."""

from __future__ import annotations

import json
import os
import re

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from golive.errors import ConfigError

out = Console()
# A Docker image reference: [registry[:port]/]name[/name…][:tag], names in lowercase.
IMAGE_TAG = re.compile(
    r"([a-zA-Z0-9.-]+(:[0-9]+)?/)?[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*"
    r"(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
)

postgres_app = typer.Typer(
    help=(
        "Disposable Postgres for readiness runs: build the air-gapped image, probe a provider, "
        "clear leftovers.\n\n"
        "Providers are chosen with --postgres / GOLIVE_POSTGRES (auto, docker, local, pgserver "
        "or a DSN); see docs/postgres.md."
    ),
    no_args_is_help=True,
)


def doctor(
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Report what this machine can run: every Postgres provider, and the fix for each gap."""
    from golive.postgres.doctor import diagnose

    report = diagnose()
    if as_json:
        typer.echo(json.dumps(report.to_json(), indent=2))
        return
    table = Table(title="golive doctor: Postgres providers", show_lines=False)
    table.add_column("piece", overflow="fold")
    table.add_column("status")
    table.add_column("found", overflow="fold")
    table.add_column("fix", overflow="fold")
    for c in report.checks:
        status = "[green]ok[/]" if c.ok else "[red]missing[/]"
        table.add_row(escape(c.name), status, escape(c.detail), escape(c.fix))
    out.print(table)
    colour = "green" if report.auto_ok else "red"
    out.print(f"--postgres auto would use: [{colour}]{escape(report.auto)}[/]")


@postgres_app.command("build-image")
def build_image(
    tag: str = typer.Option(
        None, "--tag", help="Image tag (default golive/postgres:<major>-local)."
    ),
    force: bool = typer.Option(False, "--force", help="Rebuild even if an identical image exists."),
    source: str = typer.Option(
        "auto",
        "--from",
        help="Server binaries to pack: auto (system, else pgserver), system, pgserver.",
    ),
) -> None:
    """Build a Postgres image with no container registry, from this machine's server binaries.

    The image's entrypoint honours POSTGRES_USER, POSTGRES_PASSWORD and POSTGRES_DB like the
    official image, so testcontainers uses it unchanged. Skipped when an image with the same
    content already has the tag, unless --force.
    """
    from golive.postgres.image import build

    if tag is not None and not IMAGE_TAG.fullmatch(tag):
        raise ConfigError(
            f"--tag {tag!r} is not a Docker image name; write e.g. golive/postgres:15-local "
            "(lowercase name, optional :tag)"
        )
    result = build(
        tag=tag, force=force, source=source, log=lambda m: out.print(escape(m), highlight=False)
    )
    verb = "cached" if result.cached else "built"
    out.print(f"[green]{verb}[/] {result.tag} (PostgreSQL {result.version}, {result.size_mb} MiB)")


@postgres_app.command("probe")
def probe(
    postgres: str = typer.Option(
        None,
        "--postgres",
        help="auto, docker, local, pgserver or a DSN (default $GOLIVE_POSTGRES).",
    ),
) -> None:
    """Bring the chosen provider up, run one query, and clean everything up again.

    Exit 0 when it works; exit 2 with what was tried and the fix when it cannot.
    """
    from golive.options import check_dsn, is_dsn
    from golive.postgres import open_provider

    spec = (postgres or os.environ.get("GOLIVE_POSTGRES") or "").strip()
    if is_dsn(spec):
        check_dsn(spec, "--postgres", createdb=False)
    with open_provider(postgres) as provider:
        out.print(f"provider: {escape(provider.describe())}", highlight=False)
        inst = provider.start_instance(name="probe")
        row = inst.execute("SELECT version()")[0]
        out.print(
            escape(f"instance {inst.name} on {inst.host}:{inst.port}: {row[0]}"), highlight=False
        )
    out.print("[green]ok[/]: started, queried and cleaned up")


@postgres_app.command("cleanup")
def cleanup_cmd(
    run: str = typer.Option(None, "--run", help="Remove the containers of this golive run id."),
    all_runs: bool = typer.Option(
        False, "--all", help="Remove every golive container, even of runs still alive."
    ),
) -> None:
    """Remove containers left behind by golive runs whose process is gone (e.g. after SIGKILL)."""
    from golive.postgres.docker import remove_stale

    if run is not None and not re.fullmatch(r"[0-9a-f]{12}", run):
        raise ConfigError(
            f"--run {run!r} is not a golive run id (12 hex digits, as in the container names "
            "golive-<run id>-…); leave --run out to remove the leftovers of dead runs"
        )
    removed = remove_stale(run=run, everything=all_runs)
    out.print(
        f"removed {len(removed)} container(s)" + (f": {', '.join(removed)}" if removed else "")
    )
