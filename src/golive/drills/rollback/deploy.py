"""Deploying and rolling back releases of the embedded platform, the way a release runs.

Upgrade: migrate the schema (the old app runs on the new schema), then switch the app.
Rollback: switch the app back (it still runs on the new schema), then downgrade the schema.
Migrations run under the deploy policy's lock timeout (``PGOPTIONS``), as production
deploys do, so a migration that meets a lock fails instead of stalling the platform.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from golive.drills.rollback.drill import RollbackAction
from golive.drills.rollback.plan import ReleasePlan
from golive.drills.rollback.schema import MIGRATION_APP_NAME
from golive.errors import PlatformFault
from golive.stack import EmbeddedPlatform
from golive.stack.embedded import MODULE
from golive.target import Target


class MigrationFailed(PlatformFault):
    """The platform's migration command failed; ``output`` holds the end of its stderr."""

    def __init__(self, message: str, output: str) -> None:
        super().__init__(message)
        self.output = output


class WrongRelease(PlatformFault):
    """After a deploy step the platform does not report the release it should run."""


def run_migration(dsn: str, schema: str, *, lock_timeout_s: float, timeout_s: float = 300) -> str:
    """``python -m refbank migrate --to SCHEMA`` with the deploy's lock timeout; its stdout."""
    env = os.environ.copy()  # passed through unchanged, the platform's own settings included
    ms = max(1, int(lock_timeout_s * 1000))
    env["PGOPTIONS"] = f"{env.get('PGOPTIONS', '')} -c lock_timeout={ms}".strip()
    env["PGAPPNAME"] = MIGRATION_APP_NAME  # so a watcher can see its locks
    argv = [sys.executable, "-m", MODULE, "migrate", "--dsn", dsn, "--to", schema]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout_s, env=env)
    if out.returncode != 0:
        tail = out.stderr.strip()[-1500:]
        last = tail.splitlines()[-1] if tail else f"exit {out.returncode}"
        raise MigrationFailed(f"migration to schema {schema} failed: {last}", tail)
    return out.stdout.strip()


@dataclass
class Deployment:
    """One embedded platform whose app and schema a drill switches."""

    platform: EmbeddedPlatform
    client: Target
    dsn: str = field(repr=False)  # never in logs or Allure parameters
    lock_timeout_s: float = 3.0
    # run while the app is down during a switch (a drill's PSP deliveries, for instance)
    during_downtime: list[Callable[[], None]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def version(self) -> dict[str, Any]:
        return asdict(self.client.version())

    def migrate(self, schema: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        out = run_migration(self.dsn, schema, lock_timeout_s=self.lock_timeout_s)
        self.timings[f"migrate to {schema}"] = time.perf_counter() - t0
        return {"migration": out}

    def switch_app(self, version: str) -> dict[str, Any]:
        """Stop the app, let the downtime hooks run, start ``version``; no-op if it runs."""
        if self.platform.running and self.platform.app_version == version:
            return {"app": f"already release {version}"}
        t0 = time.perf_counter()
        self.platform.stop()
        for hook in list(self.during_downtime):
            hook()
        self.platform.app_version = version
        self.platform.start()
        self.timings[f"switch app to {version}"] = time.perf_counter() - t0
        return {"app": f"release {version}"}

    def expect(self, *, app: str | None = None, schema: str | None = None) -> dict[str, Any]:
        """The platform reports this app and schema version, or WrongRelease."""
        seen = self.version()
        want = {"app_version": app, "schema_version": schema}
        wrong = {k: v for k, v in want.items() if v is not None and str(seen.get(k)) != v}
        if wrong:
            raise WrongRelease(f"the platform reports {seen!r}, expected {wrong!r}")
        return seen

    # -- the release and its rollback, as drill activities ---------------------------------
    def upgrade(self, plan: ReleasePlan) -> dict[str, Any]:
        """Migrate to the new release's schema, then switch the app to it."""
        out = self.migrate(plan.new.schema)
        out |= self.switch_app(plan.new.version)
        return out | self.expect(app=plan.new.version, schema=plan.new.schema)

    def rollback_actions(self, plan: ReleasePlan) -> list[RollbackAction]:
        """Registered in this order, run in reverse: switch the app back, then downgrade."""
        prev, schema = plan.previous.version, plan.rollback_schema
        return [
            RollbackAction(f"downgrade the schema to {schema}", lambda: self._downgrade(schema)),
            RollbackAction(f"switch the app back to release {prev}", lambda: self._back(prev)),
        ]

    def _back(self, version: str) -> dict[str, Any]:
        return self.switch_app(version) | self.expect(app=version)

    def _downgrade(self, schema: str) -> dict[str, Any]:
        return self.migrate(schema) | self.expect(schema=schema)
