"""The run folder, its manifest, and the hash chain between runs.

A run folder is `<reports>/<UTC YYYYmmddTHHMMSSZ>-<short id>/`. While the run is going it
holds a RUNNING marker; the marker is removed only after the manifest and the attestation
are in place, so a killed run is always recognisably incomplete.

Each manifest names the previous run's manifest by sha256 (the newest complete run in the
same reports folder, or `--golive-chain-head`): deleting, rewriting or reordering runs
breaks a link that `golive verify --chain` reports.
"""

from __future__ import annotations

import fcntl
import json
import secrets
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.evidence.fsutil import sha256_file

if TYPE_CHECKING:
    from golive.evidence.redact import Redactor

SCHEMA = "golive.manifest/v1"
PHASES = ("rc-proof", "dry-run", "cutover", "hypercare")  # a run's phase of the go-live
MANIFEST = "manifest.json"
ATTESTATION = "attestation.dsse.json"
RUNNING = "RUNNING"
SIGNER_PUB = "signer.pub"
RESULTS = "results.json"
VIEWS = ("report.html", "canary_report.md")
# Files a manifest cannot list (itself, its signature) and the marker of an unfinished run.
UNLISTED = frozenset({MANIFEST, ATTESTATION})


def mask_args(args: Iterable[object], redactor: Redactor) -> list[str]:
    """Command-line arguments as the manifest records them: the password of every DSN in
    them is registered as a secret, the value of a secret-named option (`--password X`,
    `--api-key=X`) is dropped, and everything is redacted."""
    from golive.evidence.redact import SECRET_ENV_NAME

    def secret_named(option: str) -> bool:
        return option.startswith("--") and bool(SECRET_ENV_NAME.search(option.replace("-", "_")))

    texts = [str(a) for a in args]
    for text in texts:
        redactor.register_dsn(text)
    out: list[str] = []
    value_is_secret = False
    for text in texts:
        name, eq, _ = text.partition("=")
        if value_is_secret and not text.startswith("-"):
            text = "[REDACTED:argument]"
        elif eq and secret_named(name):
            text = f"{name}=[REDACTED:argument]"
        value_is_secret = not eq and secret_named(text)
        out.append(redactor.redact_text(text))
    return out


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{secrets.token_hex(3)}"


def create_run_dir(reports: Path) -> Path:
    """Make a fresh run folder with its RUNNING marker."""
    reports.mkdir(parents=True, exist_ok=True)
    for _ in range(10):
        run_dir = reports / new_run_id()
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        (run_dir / RUNNING).write_text(
            "This run has not finished. If no golive process is running, it was killed:\n"
            "this folder is incomplete evidence and never verifies.\n"
        )
        return run_dir
    raise RuntimeError(f"could not create a fresh run folder in {str(reports)!r}")


@contextmanager
def chain_lock(reports: Path) -> Iterator[None]:
    """Serialise finalisation of runs sharing a reports folder, so the chain stays linear."""
    reports.mkdir(parents=True, exist_ok=True)
    with open(reports / ".golive-chain.lock", "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def load_manifest(run_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((run_dir / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def run_dirs(reports: Path) -> list[Path]:
    """Run folders in a reports folder, oldest name first."""
    if not reports.is_dir():
        return []
    return sorted(p for p in reports.iterdir() if p.is_dir() and not p.name.startswith("."))


def previous_link(reports: Path, exclude: Path, chain_head: str | None) -> dict[str, Any] | None:
    """The link to the newest finished run in `reports` (or to `chain_head` when given)."""
    if chain_head:
        return {
            "sha256": chain_head.lower().removeprefix("sha256:"),
            "run_id": None,
            "sequence": None,
            "source": "--golive-chain-head",
        }
    best: tuple[int, str, Path, dict[str, Any]] | None = None
    for run_dir in run_dirs(reports):
        if run_dir == exclude or (run_dir / RUNNING).exists():
            continue
        manifest = load_manifest(run_dir)
        if manifest is None or manifest.get("schema") != SCHEMA:
            continue
        key = (int(manifest.get("sequence") or 0), str(manifest.get("finished_at", "")))
        if best is None or key > best[:2]:
            best = (*key, run_dir, manifest)
    if best is None:
        return None
    _, _, run_dir, manifest = best
    return {
        "sha256": sha256_file(run_dir / MANIFEST),
        "run_id": manifest.get("run_id"),
        "sequence": manifest.get("sequence"),
        "source": "reports folder",
    }


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
