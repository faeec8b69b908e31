"""The labels of a run (release, environment, phase): options, [run] in golive.toml, variables."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from golive.config import Config, RunLabels, load_config
from golive.errors import ConfigError
from golive.run.command import labelled, run_labels

VARS = ("GOLIVE_RELEASE", "GOLIVE_ENVIRONMENT", "GOLIVE_PHASE")


@pytest.fixture(autouse=True)
def no_label_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in VARS:
        monkeypatch.delenv(var, raising=False)


def config(tmp_path: Path, text: str) -> Config:
    (tmp_path / "golive.toml").write_text(text)
    return load_config(cwd=tmp_path)


def test_run_table_is_read(tmp_path: Path) -> None:
    cfg = config(tmp_path, '[run]\nrelease = " rc-1.4.0 "\nenvironment = "staging"\n')
    assert cfg.run == RunLabels(release="rc-1.4.0", environment="staging", phase="")


def test_labels_are_not_part_of_the_configuration_digest(tmp_path: Path) -> None:
    one = config(tmp_path, '[run]\nrelease = "rc-1"\n')
    two = config(tmp_path, '[run]\nrelease = "rc-2"\n')
    assert "run" not in one.settings()
    assert one.digest() == two.digest()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[run]\nrelease = ""\n', "run.release is empty"),
        ("[run]\nrelease = 14\n", "must be a string"),
        ('[run]\nphase = "launch"\n', "not a go-live phase"),
        ('[run]\ntag = "x"\n', "run.tag is not a golive setting"),
        ('run = "rc-1"\n', "run must be a table"),
        ('[run]\nenvironment = "a\\tb"\n', "not usable as the environment"),
    ],
)
def test_bad_run_table_is_refused(tmp_path: Path, text: str, says: str) -> None:
    with pytest.raises(ConfigError, match=says):
        config(tmp_path, text)


def test_option_wins_over_file_which_wins_over_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(tmp_path, '[run]\nrelease = "from-file"\nenvironment = "file-env"\n')
    for var, value in zip(VARS, ("from-var", "var-env", "dry-run"), strict=True):
        monkeypatch.setenv(var, value)
    labels = run_labels(cfg, {"release": "from-option"})
    assert labels == {"release": "from-option", "environment": "file-env", "phase": "dry-run"}


def test_no_label_anywhere_records_none(tmp_path: Path) -> None:
    assert run_labels(load_config(cwd=tmp_path), {}) == {}


def test_a_bad_variable_is_refused_by_name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLIVE_PHASE", "launch")
    with pytest.raises(ConfigError, match="GOLIVE_PHASE = 'launch' is not a go-live phase"):
        run_labels(load_config(cwd=tmp_path), {})


def test_a_bad_option_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--release is empty"):
        run_labels(load_config(cwd=tmp_path), {"release": "  "})


def test_labels_are_set_for_the_run_and_put_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOLIVE_RELEASE", "before")
    with labelled({"release": "rc-2", "phase": "cutover"}):
        assert os.environ["GOLIVE_RELEASE"] == "rc-2"
        assert os.environ["GOLIVE_PHASE"] == "cutover"
    assert os.environ["GOLIVE_RELEASE"] == "before"
    assert "GOLIVE_PHASE" not in os.environ


def test_runbook_suite_steps_label_their_run_by_option(tmp_path: Path) -> None:
    """A runbook's suite step names its release and phase as options, which win over [run]."""
    from importlib.resources import as_file, files

    from golive.runbook.execute import RunbookRun, _command
    from golive.runbook.model import load_runbook

    with as_file(files("golive.runbook").joinpath("default.toml")) as path:
        book = load_runbook(path)
    run = RunbookRun(book=book, run_dir=tmp_path, reports=tmp_path, release="rc-9")
    for step_id, phase in (("t0-canary", "cutover"), ("hypercare", "hypercare")):
        argv = _command(run, next(s for s in book.steps if s.id == step_id))
        assert argv is not None
        assert argv[argv.index("--release") + 1] == "rc-9"
        assert argv[argv.index("--phase") + 1] == phase
