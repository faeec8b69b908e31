"""Bad input to a drill is refused before anything is touched (exit 2)."""

from __future__ import annotations

import psycopg
import pytest

from golive.drills.rollback.plan import DISPOSABLE_MARK, ensure_disposable, plan_release
from golive.errors import ConfigError, ExitCode, UnsafeTarget
from golive.postgres import Templates


def test_the_default_plan_deploys_2_over_1_and_returns_to_schema_1() -> None:
    plan = plan_release()
    assert (plan.previous.version, plan.new.version, plan.rollback_schema) == ("1", "2", "1")
    assert "rolled back to release 1 on schema 1" in plan.describe()
    # an app-only rollback keeps schema 2, which release 1 runs on
    assert plan_release("1", "2", rollback_schema="2").rollback_schema == "2"


@pytest.mark.parametrize(
    ("previous", "new", "schema", "message"),
    [
        ("0", "2", None, r"rollback target release '0' does not exist: .* releases 1, 2"),
        ("1", "3", None, r"new release '3' does not exist"),
        ("2", "1", None, r"release '1' is not newer than release '2'"),
        ("1", "1", None, r"not newer"),
        ("1", "2", "3", r"schema '3' does not exist"),
        ("1", "2", "0", r"release 1 does not run on schema '0' \(it runs on schema 1, 2\)"),
    ],
)
def test_bad_plans_are_usage_errors(
    previous: str, new: str, schema: str | None, message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        plan_release(previous, new, rollback_schema=schema)
    assert info.value.exit_code is ExitCode.USAGE


def test_a_database_golive_created_is_disposable_without_a_connection() -> None:
    ensure_disposable("postgresql://nobody@127.0.0.1:1/never", "created")


def test_a_foreign_database_is_refused_unless_marked(pg_templates: Templates) -> None:
    db = pg_templates.clone("empty", lambda dsn: None)
    try:
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            conn.execute("CREATE TABLE precious (v int)")
            conn.execute("INSERT INTO precious VALUES (42)")
        with pytest.raises(
            UnsafeTarget, match=rf"not marked disposable.*COMMENT ON DATABASE {db.name}"
        ) as info:
            ensure_disposable(db.dsn, "given")
        assert info.value.exit_code is ExitCode.USAGE
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            assert conn.execute("SELECT v FROM precious").fetchall() == [(42,)]
            conn.execute(f"COMMENT ON DATABASE {db.name} IS 'staging copy; {DISPOSABLE_MARK}'")
        ensure_disposable(db.dsn, "given")  # marked: accepted
    finally:
        db.drop()


def test_an_unreachable_database_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="cannot connect to the drill database 'nowhere'"):
        ensure_disposable("postgresql://u:p@127.0.0.1:1/nowhere", "given")
