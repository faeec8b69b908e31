"""The logical drill on a server given by DSN and marked disposable: everything happens in
databases the drill creates there, and they are gone afterwards."""

from __future__ import annotations

from pathlib import Path

from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.logical import dump_database
from golive.invariants.sql import REFERENCE_CHECKS
from golive.postgres import Instance, create_database
from golive.postgres.dsn import DsnProvider
from tests.restore.conftest import make_ledger

# the reference platform's invariant queries that speak the test ledger's shape too
CHECKS = tuple(c for c in REFERENCE_CHECKS if c.name in {
    "transaction_legs_balance", "ledger_sums_to_zero", "balance_matches_entries"})  # fmt: skip


def databases(server: Instance) -> list[str]:
    return sorted(str(r[0]) for r in server.execute("SELECT datname FROM pg_database"))


def test_logical_drill_on_a_disposable_dsn(server: Instance, tmp_path: Path) -> None:
    source = create_database(server)
    make_ledger(server, source.name, wallets=8, posts=30)
    seed = dump_database(server, source.name, tmp_path / "seed.dump").path
    source.drop()
    before = databases(server)
    provider = DsnProvider(server.dsn(), disposable=True)
    options = DrillOptions(canary=False, invariants=CHECKS, workers=1)
    try:
        with RestoreDrill(provider, kind="logical", workdir=tmp_path / "drill",
                          options=options) as drill:  # fmt: skip
            drill.start_primary(seed_from=seed)
            primary_db = drill.primary_db
            drill.logical_backup()
            drill.disaster()
            assert primary_db not in databases(server), "the primary database was dropped"
            assert drill.restore_logical()
            drill.verify()
            report = drill.finish()
            assert drill.restored_db != primary_db
            assert drill.reference is not None
        assert report.findings == [], report.summary()
        assert report.facts["restored_tables"]["ledger_entries"] > 0
        # nothing was written after the backup, so no more can be lost than the time from the
        # backup to the disaster (commit times are server-wide: autovacuum's count too)
        assert report.rpo_seconds is not None
        assert report.rpo_seconds <= report.journal.marks["disaster"] - drill.reference.taken_at
    finally:
        provider.close()
    assert databases(server) == before, "every database the drill made is gone"
