"""Your scenarios beside ours: in a project folder `golive init` made, `--suite full` runs
golive's suites and the project's features in one session, `--suite local` only the
project's; a project without features, or with an undefined step, is a usage error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from golive.errors import ConfigError
from golive.init import scaffold
from golive.run.command import _confcut
from golive.run.suites import Selection, builtin_root, select
from tests.test_init import golive  # golive in a subprocess, no GOLIVE_* variables

OURS = """\
@payments
Feature: Our payments
  @health
  Scenario: Our own health check
    Given the platform is healthy and speaks the contract
    Then our own check passes
"""

OUR_STEP = '''

from pytest_bdd import then


@then("our own check passes")
def our_own_check() -> None:
    """A step the project defines itself."""
'''


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project from `golive init` with one scenario and one step of its own added."""
    folder = tmp_path / "readiness"
    scaffold(folder)
    (folder / "features" / "ours.feature").write_text(OURS)
    with (folder / "conftest.py").open("a") as fh:
        fh.write(OUR_STEP)
    return folder


def test_full_in_a_project_runs_golive_suites_and_the_project_features(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    chosen = select("full")
    builtin = builtin_root()
    assert chosen.root == builtin
    assert chosen.paths == [builtin / "features", builtin / "properties", project / "features"]
    assert chosen.project == project
    assert chosen.tags == ["health", "payments"]  # registered as markers for the session


def test_local_runs_only_the_project_features(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    chosen = select("local")
    assert (chosen.root, chosen.paths, chosen.project) == (project, [project / "features"], project)
    elsewhere = select("local", project)  # --suite-root names the project from anywhere
    assert elsewhere.paths == [project / "features"]


def test_other_suites_and_suite_root_keep_their_meaning(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project)
    builtin = builtin_root()
    canary = select("canary")
    assert canary.paths == [builtin / "features/canary", builtin / "features/webhooks"]
    assert canary.project is None
    rooted = select("full", project)  # `--suite-root .`: the project is the whole suite
    assert (rooted.root, rooted.paths, rooted.project) == (project, [project / "features"], None)


def test_full_outside_a_project_runs_golive_suites_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    chosen = select("full")
    assert chosen.paths == [builtin_root() / "features", builtin_root() / "properties"]
    assert chosen.project is None


def test_a_project_holding_golive_suite_still_loads_its_conftest(tmp_path: Path) -> None:
    # an installed golive in the project's own virtualenv: pytest would skip a conftest.py
    # above the folder of golive's settings unless told where to stop
    suite = tmp_path / ".venv" / "lib" / "golive" / "_suite"
    inside = Selection(suite, [suite / "features", tmp_path / "features"], tmp_path)
    assert _confcut(inside) == ["--confcutdir", str(tmp_path.resolve())]
    beside = Selection(builtin_root(), [tmp_path / "features"], tmp_path)
    assert _confcut(beside) == []
    assert _confcut(Selection(tmp_path, [tmp_path / "features"], tmp_path)) == []


def test_local_without_features_names_the_folder_and_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        select("local", tmp_path)
    assert str(tmp_path / "features") in str(err.value)
    assert "golive init" in str(err.value)
    (tmp_path / "features").mkdir()
    (tmp_path / "features" / "a.feature").write_text(OURS)
    with pytest.raises(ConfigError, match=r"conftest\.py is missing"):
        select("local", tmp_path)


def test_local_in_an_empty_folder_is_exit_2_and_writes_nothing(tmp_path: Path) -> None:
    res = golive("run", "--suite", "local", cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "Traceback" not in res.stderr
    assert f"{tmp_path / 'features'}" in lines[0]
    assert "golive init" in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("suite", ["local", "full"])
def test_undefined_step_names_file_line_and_closest_steps(project: Path, suite: str) -> None:
    (project / "features" / "ours.feature").write_text(
        OURS.replace("is healthy and speaks", "is healthy and speak")
    )
    res = golive("run", "--suite", suite, cwd=project)
    assert res.returncode == 2, res.stdout + res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr
    assert "ours.feature:5: no step definition matches Given" in res.stderr
    assert "closest steps: 'the platform is healthy and speaks the contract'" in res.stderr
    assert not (project / "reports").exists()


def _ran(res: subprocess.CompletedProcess[str], out: Path) -> list[str]:
    assert res.returncode == 0, res.stdout + res.stderr
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    results = json.loads((run / "results.json").read_text())
    return sorted(t["name"] for t in results["tests"] if t["outcome"] == "passed")


@pytest.mark.slow
def test_an_added_scenario_runs_in_full_and_in_local(project: Path) -> None:
    pick = "our_own_health_check or hold_larger_than_the_available"
    out = project / "reports"
    full = golive("run", "--suite", "full", "-k", pick, "--out", str(out / "full"), cwd=project)
    assert _ran(full, out / "full") == [
        "A hold larger than the available balance is refused",
        "Our own health check",
    ]
    local = golive("run", "--suite", "local", "-k", pick, "--out", str(out / "local"), cwd=project)
    assert _ran(local, out / "local") == ["Our own health check"]
