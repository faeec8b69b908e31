"""The command as cron and CI run it: a real process, its exit code and its output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ops.cli_runner import Done, as_process, in_process

from .conftest import GOOD

Golive = Callable[..., Done]

REGISTER = """\
go_live: 2025-12-26T12:00:00Z
waivers:
  - finding: stripe-test-key:STRIPE_SECRET_KEY
    risk: high
    owner: DevOps
    deadline: T+72h
    mitigation: Rotate to the live key.
"""


@pytest.fixture
def golive(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Golive:
    def run(*args: str | Path) -> Done:
        return in_process(capsys, monkeypatch, *args)

    return run


@pytest.fixture
def env(write_env) -> Path:  # type: ignore[no-untyped-def]
    return write_env({"STRIPE_SECRET_KEY": "sk_test_SECRETPART1234"})  # type: ignore[no-any-return]


def test_ready_is_exit_0_as_a_real_process(write_env) -> None:  # type: ignore[no-untyped-def]
    done = as_process("env", "check", "--profile", "production", "--env-file", write_env())
    assert done.returncode == 0, done.stderr
    assert "READY" in done.stdout


def test_waived_is_exit_0_and_expired_is_exit_1(golive: Golive, env: Path, write_register) -> None:  # type: ignore[no-untyped-def]
    reg = write_register(REGISTER)
    base = ("env", "check", "--profile", "production", "--env-file", env, "--waivers", reg)
    waived = golive(*base, "--now", "2025-12-27T00:00:00Z", "--json")
    assert waived.returncode == 0, waived.stderr
    assert json.loads(waived.stdout)["findings"][0]["status"] == "waived"
    expired = golive(*base, "--now", "2025-12-30T00:00:00Z")
    assert expired.returncode == 1, expired.stderr
    assert "WAIVER EXPIRED" in expired.stdout
    for out in (waived, expired):
        assert "SECRETPART" not in out.stdout + out.stderr


def test_findings_are_exit_1_with_json_as_a_real_process(env: Path) -> None:
    done = as_process("env", "check", "--profile", "production", "--env-file", env, "--json")
    assert done.returncode == 1
    data = json.loads(done.stdout)
    assert data["ready"] is False
    assert data["exit_code"] == 1
    assert data["findings"][0]["id"] == "stripe-test-key:STRIPE_SECRET_KEY"
    assert "SECRETPART" not in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--profile", "nope"), "--profile 'nope' is not a profile"),
        (("--env-file", "missing.env"), "missing.env' does not exist"),
        (("--waivers", "missing.yaml"), "missing.yaml' does not exist"),
        (("--now", "tomorrow"), "--now: 'tomorrow' is not an ISO 8601 time"),
        (("--waivers", "BADREG"), "waivers.yaml:3: field 'owner': is missing"),
        (("--env-file", "BADENV"), "bad.env:2: field 'B-C' is not a variable name"),
    ],
)
def test_bad_input_is_exit_2_naming_the_problem(
    golive: Golive,
    env: Path,
    write_register,
    tmp_path: Path,
    args: tuple[str, ...],
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    opts = {"--profile": "production", "--env-file": str(env)}
    bad_env = tmp_path / "bad.env"
    bad_env.write_text("A=1\nB-C=2\n")
    bad_reg = write_register(REGISTER.replace("    owner: DevOps\n", ""))
    values = {"BADREG": str(bad_reg), "BADENV": str(bad_env)}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        opts[flag] = values.get(value, str(tmp_path / value) if "." in value else value)
    flat = [x for pair in opts.items() for x in pair]
    done = golive("env", "check", *flat)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in " ".join(done.stderr.split()), done.stderr


def test_good_values_never_printed(golive: Golive, write_env) -> None:  # type: ignore[no-untyped-def]
    done = golive("env", "check", "--profile", "staging", "--env-file", write_env())
    assert done.returncode == 1  # a live key in staging
    for value in GOOD.values():
        assert value not in done.stdout + done.stderr
