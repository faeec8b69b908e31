"""Preflight and exit codes: configuration ranges, the caller's golive.toml, what a run records,
interrupts and crashes before a verdict. In-process and fast; no suite runs."""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path

import pytest

from golive import cli
from golive.config import CONFIG_DIR_ENV, load_config
from golive.errors import ConfigError
from golive.options import check_out_dir

from ..evidence.conftest import FEATURE, STEPS


def _golive(monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str], *args: str):
    monkeypatch.setattr(sys, "argv", ["golive", *args])
    capfd.readouterr()
    with pytest.raises(SystemExit) as exc:
        cli.main()
    out, err = capfd.readouterr()
    return exc.value.code, out + err


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[slo]\navailability = nan\n", "slo.availability = nan is not a finite number"),
        ("[load]\nmax_seconds = inf\n", "load.max_seconds = inf is not a finite number"),
        ("[slo]\navailability = 5.0\n", "must be above 0 and at most 1"),
        ("[slo]\nwebhook_success = 0.0\n", "slo.webhook_success = 0.0 is a share"),
        ("[slo]\nmin_samples = 0\n", "slo.min_samples = 0 must be above zero"),
        ("[load]\nconcurrency = 0\n", "load.concurrency = 0 must be above zero"),
        ("[drills]\nrto_seconds = 0\n", "drills.rto_seconds = 0 must be above zero"),
        ("[ops]\nlate_webhook_seconds = -1.5\n", "must not be negative"),
    ],
)
def test_configuration_out_of_range_is_refused(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "golive.toml").write_text(toml)
    with pytest.raises(ConfigError, match="write") as exc:
        load_config(cwd=tmp_path)
    assert message in str(exc.value)


def test_configuration_in_range_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "golive.toml").write_text("[slo]\navailability = 0.9999\nmin_samples = 1\n")
    cfg = load_config(cwd=tmp_path)
    assert (cfg.slo.availability, cfg.slo.min_samples) == (0.9999, 1)  # 1 (100 %): unprovable


def test_config_dir_names_where_golive_toml_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "golive.toml").write_text("[slo]\nmin_samples = 7\n")
    monkeypatch.chdir(tmp_path.parent)
    assert load_config().slo.min_samples == 50
    monkeypatch.setenv(CONFIG_DIR_ENV, str(tmp_path))
    assert load_config().slo.min_samples == 7


@pytest.mark.parametrize("suite_root", [False, True])
def test_run_refuses_the_callers_bad_configuration(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capfd: pytest.CaptureFixture[str],
    suite_root: bool,
) -> None:
    """The caller's golive.toml applies, also with --suite-root: a typo is exit 2, no run."""
    monkeypatch.delenv(CONFIG_DIR_ENV, raising=False)
    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "golive.toml").write_text("[slo]\nmin_samples = 0\n")
    root = Path(__file__).resolve().parents[2]
    extra = ["--suite-root", str(root)] if suite_root else []
    code, shown = _golive(monkeypatch, capfd, "run", "--suite", "canary", *extra)
    assert code == 2, shown
    assert "slo.min_samples = 0" in shown
    assert sorted(p.name for p in tmp_path.iterdir()) == ["golive.toml"]


def test_out_folder_checks(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    assert check_out_dir(tmp_path / "new" / "deeper") == tmp_path / "new" / "deeper"
    assert not (tmp_path / "new").exists()  # checked, not created
    with pytest.raises(ConfigError, match="is a file"):
        check_out_dir(tmp_path / "file")
    with pytest.raises(ConfigError, match="cannot be created"):
        check_out_dir(tmp_path / "file" / "sub")


def test_interrupt_before_a_verdict_is_inconclusive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C or SIGTERM while golive starts: exit 3 (no verdict), never 130 or 143."""
    from golive.run import command

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt("SIGTERM")

    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(command, "check_postgres", interrupted)
    monkeypatch.chdir(tmp_path)
    code, shown = _golive(monkeypatch, capfd, "run", "--suite", "canary")
    assert code == 3, shown
    assert "interrupted before a verdict: INCONCLUSIVE" in shown
    assert list(tmp_path.iterdir()) == []


def test_a_crash_of_golive_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """An ops probe's own crash must not read as its finding (exit 1 = stuck jobs)."""
    import golive.ops.stuck as stuck

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug in the probe")

    monkeypatch.setattr(stuck, "find_stuck", broken)
    monkeypatch.setattr("golive.ops.jobsource.jobs_from_database", lambda *a: ([], "db"))
    monkeypatch.setattr("golive.options.check_dsn", lambda *a, **k: None)
    code, shown = _golive(
        monkeypatch, capfd, "ops", "stuck-jobs", "--dsn", "postgresql://u@127.0.0.1:5432/x"
    )
    assert code == 3, shown
    assert "Traceback" not in shown
    assert "golive crashed: RuntimeError: bug in the probe" in shown


def test_manifest_records_the_effective_configuration(pytester: pytest.Pytester) -> None:
    pytester.makefile(".feature", **{"features/money": FEATURE})
    (pytester.path / "features" / "test_money.py").write_text(STEPS)
    (pytester.path / "golive.toml").write_text("[slo]\nmin_samples = 7\n")
    result = pytester.runpytest_subprocess("--golive-evidence=on", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    (run,) = [p for p in (pytester.path / "reports").iterdir() if p.is_dir()]
    settings = json.loads((run / "manifest.json").read_text())["configuration"]["settings"]
    assert settings["source"].endswith("golive.toml")
    assert settings["values"]["slo"]["min_samples"] == 7
    assert settings["values"]["load"]["loops"] == 0  # defaults filled in (0: sized by the SLOs)
    digest = hashlib.sha256(json.dumps(settings["values"], sort_keys=True).encode()).hexdigest()
    assert settings["digest"] == digest


def test_bad_configuration_stops_an_evidence_session_as_a_usage_error(
    pytester: pytest.Pytester,
) -> None:
    pytester.makefile(".feature", **{"features/money": FEATURE})
    (pytester.path / "features" / "test_money.py").write_text(STEPS)
    (pytester.path / "golive.toml").write_text("[slo]\nmin_samples = 0\n")
    result = pytester.runpytest_subprocess("--golive-evidence=on", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    assert "slo.min_samples = 0" in result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()
    assert not (pytester.path / "reports").exists()


STACK = """\
import pytest


@pytest.fixture(scope="session")
def wallet():
    raise RuntimeError("Postgres went away while the stack was set up")
"""


def test_a_stack_that_cannot_be_set_up_is_inconclusive_not_no_go(
    pytester: pytest.Pytester,
) -> None:
    """An error raised while setting up the stack is never a scenario failure."""
    pytester.makefile(".feature", **{"features/money": FEATURE})
    steps = STEPS.replace('target_fixture="wallet"', 'target_fixture="funded"')
    steps = steps.replace("def given_funded_wallet():", "def given_funded_wallet(wallet):")
    (pytester.path / "features" / "test_money.py").write_text(steps)
    (pytester.path / "features" / "conftest.py").write_text(STACK)
    result = pytester.runpytest_subprocess("--golive-evidence=on", "-p", "no:cacheprovider")
    shown = result.stdout.str()
    assert result.ret == 3, shown
    assert "VERDICT: INCONCLUSIVE" in shown
    assert "NO-GO" not in shown
