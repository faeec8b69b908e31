"""Logical backups: ``pg_dump -Fc`` out, ``pg_restore`` in, and nothing ever half-restored.

The dump streams through the tool's stdout into a host file (so it works the same when the
tools run inside a container), and a ``FILE.sha256`` beside it records its digest in
``sha256sum`` format. A restore is one transaction that stops at the first error: a damaged
dump leaves the target database empty, never partly loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from golive.drills.restore.tools import ToolRun, run_tool
from golive.errors import GateFailed
from golive.postgres import Instance

CHUNK = 1 << 20
COMPRESS = 1  # fast gzip: much less CPU than the default level, about the same size for ledgers


class BackupBroken(GateFailed):
    """A backup could not be taken, read, verified or restored (the drill is NO-GO)."""


@dataclass(frozen=True)
class Dump:
    path: Path
    size: int
    sha256: str
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "size": self.size,
            "sha256": self.sha256,
            "seconds": round(self.seconds, 3),
        }


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_sidecar(path: Path, digest: str) -> None:
    sidecar(path).write_text(f"{digest}  {path.name}\n")


def dump_database(
    instance: Instance, dbname: str, dest: Path, *, snapshot: str | None = None
) -> Dump:
    """``pg_dump -Fc`` of ``dbname`` into ``dest`` (and ``dest.sha256``); raises if it fails.

    With ``snapshot`` (``pg_export_snapshot()`` of an open transaction) the dump shows the
    database exactly as that transaction sees it.
    """
    args = ["-Fc", f"--compress={COMPRESS}", "--no-password"]
    args += [f"--snapshot={snapshot}"] if snapshot else []
    run = run_tool(instance, "pg_dump", args, dbname=dbname, stdout=dest)
    if not run.ok:
        raise BackupBroken(f"the logical backup of {dbname!r} failed: {run.describe()}")
    digest = sha256_of(dest)
    write_sidecar(dest, digest)
    return Dump(dest, dest.stat().st_size, digest, run.seconds)


def check_dump(path: Path, instance: Instance) -> list[str]:
    """Why ``path`` cannot be restored as it is (empty when nothing is known to be wrong).

    Checks that it exists, matches the digest recorded beside it (when there is one), and
    that pg_restore can read its table of contents. Damage inside a data block is found by
    the restore itself, which is atomic.
    """
    if not path.is_file():
        return [f"{str(path)!r} does not exist or is not a file"]
    problems = []
    side = sidecar(path)
    if side.is_file():
        recorded = side.read_text().split()[0] if side.read_text().split() else ""
        actual = sha256_of(path)
        if recorded != actual:
            problems.append(
                f"sha256 is {actual}, but {side.name} recorded {recorded} when the "
                f"backup was written: the file changed or was cut short "
                f"({path.stat().st_size} bytes now)"
            )
    toc = run_tool(instance, "pg_restore", ["-l"], stdin=path, timeout=600)
    if not toc.ok:
        problems.append(
            f"{path.name}: pg_restore cannot read its table of contents: {toc.describe()}"
        )
    elif " TABLE DATA " not in toc.stdout and " TABLE " not in toc.stdout:
        problems.append("the dump holds no table at all")
    return problems


def restore_dump(instance: Instance, dump: Path, dbname: str) -> ToolRun:
    """Load ``dump`` into the existing, empty ``dbname`` in one transaction (all or nothing).

    Owners and privileges are not restored: the throwaway instance has none of the source's
    roles. The caller judges the returned run (``.ok``).
    """
    args = [
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
        "--no-password",
        "-d",
        dbname,
    ]
    return run_tool(instance, "pg_restore", args, dbname=dbname, stdin=dump)


def relation_count(instance: Instance, dbname: str) -> int:
    """User tables, views and sequences in ``dbname`` (0 after a refused restore)."""
    rows = instance.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S') AND n.nspname NOT IN "
        "('pg_catalog', 'information_schema', 'pg_toast')",
        dbname,
    )
    return int(str(rows[0][0]))


def cut_short(path: Path, keep: float) -> tuple[int, int]:
    """Truncate a dump as a full backup disk would, with a checksum of the short file (the
    backup job wrote one for what it had): (bytes kept, bytes before)."""
    data = path.read_bytes()
    kept = int(len(data) * keep)
    path.write_bytes(data[:kept])
    write_sidecar(path, sha256_of(path))
    return kept, len(data)
