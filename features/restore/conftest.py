"""The restore drills' fixtures: the target, its seeded books (once per session), one drill
per scenario.

The target is the run's platform with its operations ([target] url, database and
[target.operations]; for the embedded platform, golive's own, `golive platform …`, as
examples/external-refbank configures them). Books are seeded on it through its API, once
per size. The scenario tagged
``restore_operator`` runs only when ``golive drill restore`` names a backup (its typed
pytest options, golive.drills.restore.options; the scenario is deselected otherwise, so a
full run neither runs nor skips it). Each drill's report and
timeline go into the evidence when its scenario ends, pass or fail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import factory.random
import pytest

from fixtures.factories import CustomerFactory
from golive.config import load_config
from golive.drills.restore.drill import DrillOptions
from golive.drills.restore.options import RestoreOptions
from golive.drills.restore.scenario import Books, DrillScenario, seed_books
from golive.drills.restore.target import DrillTarget
from golive.postgres import Provider
from golive.stack import Stack

HERE = Path(__file__).resolve().parent
SEED = 20_240_601  # the factories' seed: the same books every run


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Operator runs keep only the operator scenario; other runs leave it out, and the
    pgBackRest damage scenarios unless [drills] backup_engine = "pgbackrest"."""
    operator_run = RestoreOptions.of(config).operator
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        mine = HERE in item.path.resolve().parents
        operator = item.get_closest_marker("restore_operator") is not None
        pgbackrest = item.get_closest_marker("restore_pgbackrest") is not None
        wanted = operator == operator_run and (not pgbackrest or _pgbackrest_engine())
        (keep if not mine or wanted else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _pgbackrest_engine() -> bool:
    return load_config().drills.backup_engine == "pgbackrest"


def _app_version(config: pytest.Config) -> str:
    given = RestoreOptions.of(config).app_version
    if given:
        return given
    try:
        return str(config.getoption("--platform-version"))
    except ValueError:
        return "2"


@pytest.fixture(scope="session")
def drill_target(stack: Stack) -> DrillTarget:
    """The platform the restore drills act on: the run's, with its operations."""
    return DrillTarget(
        stack.platform_url,
        stack.psp_url,
        stack.operations,
        stack.database_dsn or "",
        connect=stack.open_target,
    )


@pytest.fixture(scope="session")
def books_of(drill_target: DrillTarget) -> Callable[[int, int], Books]:
    """Seeded books by size, made once per session on the target through its API."""
    made: dict[tuple[int, int], Books] = {}

    def books(accounts: int, transfers: int) -> Books:
        if (accounts, transfers) not in made:
            factory.random.reseed_random(SEED)
            customers = CustomerFactory.build_batch(accounts)
            made[(accounts, transfers)] = seed_books(
                drill_target, customers, transfers=transfers, seed=SEED
            )
        return made[(accounts, transfers)]

    return books


@pytest.fixture
def restore_scenario(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    pg_provider: Provider,
    drill_target: DrillTarget,
    tmp_path: Path,
) -> Iterator[DrillScenario]:
    config = load_config()
    inputs = RestoreOptions.of(pytestconfig)
    options = DrillOptions(
        app_version=_app_version(pytestconfig),
        canary=inputs.canary,
        invariant_timeout_ms=config.invariants.statement_timeout_ms,
    )
    scenario = DrillScenario(
        pg_provider, tmp_path / "drill", drill_target, config.drills, options, inputs,
        by_name=request.node.get_closest_marker("restore_by_name") is not None,
    )  # fmt: skip
    try:
        yield scenario
    finally:
        scenario.close()


@pytest.fixture
def damaged() -> list[str]:
    """The backup a scenario damaged in the pgBackRest repository (its label)."""
    return []


@pytest.fixture
def lost_segment() -> list[str]:
    """The WAL segment a scenario deleted from the archive (to be named by the drill)."""
    return []
