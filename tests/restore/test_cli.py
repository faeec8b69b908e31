"""`golive drill restore`: wrong calls and unsafe targets end with exit 2, nothing touched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from golive.drills.restore.options import NO_CANARY, RestoreOptions
from golive.errors import ConfigError
from golive.postgres import Instance, Provider


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


class Options:
    """The part of a pytest config the drills read: its command-line options."""

    def __init__(self, args: list[str]) -> None:
        self.values: dict[str, object] = {}
        for arg in args:
            flag, _, value = arg.partition("=")
            self.values[flag] = True if flag == NO_CANARY else value

    def getoption(self, name: str) -> object:
        return self.values.get(name, False if name == NO_CANARY else None)


def test_the_drill_reads_the_backup_the_command_hands_it(tmp_path: Path) -> None:
    given = RestoreOptions(
        pgbackrest_config=tmp_path / "pgbackrest.conf", stanza="main",
        target_name="-before=upgrade", canary=False, app_version="1",
    )  # fmt: skip
    read = RestoreOptions.of(Options(given.pytest_args()))  # type: ignore[arg-type]
    assert read == given
    assert read.operator
    assert read.kind == "repository"
    timed = RestoreOptions(basebackup=tmp_path, wal_archive=tmp_path / "wal", target_time=1.5)
    assert RestoreOptions.of(Options(timed.pytest_args())) == timed  # type: ignore[arg-type]
    assert NO_CANARY not in timed.pytest_args()
    drills = RestoreOptions.of(Options([]))  # type: ignore[arg-type]
    assert drills == RestoreOptions()
    assert not drills.operator
    with pytest.raises(ConfigError, match="exactly one backup"):
        _ = drills.kind
    with pytest.raises(ConfigError, match="exactly one backup"):
        _ = RestoreOptions(dump=tmp_path, basebackup=tmp_path).kind


def test_a_restore_point_name_is_checked_before_anything_runs(tmp_path: Path) -> None:
    config = tmp_path / "pgbackrest.conf"
    config.write_text("[global]\n")
    repo = ["drill", "restore", "--pgbackrest-config", str(config), "--stanza", "main"]
    dump = ["drill", "restore", "--dump", str(config)]
    cases = {
        "goes with --pgbackrest-config": [*dump, "--target-name", "x"],
        "give one of them": [*repo, "--target-name", "x", "--target-time", "2026-01-01"],
        "is not a restore point name": [*repo, "--target-name", "x" * 64],
    }
    for said, args in cases.items():
        out = golive(*args, "--out", str(tmp_path / "reports"))
        assert out.returncode == 2, out.stdout + out.stderr
        assert said in out.stderr
        assert out.stderr.strip().count("\n") == 0
        assert "Traceback" not in out.stdout + out.stderr
    assert not (tmp_path / "reports").exists()


def test_the_operator_scenario_runs_only_when_a_backup_is_named(tmp_path: Path) -> None:
    """The typed options reach the restore feature's collection (no environment variable)."""
    root = Path(__file__).resolve().parents[2]

    def collected(*args: str) -> list[str]:
        out = subprocess.run(
            [sys.executable, "-m", "pytest", "features/restore", "--collect-only", "-q",
             "-p", "no:cacheprovider", *args],
            capture_output=True, text=True, timeout=300, cwd=root, check=False,
        )  # fmt: skip
        assert out.returncode == 0, out.stdout + out.stderr
        return [line for line in out.stdout.splitlines() if "::" in line]

    operator = collected(*RestoreOptions(dump=tmp_path / "x.dump").pytest_args())
    assert operator == [
        "features/restore/test_restore.py::test_the_operators_backup_restores_into_a_"
        "throwaway_server_and_passes_every_check"
    ]
    drills = collected()
    assert drills
    assert operator[0] not in drills


def test_the_command_hands_its_backup_to_the_operator_scenario(
    local_provider: Provider, tmp_path: Path
) -> None:
    """`golive drill restore` to the verdict: only the operator scenario runs, on the named
    dump (not a pg_dump archive here), and the run is NO-GO naming it."""
    dump = tmp_path / "not-an-archive.dump"
    dump.write_bytes(b"golive" * 500)
    out = golive("drill", "restore", "--dump", str(dump), "--no-canary", "--postgres", "local",
                 "--out", str(tmp_path / "reports"))  # fmt: skip
    said = " ".join((out.stdout + out.stderr).split())
    assert out.returncode == 1, said
    assert "1 scenarios and properties to run" in said
    assert "The operator's backup restores into a throwaway server" in said
    assert "not-an-archive.dump: pg_restore cannot read its table of contents" in said
