"""A runbook is checked before anything runs: each problem names the file, the line and the fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import load_config
from golive.errors import ConfigError
from golive.operations import Operations
from golive.runbook.execute import order
from golive.runbook.model import load_runbook

HEAD = 'release = "rc-1"\n'


def _book(tmp_path: Path, *steps: str) -> Path:
    path = tmp_path / "runbook.toml"
    path.write_text(HEAD + "".join(f"\n[[step]]\n{s.strip()}\n" for s in steps))
    return path


CMD = 'id = "a"\nkind = "command"\ncommand = "true"'


def test_the_default_runbook_is_valid() -> None:
    book = load_runbook(Path(__file__).parents[2] / "src/golive/runbook/default.toml")
    assert [s.kind for s in book.steps].count("manual") == 3
    assert [s.id for s in book.rollback_path()] == ["rollback"]
    assert any(s.decision for s in book.steps)
    assert {s.phase for s in book.steps} == {"cutover", "hypercare"}


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        (['id = "a"\nkind = "deploy"'], ":3: step 'a' has kind = 'deploy'; use one of"),
        (['id = "a"\nkind = "suite"\nsuite = "smoke"'], "suite = 'smoke' is not a suite"),
        (['id = "a"\nkind = "probe"\nprobe = "ping"'], "probe = 'ping'; use one of"),
        (['id = "a"\nkind = "manual"'], ":3: manual step 'a' has no owner"),
        ([CMD, CMD], ":8: step id 'a' is used twice (first at line 3)"),
        ([CMD + '\nneeds = ["b"]'], "needs 'b', which is not a step"),
        (
            [CMD + '\nneeds = ["b"]', CMD.replace('"a"', '"b"', 1) + '\nneeds = ["a"]'],
            "needs form a cycle: a -> b -> a",
        ),
        ([CMD + '\nbranch = "rollback"'], "rollback steps need a decision point"),
        ([CMD + '\nphase = "go-live"'], "phase 'go-live' is not one of"),
        ([CMD + '\nsuite = "canary"'], "has unknown keys ['suite']"),
        (['id = "a b"\nkind = "command"\ncommand = "true"'], "must be letters, digits"),
    ],
)
def test_bad_runbooks_are_refused_naming_the_line(
    tmp_path: Path, steps: list[str], message: str
) -> None:
    with pytest.raises(ConfigError, match=r"runbook\.toml") as err:
        load_runbook(_book(tmp_path, *steps))
    assert message in str(err.value)


def test_a_step_runs_after_the_steps_it_needs(tmp_path: Path) -> None:
    book = load_runbook(
        _book(tmp_path, 'id = "b"\nkind = "command"\ncommand = "true"\nneeds = ["a"]', CMD)
    )
    assert [s.id for s in order(book.main_path())] == ["a", "b"]


def _operations(tmp_path: Path, table: str) -> Operations:
    (tmp_path / "golive.toml").write_text("[target.operations]\n" + table)
    return load_config(tmp_path / "golive.toml").target.operations


OP = 'id = "deploy"\nkind = "operation"\noperation = "deploy"'


def test_an_operation_step_runs_the_targets_command_in_its_folder(tmp_path: Path) -> None:
    ops = _operations(tmp_path, 'deploy = { argv = "helm upgrade bank --set tag={release}", '
                      "timeout = 900 }\n")  # fmt: skip
    book = load_runbook(_book(tmp_path, OP + '\nvalues = { release = "1.4.0" }'), ops)
    [step] = book.steps
    assert step.command == ("helm", "upgrade", "bank", "--set", "tag=1.4.0")
    assert (step.operation, step.cwd, step.timeout) == ("deploy", str(tmp_path), 900)


@pytest.mark.parametrize(
    ("table", "step", "message"),
    [
        ("", OP, "operation = 'deploy' is not one of the target's operations"),
        ('stop = "x"\n', OP, "([target.operations] in golive.toml: stop)"),
        ('deploy = "d {release}"\n', OP, "operation deploy needs {release}; give them in values"),
        ('deploy = "d {release}"\n', OP + "\nvalues = [1]", "values must be a table of"),
    ],
)
def test_a_bad_operation_step_is_refused(
    tmp_path: Path, table: str, step: str, message: str
) -> None:
    with pytest.raises(ConfigError, match=r"runbook\.toml:3") as err:
        load_runbook(_book(tmp_path, step), _operations(tmp_path, table))
    assert message in str(err.value)
