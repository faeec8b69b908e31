"""The rollback drills' fixtures: one database, PSP stub and platform per drill.

Each drill gets a database golive created from the previous release's migrated template
(or the disposable one given to `golive drill rollback --database`), the release plan from
`golive drill rollback --from/--to/--schema` (default: 2 over 1), and the rollback time
target from [drills] rollback_seconds. The rollback matrix, with each drill's outcome, is
attached to the evidence at the end of the session.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from golive.config import load_config
from golive.drills.rollback.case import (
    DrillCase,
    given_database,
    open_drill,
    plan_from_env,
    prepare_database,
)
from golive.drills.rollback.matrix import Result, build_matrix, row_key
from golive.drills.rollback.plan import ReleasePlan
from golive.errors import ConfigError
from golive.evidence import attach, record_metadata, transcript_hooks
from golive.stack import migrate

HERE = Path(__file__).resolve().parent
TAGS = {
    "rollback": "rollback drills",
    "release_rollback": "release and roll back with money in flight",
    "failed_upgrade": "a failed upgrade rolled back",
    "webhooks_during_switch": "PSP webhooks while the platform switches releases",
    "psp_failover": "failover to the secondary PSP and back",
    "kill_switch": "the withdrawal kill switch",
}
SCENARIO = pytest.StashKey[tuple[str, str]]()
CASE = pytest.StashKey[DrillCase]()


def pytest_configure(config: pytest.Config) -> None:
    for tag, what in TAGS.items():
        config.addinivalue_line("markers", f"{tag}: {what}")


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
def rollback_plan() -> ReleasePlan:
    plan = plan_from_env()
    record_metadata("rollback_plan", plan.describe())
    return plan


@pytest.fixture(scope="session")
def rollback_results() -> Iterator[dict[str, Result]]:
    """Each drill's outcome; the matrix goes to the evidence with them at the end."""
    results: dict[str, Result] = {}
    yield results
    matrix = build_matrix(HERE)
    attach("rollback-matrix.md", matrix.to_markdown(results), "md")
    attach("rollback-matrix.html", matrix.to_html(results), "html")


@pytest.fixture
def drill_case(
    request: pytest.FixtureRequest, rollback_plan: ReleasePlan,
    rollback_results: dict[str, Result], tmp_path: Path,
) -> Iterator[DrillCase]:  # fmt: skip
    if request.config.getoption("--target", default="embedded") != "embedded":
        raise ConfigError(
            "rollback drills deploy and roll back releases, which golive can do only for the "
            "embedded platform: run them with --target embedded"
        )
    feature, scenario = request.node.stash.get(SCENARIO, ("?", request.node.name))
    plan, cfg = rollback_plan, load_config()
    given = given_database()
    db = None
    if given:
        prepare_database(given, "given", plan)
        dsn = given
    else:
        schema = plan.previous.schema
        db = request.getfixturevalue("pg_templates").clone(
            f"refbank-schema-{schema}", lambda d: migrate(d, schema)
        )
        prepare_database(db.dsn, "created", plan)
        dsn = db.dsn
    callspec = getattr(request.node, "callspec", None)
    name = Path(feature).stem + (f"-{callspec.id}" if callspec else "")
    try:
        with open_drill(
            name,
            scenario,
            plan=plan,
            dsn=dsn,
            target_seconds=cfg.drills.rollback_seconds,
            lock_timeout_s=cfg.drills.migration_lock_timeout_seconds,
            late_webhook_s=cfg.ops.late_webhook_seconds,
            log_dir=tmp_path,
            client_hooks=transcript_hooks("platform"),
        ) as case:
            request.node.stash[CASE] = case
            yield case
        j = case.drill.journal
        rollback_results[row_key(feature, scenario)] = Result(j.status.value, j.rollback_seconds)
    finally:
        if db is not None:
            db.drop()
