"""An operator's existing pgBackRest repository, used read-only by ``golive drill restore``.

golive reads the operator's configuration file and runs only ``info``, ``verify`` and
``restore`` (into a data directory of its own) against the repository, with lock, log and
spool folders of its own: nothing is written to the repository, nothing expired or deleted.
The restored server's ``archive-get`` runs with the same folders.
"""

from __future__ import annotations

import configparser
from pathlib import Path

from golive.drills.restore.pgbackrest import Repository, Run
from golive.errors import ConfigError

READ_ONLY = ("info", "verify", "restore")
DEFAULT_REPO = "/var/lib/pgbackrest"
MAX_RESTORE_POINT = 63  # bytes: Postgres's limit on a restore point's name


def read_config(path: Path) -> configparser.ConfigParser:
    """The operator's pgbackrest.conf; ConfigError (exit 2) naming the fix when unreadable."""
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(path.read_text())
    except OSError as exc:
        raise ConfigError(
            f"--pgbackrest-config {str(path)!r} cannot be read ({exc.strerror}); give the "
            "pgbackrest.conf of the repository to restore from"
        ) from None
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(
            f"--pgbackrest-config {str(path)!r} is not a pgBackRest configuration ({first})"
        ) from None
    return parser


class ExistingRepository(Repository):
    """An operator's stanza, read-only (``close()`` removes only golive's own folder)."""

    def __init__(self, config: Path, stanza: str) -> None:
        parser = read_config(config)
        super().__init__(stanza=stanza)
        self._existing = True
        self.config = self.restore_config = config.resolve()

        def setting(key: str, default: str) -> str:
            return parser.get(stanza, key, fallback="") or parser.get(
                "global", key, fallback=default
            )

        self.repo = Path(setting("repo1-path", DEFAULT_REPO))
        self.cipher_type = setting("repo1-cipher-type", "none")
        self.extra = [
            f"--lock-path={self.root / 'lock'}",
            f"--log-path={self.root / 'log'}",
        ]
        if self.repo.exists():  # run as the repository's owner, who can read it
            st = self.repo.stat()
            self.uid, self.gid = st.st_uid, st.st_gid
            self._own()

    def run(self, command: str, *args: str, timeout: float = 600) -> Run:
        if command not in READ_ONLY:
            raise AssertionError(f"pgbackrest {command} would write to the operator's repository")
        return super().run(command, *args, timeout=timeout)

    def write_config(self, *, cipher_pass: str | None = None, path: Path | None = None) -> None:
        if path is None and getattr(self, "_existing", False):
            raise AssertionError("the operator's configuration is never written")
        super().write_config(cipher_pass=cipher_pass, path=path)


def parse_target_time(text: str) -> float:
    """``--target-time`` (ISO 8601; UTC when it names no zone) → seconds since the epoch."""
    from datetime import UTC, datetime

    try:
        when = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(
            f"--target-time {text!r} is not a time; write ISO 8601, e.g. 2026-01-31 23:59:00+00:00"
        ) from None
    return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()


def check_target_name(name: str) -> str:
    """``--target-name``: a name pg_create_restore_point can have (1 to 63 bytes, printable,
    no quote); ConfigError (exit 2) otherwise. Whether the archive reaches it, the restore
    finds out (the drill fails naming it)."""
    size = len(name.encode())
    if not 0 < size <= MAX_RESTORE_POINT or not name.isprintable() or "'" in name:
        raise ConfigError(
            f"--target-name {name!r} is not a restore point name: give the name given to "
            f"pg_create_restore_point (1 to {MAX_RESTORE_POINT} bytes, printable, no quote)"
        )
    return name


def check_repository(config: Path, stanza: str, target_time: str | None) -> float | None:
    """Refuse (ConfigError, exit 2, nothing restored) a configuration that cannot be read, a
    stanza the repository does not hold, a path that is not a pgBackRest repository, a target
    time before the oldest backup ended or in the future. The target as epoch seconds."""
    import time

    target = parse_target_time(target_time) if target_time else None
    repo = ExistingRepository(config, stanza)
    try:
        run, backups, wrong = repo.info()
    finally:
        repo.close()
    if wrong or not run.ok:
        raise ConfigError(
            f"--stanza {stanza!r} in --pgbackrest-config {str(config)!r} (repository "
            f"{str(repo.repo)!r}) cannot be restored from: {wrong or run.describe()}. Fix: name "
            "a stanza that exists there (`pgbackrest info`), and a configuration whose "
            "repo1-path is a pgBackRest repository"
        )
    if not backups:
        raise ConfigError(f"stanza {stanza!r} holds no backup to restore; take one first")
    if target is not None:
        oldest = float(backups[0]["timestamp"]["stop"])
        if target < oldest:
            raise ConfigError(
                f"--target-time {target_time!r} is before the oldest backup of stanza "
                f"{stanza!r} ended ({backups[0]['label']}); give a later time"
            )
        if target > time.time():
            raise ConfigError(f"--target-time {target_time!r} is in the future; give a past time")
    return target
