"""The rollback drills' fixtures: the stack each drill runs on, its plan and its results.

Every drill runs on the run's stack, whatever the target, and drives its platform through
the stack's operations (golive's own for the embedded platform). The release plan comes from the
typed options of `golive drill rollback --from/--to/--schema` (default: 2 over 1), the
rollback time target from [drills] rollback_seconds. The platform is returned to the release it
ran before the drills once they are done. A drill whose operations (or database)
the target lacks is skipped, "not drilled: …", and the verdict is INCONCLUSIVE. The rollback
matrix, with each drill's outcome, is attached to the evidence at the end of the session.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from golive.config import load_config
from golive.drills.rollback.case import (
    NEEDS,
    DrillCase,
    not_drilled,
    open_drill,
)
from golive.drills.rollback.deploy import RELEASE_OPERATIONS, Deployment
from golive.drills.rollback.matrix import Result, build_matrix, row_key
from golive.drills.rollback.options import RollbackOptions
from golive.drills.rollback.plan import EMBEDDED_RELEASES, Release, ReleasePlan
from golive.evidence import attach, record_metadata, transcript_hooks
from golive.operations import OperationNotConfigured
from golive.stack import Stack

HERE = Path(__file__).resolve().parent
SCENARIO = pytest.StashKey[tuple[str, str]]()
CASE = pytest.StashKey[DrillCase]()


def pytest_bdd_before_scenario(request: pytest.FixtureRequest, feature: Any, scenario: Any) -> None:
    request.node.stash[SCENARIO] = (str(feature.filename), str(scenario.name))


def pytest_bdd_step_error(
    request: pytest.FixtureRequest, feature: Any, scenario: Any, step: Any,
    step_func: Any, step_func_args: Any, exception: Exception,
) -> None:  # fmt: skip
    case = request.node.stash.get(CASE, None)
    if case is not None:
        what = f"step {step.keyword} {step.name!r} failed: {exception}"[:1500]
        case.drill.note_failure(what, exception)


@pytest.fixture(scope="session")
def rollback_options(request: pytest.FixtureRequest) -> RollbackOptions:
    options = RollbackOptions.of(request.config)
    record_metadata("rollback_plan", options.plan.describe())
    return options


@pytest.fixture(scope="session")
def rollback_plan(rollback_options: RollbackOptions) -> ReleasePlan:
    return rollback_options.plan


@pytest.fixture(scope="session")
def rollback_results() -> Iterator[dict[str, Result]]:
    """Each drill's outcome; the matrix goes to the evidence with them at the end."""
    results: dict[str, Result] = {}
    yield results
    matrix = build_matrix(HERE)
    attach("rollback-matrix.md", matrix.to_markdown(results), "md")
    attach("rollback-matrix.html", matrix.to_html(results), "html")


@pytest.fixture(scope="session")
def returned_stack(stack: Stack) -> Iterator[Stack]:
    """The run's stack, whose platform is returned to the release it ran before the first
    drill once the drills are done (they leave it on the release they rolled back to)."""
    client = stack.open_target()
    try:
        seen = client.version()
        home = EMBEDDED_RELEASES.get(seen.app_version)
        if home is None or home.schema != seen.schema_version:
            home = Release(seen.app_version, seen.schema_version, (seen.schema_version,))
        yield stack
        if stack.operations.missing(*RELEASE_OPERATIONS):
            return
        Deployment(stack.operations, client, stack.platform_url).bring_to(home)
    finally:
        client.close()


def _drill_tag(node: pytest.Item) -> str:
    return next((tag for tag in NEEDS if node.get_closest_marker(tag)), "")


@pytest.fixture
def drill_case(
    request: pytest.FixtureRequest, rollback_options: RollbackOptions,
    rollback_results: dict[str, Result], returned_stack: Stack,
) -> Iterator[DrillCase]:  # fmt: skip
    feature, scenario = request.node.stash.get(SCENARIO, ("?", request.node.name))
    cfg = load_config()
    callspec = getattr(request.node, "callspec", None)
    name = Path(feature).stem + (f"-{callspec.id}" if callspec else "")
    stack = returned_stack
    why = not_drilled(
        _drill_tag(request.node), stack.operations, stack.database_dsn, stack.lock_table
    )
    if why:
        pytest.skip(why)
    try:
        opened = open_drill(
            name, scenario, stack=stack, plan=rollback_options.plan,
            target_seconds=cfg.drills.rollback_seconds,
            lock_timeout_s=cfg.drills.migration_lock_timeout_seconds,
            late_webhook_s=cfg.ops.late_webhook_seconds,
            client_hooks=transcript_hooks("platform"),
        )  # fmt: skip
        case = opened.__enter__()
    except OperationNotConfigured as exc:
        pytest.skip(str(exc))
    with contextlib.ExitStack() as done:
        done.push(opened)
        request.node.stash[CASE] = case
        yield case
    j = case.drill.journal
    rollback_results[row_key(feature, scenario)] = Result(j.status.value, j.rollback_seconds)
