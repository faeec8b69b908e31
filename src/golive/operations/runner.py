"""Running one operation: no shell, a timeout, the exit code and redacted output kept.

The command runs in its own process group with its output in temporary files, not pipes,
so a ``start`` that leaves a server running in the background returns as soon as the
command itself exits. On a timeout the whole group is terminated, then killed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from golive.errors import ConfigError, PlatformFault
from golive.evidence.redact import Redactor
from golive.operations.command import Command

TAIL_CHARS = 4000  # of stdout and of stderr, kept in the journal
READ_LIMIT = 1 << 20  # at most this much of each stream is read back (and redacted)
GRACE_S = 5.0  # after SIGTERM on a timeout, before SIGKILL


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class OperationResult:
    """What one run of an operation did: its journal entry."""

    name: str
    argv: tuple[str, ...]  # with secrets redacted
    started_at: float  # seconds since the epoch
    ended_at: float
    exit_code: int | None  # None: it was stopped at its timeout
    timeout_s: float
    stdout_tail: str = ""  # redacted
    stderr_tail: str = ""  # redacted

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    @property
    def timed_out(self) -> bool:
        return self.exit_code is None

    @property
    def seconds(self) -> float:
        return self.ended_at - self.started_at

    def describe(self) -> str:
        """One line: what ran and how it ended."""
        if self.timed_out:
            how = f"did not finish within its timeout of {self.timeout_s:g} s"
        else:
            how = f"exited with {self.exit_code} after {self.seconds:.1f} s"
        last = (self.stderr_tail.strip() or self.stdout_tail.strip()).splitlines()[-1:]
        return f"operation {self.name} {how}" + (f": {last[0]}" if last else "")

    def to_dict(self) -> dict[str, Any]:
        return {
            "operation": self.name,
            "argv": list(self.argv),
            "start": _iso(self.started_at),
            "end": _iso(self.ended_at),
            "duration_s": round(self.seconds, 3),
            "timeout_s": self.timeout_s,
            "exit_code": self.exit_code,
            "timed_out": self.timed_out,
            "stdout_tail": self.stdout_tail,
            "stderr_tail": self.stderr_tail,
        }


class OperationFailed(PlatformFault):
    """An operation exited with a code other than 0; ``result`` holds its journal entry."""

    def __init__(self, result: OperationResult) -> None:
        super().__init__(result.describe())
        self.result = result


class OperationTimedOut(OperationFailed):
    """An operation did not finish within its timeout and was stopped."""


def _tail(f: IO[bytes], redactor: Redactor) -> str:
    size = f.seek(0, os.SEEK_END)
    f.seek(max(0, size - READ_LIMIT))
    text = redactor.redact_text(f.read().decode("utf-8", "replace"))
    return text[-TAIL_CHARS:]


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the command's process group, SIGKILL after a grace period."""
    for sig, wait in ((signal.SIGTERM, GRACE_S), (signal.SIGKILL, GRACE_S)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _default_redactor() -> Redactor:
    from golive.evidence.recorder import current

    return current().redactor  # the run's redactor: every secret registered for the run


def run_command(
    command: Command,
    values: Mapping[str, object],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    redactor: Redactor | None = None,
) -> OperationResult:
    """Run ``command`` with ``values`` filled in; OperationFailed unless it exits 0 in time."""
    argv = command.argv(values)
    redactor = redactor or _default_redactor()
    shown = tuple(redactor.redact_text(word) for word in argv)
    environ = dict(os.environ if env is None else env)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.time()
        try:
            proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                cwd=cwd, env=environ, start_new_session=True,
            )  # fmt: skip
        except OSError as exc:
            raise ConfigError(
                f"target.operations.{command.name}: {shown[0]!r} cannot be run "
                f"({exc.strerror or exc}); fix: install it, put it on PATH or give its full path"
                + (f" (commands run in {cwd})" if cwd else "")
            ) from None
        try:
            code: int | None = proc.wait(timeout=command.timeout_s)
        except subprocess.TimeoutExpired:
            _stop_group(proc)
            code = None
        except BaseException:  # interrupted: leave nothing of it running
            _stop_group(proc)
            raise
        result = OperationResult(
            name=command.name, argv=shown, started_at=started, ended_at=time.time(),
            exit_code=code, timeout_s=command.timeout_s,
            stdout_tail=_tail(out, redactor), stderr_tail=_tail(err, redactor),
        )  # fmt: skip
    if result.timed_out:
        raise OperationTimedOut(result)
    if not result.ok:
        raise OperationFailed(result)
    return result
