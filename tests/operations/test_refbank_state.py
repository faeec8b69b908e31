"""The state folder of `golive platform`: the platform's recorded environment and its pid."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from golive.operations.refbank import PlatformState, stop


def test_the_first_settings_are_the_platforms_part_of_the_environment(tmp_path: Path) -> None:
    state = PlatformState(tmp_path)
    environ = {"REFBANK_PORT": "8123", "PATH": "/bin", "STRIPE_SECRET_KEY": "sk_test_x"}
    assert state.settings(environ) == {"REFBANK_PORT": "8123", "GOLIVE_PLATFORM_FAULTS": ""}


def test_recorded_settings_win_over_the_callers_environment(tmp_path: Path) -> None:
    state = PlatformState(tmp_path)
    dsn = 'host=/tmp/a b dbname=x password="p$w\\d"'
    state.record({"REFBANK_DSN": dsn, "GOLIVE_PLATFORM_FAULTS": "hold-double-burn"})
    caller = {"REFBANK_DSN": "other", "GOLIVE_PLATFORM_FAULTS": ""}
    assert state.settings(caller) == {
        "REFBANK_DSN": dsn,
        "GOLIVE_PLATFORM_FAULTS": "hold-double-burn",
    }
    assert oct(state.env_file.stat().st_mode & 0o777) == "0o600"


def test_the_platform_gets_the_recorded_settings_not_the_callers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = PlatformState(tmp_path)
    monkeypatch.setenv("REFBANK_POOL_SIZE", "99")
    monkeypatch.setenv("GOLIVE_PLATFORM_FAULTS", "idempotency-ignored")
    env = state.environment({"REFBANK_DSN": "d", "GOLIVE_PLATFORM_FAULTS": ""})
    assert env["REFBANK_DSN"] == "d"
    assert env["GOLIVE_PLATFORM_FAULTS"] == ""
    assert "REFBANK_POOL_SIZE" not in env
    assert env["PATH"] == os.environ["PATH"]


def test_stop_signals_only_the_platform(tmp_path: Path) -> None:
    other = subprocess.Popen(["sleep", "30"])
    try:
        state = PlatformState(tmp_path)
        state.pid_file.write_text(f"{other.pid}\n")  # a pid the system gave to someone else
        assert stop(state) == "not running"
        assert other.poll() is None
        assert not state.pid_file.exists()
    finally:
        other.kill()
        other.wait(timeout=10)
