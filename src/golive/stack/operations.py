"""golive's operations for the embedded reference platform: `golive platform …` on a state folder.

The embedded target is driven exactly like an external one (docs/operations-hooks.md): the
drills and steps run these commands by name, as they run the ones of ``[target.operations]``.
They are what examples/external-refbank/golive.toml configures, with the state folder given.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from golive.operations import Operations, parse_operations

MIGRATE_TIMEOUT_S = 600
# altered last by refbank's schema-2 migration (its [target] migration_lock_table)
REFBANK_LOCK_TABLE = "settings"
BACKUP_TIMEOUT_S = 1800


def _literal(word: str) -> str:
    """``word`` as one argv word that no placeholder is read in."""
    return shlex.quote(word).replace("{", "{{").replace("}", "}}")


def refbank_operations(state: Path) -> Operations:
    """Every operation of refbank run as a service whose state folder is ``state``."""
    cmd = f"{_literal(sys.executable)} -m golive platform"
    at = f"--state {_literal(str(state))}"
    table: dict[str, object] = {
        "deploy": f"{cmd} deploy {at} --release {{release}}",
        "migrate": {
            "argv": f"{cmd} migrate {at} --schema {{schema}} --lock-timeout-ms {{lock_timeout_ms}}",
            "timeout": MIGRATE_TIMEOUT_S,
        },
        "stop": f"{cmd} stop {at}",
        "start": f"{cmd} start {at}",
        "kill": f"{cmd} stop {at} --now",
        "set_webhook_secrets": f"{cmd} set-webhook-secrets {at} --file {{secrets_file}}",
        "use_database": f"{cmd} start {at} --dsn {{dsn}}",
        "backup": {"argv": f"{cmd} backup {at} --to {{backup}}", "timeout": BACKUP_TIMEOUT_S},
        "restore_into": {
            "argv": f"{cmd} restore-into --dsn {{dsn}} --from {{backup}}",
            "timeout": BACKUP_TIMEOUT_S,
        },
        "seed_balance": f"{cmd} seed-balance {at} --account {{account}} --amount {{amount}} "
        "--currency {currency}",
    }
    return parse_operations(table, cwd=state, where="embedded.operations")
