"""`golive runbook run | resume | confirm | init`: an executable go-live runbook."""

from __future__ import annotations

import signal
from importlib.resources import files
from pathlib import Path
from types import FrameType
from typing import Any

import typer

from golive.errors import ConfigError
from golive.options import path_value

runbook_app = typer.Typer(
    help="An executable go-live runbook: suites, probes, commands and manual steps in order, "
    "with a signed execution log (docs/runbook.md).",
    no_args_is_help=True,
)
REPORTS = typer.Option(
    Path("reports"), "--reports", parser=path_value, help="Folder of the run folders."
)
KEY = typer.Option(None, "--key", help="Ed25519 PEM key that signs (default: GOLIVE_SIGNING_KEY).")
NON_INTERACTIVE = typer.Option(
    False, "--non-interactive", help="For CI: manual steps need --confirmations."
)
TARGET = typer.Option(None, "--target", help="Passed to every suite step's `golive run`.")
POSTGRES = typer.Option(None, "--postgres", help="Passed to every suite step's `golive run`.")
CONFIRMATIONS = typer.Option(
    None, "--confirmations", help="Pre-signed confirmations (`golive runbook confirm`)."
)


def _ask(step: Any) -> tuple[str, str] | None:
    typer.echo(f"\nManual step {step.id} — {step.title} (owner: {step.owner})")
    if step.instruction:
        typer.echo(f"  {step.instruction}")
    actor = typer.prompt(
        "  Confirmed by (your name; empty: not confirmed)", default="", show_default=False
    ).strip()
    if not actor:
        return None
    return actor, typer.prompt("  Note", default="", show_default=False).strip()


def _options(
    book_path: Path | None,
    non_interactive: bool,
    confirmations: Path | None,
    target: str | None,
    postgres: str | None,
    key: Path | None,
) -> dict[str, Any]:
    """What run and resume share, checked before anything runs: confirmations, the signing
    key, the suite steps' target and Postgres (their credentials registered as secrets, so
    the log never shows them)."""
    from golive.evidence.redact import Redactor
    from golive.options import check_http_url
    from golive.run.preflight import check_key, check_postgres
    from golive.runbook.confirm import read_confirmations

    if confirmations is not None and not non_interactive:
        raise ConfigError("--confirmations is for --non-interactive runs; add --non-interactive")
    conf = read_confirmations(confirmations, book_path) if confirmations and book_path else None
    check_key(key)
    if target and target != "embedded":
        check_http_url(target, "--target")
    check_postgres(postgres)
    redactor = Redactor()
    redactor.register_environment()
    if postgres:
        redactor.register_dsn(postgres)
    passthrough = [*(["--target", target] if target else []),
                   *(["--postgres", postgres] if postgres else [])]  # fmt: skip
    return {
        "confirmations": conf,
        "ask": None if non_interactive else _ask,
        "passthrough": passthrough,
        "redactor": redactor,
    }


def _reports(reports: Path) -> Path:
    from golive.options import check_out_dir

    return check_out_dir(reports, "--reports")


def _term(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _drive(run: Any, key: Path | None) -> None:
    from golive.evidence.keys import resolve_signing_key
    from golive.runbook.execute import execute, write_log_views
    from golive.runbook.finish import finish

    signing = resolve_signing_key(str(key) if key else None)
    old = signal.signal(signal.SIGTERM, _term)
    try:
        outcomes = execute(run)
    except KeyboardInterrupt:
        run.log.append("interrupted", actor=run.actor)
        write_log_views(run)
        typer.echo(f"interrupted: resume with `golive runbook resume --reports {run.reports}`")
        raise SystemExit(3) from None
    finally:
        signal.signal(signal.SIGTERM, old)
    verdict = finish(run, outcomes, signing)
    typer.echo(f"runbook {run.book.path.name}: {verdict.verdict.value} — {run.run_dir}")
    for reason in verdict.reasons:
        typer.echo(f"  {reason}")
    raise SystemExit(verdict.exit_code)


@runbook_app.command("run")
def run_cmd(
    runbook: Path = typer.Argument(..., help="The runbook file (runbook.toml)."),
    release: str | None = typer.Option(None, "--release", help="Overrides the runbook's."),
    reports: Path = REPORTS,
    key: Path | None = KEY,
    non_interactive: bool = NON_INTERACTIVE,
    confirmations: Path | None = CONFIRMATIONS,
    target: str | None = TARGET,
    postgres: str | None = POSTGRES,
) -> None:
    """Run a go-live runbook step by step, appending every step's start, end, actor, command,
    result and evidence digest to the execution log as it happens; sign and chain the log at
    the end. A NO-GO at a decision point stops the main path and runs the rollback branch.

    Exit codes as for `golive run`; 3 also when interrupted (resume it later).

    Example: `golive runbook run runbook.toml --non-interactive --confirmations ok.json`
    """
    from golive.runbook.execute import start
    from golive.runbook.model import configured_operations, load_runbook

    book = load_runbook(runbook, configured_operations())
    if release is not None and not release.strip():
        raise ConfigError("--release '' names no release: give the release, e.g. rc-1.4.0")
    name = release or book.release
    if not name:
        raise ConfigError(f'{runbook}: no release: set release = "…" or pass --release')
    folder = _reports(reports)
    opts = _options(runbook, non_interactive, confirmations, target, postgres, key)
    _drive(start(book, folder, name, **opts), key)


@runbook_app.command("resume")
def resume_cmd(
    reports: Path = REPORTS,
    key: Path | None = KEY,
    non_interactive: bool = NON_INTERACTIVE,
    confirmations: Path | None = CONFIRMATIONS,
    target: str | None = TARGET,
    postgres: str | None = POSTGRES,
) -> None:
    """Finish the newest interrupted runbook in the reports folder; steps already done or
    confirmed are never run again. Give --target and --postgres again if the run had them."""
    from golive.runbook.confirm import check_file
    from golive.runbook.execute import RUNBOOK_COPY, reopen, unfinished

    if confirmations is not None:
        check_file(confirmations)  # before looking for the run: the option's own problem first
    _options(None, non_interactive, None, target, postgres, key)
    run_dir = unfinished(_reports(reports))
    opts = _options(run_dir / RUNBOOK_COPY, non_interactive, confirmations, target, postgres, key)
    _drive(reopen(run_dir, reports.resolve(), **opts), key)


@runbook_app.command("confirm")
def confirm_cmd(
    runbook: Path = typer.Argument(..., help="The runbook whose manual step is confirmed."),
    step: str = typer.Option(..., "--step", help="The manual step's id."),
    actor: str = typer.Option(..., "--actor", help="Who confirms it."),
    note: str = typer.Option("", "--note", help="What was done, a ticket, a link."),
    key: Path = typer.Option(..., "--key", help="The approver's Ed25519 PEM private key."),
    file: Path = typer.Option(..., "--file", help="The confirmation file to create or extend."),
) -> None:
    """Pre-sign the confirmation of a manual step, for `golive runbook run --non-interactive`."""
    from golive.evidence.keys import load_private_key
    from golive.runbook.confirm import add_confirmation
    from golive.runbook.model import configured_operations, load_runbook

    book = load_runbook(runbook, configured_operations())
    manual = {s.id for s in book.steps if s.kind == "manual"}
    if step not in manual:
        raise ConfigError(
            f"--step {step!r} is not a manual step of {runbook}: "
            f"{', '.join(sorted(manual)) or 'it has none'}"
        )
    if not actor.strip():
        raise ConfigError("--actor '' names nobody: give who confirms the step")
    if "\n" in note or "\r" in note:
        raise ConfigError("--note must be one line (it is a cell of the execution log)")
    signing = load_private_key(key, source="--key")
    entry = add_confirmation(file, runbook, step, actor.strip(), note, signing)
    typer.echo(f"{file}: {step} confirmed by {entry.actor} at {entry.at}")


@runbook_app.command("init")
def init_cmd(
    path: Path = typer.Argument(Path("runbook.toml"), help="Where to write the runbook."),
) -> None:
    """Write a default go-live runbook mirroring a closeout pack's phases: T-60 checks,
    freeze, backup and restore drill, deploy, T-0 canary money loop (the rollback decision
    point), hypercare probes. Refuses to overwrite a file."""
    if path.exists():
        raise ConfigError(f"{path} exists; golive runbook init never overwrites a file")
    path.write_text(files("golive.runbook").joinpath("default.toml").read_text())
    typer.echo(f"wrote {path}: edit the commands and owners, then `golive runbook run {path}`")
