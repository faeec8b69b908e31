"""``[target.operations]``: the configured operations of one target, checked before any runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.errors import ConfigError, Inconclusive
from golive.evidence.redact import Redactor
from golive.operations.catalog import CATALOG
from golive.operations.command import Command, parse_command
from golive.operations.runner import OperationResult, run_command


class OperationNotConfigured(Inconclusive):
    """A drill needs an operation the target's configuration does not give."""


@dataclass(frozen=True)
class Operations:
    """The operations a target's configuration gives; commands run in ``cwd``."""

    commands: Mapping[str, Command] = field(default_factory=dict)
    cwd: Path | None = None  # the folder holding the configuration file

    def __contains__(self, name: object) -> bool:
        return name in self.commands

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(sorted(self.commands))

    def missing(self, *names: str) -> tuple[str, ...]:
        """Those of ``names`` that are not configured, in the order asked."""
        return tuple(n for n in names if n not in self.commands)

    @staticmethod
    def not_drilled(name: str) -> str:
        """Why a drill that needs ``name`` was skipped."""
        return f"not drilled: no `{name}` operation configured"

    def run(
        self,
        name: str,
        values: Mapping[str, object] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        redactor: Redactor | None = None,
    ) -> OperationResult:
        """Run the operation ``name``; OperationNotConfigured when the target has none."""
        if name not in CATALOG:
            raise ValueError(f"{name!r} is not an operation; known: {', '.join(sorted(CATALOG))}")
        command = self.commands.get(name)
        if command is None:
            raise OperationNotConfigured(self.not_drilled(name))
        return run_command(command, values or {}, cwd=self.cwd, env=env, redactor=redactor)


def parse_operations(
    table: Any, *, cwd: Path | None = None, where: str = "target.operations"
) -> Operations:
    """Check every operation of ``table`` (the parsed TOML table); ConfigError on the first
    unknown name, unknown placeholder or needed placeholder left out."""
    if not isinstance(table, dict):
        raise ConfigError(
            f'{where} must be a table, not {table!r}; write [{where}] with lines like deploy = "…"'
        )
    commands = {name: parse_command(name, value, where=where) for name, value in table.items()}
    return Operations(commands, cwd)
