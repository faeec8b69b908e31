"""`golive init`: the scaffolded project is valid for golive's own loaders and step catalogue,
never overwrites a file unless asked, refuses a bad folder, and its example runs GO."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

import pytest
from pytest_bdd import parsers
from pytest_bdd.parser import FeatureParser

from golive.config import load_config
from golive.errors import ConfigError
from golive.init import TEMPLATES, scaffold
from golive.run.catalog import StepDef, catalog
from golive.run.suites import builtin_root
from golive.runbook.model import load_runbook

PARSERS = {"string": parsers.string, "parse": parsers.parse, "cfparse": parsers.cfparse,
           "re": parsers.re}  # fmt: skip


def golive(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOLIVE_")}
    return subprocess.run(
        [sys.executable, "-m", "golive", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.fixture
def project(tmp_path: Path) -> Path:
    written, overwritten = scaffold(tmp_path / "readiness")
    assert (len(written), overwritten) == (len(TEMPLATES), [])
    return tmp_path / "readiness"


def tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_init_writes_the_project_and_says_what_next(tmp_path: Path) -> None:
    res = golive("init", "readiness", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert sorted(tree(tmp_path / "readiness")) == sorted(TEMPLATES)
    for rel in TEMPLATES:
        assert f"wrote {Path('readiness') / rel}" in res.stdout
    assert "next: cd readiness && golive run --suite local" in res.stdout
    readme = (tmp_path / "readiness" / "README.md").read_text().strip().splitlines()
    assert len([line for line in readme if line.strip() and not line.startswith("#")]) == 3


def test_golive_toml_parses_as_written(project: Path) -> None:
    cfg = load_config(project / "golive.toml")
    defaults = load_config(cwd=project.parent)
    assert cfg.source == str(project / "golive.toml")
    assert cfg.settings() == defaults.settings()  # everything in it is commented out


def test_golive_toml_examples_parse_when_uncommented(project: Path) -> None:
    """Every commented setting (`#key = value` under `#[section]`) is a valid golive setting."""
    text = (project / "golive.toml").read_text()
    live = re.sub(r"(?m)^#(?=\[|[a-z_]+ = )", "", text)
    assert live != text
    (project / "live.toml").write_text(live)
    cfg = load_config(project / "live.toml")
    assert (cfg.run.release, cfg.run.environment, cfg.run.phase) == (
        "rc-1.4.0", "staging", "rc-proof",
    )  # fmt: skip
    assert cfg.target.url == "https://staging.example.com"
    assert {"deploy", "migrate", "stop", "start", "backup", "restore_into"} <= set(
        cfg.target.operations.commands
    )


def test_runbook_is_the_default_and_loads(project: Path) -> None:
    default = files("golive.runbook").joinpath("default.toml").read_text()
    assert (project / "runbook.toml").read_text() == default
    book = load_runbook(project / "runbook.toml")
    assert {s.kind for s in book.steps} >= {"suite", "probe", "manual"}


def _matches(step: StepDef, kind: str, text: str) -> bool:
    return step.kind in (kind, "*") and PARSERS[step.parser](step.pattern).is_matching(text)


def test_every_step_of_the_example_is_in_golives_catalogue(project: Path) -> None:
    steps = catalog(builtin_root())
    feature = FeatureParser(str(project / "features"), "first_readiness.feature").parse()
    used = [(s.type, s.name) for sc in feature.scenarios.values() for s in sc.steps]
    assert len(used) >= 10
    unmatched = [u for u in used if not any(_matches(s, *u) for s in steps)]
    assert not unmatched


def test_the_project_conftest_loads_golives_whole_catalogue(project: Path) -> None:
    assert catalog(project) == catalog(builtin_root())


def test_existing_files_are_refused_by_name_and_kept(project: Path) -> None:
    (project / "README.md").write_text("ours\n")
    (project / "features" / "test_features.py").unlink()
    before = tree(project)
    res = golive("init", ".", cwd=project)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert "golive.toml" in lines[0]
    assert "README.md" in lines[0]
    assert "test_features.py" not in lines[0]  # missing, so no clash: and still not written
    assert "--force" in lines[0]
    assert tree(project) == before


def test_force_overwrites(project: Path) -> None:
    (project / "README.md").write_text("ours\n")
    (project / "notes.md").write_text("not ours to touch\n")
    res = golive("init", ".", "--force", cwd=project)
    assert res.returncode == 0, res.stderr
    assert (project / "README.md").read_text().startswith("# Go-live readiness of readiness")
    assert (project / "notes.md").read_text() == "not ours to touch\n"
    lines = res.stdout.splitlines()
    assert {"overwrote README.md", "overwrote golive.toml"} <= set(lines)
    assert "wrote golive.toml" not in lines  # it was there: overwritten, as it says


@pytest.mark.parametrize(
    ("make", "arg", "says"),
    [
        (lambda d: (d / "x").write_text(""), "x", "'x' is a file"),
        (lambda d: (d / "x").write_text(""), "x/sub", "cannot be created"),
        (lambda d: (d / "p" / "features").parent.mkdir() or (d / "p" / "features").touch(),
         "p", "is a file, in the way of features/"),
        (lambda d: (d / "p" / "conftest.py").mkdir(parents=True), "p", "is a folder"),
    ],
)  # fmt: skip
def test_bad_folder_is_a_usage_error(
    tmp_path: Path, make: Callable[[Path], object], arg: str, says: str
) -> None:
    make(tmp_path)
    before = tree(tmp_path)
    res = golive("init", arg, cwd=tmp_path)
    assert res.returncode == 2, res.stdout + res.stderr
    assert says in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert tree(tmp_path) == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_unwritable_folder_is_a_usage_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    with pytest.raises(ConfigError, match="not writable"):
        scaffold(locked / "readiness")
    assert not list(locked.iterdir())


@pytest.mark.slow
def test_the_example_runs_go_on_the_embedded_target_and_names_its_release(project: Path) -> None:
    out = project.parent / "reports"
    res = golive(
        "run", "--suite-root", ".", "--suite", "full", "--out", str(out),
        "--release", "rc-1.4.0", "--environment", "staging", "--phase", "rc-proof",
        cwd=project,
    )  # fmt: skip
    assert res.returncode == 0, res.stdout + res.stderr
    assert "release=rc-1.4.0 environment=staging phase=rc-proof" in res.stderr
    assert "[1/1] pass" in res.stderr
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "GO"
    labels = {k: manifest[k] for k in ("release", "environment", "phase")}
    assert labels == {"release": "rc-1.4.0", "environment": "staging", "phase": "rc-proof"}
    report = (run / "canary_report.md").read_text()
    for row in ("| Release | rc-1.4.0 |", "| Environment | staging |", "| Phase | rc-proof |"):
        assert row in report
    assert "Our first readiness scenario" in report
