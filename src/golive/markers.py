"""Every pytest marker golive uses, with what it means: the one registry.

Gherkin tags become marks (pytest-bdd), and golive's settings refuse an unknown mark
(``--strict-markers``), so a new tag is added here. The suite's conftest.py loads this module
as a plugin; its ``pytest_configure`` registers each marker once (``pytest --markers``).
A project's own tags are registered by golive.run.suites.ProjectPlugin.
"""

from __future__ import annotations

import pytest

MARKERS: dict[str, str] = {
    # golive's own tests
    "docker": "needs a Docker engine and the Postgres image (GOLIVE_REQUIRE_DOCKER=1 turns a "
    "skip into a failure)",
    "slow": "long-running integration test",
    "chromium": "needs headless Chromium",
    # promise tags (@P-idem-1) become promise("P-idem-1"): golive.promises.plugin
    "promise(id)": "checks this promise of the platform contract (docs/promises.md)",
    # features/canary and features/webhooks
    "canary": "canary money loop features",
    "money_loop": "the end-to-end money loop",
    "payout_failure": "a failed payout refunds the wallet",
    "deposit_failure": "a declined deposit credits nothing",
    "guards": "money guards (refusals move nothing)",
    "overdraft": "holds above the available balance",
    "double_burn": "a hold resolved twice",
    "currency": "currency mismatches",
    "idempotency": "retries with the same idempotency key",
    "slo": "SLO load phase and gates",
    "webhooks": "webhook delivery and verification",
    "duplicates": "duplicated webhook deliveries",
    "ordering": "out-of-order webhook deliveries",
    "retries": "PSP failures and retries",
    "platform_down": "the platform down during delivery",
    "signatures": "webhook signatures",
    "forged": "wrongly signed webhooks",
    "replay": "stale (replayed) webhooks",
    "rotation": "webhook secret rotation",
    # features/contract
    "contract": "scenarios of the HTTP contract itself (deselected with an adapter target)",
    # a target's operation a scenario needs: deselected where the target does not configure it
    "seed_balance": "needs the seed_balance operation (deselected, and listed as not checked, "
    "on a target without it)",
    # features/env
    "env": "environment readiness scenarios (features/env)",
    # features/hypercare
    "hypercare": "hypercare probe scenarios (features/hypercare)",
    "stuck_jobs": "stuck finance job scenarios",
    "reconciliation": "daily reconciliation scenarios",
    # features/rollback
    "rollback": "rollback drills",
    "release_rollback": "release and roll back with money in flight",
    "failed_upgrade": "a failed upgrade rolled back",
    "webhooks_during_switch": "PSP webhooks while the platform switches releases",
    "psp_failover": "failover to the secondary PSP and back",
    "kill_switch": "the withdrawal kill switch",
    # features/restore
    "restore": "database restore drills",
    "restore_operator": "restore of a backup named by `golive drill restore`",
    "restore_pgbackrest": "damage to a pgBackRest repository ([drills] backup_engine)",
    "restore_by_name": "recovery to the recovery point's name (pgbackrest restore --type=name)",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, what in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {what}")
