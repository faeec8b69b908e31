"""A run's release metadata (release, environment, phase, target, the project's git commit)
reaches the manifest, the attestation's predicate, JUnit properties and the Allure environment;
a project folder that is not a git repository, or no git at all, records no commit and fails
nothing."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from junitparser import JUnitXml

from golive.evidence.verify import verify_run

from .conftest import only_run

URL = "http://127.0.0.1:9/platform"

FEATURE = """\
Feature: Labels
  Scenario: A deposit is credited
    Given a wallet
    Then it is credited
"""

STEPS = f"""\
from pytest_bdd import given, scenarios, then
from golive.evidence import record_metadata

scenarios("labels.feature")


@given("a wallet")
def given_wallet():
    record_metadata("target", {{"kind": "external", "url": "{URL}", "app_version": "7.1"}})


@then("it is credited")
def then_credited():
    assert True
"""

LABELS = {"release": "rc-1.4.0", "environment": "staging", "phase": "rc-proof"}


def _git(folder: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return out.stdout.strip()


def _run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, project: Path) -> Path:
    pytester.makefile(".feature", **{"features/labels": FEATURE})
    (pytester.path / "features" / "test_labels.py").write_text(STEPS)
    monkeypatch.setenv("GOLIVE_CONFIG_DIR", str(project))
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    return only_run(pytester.path)


def _predicate(run_dir: Path) -> dict[str, Any]:
    envelope = json.loads((run_dir / "attestation.dsse.json").read_text())
    predicate: dict[str, Any] = json.loads(base64.b64decode(envelope["payload"]))["predicate"]
    return predicate


def _junit_properties(run_dir: Path) -> list[dict[str, str]]:
    xml = JUnitXml.fromfile(str(run_dir / "junit.xml"))
    return [{p.name: p.value for p in suite.properties()} for suite in xml]


def _allure_environment(run_dir: Path) -> dict[str, str]:
    text = (run_dir / "allure-results" / "environment.properties").read_text()
    return dict(line.split("=", 1) for line in text.splitlines() if line)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_labels_target_and_commit_reach_every_format(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    _git(project, "init", "-q")
    (project / "golive.toml").write_text("")
    _git(project, "add", "golive.toml")
    _git(project, "commit", "-q", "-m", "first")
    commit = _git(project, "rev-parse", "HEAD")
    for name, value in LABELS.items():
        monkeypatch.setenv(f"GOLIVE_{name.upper()}", value)

    run_dir = _run(pytester, monkeypatch, project)

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert {k: manifest[k] for k in LABELS} == LABELS
    assert manifest["project"] == {"commit": commit, "dirty": False}

    predicate = _predicate(run_dir)
    assert {k: predicate["golive"][k] for k in LABELS} == LABELS
    assert predicate["golive"]["target"] == {"kind": "external", "url": URL, "app_version": "7.1"}
    assert predicate["golive"]["project"]["commit"] == commit
    assert {"name": "project", "digest": {"gitCommit": commit}} in predicate["configuration"]
    assert {"name": "target", "uri": URL} in predicate["configuration"]

    expected = {
        "release": "rc-1.4.0",
        "environment": "staging",
        "phase": "rc-proof",
        "target.url": URL,
        "target.kind": "external",
        "target.app_version": "7.1",
        "project.commit": commit,
        "project.dirty": "no",
    }
    suites = _junit_properties(run_dir)
    assert len(suites) == 3  # readiness, gates, verdict: every suite names the release
    for props in suites:
        assert {k: props.get(f"golive.{k}") for k in expected} == expected
    environment = _allure_environment(run_dir)
    assert {k: environment.get(k) for k in expected} == expected
    assert verify_run(run_dir).ok  # the signed predicate still verifies


@pytest.mark.parametrize("why", ["not a repository", "no git"])
def test_no_commit_is_recorded_and_nothing_fails_without_a_repository(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, why: str
) -> None:
    project = tmp_path / "plain"
    project.mkdir()
    if why == "no git":
        monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    for name in LABELS:
        monkeypatch.delenv(f"GOLIVE_{name.upper()}", raising=False)

    run_dir = _run(pytester, monkeypatch, project)

    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["project"] == {"commit": None, "dirty": None}
    predicate = _predicate(run_dir)
    assert predicate["golive"]["project"] == {"commit": None, "dirty": None}
    assert predicate["golive"]["target"]["url"] == URL  # the target is recorded regardless
    assert not [c for c in predicate["configuration"] if c["name"] == "project"]
    environment = _allure_environment(run_dir)
    assert "project.commit" not in environment
    assert environment["release"] == "not recorded"
    for props in _junit_properties(run_dir):
        assert "golive.project.commit" not in props
        assert props["golive.target.url"] == URL
