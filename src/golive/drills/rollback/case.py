"""One drill, ready to run: its own database, PSP stub and platform, books and journal.

Every drill gets a database golive created (or one marked disposable) at the previous
release's schema, and its own platform, so switching releases touches nothing else.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.drills.rollback.book import Book
from golive.drills.rollback.deploy import Deployment, run_migration
from golive.drills.rollback.drill import Drill, Sink
from golive.drills.rollback.money import InFlight, new_world
from golive.drills.rollback.plan import ReleasePlan, TargetOrigin, ensure_disposable, plan_release
from golive.drills.rollback.probes import money_hypothesis
from golive.errors import ConfigError
from golive.stack import embedded_stack
from golive.target import Target, open_target

ENV_FROM, ENV_TO, ENV_SCHEMA = (
    "GOLIVE_ROLLBACK_FROM",
    "GOLIVE_ROLLBACK_TO",
    "GOLIVE_ROLLBACK_SCHEMA",
)
ENV_DATABASE = "GOLIVE_DRILL_DATABASE"  # run the drills on this (disposable) database


@dataclass
class DrillCase:
    """What the steps of one drill share."""

    drill: Drill
    plan: ReleasePlan
    client: Target
    psp: PspOps
    deployment: Deployment
    book: Book
    dsn: str = field(repr=False)  # never in logs or Allure parameters
    late_webhook_s: float = 3.0  # real seconds after which a confirmation is late
    flight: InFlight | None = None
    notes: dict[str, Any] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)  # run when the drill ends

    def new_world(self) -> CanaryWorld:
        return new_world(self.client, self.psp, self.book)


def plan_from_env(env: dict[str, str] | None = None) -> ReleasePlan:
    """The release plan of ``golive drill rollback`` (its options travel as environment)."""
    env = dict(os.environ if env is None else env)
    return plan_release(
        env.get(ENV_TO, "1"), env.get(ENV_FROM, "2"), rollback_schema=env.get(ENV_SCHEMA) or None
    )


def given_database(env: dict[str, str] | None = None) -> str | None:
    env = dict(os.environ if env is None else env)
    return env.get(ENV_DATABASE) or None


def prepare_database(dsn: str, origin: TargetOrigin, plan: ReleasePlan) -> None:
    """Refuse an unsafe database; bring a given one to the previous release's schema."""
    ensure_disposable(dsn, origin)
    if origin == "given":
        run_migration(dsn, plan.previous.schema, lock_timeout_s=30)


@contextlib.contextmanager
def open_drill(
    name: str,
    title: str,
    *,
    plan: ReleasePlan,
    dsn: str,
    target_seconds: float,
    lock_timeout_s: float,
    late_webhook_s: float = 3.0,
    log_dir: Path | None = None,
    sink: Sink | None = None,
    client_hooks: dict[str, list[Callable[..., Any]]] | None = None,
) -> Iterator[DrillCase]:
    """Start the PSP stub and the previous release on ``dsn``; close the drill at the end."""
    if target_seconds <= 0:
        raise ConfigError(f"[drills] rollback_seconds = {target_seconds!r} must be positive")
    with embedded_stack(dsn, app_version=plan.previous.version, log_dir=log_dir) as stack:
        assert stack.platform is not None
        client = open_target(stack.platform_url, event_hooks=client_hooks)
        psp = PspOps(stack.psp_url)
        book = Book()
        drill = Drill(
            name, title, money_hypothesis(client, book), target_seconds=target_seconds, sink=sink
        )
        drill.journal.context = {"plan": plan.describe(), "lock_timeout_s": lock_timeout_s}
        deployment = Deployment(stack.platform, client, dsn, lock_timeout_s=lock_timeout_s)
        case = DrillCase(
            drill, plan, client, psp, deployment, book, dsn, late_webhook_s=late_webhook_s
        )
        try:
            yield case
        finally:
            try:
                drill.journal.context["timings_s"] = dict(deployment.timings)
                drill.close()
            finally:
                for cleanup in reversed(case.cleanups):
                    cleanup()
                client.close()
                psp.close()
