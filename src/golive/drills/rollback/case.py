"""One drill, ready to run on a stack: the target's API, its operations, books and journal.

The drill drives the platform only through its operations (``Stack.operations``: the
``[target.operations]`` of golive.toml, or golive's own for the embedded platform), so the
embedded and an external target take the same path. Before the drill starts, the platform is
brought to the previous release (a no-op when it runs it already); a drill whose operations
are not configured is not drilled (``OperationNotConfigured``, an Inconclusive).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.drills.gates import Sink
from golive.drills.memory import Memory
from golive.drills.rollback.book import Book
from golive.drills.rollback.deploy import DOWNTIME_OPERATIONS, RELEASE_OPERATIONS, Deployment
from golive.drills.rollback.drill import Drill
from golive.drills.rollback.money import InFlight, new_world
from golive.drills.rollback.plan import ReleasePlan
from golive.drills.rollback.probes import money_hypothesis
from golive.errors import ConfigError, Inconclusive
from golive.operations import OperationNotConfigured, Operations
from golive.stack import Stack
from golive.target import Target

# what each drill (its feature's tag) needs: operations, and whether the target's database
NEEDS: dict[str, tuple[tuple[str, ...], bool]] = {
    "release_rollback": (RELEASE_OPERATIONS, True),
    "failed_upgrade": (RELEASE_OPERATIONS, True),
    "webhooks_during_switch": ((*RELEASE_OPERATIONS, *DOWNTIME_OPERATIONS), False),
    "psp_failover": ((), False),
    "kill_switch": ((), False),
}
NEEDS_LOCK_TABLE = {"failed_upgrade"}  # drills that lock a table the migration alters


class NoDatabase(Inconclusive):
    """A drill reads the schema or holds a lock, and the target has no database configured."""


def not_drilled(
    drill: str, operations: Operations, database: str | None, lock_table: str = ""
) -> str | None:
    """Why ``drill`` cannot run on this target ("not drilled: …"), or None when it can."""
    names, needs_db = NEEDS.get(drill, (RELEASE_OPERATIONS, True))
    if missing := operations.missing(*names):
        return operations.not_drilled(missing[0])
    if needs_db and not database:
        return "not drilled: no [target] database configured (the drill reads its schema)"
    if drill in NEEDS_LOCK_TABLE and not lock_table:
        return (
            "not drilled: no [target] migration_lock_table configured (the table the new "
            "release's migration alters after others, which the drill locks)"
        )
    return None


@dataclass
class DrillCase:
    """What the steps of one drill share."""

    drill: Drill
    plan: ReleasePlan
    client: Target
    psp: PspOps
    deployment: Deployment
    book: Book
    dsn: str | None = field(repr=False)  # the target's database; never in logs or Allure
    lock_table: str = ""  # a table the new release's migration alters after others
    late_webhook_s: float = 3.0  # real seconds after which a confirmation is late
    flight: InFlight | None = None
    memory: Memory = field(default_factory=Memory)  # requests to retry after the change
    notes: dict[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)  # run when the drill ends

    def new_world(self) -> CanaryWorld:
        return new_world(self.client, self.psp, self.book)

    @property
    def database(self) -> str:
        """The target's database, which the schema checks read; NoDatabase when none."""
        if not self.dsn:
            raise NoDatabase("not drilled: no [target] database configured")
        return self.dsn


@contextlib.contextmanager
def open_drill(
    name: str,
    title: str,
    *,
    stack: Stack,
    plan: ReleasePlan,
    target_seconds: float,
    lock_timeout_s: float,
    late_webhook_s: float = 3.0,
    sink: Sink | None = None,
    client_hooks: dict[str, list[Callable[..., Any]]] | None = None,
) -> Iterator[DrillCase]:
    """A drill on ``stack``'s platform, brought to the previous release; closed at the end.

    OperationNotConfigured (before anything changed) when the platform runs another release
    and the operations to bring it to the previous one are not configured."""
    if target_seconds <= 0:
        raise ConfigError(f"[drills] rollback_seconds = {target_seconds!r} must be positive")
    client = stack.open_target(event_hooks=client_hooks)
    psp = PspOps(stack.psp_url)
    try:
        psp.clear_faults()
        deployment = Deployment(
            stack.operations, client, stack.platform_url, lock_timeout_s=lock_timeout_s
        )
        seen = deployment.version()
        if (str(seen.get("app_version")), str(seen.get("schema_version"))) != (
            plan.previous.version,
            plan.previous.schema,
        ) and (missing := stack.operations.missing(*RELEASE_OPERATIONS)):
            raise OperationNotConfigured(stack.operations.not_drilled(missing[0]))
        book, memory = Book(), Memory()
        drill = Drill(
            name, title, money_hypothesis(client, book, memory), target_seconds=target_seconds,
            sink=sink,
        )  # fmt: skip
        drill.journal.context = {"plan": plan.describe(), "lock_timeout_s": lock_timeout_s}
        case = DrillCase(
            drill, plan, client, psp, deployment, book, stack.database_dsn,
            lock_table=stack.lock_table, late_webhook_s=late_webhook_s, memory=memory,
        )  # fmt: skip
        try:
            drill.act(
                f"bring the platform to release {plan.previous.version}",
                lambda: deployment.bring_to(plan.previous),
            )
            yield case
        finally:
            try:
                drill.journal.context["timings_s"] = dict(deployment.timings)
                drill.journal.context["operations"] = [r.to_dict() for r in deployment.results]
                drill.close()
            finally:
                for cleanup in reversed(case.cleanups):
                    cleanup()
    finally:
        with contextlib.suppress(Exception):
            psp.clear_faults()
        client.close()
        psp.close()
