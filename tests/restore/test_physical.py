"""Point-in-time recovery: to a restore point taken under live writes, exactly; and a WAL
archive with a hole is found before anything is restored (and Postgres refuses it too)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.drills.restore import physical as phys
from golive.drills.restore.checksums import compare_sums, table_sums
from golive.drills.restore.logical import BackupBroken
from golive.drills.restore.reference import Reference, last_commit_at, take_reference
from golive.postgres import Instance, InstanceSpec, Provider

SETTINGS = {"track_commit_timestamp": "on"}


def test_segment_names() -> None:
    size = 16 * 1024 * 1024
    assert phys.parse_lsn("0/3002080") == 0x3002080
    assert phys.format_lsn(0x1_0000_0028) == "1/28"
    assert phys.segment_name(1, 0x3002080, size) == "000000010000000000000003"
    assert phys.segment_name(2, 0x1_0300_0000, size) == "000000020000000100000003"
    name = phys.segment_name(1, 0x1_0300_0000, size)
    assert phys.segment_number(name, size) == 0x1_0300_0000 // size


class Primary:
    """A primary with WAL archiving, the test ledger, a base backup, live writers."""

    def __init__(self, provider: Provider, workdir: Path) -> None:
        from tests.restore.conftest import make_ledger

        self.instance = provider.start_instance(InstanceSpec(settings=SETTINGS, archive=True))
        self.instance.execute("CREATE DATABASE bank")
        make_ledger(self.instance, "bank", wallets=10, posts=20)
        self.base = phys.take_base_backup(self.instance, workdir / "base")
        assert self.instance.archive_dir is not None
        self.archive: Path = self.instance.archive_dir
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._write) for _ in range(2)]
        for t in self.threads:
            t.start()

    def _write(self) -> None:
        import random

        rng = random.Random()
        with self.instance.connect("bank") as conn:
            while not self.stop.is_set():
                a, b = rng.sample(range(1, 11), 2)
                try:
                    conn.execute(f"SELECT post({a}, {b}, 1)")
                except Exception:
                    return

    def mark(self) -> Reference:
        """A restore point under live writes, archived."""
        self.stop.wait(0.5)
        ref, _ = take_reference(self.instance, "bank", restore_point="rp")
        assert ref.restore_point_lsn is not None
        segment = phys.segment_name(1, ref.restore_point_lsn - 1)
        self.instance.execute("SELECT pg_switch_wal()")
        deadline = 600
        while not (self.archive / segment).exists() and deadline:
            self.stop.wait(0.1)
            deadline -= 1
        self.stop.wait(0.3)  # more writes after the point: these must not come back
        return ref

    def lose(self) -> None:
        self.stop.set()
        for t in self.threads:
            t.join()
        self.instance.kill()
        self.instance.destroy()


@pytest.fixture
def primary(local_provider: Provider, tmp_path: Path) -> Iterator[Primary]:
    p = Primary(local_provider, tmp_path)
    yield p
    p.lose()


def recover_and_compare(provider: Provider, p: Primary, ref: Reference) -> Instance:
    inst = phys.recover(provider, p.base, archive=p.archive, target_name="rp", settings=SETTINGS)
    restored = table_sums(lambda: inst.connect("bank"))
    assert compare_sums(ref.tables, restored) == []
    with inst.connect("bank") as conn:
        assert last_commit_at(conn) == ref.last_commit_at
    return inst


def test_recovery_to_the_restore_point_is_exact(local_provider: Provider, primary: Primary) -> None:
    run = phys.verify_base_backup(primary.instance, primary.base.path)
    assert run.ok, run.describe()
    ref = primary.mark()
    primary.lose()
    assert phys.missing_segments(primary.archive, primary.base, ref.restore_point_lsn) == []
    recover_and_compare(local_provider, primary, ref).destroy()


def test_a_missing_wal_segment_is_found(local_provider: Provider, primary: Primary) -> None:
    ref = primary.mark()
    primary.lose()
    first = phys.segment_number(phys.segment_name(1, primary.base.end_lsn))
    later = sorted(
        n for n in phys.archived_segments(primary.archive) if phys.segment_number(n) > first
    )
    assert later, "the writes after the backup left WAL segments in the archive"
    (primary.archive / later[0]).unlink()
    assert phys.missing_segments(primary.archive, primary.base, ref.restore_point_lsn) == [later[0]]
    # and Postgres itself refuses to promote short of the restore point
    with pytest.raises(BackupBroken, match="recovery"):
        phys.recover(local_provider, primary.base, archive=primary.archive, target_name="rp")


def test_a_damaged_base_backup_fails_verification(primary: Primary) -> None:
    victim = next(
        p for p in (primary.base.path / "base").rglob("*") if p.is_file() and p.stat().st_size > 0
    )
    victim.write_bytes(b"\0" * victim.stat().st_size)
    run = phys.verify_base_backup(primary.instance, primary.base.path)
    assert not run.ok
    assert "checksum mismatch" in run.stderr
