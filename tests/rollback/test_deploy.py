"""Migrations under the deploy's lock timeout, the lock holder and the schema fingerprint,
on real Postgres with the reference platform's own migration command."""

from __future__ import annotations

import pytest

from golive.drills.rollback.deploy import MigrationFailed, run_migration
from golive.drills.rollback.schema import (
    LockHolder,
    MigrationWatcher,
    schema_differences,
    schema_fingerprint,
)
from golive.postgres import Templates
from golive.stack import migrate

pytestmark = pytest.mark.slow


def test_a_lock_stops_the_upgrade_partway_and_leaves_schema_1_exactly(
    pg_templates: Templates,
) -> None:
    db = pg_templates.clone("refbank-schema-1", lambda dsn: migrate(dsn, "1"))
    try:
        v1 = schema_fingerprint(db.dsn)
        with LockHolder(db.dsn, "settings") as holder:
            assert holder.holding
            with (
                MigrationWatcher(db.dsn, interval_s=0.02) as watcher,
                pytest.raises(MigrationFailed, match="lock timeout") as info,
            ):
                run_migration(db.dsn, "2", lock_timeout_s=1.0)
            assert "LockNotAvailable" in info.value.output
            # partway: it held the tables it had altered while it waited for settings
            assert watcher.locks.waited == {"settings"}, watcher.locks
            assert {"ledger_accounts", "holds"} <= watcher.locks.held, watcher.locks
            assert schema_differences(v1, schema_fingerprint(db.dsn)) == []
        assert not holder.holding

        assert "schema 1 → 2" in run_migration(db.dsn, "2", lock_timeout_s=5)
        v2 = schema_fingerprint(db.dsn)
        diff = schema_differences(v1, v2)
        assert any(d.startswith("columns: new: holds | fee_amount") for d in diff), diff
        assert any(d.startswith("columns: new: settings | fee_bps") for d in diff), diff

        run_migration(db.dsn, "1", lock_timeout_s=5)
        assert schema_differences(v1, schema_fingerprint(db.dsn)) == []
    finally:
        db.drop()
