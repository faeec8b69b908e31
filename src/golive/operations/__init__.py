"""Operations hooks: what only the platform's own tooling can do, run as commands.

A target's ``[target.operations]`` table names commands (argv strings with placeholders
such as ``{release}``) for the operations the drills need: deploy, migrate, stop, start,
kill, set_webhook_secrets, backup, restore_into, use_database, seed_balance.
docs/operations-hooks.md.
"""

from __future__ import annotations

from golive.operations.catalog import CATALOG, OperationSpec, Placeholder
from golive.operations.command import DEFAULT_TIMEOUT_S, Command, parse_command
from golive.operations.runner import (
    OperationFailed,
    OperationResult,
    OperationTimedOut,
    run_command,
)
from golive.operations.secrets import SecretsFile, read_secrets_file, write_secrets_file
from golive.operations.table import OperationNotConfigured, Operations, parse_operations

__all__ = [
    "CATALOG",
    "DEFAULT_TIMEOUT_S",
    "Command",
    "OperationFailed",
    "OperationNotConfigured",
    "OperationResult",
    "OperationSpec",
    "OperationTimedOut",
    "Operations",
    "Placeholder",
    "SecretsFile",
    "parse_command",
    "parse_operations",
    "read_secrets_file",
    "run_command",
    "write_secrets_file",
]
