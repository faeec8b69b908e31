"""Restoring an operator's base backup and WAL archive: replayed to the archive's end, or a
NO-GO naming where replay stopped — never a silent early promotion."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from golive.drills.restore import physical as phys
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.postgres import InstanceSpec, Provider
from tests.restore.conftest import make_ledger


@pytest.fixture(scope="module")
def backup_and_archive(
    local_provider: Provider, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    """A base backup, then writes that only the archive holds, then the archive."""
    where = tmp_path_factory.mktemp("operator")
    primary = local_provider.start_instance(InstanceSpec(archive=True))
    try:
        primary.execute("CREATE DATABASE ledger")
        make_ledger(primary, "ledger", wallets=6, posts=10)
        base = phys.take_base_backup(primary, where / "base")
        primary.execute("CREATE TABLE written_after_the_backup AS SELECT 42 AS answer", "ledger")
        segment = str(primary.execute("SELECT pg_walfile_name(pg_current_wal_lsn())")[0][0])
        primary.execute("SELECT pg_switch_wal()")
        assert primary.archive_dir is not None
        assert phys.wait_for_file(primary.archive_dir / segment, 120), f"{segment} not archived"
        shutil.copytree(primary.archive_dir, where / "archive")
        return base.path, where / "archive"
    finally:
        primary.destroy()


def restore(provider: Provider, workdir: Path, base: Path, archive: Path) -> RestoreDrill:
    drill = RestoreDrill(provider, kind="basebackup", workdir=workdir,
                         options=DrillOptions(canary=False))  # fmt: skip
    drill.use_base_backup(base, archive)
    drill.restore_pitr()
    return drill


def test_the_archive_is_replayed_to_its_end(
    local_provider: Provider, backup_and_archive: tuple[Path, Path], tmp_path: Path
) -> None:
    base, archive = backup_and_archive
    with restore(local_provider, tmp_path, base, archive) as drill:
        assert drill.findings == []
        assert drill.restored is not None
        rows = drill.restored.execute("SELECT answer FROM written_after_the_backup", "ledger")
        assert rows == [(42,)]
    assert (base / "pg_hba.conf").read_text() != phys.TRUST_HBA, "the original is untouched"


def test_a_damaged_segment_is_not_a_silent_early_end(
    local_provider: Provider, backup_and_archive: tuple[Path, Path], tmp_path: Path
) -> None:
    base, good = backup_and_archive
    archive = tmp_path / "archive"
    shutil.copytree(good, archive)
    newest = max(phys.archived_segments(archive))
    data = bytearray((archive / newest).read_bytes())
    data[40:4096] = b"\xff" * (4096 - 40)  # the first records after the page header
    (archive / newest).write_bytes(bytes(data))
    with restore(local_provider, tmp_path / "drill", base, archive) as drill:
        found = [f for f in drill.findings if f.check == "WAL archive replayed"]
        assert found, drill.findings
        assert newest in found[0].detail
        assert drill.finish().verdict == "NO-GO"
