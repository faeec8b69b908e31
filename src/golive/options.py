"""Parsers for command-line values that every command shares (used as typer ``parser=``).

A value refused here is a usage error before anything runs: typer reports it as
"Invalid value for '--out': …" and golive exits 2.
"""

from __future__ import annotations

from pathlib import Path

import typer


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
