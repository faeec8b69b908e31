"""Deploying and rolling back releases through the target's operations, the way a release runs.

Upgrade: migrate the schema (the old app runs on the new schema), then switch the app.
Rollback: switch the app back (it still runs on the new schema), then downgrade the schema.
Migrations run under the deploy policy's lock timeout (``{lock_timeout_ms}``), as production
deploys do, so a migration that meets a lock fails instead of stalling the platform.

Every operation goes through ``golive.operations`` (the ``deploy``, ``migrate`` and ``stop``
commands of ``[target.operations]``, or golive's own for the embedded platform), and every
run of one, failed or not, is kept for the drill's journal.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from golive.drills.rollback.drill import RollbackAction
from golive.drills.rollback.plan import Release, ReleasePlan
from golive.errors import PlatformFault
from golive.operations import OperationFailed, OperationResult, Operations
from golive.target import Target

# the operations each part of a drill runs
RELEASE_OPERATIONS = ("deploy", "migrate")  # an upgrade and its rollback
DOWNTIME_OPERATIONS = ("stop", "deploy")  # a switch with work done while the app is down


class WrongRelease(PlatformFault):
    """After a deploy step the platform does not report the release it should run."""


def migration_output(exc: BaseException) -> str:
    """What a failed migration said (its stderr and stdout tails), "" for another error."""
    if isinstance(exc, OperationFailed) and exc.result.name == "migrate":
        return f"{exc.result.stderr_tail}\n{exc.result.stdout_tail}"
    return ""


@dataclass
class Deployment:
    """The platform whose app and schema a drill switches, through its operations."""

    operations: Operations
    client: Target
    url: str  # the target's base URL, for the {url} placeholder
    lock_timeout_s: float = 3.0
    # run while the app is down during a switch (a drill's PSP deliveries, for instance)
    during_downtime: list[Callable[[], None]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    results: list[OperationResult] = field(default_factory=list)  # every operation run

    def version(self) -> dict[str, Any]:
        return asdict(self.client.version())

    def run(self, name: str, **values: object) -> dict[str, Any]:
        """Run the operation ``name``; its result is kept, and OperationFailed raised."""
        try:
            result = self.operations.run(name, values | {"url": self.url})
        except OperationFailed as exc:
            self.results.append(exc.result)
            raise
        self.results.append(result)
        return {"operation": name, "seconds": round(result.seconds, 3)}

    def migrate(self, schema: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        ms = max(1, int(self.lock_timeout_s * 1000))
        out = self.run("migrate", schema=schema, lock_timeout_ms=ms)
        self.timings[f"migrate to {schema}"] = time.perf_counter() - t0
        return {"migration": out}

    def switch_app(self, version: str) -> dict[str, Any]:
        """Switch the app to ``version`` (``deploy``); with downtime hooks, ``stop`` first,
        the hooks while it is down, then ``deploy``."""
        t0 = time.perf_counter()
        if self.during_downtime:
            self.run("stop")
            for hook in list(self.during_downtime):
                hook()
        self.run("deploy", release=version)
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

    def bring_to(self, release: Release) -> dict[str, Any]:
        """Run ``release`` on its own schema, from whatever runs now: the app first when it
        runs on the schema there is, else the schema first."""
        seen = self.version()
        app, schema = str(seen.get("app_version")), str(seen.get("schema_version"))
        if (app, schema) == (release.version, release.schema):
            return {"already": seen}
        if schema in release.runs_on:
            if app != release.version:
                self.switch_app(release.version)
            if schema != release.schema:
                self.migrate(release.schema)
        else:
            self.migrate(release.schema)
            if app != release.version:
                self.switch_app(release.version)
        return {"was": seen} | {"now": self.expect(app=release.version, schema=release.schema)}

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
