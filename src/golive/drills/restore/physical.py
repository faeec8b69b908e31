"""Physical backups: pg_basebackup, pg_verifybackup, the WAL archive, point-in-time recovery.

The base backup streams as a tar through pg_basebackup's stdout (``-D - -Ft -X fetch``) and
is unpacked on the host, with its ``backup_manifest``. Before recovering, the archive is
checked for every WAL segment between the end of the backup and the recovery target: a gap
would make Postgres stop replaying early — a silent partial restore — so it ends the drill.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import psycopg

from golive.drills.restore.logical import BackupBroken
from golive.drills.restore.tools import ToolRun, log_tail, open_tool, run_tool, visible_path
from golive.errors import ProviderUnavailable
from golive.postgres import Instance, InstanceSpec, Provider

DEFAULT_SEGMENT = 16 * 1024 * 1024
SEGMENT_NAME = re.compile(r"^[0-9A-F]{24}$")


def parse_lsn(text: str) -> int:
    """``"0/3002080"`` → 50339968."""
    hi, _, lo = text.strip().partition("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def format_lsn(value: int) -> str:
    return f"{value >> 32:X}/{value & 0xFFFFFFFF:X}"


def segment_name(timeline: int, lsn: int, segment_size: int = DEFAULT_SEGMENT) -> str:
    """The WAL file that holds byte ``lsn`` on ``timeline``."""
    segno = lsn // segment_size
    per_id = 0x100000000 // segment_size
    return f"{timeline:08X}{segno // per_id:08X}{segno % per_id:08X}"


def segment_number(name: str, segment_size: int = DEFAULT_SEGMENT) -> int:
    per_id = 0x100000000 // segment_size
    return int(name[8:16], 16) * per_id + int(name[16:24], 16)


@dataclass(frozen=True)
class BaseBackup:
    path: Path
    size: int
    timeline: int
    start_lsn: int
    end_lsn: int
    seconds: float

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "size": self.size,
            "timeline": self.timeline,
            "start_lsn": format_lsn(self.start_lsn),
            "end_lsn": format_lsn(self.end_lsn),
            "seconds": round(self.seconds, 3),
        }


def _folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def read_manifest(path: Path) -> dict[str, Any]:
    manifest = path / "backup_manifest"
    if not manifest.is_file():
        raise BackupBroken(
            f"{str(path)!r} has no backup_manifest: it is not a base backup made by "
            "pg_basebackup 13 or later (or the manifest was lost), so it cannot be verified"
        )
    try:
        return dict(json.loads(manifest.read_text()))
    except (ValueError, OSError) as exc:
        raise BackupBroken(f"{manifest}: not a readable backup manifest ({exc})") from None


def describe_backup(path: Path, seconds: float = 0.0) -> BaseBackup:
    """A base backup folder as the drill sees it (timeline and WAL range from its manifest)."""
    ranges = read_manifest(path).get("WAL-Ranges") or []
    if not ranges:
        raise BackupBroken(f"{path}/backup_manifest lists no WAL range")
    first, last = ranges[0], ranges[-1]
    start, end = parse_lsn(first["Start-LSN"]), parse_lsn(last["End-LSN"])
    return BaseBackup(path, _folder_size(path), int(last["Timeline"]), start, end, seconds)


def take_base_backup(instance: Instance, dest: Path, *, timeout: float = 3600) -> BaseBackup:
    """pg_basebackup of the whole server into the new folder ``dest``; raises if it fails."""
    started = time.monotonic()
    dest.mkdir(parents=True)
    proc = open_tool(
        instance, "pg_basebackup", ["-D", "-", "-Ft", "-X", "fetch", "-c", "fast", "--no-password"]
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    try:
        untar_error = _untar(proc.stdout, dest, timeout)
    finally:
        proc.stdout.close()
    err = proc.stderr.read().decode(errors="replace")
    code = proc.wait(timeout=timeout)
    if code != 0:
        raise BackupBroken(f"pg_basebackup exited with code {code}: {err.strip()[-1500:]}")
    if untar_error:
        raise BackupBroken(f"the base backup's tar stream could not be unpacked: {untar_error}")
    return describe_backup(dest, time.monotonic() - started)


def _untar(stream: IO[bytes], dest: Path, timeout: float) -> str:
    """Unpack a tar stream into ``dest`` (system tar: Python's safe extraction is slow)."""
    tar = shutil.which("tar")
    if tar is None:
        try:
            with tarfile.open(fileobj=stream, mode="r|") as archive:
                archive.extractall(dest, filter="tar")
        except (tarfile.TarError, OSError) as exc:
            return str(exc)
        return ""
    argv = [tar, "-x", "--no-same-owner", "-f", "-", "-C", str(dest)]
    out = subprocess.run(argv, stdin=stream, capture_output=True, timeout=timeout, check=False)
    return "" if out.returncode == 0 else out.stderr.decode(errors="replace").strip()[-1500:]


TRUST_HBA = """# written by golive for a throwaway restore of someone else's base backup:
# the server listens on the loopback only, and golive does not know the backup's passwords
local all all trust
host all all 0.0.0.0/0 trust
host all all ::/0 trust
"""


def prepare_foreign_backup(source: Path, dest: Path) -> Path:
    """A copy of an operator's base backup that golive can log in to (the original is kept
    untouched, for pg_verifybackup): its pg_hba.conf trusts the loopback."""
    shutil.copytree(source, dest, symlinks=True)
    (dest / "pg_hba.conf").write_text(TRUST_HBA)
    for stale in ("postmaster.pid", "postmaster.opts"):
        (dest / stale).unlink(missing_ok=True)
    return dest


def verify_base_backup(instance: Instance, path: Path) -> ToolRun:
    """pg_verifybackup of ``path`` (every file against the manifest, and the backup's WAL)."""
    with visible_path(instance, "pg_verifybackup", path) as seen:
        return run_tool(instance, "pg_verifybackup", [str(seen)], timeout=3600)


def archived_segments(archive: Path) -> dict[str, int]:
    """WAL segment files in ``archive`` (name → size), leaving history and label files out."""
    return {p.name: p.stat().st_size for p in archive.iterdir() if SEGMENT_NAME.match(p.name)}


def segment_size_of(archive: Path) -> int:
    sizes = set(archived_segments(archive).values()) if archive.is_dir() else set()
    return max(sizes) if sizes else DEFAULT_SEGMENT


def missing_segments(
    archive: Path, backup: BaseBackup, target_lsn: int | None, *, segment_size: int | None = None
) -> list[str]:
    """WAL segments recovery would need from ``archive`` but cannot find there.

    Needed: every segment from the one where the backup ends up to the one holding
    ``target_lsn``, or, with no target, up to the newest segment in the archive (a gap in the
    middle of the archive would otherwise end replay early without a word).
    """
    size = segment_size or segment_size_of(archive)
    present = archived_segments(archive) if archive.is_dir() else {}
    in_backup = {p.name for p in (backup.path / "pg_wal").glob("*") if SEGMENT_NAME.match(p.name)}
    first = segment_number(segment_name(backup.timeline, backup.end_lsn, size), size)
    if target_lsn is not None:
        last = segment_number(segment_name(backup.timeline, max(target_lsn - 1, 0), size), size)
    else:
        tli = f"{backup.timeline:08X}"
        mine = [segment_number(n, size) for n in present if n.startswith(tli)]
        last = max(mine, default=first)
    missing = []
    for segno in range(first, last + 1):
        name = segment_name(backup.timeline, segno * size, size)
        if name not in present and name not in in_backup:
            missing.append(name)
    return missing


def archive_reaches(archive: Path, timeline: int, segment_size: int) -> int | None:
    """The first byte of the newest WAL segment of ``timeline`` in ``archive`` (None: none)."""
    tli = f"{timeline:08X}"
    numbers = [segment_number(n, segment_size) for n in archived_segments(archive)
               if n.startswith(tli)]  # fmt: skip
    return max(numbers) * segment_size if numbers else None


def replay_ended_at(instance: Instance) -> int | None:
    """Where WAL replay stopped before promotion: the switch point in the new timeline's
    history file (None when the server was never promoted to a new timeline)."""
    rows = instance.execute(
        "SELECT pg_read_file('pg_wal/' || lpad(upper(to_hex(timeline_id)), 8, '0') || "
        "'.history', 0, 100000, true) FROM pg_control_checkpoint()"
    )
    text = str(rows[0][0] or "") if rows else ""
    lines = [ln.split() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return parse_lsn(lines[-1][1]) if lines and len(lines[-1]) > 1 else None


def readable_copy(archive: Path) -> Path:
    """A copy of an operator's WAL archive that the server's own user can reach and read, in
    a new folder under the system's temporary folder (the caller removes it). A segment the
    server cannot read looks to Postgres like the end of the archive."""
    dest = Path(tempfile.mkdtemp(prefix="golive-wal-"))
    os.chmod(dest, 0o755)
    for src in archive.iterdir():
        if src.is_file():
            shutil.copyfile(src, dest / src.name)
            os.chmod(dest / src.name, 0o644)
    return dest


def recover(
    provider: Provider,
    backup: BaseBackup,
    *,
    archive: Path | None,
    target_name: str | None = None,
    settings: dict[str, str] | None = None,
    name: str | None = None,
    timeout: float = 600,
) -> Instance:
    """A fresh instance started from a copy of ``backup``, replayed from ``archive`` and promoted.

    With ``target_name`` replay stops at that restore point (Postgres refuses to start if the
    archive does not reach it); without, at the end of the archive, or, with no archive, as
    soon as the backup is consistent. Raises ``BackupBroken`` when recovery fails.
    """
    recovery = {"recovery_target_action": "promote"}
    if archive is not None:
        recovery["archive_dir"] = str(archive)
    if target_name:
        recovery["recovery_target_name"] = target_name
    elif archive is None:
        recovery["recovery_target"] = "immediate"
    spec = InstanceSpec(settings=dict(settings or {}), data_from=backup.path, recovery=recovery)
    return start_promoted(
        provider, spec, name=name, timeout=timeout, failed="point-in-time recovery failed"
    )


def start_promoted(
    provider: Provider, spec: InstanceSpec, *, name: str | None, timeout: float, failed: str
) -> Instance:
    """A server started from ``spec``'s data and recovery settings, once promoted; the server
    is destroyed and BackupBroken raised (``failed``, then what it said) when it is not."""
    try:
        instance = provider.start_instance(spec, name=name)
    except (ProviderUnavailable, TimeoutError) as exc:
        raise BackupBroken(f"{failed}; the server said: {exc}") from None
    try:
        wait_promoted(instance, timeout)
    except BackupBroken as exc:
        log = log_tail(instance)
        instance.destroy()
        raise BackupBroken(f"{exc}\nthe server's log ends:\n{log}" if log else str(exc)) from None
    except BaseException:
        instance.destroy()
        raise
    return instance


def wait_promoted(instance: Instance, timeout: float) -> None:
    """Wait until recovery has ended and the server accepts writes (bounded).

    Connections are accepted (hot standby) once the backup is consistent, while WAL is still
    being replayed: only ``pg_is_in_recovery() = false`` says the restore is done.
    """
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            if instance.execute("SELECT pg_is_in_recovery()") == [(False,)]:
                return
        except psycopg.OperationalError as exc:
            last = str(exc).strip()
            if not instance.running:
                raise BackupBroken(
                    f"point-in-time recovery failed: the server stopped ({last})"
                ) from None
        time.sleep(0.1)
    raise BackupBroken(f"recovery did not finish within {timeout}s ({last or 'still replaying'})")


def wait_for_file(path: Path, timeout: float) -> bool:
    """Poll (bounded) until ``path`` exists: a segment reaching the archive."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return True
        time.sleep(0.05)
    return path.exists()


def lose_segment_after(backup: BaseBackup, archive: Path, segment_size: int) -> str:
    """Delete the first WAL segment written after ``backup`` from ``archive``; its name."""
    first = segment_number(
        segment_name(backup.timeline, backup.end_lsn, segment_size), segment_size
    )
    for name in sorted(archived_segments(archive)):
        if segment_number(name, segment_size) > first:
            (archive / name).unlink()
            return name
    raise AssertionError("no WAL segment after the base backup to lose")


def replay_stopped_early(
    instance: Instance, backup: BaseBackup, archive: Path, segment_size: int
) -> tuple[int | None, str | None]:
    """(where replay ended, why that is too early or None). Without a target, replay must
    reach the newest archived segment: Postgres takes a segment it cannot read or use for the
    end of the archive, and promotes without a word."""
    ended = replay_ended_at(instance)
    newest = archive_reaches(archive, backup.timeline, segment_size)
    if ended is None or newest is None or ended > newest:
        return ended, None
    name = segment_name(backup.timeline, newest, segment_size)
    return ended, (
        f"replay stopped at {format_lsn(ended)}, but the archive holds WAL up to segment "
        f"{name}: a segment could not be restored (unreadable or damaged), and everything "
        "after it is missing from the restored database"
    )
