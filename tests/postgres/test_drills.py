"""What disaster drills need from a provider: WAL archiving into a folder that outlives the
instance, a start from a base backup with recovery settings, stop, kill, start and destroy."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from golive.postgres import Instance, InstanceSpec, Provider


def run_tool(inst: Instance, argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **inst.client_env()}
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, env=env)


def wait_archived(inst: Instance, wal: str, timeout: float = 60.0) -> None:
    """Poll until the archiver has copied ``wal`` (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert inst.archive_dir is not None
        if (inst.archive_dir / wal).exists():
            return
        time.sleep(0.05)
    raise AssertionError(f"{wal} not archived into {inst.archive_dir} after {timeout}s")


def rows(inst: Instance) -> list[tuple[object, ...]]:
    return inst.execute("SELECT id, minor FROM ledger ORDER BY id", "bank")


def test_archive_base_backup_restore_and_crash(
    request: pytest.FixtureRequest,
    server_kind: str,
    shared_instances: dict[str, Instance],
    tmp_path: Path,
) -> None:
    provider: Provider = request.getfixturevalue(f"{server_kind}_provider")
    shared = shared_instances.get(server_kind) or provider.start_instance(name="shared")
    shared_instances[server_kind] = shared
    primary = provider.start_instance(
        InstanceSpec(settings={"work_mem": "7MB"}, archive=True), name="drill_primary"
    )
    restored = None
    try:
        # a second instance: its own settings, port and data
        assert primary.execute("SHOW work_mem") == [("7MB",)]
        assert shared.execute("SHOW work_mem") != [("7MB",)]
        assert primary.port != shared.port
        assert primary.archive_dir is not None
        assert primary.archive_dir.is_dir()
        assert primary.execute("SHOW archive_mode") == [("on",)]
        primary.execute("CREATE DATABASE bank")
        primary.execute("CREATE TABLE ledger(id int PRIMARY KEY, minor bigint)", "bank")
        primary.execute("INSERT INTO ledger VALUES (1, 100), (2, 200)", "bank")

        backup = tmp_path / "base"
        res = run_tool(primary, [*primary.client("pg_basebackup"), "-D", str(backup),
                                 "-X", "stream", "-c", "fast"])  # fmt: skip
        assert res.returncode == 0, res.stderr
        res = run_tool(primary, [*primary.client("pg_verifybackup"), "-n", str(backup)])
        assert res.returncode == 0, res.stderr

        # written after the backup: only the WAL archive can bring these back
        primary.execute("INSERT INTO ledger VALUES (3, 300)", "bank")
        wal = str(primary.execute("SELECT pg_walfile_name(pg_current_wal_lsn())")[0][0])
        primary.execute("SELECT pg_switch_wal()")
        wait_archived(primary, wal)

        restored = provider.start_instance(
            InstanceSpec(data_from=backup, recovery={"archive_dir": str(primary.archive_dir)}),
            name="drill_restored",
        )
        assert rows(restored) == [(1, 100), (2, 200), (3, 300)]
        assert restored.port != primary.port

        # a crash (SIGKILL, no checkpoint) loses no committed row
        primary.execute("INSERT INTO ledger VALUES (4, 400)", "bank")
        primary.kill()
        assert not primary.running
        primary.start()
        assert rows(primary)[-1] == (4, 400)

        primary.stop()
        assert not primary.running
        primary.start()
        assert len(rows(primary)) == 4

        archive = primary.archive_dir
        primary.destroy()
        assert not primary.running
        assert any(archive.iterdir()), "the archive outlives its instance"
        assert rows(restored) == [(1, 100), (2, 200), (3, 300)], "instances are independent"
        assert "bank" not in {str(r[0]) for r in shared.execute("SELECT datname FROM pg_database")}
    finally:
        primary.destroy()
        if restored is not None:
            restored.destroy()
