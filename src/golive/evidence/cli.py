"""`golive verify`, `golive report` and `golive keys generate`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import typer

from golive.errors import ConfigError
from golive.options import check_out_dir, path_value

keys_app = typer.Typer(help="Manage Ed25519 signing keys for evidence.", no_args_is_help=True)


def verify(
    run_dir: Path | None = typer.Argument(
        None, parser=path_value, help="A run folder (reports/<run>) or a closeout pack folder."
    ),
    chain: Path | None = typer.Option(
        None,
        "--chain",
        parser=path_value,
        metavar="REPORTS_DIR",
        help="Verify every run in REPORTS_DIR and the chain.",
    ),
    pubkey: Path | None = typer.Option(
        None,
        "--pubkey",
        parser=path_value,
        metavar="PATH",
        help="Public key you trust (PEM). Without it, the key "
        "inside the bundle is used: integrity only.",
    ),
    chain_head: str | None = typer.Option(
        None,
        "--chain-head",
        metavar="SHA256",
        help="Accepted link of the first run (with --chain).",
    ),
) -> None:
    """Check a run's signature, every digest, missing or extra files and the chain link.

    Exit 0 when valid, 1 when not; every problem is named in plain words.
    """
    from golive.evidence.keys import load_public_key
    from golive.evidence.verify import verify_chain, verify_run

    if (run_dir is None) == (chain is None):
        raise ConfigError("give either RUN_DIR or --chain REPORTS_DIR (exactly one)")
    # Bad input is exit 2; exit 1 is kept for a run that does not verify.
    key = load_public_key(pubkey) if pubkey is not None else None
    if chain_head is not None and not re.fullmatch(r"[0-9a-f]{64}", chain_head):
        raise ConfigError(
            f"--chain-head {chain_head!r} is not a sha256 (64 lowercase hex digits); pass the "
            "manifest sha256 a previous run printed"
        )
    folder, flag = (chain, "--chain") if chain is not None else (run_dir, "RUN_DIR")
    assert folder is not None
    if not folder.is_dir():
        raise ConfigError(f"{flag} {str(folder)!r} is not a folder; pass a run folder")
    if chain is not None:
        report = verify_chain(chain, key, chain_head=chain_head)
    else:
        from golive.closeout.signed import is_pack, verify_pack

        report = verify_pack(folder, key) if is_pack(folder) else verify_run(folder, key)
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.ok else 1)


def report(
    run_dir: Path = typer.Argument(..., parser=path_value, help="A run folder (reports/<run>)."),
) -> None:
    """Re-render report.html and canary_report.md from the bundle's signed data.

    The signed data (manifest, results, transcripts) is checked first and never touched;
    a re-rendered view still verifies because it matches a fresh rendering of that data.
    """
    from golive.evidence.fsutil import atomic_write
    from golive.evidence.manifest import MANIFEST, RESULTS, VIEWS
    from golive.evidence.verify import verify_run
    from golive.evidence.views import render_views

    if not run_dir.is_dir():
        raise ConfigError(f"RUN_DIR {str(run_dir)!r} is not a folder; pass a run folder")
    check = verify_run(run_dir)
    data_problems = [p for p in check.problems if p.path not in VIEWS]  # views are re-rendered
    if data_problems:
        for problem in data_problems:
            typer.echo(f"problem: {problem}", err=True)
        typer.echo("not re-rendered: the signed data of this run does not verify", err=True)
        raise typer.Exit(1)
    manifest = json.loads((run_dir / MANIFEST).read_bytes())
    results = json.loads((run_dir / RESULTS).read_bytes())
    for name, data in render_views(manifest, results, run_dir).items():
        path = run_dir / name
        if path.is_file() and path.read_bytes() == data:
            typer.echo(f"{name}: unchanged")
        else:
            atomic_write(path, data)
            typer.echo(f"{name}: re-rendered")


@keys_app.command("generate")
def keys_generate(
    out: Path = typer.Option(
        ..., "--out", metavar="DIR", parser=path_value, help="Folder for golive.key/.pub."
    ),
) -> None:
    """Write an Ed25519 private key (golive.key, mode 0600) and its public key (golive.pub)."""
    from golive.evidence.keys import fingerprint, generate_keypair, load_public_key

    check_out_dir(out)
    private, public = generate_keypair(out)
    typer.echo(f"private key: {private} (keep it secret; mode 0600)")
    typer.echo(f"public key:  {public} (give it to auditors)")
    typer.echo(f"fingerprint: {fingerprint(load_public_key(public))}")
    typer.echo(f"use it with: GOLIVE_SIGNING_KEY={private} or --golive-key {private}")
