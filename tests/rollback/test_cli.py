"""`golive drill rollback` refuses bad input with exit 2, before it touches anything."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from golive.drills.rollback.options import FROM, SCHEMA, TO, RollbackOptions
from golive.drills.rollback.plan import plan_release
from golive.errors import ConfigError
from golive.postgres import Templates

ROOT = Path(__file__).resolve().parents[2]


def drill(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_")}
    cmd = [
        sys.executable,
        "-m",
        "golive",
        "drill",
        "rollback",
        *args,
        "--out",
        str(tmp_path / "out"),
    ]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--to", "0"], "the rollback target release '0' does not exist"),
        (["--from", "7"], "the new release '7' does not exist"),
        (["--from", "1", "--to", "2"], "release '1' is not newer than release '2'"),
        (["--schema", "0"], "release 1 does not run on schema '0'"),
        (["--schema", "9"], "schema '9' does not exist"),
    ],
)
def test_a_bad_plan_exits_2_and_runs_nothing(tmp_path: Path, args: list[str], message: str) -> None:
    out = drill(tmp_path, *args)
    assert out.returncode == 2, out.stderr
    assert message in " ".join(out.stderr.split()), out.stderr
    assert not (tmp_path / "out").exists()  # no run folder: nothing ran


def test_an_unmarked_database_is_refused_and_left_as_it_was(
    tmp_path: Path, pg_templates: Templates
) -> None:
    db = pg_templates.clone("empty", lambda dsn: None)
    try:
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE precious (v int)")
            conn.execute("INSERT INTO precious VALUES (1), (2)")
        out = drill(tmp_path, "--database", db.dsn)
        assert out.returncode == 2, out.stderr
        assert "not marked disposable" in " ".join(out.stderr.split())
        assert not (tmp_path / "out").exists()
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            assert conn.execute("SELECT v FROM precious ORDER BY v").fetchall() == [(1,), (2,)]
            tables = conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchall()
            assert tables == [("precious",)]  # never migrated
    finally:
        db.drop()


class Options:
    """The part of a pytest config the drills read: its command-line options."""

    def __init__(self, args: list[str]) -> None:
        self.values = dict(zip(args[::2], args[1::2], strict=True))

    def getoption(self, name: str) -> str | None:
        return self.values.get(name)


def test_the_drills_read_the_plan_the_command_hands_them() -> None:
    given = RollbackOptions(plan_release("1", "2", rollback_schema="2"))
    read = RollbackOptions.of(Options(given.pytest_args()))
    assert read == given
    plan = RollbackOptions.of(Options([FROM, "2", TO, "1"])).plan
    assert plan.rollback_schema == "1"
    with pytest.raises(ConfigError, match="does not exist"):
        RollbackOptions.of(Options([FROM, "2", TO, "5", SCHEMA, ""]))
