"""`golive run` refuses bad input up front: exit 2, the file and line, the fix; no evidence."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def golive(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "golive", "run", *args],
        cwd=cwd, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.fixture
def suite_root(tmp_path: Path) -> Path:
    """A suite with our steps and fixtures and a features folder of the test's own."""
    for name in ("conftest.py", "pyproject.toml"):
        shutil.copy(ROOT / name, tmp_path / name)
    for name in ("steps", "fixtures", "docs"):
        (tmp_path / name).symlink_to(ROOT / name)
    (tmp_path / "features" / "canary").mkdir(parents=True)
    (tmp_path / "features" / "canary" / "test_canary.py").write_text(
        "from pytest_bdd import scenarios\n\nscenarios('.')\n"
    )
    return tmp_path


def _feature(root: Path, text: str) -> Path:
    path = root / "features" / "canary" / "bad.feature"
    path.write_text(text)
    return path


def test_unknown_suite_is_a_usage_error(tmp_path: Path) -> None:
    res = golive("--suite", "nightly", "--out", str(tmp_path / "out"))
    assert res.returncode == 2, res.stderr
    assert "'nightly'" in res.stderr
    assert "canary" in res.stderr
    assert not (tmp_path / "out").exists()


def test_undefined_step_names_file_and_line(suite_root: Path) -> None:
    _feature(suite_root, (
        "Feature: Bad\n\n  Scenario: Misspelt\n"
        "    Given the platform is healthy and speaks the contract\n"
        "    When the custmer deposits 10.00 through stripe\n"
    ))  # fmt: skip
    res = golive(
        "--suite", "canary", "--suite-root", str(suite_root), "--out", str(suite_root / "out")
    )
    assert res.returncode == 2, res.stdout + res.stderr
    assert "bad.feature:5" in res.stderr
    assert "the custmer deposits" in res.stderr
    assert not list((suite_root / "out").glob("*/manifest.json"))


def test_malformed_feature_is_a_usage_error(suite_root: Path) -> None:
    _feature(
        suite_root,
        "Feature: Bad\n  Scenario Outline: no examples\n    Given <x>\n"
        "  Examples:\n    | a |\n    | 1 | 2 |\n",
    )
    res = golive(
        "--suite", "canary", "--suite-root", str(suite_root), "--out", str(suite_root / "out")
    )
    assert res.returncode == 2, res.stdout + res.stderr
    assert "bad.feature" in res.stderr
    assert not list((suite_root / "out").glob("*/manifest.json"))


def test_target_that_does_not_answer(tmp_path: Path) -> None:
    res = golive(
        "--suite", "canary", "--target", "http://127.0.0.1:9", "--out", str(tmp_path / "o")
    )
    assert res.returncode == 2, res.stderr
    assert "does not answer" in res.stderr


def test_target_that_is_not_a_url(tmp_path: Path) -> None:
    res = golive("--suite", "canary", "--target", "staging", "--out", str(tmp_path / "o"))
    assert res.returncode == 2, res.stderr
    assert "'staging'" in res.stderr


def test_selection_matching_nothing(tmp_path: Path) -> None:
    res = golive(
        "--suite", "canary", "-k", "no_such_scenario_anywhere", "--out", str(tmp_path / "o")
    )
    assert res.returncode == 2, res.stderr
    assert "no scenario" in res.stderr
