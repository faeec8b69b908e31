"""`golive verify`, `golive report` and `golive keys generate`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from golive.errors import ConfigError

keys_app = typer.Typer(help="Manage Ed25519 signing keys for evidence.", no_args_is_help=True)


def verify(
    run_dir: Path | None = typer.Argument(
        None, help="A run folder (reports/<run>) or a closeout pack folder."
    ),
    chain: Path | None = typer.Option(
        None,
        "--chain",
        metavar="REPORTS_DIR",
        help="Verify every run in REPORTS_DIR and the chain.",
    ),
    pubkey: Path | None = typer.Option(
        None,
        "--pubkey",
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
    from golive.evidence.verify import verify_chain, verify_run

    if (run_dir is None) == (chain is None):
        raise ConfigError("give either RUN_DIR or --chain REPORTS_DIR (exactly one)")
    if chain is not None:
        report = verify_chain(chain, pubkey, chain_head=chain_head)
    else:
        from golive.closeout.signed import is_pack, verify_pack

        assert run_dir is not None
        report = verify_pack(run_dir, pubkey) if is_pack(run_dir) else verify_run(run_dir, pubkey)
    for line in report.lines():
        typer.echo(line)
    raise typer.Exit(0 if report.ok else 1)


def report(
    run_dir: Path = typer.Argument(..., help="A run folder (reports/<run>)."),
) -> None:
    """Re-render report.html and canary_report.md from the bundle's signed data.

    The signed data (manifest, results, transcripts) is checked first and never touched;
    a re-rendered view still verifies because it matches a fresh rendering of that data.
    """
    from golive.evidence.fsutil import atomic_write
    from golive.evidence.manifest import MANIFEST, RESULTS
    from golive.evidence.verify import verify_run
    from golive.evidence.views import render_views

    check = verify_run(run_dir)
    data_problems = [
        p
        for p in check.problems
        if not p.startswith(("report.html", "canary_report.md"))
        and "'report.html'" not in p
        and "'canary_report.md'" not in p
    ]
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
    out: Path = typer.Option(..., "--out", metavar="DIR", help="Folder for golive.key/.pub."),
) -> None:
    """Write an Ed25519 private key (golive.key, mode 0600) and its public key (golive.pub)."""
    from golive.evidence.keys import fingerprint, generate_keypair, load_public_key

    private, public = generate_keypair(out)
    typer.echo(f"private key: {private} (keep it secret; mode 0600)")
    typer.echo(f"public key:  {public} (give it to auditors)")
    typer.echo(f"fingerprint: {fingerprint(load_public_key(public))}")
    typer.echo(f"use it with: GOLIVE_SIGNING_KEY={private} or --golive-key {private}")
