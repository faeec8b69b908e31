"""Migrations under the deploy's lock timeout, the lock holder and the schema fingerprint,
on real Postgres with golive's `migrate` operation for the reference platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.drills.rollback.deploy import migration_output
from golive.drills.rollback.schema import (
    LockHolder,
    MigrationWatcher,
    schema_differences,
    schema_fingerprint,
)
from golive.evidence.redact import Redactor
from golive.operations import OperationFailed, OperationResult
from golive.postgres import Templates
from golive.stack import migrate, refbank_operations


def run_migration(state: Path, dsn: str, schema: str, *, lock_timeout_s: float) -> OperationResult:
    """The embedded platform's `migrate` operation on ``dsn`` (recorded in ``state``)."""
    from golive.operations import refbank

    refbank.PlatformState(state).record({"REFBANK_DSN": dsn})
    values = {"schema": schema, "lock_timeout_ms": int(lock_timeout_s * 1000), "url": "-"}
    return refbank_operations(state).run("migrate", values, redactor=Redactor())


pytestmark = pytest.mark.slow


def test_a_lock_stops_the_upgrade_partway_and_leaves_schema_1_exactly(
    pg_templates: Templates, tmp_path: Path
) -> None:
    db = pg_templates.clone("refbank-schema-1", lambda dsn: migrate(dsn, "1"))
    try:
        v1 = schema_fingerprint(db.dsn)
        with LockHolder(db.dsn, "settings") as holder:
            assert holder.holding
            with (
                MigrationWatcher(db.dsn, interval_s=0.02) as watcher,
                pytest.raises(OperationFailed, match="lock timeout") as info,
            ):
                run_migration(tmp_path, db.dsn, "2", lock_timeout_s=1.0)
            assert "lock timeout" in migration_output(info.value)
            assert info.value.result.exit_code == 1
            # partway: it held the tables it had altered while it waited for settings
            assert watcher.locks.waited == {"settings"}, watcher.locks
            assert {"ledger_accounts", "holds"} <= watcher.locks.held, watcher.locks
            assert schema_differences(v1, schema_fingerprint(db.dsn)) == []
        assert not holder.holding

        done = run_migration(tmp_path, db.dsn, "2", lock_timeout_s=5)
        assert "schema 1 → 2" in done.stdout_tail
        v2 = schema_fingerprint(db.dsn)
        diff = schema_differences(v1, v2)
        assert any(d.startswith("columns: new: holds | fee_amount") for d in diff), diff
        assert any(d.startswith("columns: new: settings | fee_bps") for d in diff), diff

        run_migration(tmp_path, db.dsn, "1", lock_timeout_s=5)
        assert schema_differences(v1, schema_fingerprint(db.dsn)) == []
    finally:
        db.drop()
