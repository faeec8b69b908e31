"""Database restore drills on the target: logical (its backup and restore_into operations)
and point-in-time (golive's base backup plus archived WAL) restores into fresh Postgres,
verified against the source, canaried through the target, gated on RTO/RPO.

See docs/restore-drills.md. The phases live in ``drill.RestoreDrill``; ``runs`` chains them.
"""

from __future__ import annotations

from golive.drills.restore.catalog import schema_diff, schema_of, unlogged_tables
from golive.drills.restore.checksums import TableSum, compare_sums, table_sums
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.logical import BackupBroken, Dump, dump_database, restore_dump
from golive.drills.restore.physical import BaseBackup, missing_segments, take_base_backup
from golive.drills.restore.refbank_target import refbank_target
from golive.drills.restore.reference import Reference, take_reference
from golive.drills.restore.report import DrillReport, record_evidence
from golive.drills.restore.runs import restore_existing, run_logical_drill, run_pitr_drill
from golive.drills.restore.safety import require_disposable
from golive.drills.restore.seed import SeedAccount
from golive.drills.restore.target import DrillTarget

__all__ = [
    "BackupBroken",
    "BaseBackup",
    "DrillOptions",
    "DrillReport",
    "DrillTarget",
    "Dump",
    "Reference",
    "RestoreDrill",
    "SeedAccount",
    "TableSum",
    "compare_sums",
    "dump_database",
    "missing_segments",
    "record_evidence",
    "refbank_target",
    "require_disposable",
    "restore_dump",
    "restore_existing",
    "run_logical_drill",
    "run_pitr_drill",
    "schema_diff",
    "schema_of",
    "table_sums",
    "take_base_backup",
    "take_reference",
    "unlogged_tables",
]
