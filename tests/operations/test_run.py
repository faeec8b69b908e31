"""Running operations: argv without a shell, timeouts, exit codes, redacted output."""

from __future__ import annotations

import json
import os
import signal
import stat
import time
from pathlib import Path

import pytest

from golive.errors import ConfigError, ExitCode, PlatformFault
from golive.evidence.redact import Redactor
from golive.operations import (
    OperationFailed,
    OperationNotConfigured,
    OperationTimedOut,
    parse_operations,
)
from golive.operations.runner import TAIL_CHARS


def script(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie (exited, not yet reaped by its parent) is not running
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def wait_gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.05)
    return False


def test_a_passing_operation_is_journaled(tmp_path: Path) -> None:
    script(tmp_path, "deploy.sh", 'echo "deploying $1 with faults=$GOLIVE_PLATFORM_FAULTS"\n')
    ops = parse_operations({"deploy": "./deploy.sh '{release}'"}, cwd=tmp_path)
    env = dict(os.environ, GOLIVE_PLATFORM_FAULTS="hold-double-burn")
    result = ops.run("deploy", {"release": "2 rc1"}, env=env, redactor=Redactor())
    assert result.ok
    assert result.argv == ("./deploy.sh", "2 rc1")
    assert result.stdout_tail == "deploying 2 rc1 with faults=hold-double-burn\n"
    entry = result.to_dict()
    assert entry["exit_code"] == 0
    assert entry["timed_out"] is False
    assert entry["start"] <= entry["end"]
    json.dumps(entry)  # a journal entry is JSON


def test_a_failing_operation_raises_with_its_output(tmp_path: Path) -> None:
    script(tmp_path, "migrate.sh", 'echo "to $1"; echo "lock timeout on ledger" >&2; exit 3\n')
    ops = parse_operations({"migrate": "./migrate.sh {schema}"}, cwd=tmp_path)
    with pytest.raises(OperationFailed) as caught:
        ops.run("migrate", {"schema": "1"}, redactor=Redactor())
    assert isinstance(caught.value, PlatformFault)
    assert not isinstance(caught.value, OperationTimedOut)
    result = caught.value.result
    assert result.exit_code == 3
    assert result.stdout_tail == "to 1\n"
    assert str(caught.value) == (
        f"operation migrate exited with 3 after {result.seconds:.1f} s: lock timeout on ledger"
    )


def test_a_timed_out_operation_is_stopped_with_its_children(tmp_path: Path) -> None:
    script(tmp_path, "stop.sh", "sleep 60 &\necho $! > child.pid\necho waiting\nsleep 60\n")
    ops = parse_operations({"stop": {"argv": "./stop.sh", "timeout": 1}}, cwd=tmp_path)
    with pytest.raises(OperationTimedOut) as caught:
        ops.run("stop", redactor=Redactor())
    result = caught.value.result
    assert result.timed_out
    assert result.exit_code is None
    assert result.to_dict()["timed_out"] is True
    assert result.stdout_tail == "waiting\n"
    assert "did not finish within its timeout of 1 s" in str(caught.value)
    assert wait_gone(int((tmp_path / "child.pid").read_text()))


def test_a_start_that_leaves_a_server_running_returns_when_it_exits(tmp_path: Path) -> None:
    # the background process keeps the command's stdout and stderr open
    script(tmp_path, "start.sh", "sleep 60 &\necho $! > server.pid\necho started\n")
    ops = parse_operations({"start": {"argv": "./start.sh", "timeout": 10}}, cwd=tmp_path)
    try:
        result = ops.run("start", redactor=Redactor())
        assert result.ok
        assert result.stdout_tail == "started\n"
        assert alive(int((tmp_path / "server.pid").read_text()))  # not stopped by golive
    finally:
        os.kill(int((tmp_path / "server.pid").read_text()), signal.SIGKILL)


def test_secrets_are_redacted_from_argv_and_output(tmp_path: Path) -> None:
    script(tmp_path, "secrets.sh", 'cat "$1"; echo "using $2" >&2\n')
    (tmp_path / "s.env").write_text("STRIPE_WEBHOOK_SECRETS=whsec_abcdefghijklmnop\n")
    ops = parse_operations(
        {"set_webhook_secrets": "./secrets.sh {secrets_file} hunter2-but-longer"}, cwd=tmp_path
    )
    redactor = Redactor()
    redactor.register("hunter2-but-longer")
    result = ops.run("set_webhook_secrets", {"secrets_file": "s.env"}, redactor=redactor)
    shown = json.dumps(result.to_dict())
    assert "whsec_abcdefghijklmnop" not in shown
    assert "hunter2-but-longer" not in shown
    assert result.argv == ("./secrets.sh", "s.env", "[REDACTED:known-secret]")
    assert result.stdout_tail == "STRIPE_WEBHOOK_SECRETS=[REDACTED:webhook-secret]\n"
    assert result.stderr_tail == "using [REDACTED:known-secret]\n"


def test_the_output_tail_keeps_the_end(tmp_path: Path) -> None:
    script(tmp_path, "backup.sh", "seq 1 20000\n")
    ops = parse_operations({"backup": "./backup.sh {backup}"}, cwd=tmp_path)
    result = ops.run("backup", {"backup": "b.dump"}, redactor=Redactor())
    assert len(result.stdout_tail) == TAIL_CHARS
    assert result.stdout_tail.endswith("19999\n20000\n")


def test_an_operation_not_configured_is_inconclusive(tmp_path: Path) -> None:
    ops = parse_operations({"stop": "true"})
    with pytest.raises(OperationNotConfigured) as caught:
        ops.run("migrate", {"schema": "1"})
    assert caught.value.exit_code == ExitCode.INCONCLUSIVE
    assert str(caught.value) == "not drilled: no `migrate` operation configured"
    with pytest.raises(ValueError, match="'migrtae' is not an operation"):
        ops.run("migrtae")


def test_a_command_that_cannot_run_is_a_configuration_error(tmp_path: Path) -> None:
    ops = parse_operations({"stop": "./no-such-tool --now"}, cwd=tmp_path)
    with pytest.raises(ConfigError) as caught:
        ops.run("stop", redactor=Redactor())
    message = str(caught.value)
    assert "target.operations.stop: './no-such-tool' cannot be run" in message
    assert "\n" not in message


def test_a_value_the_command_needs_but_is_not_given_is_refused(tmp_path: Path) -> None:
    script(tmp_path, "touch.sh", "touch ran\n")
    ops = parse_operations({"deploy": "./touch.sh {release}"}, cwd=tmp_path)
    with pytest.raises(ConfigError, match=r"uses \{release\} but no value was given"):
        ops.run("deploy", {"url": "http://x"}, redactor=Redactor())
    assert not (tmp_path / "ran").exists()
