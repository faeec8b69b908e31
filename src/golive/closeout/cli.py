"""`golive closeout REPORTS_DIR --release NAME`: the Executive Closeout Pack of a release."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import typer

from golive.errors import ConfigError


def closeout(
    reports: Path = typer.Argument(..., help="The reports folder holding the release's runs."),
    release: str = typer.Option(..., "--release", help="The release to close, e.g. rc-1.4.0."),
    waivers: Path | None = typer.Option(
        None, "--waivers", help="The waiver register (YAML) whose open risks the pack lists."
    ),
    out: str | None = typer.Option(
        None, "--out", help="Folder for the pack (default: closeout-RELEASE beside REPORTS_DIR)."
    ),
    key: Path | None = typer.Option(
        None, "--key", help="Ed25519 PEM key that signs the pack (default: GOLIVE_SIGNING_KEY)."
    ),
) -> None:
    """Write the Executive Closeout Pack (Markdown and self-contained HTML, signed) from the
    signed runs of a release alone: status per phase (rc-proof, dry-run, cutover,
    hypercare) with the runs behind it, the evidence index with manifest digests and
    signers, open waivers with days left, SLO targets beside what cutover and hypercare
    measured, the first 14 days' actions, and the closure statement — only when every phase
    is GO and no waiver is past its deadline.

    Exit 0 when the release is closed, 1 when closure is blocked or the chain does not
    verify (the pack says why), 2 on bad input. Check a pack with `golive verify PACK_DIR`.

    Example: `golive closeout reports/ --release rc-1.4.0 --waivers deploy/waivers.yaml`
    """
    from golive.closeout.collect import collect
    from golive.closeout.signed import write_pack
    from golive.envcheck.waivers import empty_register, read_register
    from golive.evidence.keys import resolve_signing_key

    if not release.strip():
        raise ConfigError("--release '' names no release: give the release to close")
    if out is not None and not out.strip():
        raise ConfigError("--out '' is not a folder: name the folder for the pack")
    register = read_register(waivers) if waivers is not None else empty_register()
    signing = resolve_signing_key(str(key) if key else None)
    pack = collect(reports, release, register, datetime.now(UTC))
    folder = Path(out) if out else reports.resolve().parent / f"closeout-{release}"
    data = write_pack(pack, folder, signing)
    status = "CLOSED" if data["closed"] else ("NOT CLOSED" if data["valid"] else "NOT VALID")
    typer.echo(f"release {release}: {status} — pack written to {folder}")
    for blocker in data["blockers"]:
        typer.echo(f"  blocks closure: {blocker}")
    raise typer.Exit(0 if data["closed"] else 1)
