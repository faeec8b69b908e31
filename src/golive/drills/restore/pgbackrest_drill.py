"""The point-in-time drill's phases with ``[drills] backup_engine = "pgbackrest"``.

The primary archives into a pgBackRest repository (``archive-push``); the stanza is created
and checked; a full backup before traffic, an incremental one while customers move money;
before anything is restored, the repository must be readable (an encrypted one with the
right passphrase), ``pgbackrest verify`` must find every backup file intact and the archive
must hold every WAL segment from the chosen backup to the recovery point. Then
``pgbackrest restore --type=time`` (to the recovery point's time) or ``--type=name`` (to its
restore point) into a fresh data directory, from which the provider starts the restored
server; the facts say which. What pgBackRest said goes into the drill's facts (evidence).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.drills.restore import pgbackrest as pgbr
from golive.drills.restore.checks import Check
from golive.drills.restore.physical import segment_name
from golive.errors import ProviderUnavailable
from golive.postgres import Instance

if TYPE_CHECKING:
    from golive.drills.restore.source import SourceSide

ARCHIVE_WAIT_SECONDS = 60.0


class PgBackRestEngine:
    """pgBackRest's part of one drill: its repository, its runs, its findings."""

    def __init__(self, drill: SourceSide, repo: pgbr.Repository | None = None) -> None:
        if drill.provider.kind != "local":
            raise ProviderUnavailable(
                'backup_engine = "pgbackrest" runs pgBackRest on this machine against servers '
                f"golive starts here, and the {drill.provider.kind} provider's servers are not. "
                "Fix: run the drill with --postgres local."
            )
        self.drill = drill
        self.repo = repo or pgbr.Repository(encrypted=True)
        self.facts: dict[str, Any] = {
            "version": pgbr.version(),
            "stanza": self.repo.stanza,
            "repository": str(self.repo.repo),
            "cipher": self.repo.cipher_type,
            "backups": [],
        }
        drill.facts["pgbackrest"] = self.facts

    def archive_settings(self) -> dict[str, str]:
        return {
            "wal_level": "replica",
            "archive_mode": "on",
            "archive_command": self.repo.archive_command,
        }

    def _ran(self, key: str, run: pgbr.Run) -> bool:
        self.facts[key] = run.to_dict()
        return run.ok

    def attach(self, primary: Instance) -> None:
        """The stanza on the primary: ``stanza-create`` then ``check`` (WAL reaches the repo)."""
        self.repo.attach(primary)
        for command in ("stanza-create", "check"):
            run = self.repo.run(command, timeout=180)
            if not self._ran(command, run):
                self.drill.fail(
                    Check.PGBACKREST_STANZA, f"{command} on {self.repo.stanza}", run.describe()
                )
                return

    def backup(self, kind: str) -> bool:
        """A ``full`` or ``incr`` backup; its label recorded."""
        run = self.repo.backup(kind)
        self.facts["backups"].append(run.to_dict() | {"type": kind})
        if not run.ok:
            self.drill.fail(
                Check.PGBACKREST_BACKUP, f"{kind} of {self.repo.stanza}", run.describe()
            )
            return False
        self.facts["labels"] = self.repo.labels()
        if kind == "full":  # checked at once, as pg_verifybackup checks golive's base backup
            run, damage = self.repo.verify()
            self.facts["verify_after_full"] = run.to_dict()
            if damage:
                found = "pgbackrest verify found damage: " + "; ".join(damage[:10])
                self.drill.fail(Check.PGBACKREST_VERIFIED, self.repo.stanza, found)
                return False
        return True

    def wait_archived(self, segment: str) -> bool:
        return self.repo.wait_archived(segment, ARCHIVE_WAIT_SECONDS)

    def archive_past(self, primary: Instance) -> None:
        """Before the disaster: the WAL written since the recovery point switched and pushed,
        what ``archive_timeout`` guarantees in production. Recovery to a time stops at the
        first commit after it, and refuses to end without one: an empty transaction commits
        (a commit record, no data) in case no customer's did since the recovery point."""
        primary.execute("SELECT pg_current_xact_id()")
        row = primary.execute("SELECT pg_walfile_name(pg_switch_wal())")
        segment = str(row[0][0])
        if not self.wait_archived(segment):
            self.drill.fail(
                Check.WAL_ARCHIVED, segment,
                f"not in the pgBackRest repository {ARCHIVE_WAIT_SECONDS:g} s after the switch: "
                "archive-push is broken",
            )  # fmt: skip

    def lose_segment(self) -> str:
        """Delete the first archived segment after the newest backup ends."""
        labels = self.repo.labels()
        if not labels:
            raise AssertionError("no pgBackRest backup to lose a WAL segment after")
        return self.repo.lose_segment_after(str(labels[-1]["wal_stop"]))

    def corrupt_backup_file(self) -> str:
        label, path = self.repo.corrupt_backup_file()
        self.drill.notes.append(f"backup file {path.name} of backup {label} was damaged")
        return label

    def forget_passphrase(self) -> None:
        self.repo.forget_passphrase()
        self.drill.notes.append("the configuration the restore reads was given a wrong passphrase")

    # -- before and during the restore -------------------------------------------------------
    def repository_sound(self, target: float | None, target_lsn: int | None) -> bool:
        """Readable, an archive with no gap up to the recovery point, every file verified."""
        d, stanza = self.drill, self.repo.stanza
        run, backups, wrong = self.repo.info()
        self._ran("info", run)
        if wrong:
            why = (
                f" The repository is encrypted ({self.facts['cipher']}) and its info files do "
                "not decrypt with the configured passphrase (repo1-cipher-pass): the passphrase "
                "is wrong, or the files are damaged."
                if run.ok and self.repo.cipher_type != "none"
                else ""
            )
            d.fail(Check.PGBACKREST_READABLE, f"stanza {stanza}",
                   f"pgbackrest info: {wrong}.{why} Nothing was restored.")  # fmt: skip
            return False
        self.facts["labels"] = self.repo.labels()
        usable = [b for b in backups if target is None or b["timestamp"]["stop"] <= target]
        if not usable:
            d.fail(Check.BACKUP_BEFORE_TARGET, f"stanza {stanza}",
                   "no backup in the repository ended before the recovery target. "
                   "Nothing was restored.")  # fmt: skip
            return False
        first = str(usable[-1]["archive"]["start"])
        last = None if target_lsn is None else segment_name(int(first[:8], 16), target_lsn - 1)
        missing = self.repo.missing_segments(first, last)
        if missing:
            d.fail(
                Check.WAL_ARCHIVE_COMPLETE, ", ".join(missing[:5]),
                f"{len(missing)} WAL segment(s) between backup {usable[-1]['label']} and the "
                "recovery target are missing from the pgBackRest repository's archive. Replay "
                "would stop at the gap and lose every later transaction. Nothing was restored.",
            )  # fmt: skip
            return False
        run, damage = self.repo.verify()
        self._ran("verify", run)
        if damage:
            d.fail(
                Check.PGBACKREST_VERIFIED, f"stanza {stanza}",
                "pgbackrest verify found damage: " + "; ".join(damage[:10])
                + ". Nothing was restored.",
            )  # fmt: skip
            return False
        return True

    def restore(
        self,
        target: float | None,
        target_lsn: int | None,
        *,
        name: str | None = None,
        made_at: float | None = None,
    ) -> Path | None:
        """``pgbackrest restore`` into a new data directory, when the repository is sound:
        ``--type=time`` to ``target``, ``--type=name`` to the restore point ``name`` (made at
        ``made_at``, when known), else the latest. None after a finding."""
        if not self.repository_sound(target if name is None else made_at, target_lsn):
            return None
        if target is not None:
            self.facts["recovery_target"] = {"type": "time", "time": pgbr.target_time(target)}
            self.facts["recovery_target_time"] = pgbr.target_time(target)
        elif name is not None:
            self.facts["recovery_target"] = {"type": "name", "name": name}
        else:
            self.facts["recovery_target"] = {"type": "latest"}
        run, dest = self.repo.restore(target=target, name=name)
        if not self._ran("restore", run):
            self.drill.fail(Check.PGBACKREST_RESTORES, self.repo.stanza,
                            run.describe())  # fmt: skip
            return None
        return dest

    def close(self) -> None:
        self.repo.close()
