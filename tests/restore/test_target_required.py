"""A restore drill whose target lacks an operation it needs, or the [target] database to
read, is not drilled: OperationNotConfigured (inconclusive) naming what is missing, before
anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.drills.restore.drill import RestoreDrill
from golive.drills.restore.target import DrillTarget
from golive.errors import Inconclusive
from golive.operations import OperationNotConfigured, parse_operations
from golive.postgres import Instance
from golive.postgres.dsn import DsnProvider

ALL = {
    "backup": "true {backup}",
    "restore_into": "true {backup} {dsn}",
    "use_database": "true {dsn}",
    "kill": "true",
}


def target(table: dict[str, str], database: str = "postgresql://golive@127.0.0.1/x") -> DrillTarget:
    return DrillTarget("http://127.0.0.1:9", "", parse_operations(table), database)


@pytest.mark.parametrize("missing", sorted(ALL))
def test_each_missing_operation_is_named(missing: str) -> None:
    table = {k: v for k, v in ALL.items() if k != missing}
    with pytest.raises(OperationNotConfigured, match=f"not drilled: no `{missing}` operation"):
        target(table).require(*ALL, database=True)


def test_a_missing_database_is_named() -> None:
    with pytest.raises(OperationNotConfigured, match=r"no \[target\] database"):
        target(ALL, database="").require(*ALL, database=True)
    target(ALL).require(*ALL, database=True)  # all there: nothing raised


def test_the_drill_refuses_before_anything_runs(server: Instance, tmp_path: Path) -> None:
    provider = DsnProvider(server.dsn(), disposable=True)
    try:
        drill = RestoreDrill(provider, kind="logical", workdir=tmp_path, target=target({}))
        with pytest.raises(Inconclusive, match="`backup`"):
            drill.require_target()
        assert drill.target is not None
        assert drill.target.journal == []  # no operation ran
        drill.close()
    finally:
        provider.close()
