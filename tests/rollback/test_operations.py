"""The drills drive a platform only through its operations: the order they run in, what a
failed one leaves in the journal, and what a target without them is told (not drilled)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

from golive.drills.rollback.case import not_drilled
from golive.drills.rollback.deploy import Deployment, WrongRelease, migration_output
from golive.drills.rollback.plan import plan_release
from golive.evidence.redact import Redactor
from golive.operations import OperationFailed, Operations, parse_operations
from golive.target import Version

# a platform that is a JSON file: each operation records itself and changes app or schema
SCRIPT = """
import json, sys
path, op, value = sys.argv[1], sys.argv[2], sys.argv[3]
state = json.load(open(path))
state["log"].append(f"{op} {value}")
if value == "fail":
    print("ERROR: canceling statement due to lock timeout", file=sys.stderr)
    sys.exit(1)
if op == "deploy":
    state["app"] = value
if op == "migrate":
    state["schema"] = value
json.dump(state, open(path, "w"))
"""


class FileTarget:
    def __init__(self, path: Path) -> None:
        self.path = path

    def state(self) -> dict[str, Any]:
        return dict(json.loads(self.path.read_text()))

    def version(self) -> Version:
        s = self.state()
        return Version(str(s["app"]), str(s["schema"]), "test")


def platform(tmp_path: Path, app: str, schema: str, *names: str) -> tuple[Operations, FileTarget]:
    path = tmp_path / "platform.json"
    path.write_text(json.dumps({"app": app, "schema": schema, "log": []}))
    (tmp_path / "op.py").write_text(SCRIPT)
    run = f"{shlex.quote(sys.executable)} op.py {path}"
    table = {
        "deploy": f"{run} deploy {{release}}",
        "migrate": f"{run} migrate {{schema}}",
        "stop": f"{run} stop -",
    }
    return parse_operations({n: table[n] for n in names}, cwd=tmp_path), FileTarget(path)


def deployment(ops: Operations, target: FileTarget) -> Deployment:
    return Deployment(ops, target, "http://127.0.0.1:9")


@pytest.fixture(autouse=True)
def _no_run_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("golive.operations.runner._default_redactor", Redactor)


def test_upgrade_migrates_then_switches_and_the_rollback_switches_then_downgrades(
    tmp_path: Path,
) -> None:
    ops, target = platform(tmp_path, "1", "1", "deploy", "migrate")
    dep = deployment(ops, target)
    plan = plan_release("1", "2")
    dep.upgrade(plan)
    for action in reversed(dep.rollback_actions(plan)):
        action.run()
    assert target.state()["log"] == ["migrate 2", "deploy 2", "deploy 1", "migrate 1"]
    assert [r.name for r in dep.results] == ["migrate", "deploy", "deploy", "migrate"]
    assert all(r.ok for r in dep.results)


def test_the_platform_is_brought_to_the_previous_release_app_first_when_it_can(
    tmp_path: Path,
) -> None:
    ops, target = platform(tmp_path, "2", "2", "deploy", "migrate")
    dep = deployment(ops, target)
    dep.bring_to(plan_release("1", "2").previous)
    assert target.state()["log"] == ["deploy 1", "migrate 1"]
    dep.bring_to(plan_release("1", "2").previous)  # already there: nothing runs
    assert target.state()["log"] == ["deploy 1", "migrate 1"]
    dep.bring_to(plan_release("1", "2").new)  # release 2 does not run on schema 1
    assert target.state()["log"][2:] == ["migrate 2", "deploy 2"]


def test_a_failed_operation_is_kept_with_its_output_and_raised(tmp_path: Path) -> None:
    ops, target = platform(tmp_path, "1", "1", "deploy", "migrate")
    dep = deployment(ops, target)
    with pytest.raises(OperationFailed) as info:
        dep.migrate("fail")
    assert info.value.result.exit_code == 1
    assert "lock timeout" in migration_output(info.value)
    [kept] = dep.results
    assert kept.to_dict()["stderr_tail"].strip().endswith("due to lock timeout")
    with pytest.raises(WrongRelease, match="expected"):
        dep.expect(app="2")


def test_with_work_to_do_while_down_the_switch_stops_first(tmp_path: Path) -> None:
    ops, target = platform(tmp_path, "2", "1", "deploy", "migrate", "stop")
    dep = deployment(ops, target)
    seen: list[object] = []
    dep.during_downtime.append(lambda: seen.append(target.state()["log"]))
    dep.switch_app("1")
    assert seen == [["stop -"]]
    assert target.state()["log"] == ["stop -", "deploy 1"]


def test_a_drill_without_its_operations_or_database_is_not_drilled(tmp_path: Path) -> None:
    ops, _ = platform(tmp_path, "1", "1", "deploy", "migrate")
    dsn = "postgresql://reader@db/bank"
    assert not_drilled("release_rollback", ops, dsn) is None
    assert not_drilled("webhooks_during_switch", ops, None) == (
        "not drilled: no `stop` operation configured"
    )
    assert "no [target] database" in str(not_drilled("failed_upgrade", ops, None))
    assert "no [target] migration_lock_table" in str(not_drilled("failed_upgrade", ops, dsn))
    assert not_drilled("failed_upgrade", ops, dsn, "settings") is None
    assert not_drilled("release_rollback", Operations(), dsn) == (
        "not drilled: no `deploy` operation configured"
    )
    assert not_drilled("kill_switch", Operations(), None) is None
