"""What a restore drill checks: every finding names one of these (its value is the text the
report and the evidence show), and the scenario's expectations select findings by check."""

from __future__ import annotations

from enum import StrEnum


class Check(StrEnum):
    # the backup itself, before anything is restored
    SOURCE_QUIET = "source quiet during the backup"
    OPERATION = "operation"  # a target operation failed (the subject names it)
    BACKUP_USABLE = "backup usable"
    BACKUP_READABLE = "backup readable"
    BASE_BACKUP_VERIFIED = "base backup verified (pg_verifybackup)"
    WAL_ARCHIVED = "WAL archived"
    WAL_ARCHIVE_COMPLETE = "WAL archive complete"
    PGBACKREST_STANZA = "pgbackrest stanza"  # stanza-create or check failed (subject: which)
    PGBACKREST_BACKUP = "pgbackrest backup"
    PGBACKREST_VERIFIED = "backups verified (pgbackrest verify)"
    PGBACKREST_READABLE = "pgBackRest repository readable"
    BACKUP_BEFORE_TARGET = "a backup before the recovery point"
    # the restore
    BACKUP_RESTORES = "backup restores"
    PGBACKREST_RESTORES = "backup restores (pgbackrest restore)"
    WAL_REPLAYED = "WAL archive replayed"
    RECOVERY_TARGET = "recovery target reached"
    # the restored database
    SCHEMA = "schema equal"
    ROWS = "rows equal"
    STORAGE = "storage intact (pg_amcheck)"
    CANARY = "canary on the restored database"


# what the restored books' invariants are not: the backup's own checks (a finding of any
# other check — a failed operation, a stanza, a recovery target not reached — leaves the
# invariants unproven)
OF_THE_BACKUP = frozenset(
    {
        Check.BACKUP_USABLE, Check.BACKUP_READABLE, Check.BASE_BACKUP_VERIFIED,
        Check.WAL_ARCHIVED, Check.WAL_ARCHIVE_COMPLETE, Check.WAL_REPLAYED,
        Check.BACKUP_RESTORES, Check.PGBACKREST_RESTORES, Check.PGBACKREST_VERIFIED,
    }
)  # fmt: skip
# the restored database's own checks
OF_THE_BOOKS = frozenset({Check.SCHEMA, Check.ROWS, Check.STORAGE, Check.CANARY})
