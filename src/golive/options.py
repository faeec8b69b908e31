"""Command-line values every command shares: typer parsers, and checks made up front.

A parser (typer ``parser=``) refuses a value as it is read: "Invalid value for '--out': …".
A check refuses an input before the command touches anything (ConfigError). Either way
golive exits 2 with one line and nothing written.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from golive.errors import ConfigError


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def path_value(value: str | Path) -> Path:
    """A path that is not the empty string (typer would turn ``''`` into ``.``, the cwd)."""
    if isinstance(value, Path):  # a default, already a path
        return value
    if not value.strip():
        raise typer.BadParameter("is empty; name a file or folder (use . for this folder)")
    return Path(value)


def port_value(value: str | int) -> int:
    """A TCP port: a whole number from 0 (any free port) to 65535."""
    try:
        port = int(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a port number (0-65535)") from None
    if not 0 <= port <= 65535:
        raise typer.BadParameter(f"{port} is not a port number (0-65535)")
    return port


def check_out_dir(
    out: Path, flag: str = "--out", fix: str = "name a folder for the run folders"
) -> Path:
    """``out`` as an absolute path: a writable folder, or one that can be created.

    Nothing is created here; the caller creates it once every check has passed.
    """
    path = Path(os.path.abspath(out))
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        where = "is a file" if existing == path else f"cannot be created: {existing} is a file"
        raise ConfigError(f"{flag} {str(out)!r} {where}, not a folder. Fix: {fix}")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ConfigError(
            f"{flag} {str(out)!r} is not writable here ({existing} belongs to someone else or "
            "is read-only). Fix: name a folder you can write to"
        )
    return path


def is_dsn(spec: str) -> bool:
    return spec.startswith(("postgresql://", "postgres://")) or "host=" in spec


def check_dsn(
    dsn: str, flag: str = "--postgres", *, createdb: bool = True, connect: bool = True
) -> None:
    """The DSN parses, its port is a number, and (``connect``) its user can log in (and
    create databases)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    example = "e.g. postgresql://user:password@127.0.0.1:5432/postgres"
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error as exc:
        raise ConfigError(
            f"{flag}: not a valid Postgres DSN ({one_line(exc)}). Fix: {example}"
        ) from None
    port = str(params.get("port") or "5432")
    if not all(p.isdigit() and 0 < int(p) < 65536 for p in port.split(",")):
        raise ConfigError(
            f"{flag}: the DSN's port {port!r} is not a port number (1-65535). Fix: {example}"
        )
    if not connect:
        return
    host, user = params.get("host") or "localhost", params.get("user") or "(your login name)"
    try:
        with psycopg.connect(dsn, connect_timeout=5) as conn:
            row = conn.execute(
                "SELECT rolsuper OR rolcreatedb FROM pg_roles WHERE rolname = current_user"
            ).fetchone()
    except psycopg.Error as exc:
        raise ConfigError(
            f"{flag}: cannot connect to Postgres at {host}:{port} as {user!r}: "
            f"{one_line(exc)} Fix: check host, port, user and password in {flag}"
        ) from None
    if createdb and not (row and row[0]):
        raise ConfigError(
            f"{flag}: Postgres user {user!r} at {host}:{port} may not create databases, and "
            f"golive makes its own. Fix: ALTER ROLE {user} CREATEDB, or use --postgres docker"
        )


def check_http_url(url: str, flag: str) -> str:
    """An http(s) URL with a host (the base URL of a platform or PSP), without a trailing /."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"{flag} {url!r} is not an http(s) URL with a host. Fix: e.g. {flag} "
            "http://127.0.0.1:8000"
        )
    return url.rstrip("/")
