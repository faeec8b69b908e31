"""What a rollback drill deploys and returns to, and where it may do it.

Checked before anything is touched; every problem here is a ``ConfigError`` (exit 2):
a release that does not exist, a schema the release does not run on, a database that
golive did not create and nobody marked disposable (``UnsafeTarget``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal

import psycopg

from golive.errors import ConfigError, TargetUnreachable, UnsafeTarget


@dataclass(frozen=True)
class Release:
    """An app version, the schema it ships with, and the schemas it runs on."""

    version: str
    schema: str
    runs_on: tuple[str, ...]


# The embedded reference platform's releases (docs/platform.md): v2's schema only adds to
# v1's, so app 1 runs on schema 1 and 2, and app 2 refuses schema 1.
EMBEDDED_RELEASES: dict[str, Release] = {
    "1": Release("1", "1", ("1", "2")),
    "2": Release("2", "2", ("2",)),
}
SCHEMAS = ("0", "1", "2")  # 0: never migrated

DISPOSABLE_MARK = "golive:disposable"  # COMMENT ON DATABASE … IS 'golive:disposable'


@dataclass(frozen=True)
class ReleasePlan:
    """Deploy ``new`` over ``previous``, then roll back to ``previous`` on ``rollback_schema``."""

    previous: Release
    new: Release
    rollback_schema: str

    def describe(self) -> str:
        return (
            f"release {self.new.version} (schema {self.new.schema}) over release "
            f"{self.previous.version} (schema {self.previous.schema}), rolled back to release "
            f"{self.previous.version} on schema {self.rollback_schema}"
        )


def plan_release(
    previous: str = "1",
    new: str = "2",
    *,
    rollback_schema: str | None = None,
    releases: dict[str, Release] | None = None,
) -> ReleasePlan:
    """The plan for one drill, or ConfigError naming the bad value and the good ones."""
    releases = EMBEDDED_RELEASES if releases is None else releases
    known = ", ".join(sorted(releases))
    for role, version in (("rollback target", previous), ("new", new)):
        if version not in releases:
            raise ConfigError(
                f"the {role} release {version!r} does not exist: the platform has releases "
                f"{known}. Fix: choose one of them (golive drill rollback --to/--from)"
            )
    order = list(releases)
    if order.index(new) <= order.index(previous):
        raise ConfigError(
            f"release {new!r} is not newer than release {previous!r}: a rollback drill deploys "
            "the newer release and returns to the older one. Fix: swap --from and --to"
        )
    prev, nxt = releases[previous], releases[new]
    schema = prev.schema if rollback_schema is None else rollback_schema
    if schema not in SCHEMAS:
        raise ConfigError(
            f"schema {schema!r} does not exist: the platform has schemas {', '.join(SCHEMAS)}"
        )
    if schema not in prev.runs_on:
        raise ConfigError(
            f"release {previous} does not run on schema {schema!r} (it runs on schema "
            f"{', '.join(prev.runs_on)}): rolling back to it there would leave the platform "
            "down. Fix: pick one of those schemas, or leave --schema out"
        )
    if prev.schema not in nxt.runs_on and nxt.schema not in prev.runs_on:
        raise ConfigError(
            f"releases {previous} and {new} share no schema, so there is no order in which "
            "to switch the app and migrate without downtime the drill can roll back"
        )
    return ReleasePlan(prev, nxt, schema)


TargetOrigin = Literal["created", "given"]


def ensure_disposable(dsn: str, origin: TargetOrigin) -> None:
    """Refuse a destructive drill on a database golive did not create, unless it is marked.

    A database golive created (a template clone) is disposable. Any other must carry the
    comment ``golive:disposable`` (set by whoever owns it). Read-only: nothing is changed.
    """
    if origin == "created":
        return
    name = _database_name(dsn)
    try:
        with psycopg.connect(dsn, connect_timeout=5, autocommit=True) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()
    except psycopg.OperationalError as exc:
        raise TargetUnreachable(
            f"cannot connect to the drill database {name!r}: {str(exc).strip()[:300]}. Fix: "
            "check the DSN, or leave --database out so golive creates its own"
        ) from None
    comment = (row[0] if row else None) or ""
    if DISPOSABLE_MARK not in str(comment):
        raise UnsafeTarget(
            f"refusing to run a rollback drill on database {name!r}: golive did not create it "
            f"and it is not marked disposable (its comment is {comment!r}). A drill migrates, "
            "downgrades and writes money into it. Fix: leave --database out so golive creates "
            "a disposable one, or, only if its loss is acceptable, mark it with "
            f"COMMENT ON DATABASE {name} IS '{DISPOSABLE_MARK}'"
        )


def _database_name(dsn: str) -> str:
    from psycopg.conninfo import conninfo_to_dict

    try:
        params = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise ConfigError(f"the drill database DSN is not valid: {exc}") from None
    return str(params.get("dbname") or os.environ.get("PGDATABASE") or params.get("user") or "?")
