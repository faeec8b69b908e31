"""`golive drill restore`: wrong calls and unsafe targets end with exit 2, nothing touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from golive.postgres import Instance


def golive(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive", *args], capture_output=True, text=True, timeout=300,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )  # fmt: skip


def test_exactly_one_backup_is_named(tmp_path: Path) -> None:
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"x")
    for args in ([], ["--dump", str(dump), "--basebackup", str(tmp_path)]):
        out = golive("drill", "restore", *args)
        assert out.returncode == 2, out.stderr
        assert "exactly one backup" in out.stderr
    out = golive("drill", "restore", "--dump", str(tmp_path / "absent.dump"))
    assert out.returncode == 2
    assert "absent.dump" in out.stderr
    out = golive("drill", "restore", "--basebackup", str(tmp_path))
    assert out.returncode == 2
    assert "PG_VERSION" in out.stderr
    out = golive("drill", "restore", "--dump", str(dump), "--wal-archive", str(tmp_path))
    assert out.returncode == 2
    assert "--wal-archive goes with --basebackup" in out.stderr


def test_a_dsn_not_marked_disposable_is_refused(server: Instance, tmp_path: Path) -> None:
    dump = tmp_path / "ledger.dump"
    dump.write_bytes(b"PGDMP")
    before = server.execute("SELECT datname FROM pg_database ORDER BY 1")
    env = {"GOLIVE_PG_DISPOSABLE": ""}
    out = golive("drill", "restore", "--dump", str(dump), "--postgres", server.dsn(),
                 "--out", str(tmp_path / "reports"), env=env)  # fmt: skip
    assert out.returncode == 2, out.stdout + out.stderr
    assert "not marked disposable" in out.stderr
    assert "GOLIVE_PG_DISPOSABLE=1" in out.stderr
    assert server.password not in out.stdout + out.stderr
    assert server.execute("SELECT datname FROM pg_database ORDER BY 1") == before
    assert not (tmp_path / "reports").exists(), "no run was started"
