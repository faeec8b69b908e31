"""The inputs of the restore drills, typed: pytest options that `golive drill restore` sets.

An operator's existing backup (``--restore-dump``, ``--restore-basebackup`` with
``--restore-wal-archive``, or ``--restore-pgbackrest-config`` with ``--restore-stanza`` and a
target time or restore point name), whether the canary runs on it, and the reference
platform's version the canary uses. Without a backup the run is the drills' own.
Registered by the root conftest; read with ``RestoreOptions.of(config)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from golive.errors import ConfigError

DUMP, BASEBACKUP, WAL_ARCHIVE = "--restore-dump", "--restore-basebackup", "--restore-wal-archive"
PGBACKREST_CONFIG, STANZA = "--restore-pgbackrest-config", "--restore-stanza"
TARGET_TIME, TARGET_NAME = "--restore-target-time", "--restore-target-name"
NO_CANARY, APP_VERSION = "--restore-no-canary", "--restore-app-version"
EXISTING = (DUMP, BASEBACKUP, PGBACKREST_CONFIG)  # the options that name an operator's backup


@dataclass(frozen=True)
class RestoreOptions:
    """What one run of the restore drills restores, to which target, and how it checks it."""

    dump: Path | None = None
    basebackup: Path | None = None
    wal_archive: Path | None = None
    pgbackrest_config: Path | None = None
    stanza: str | None = None
    target_time: float | None = None  # seconds since the epoch
    target_name: str | None = None  # a restore point (pg_create_restore_point)
    canary: bool = True
    app_version: str | None = None  # None: the run's --platform-version

    @property
    def operator(self) -> bool:
        """An operator's existing backup is named: only the operator scenario runs."""
        return any(x is not None for x in (self.dump, self.basebackup, self.pgbackrest_config))

    @property
    def kind(self) -> str:
        """dump, basebackup or repository; ConfigError unless exactly one backup is named."""
        given = (("dump", self.dump), ("basebackup", self.basebackup),
                 ("repository", self.pgbackrest_config))  # fmt: skip
        named = [kind for kind, value in given if value is not None]
        if len(named) != 1:
            raise ConfigError(
                "name exactly one backup (golive drill restore --dump FILE | --basebackup DIR "
                "| --pgbackrest-config FILE --stanza NAME)"
            )
        return named[0]

    def pytest_args(self) -> list[str]:
        """These options on a pytest command line (what `golive drill restore` passes)."""
        given = [
            (DUMP, self.dump), (BASEBACKUP, self.basebackup), (WAL_ARCHIVE, self.wal_archive),
            (PGBACKREST_CONFIG, self.pgbackrest_config), (STANZA, self.stanza),
            (TARGET_TIME, None if self.target_time is None else repr(self.target_time)),
            (TARGET_NAME, self.target_name), (APP_VERSION, self.app_version),
        ]  # fmt: skip
        # FLAG=VALUE: a value that starts with "-" (a restore point's name can) stays a value
        args = [f"{flag}={value}" for flag, value in given if value is not None]
        return args + ([] if self.canary else [NO_CANARY])

    @classmethod
    def of(cls, config: pytest.Config) -> RestoreOptions:
        """The options of this pytest run."""

        def path(flag: str) -> Path | None:
            value = config.getoption(flag)
            return Path(value) if value else None

        when = config.getoption(TARGET_TIME)
        return cls(
            dump=path(DUMP),
            basebackup=path(BASEBACKUP),
            wal_archive=path(WAL_ARCHIVE),
            pgbackrest_config=path(PGBACKREST_CONFIG),
            stanza=config.getoption(STANZA) or None,
            target_time=float(when) if when else None,
            target_name=config.getoption(TARGET_NAME) or None,
            canary=not config.getoption(NO_CANARY),
            app_version=config.getoption(APP_VERSION) or None,
        )


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("golive restore drills")
    for flag, what in (
        (DUMP, "an operator's pg_dump -Fc archive to restore"),
        (BASEBACKUP, "an operator's plain-format base backup folder to restore"),
        (WAL_ARCHIVE, "the WAL archive replayed after --restore-basebackup"),
        (PGBACKREST_CONFIG, "the pgbackrest.conf of an operator's repository (read-only)"),
        (STANZA, "the stanza of --restore-pgbackrest-config"),
        (TARGET_TIME, "restore the repository to this time (seconds since the epoch)"),
        (TARGET_NAME, "restore the repository to this restore point"),
        (APP_VERSION, "the reference platform version the canary runs on the backup"),
    ):
        group.addoption(flag, default=None, help=what)
    group.addoption(
        NO_CANARY, action="store_true", default=False,
        help="no canary money loop on the restored backup",
    )  # fmt: skip


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)
