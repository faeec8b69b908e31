"""Clean-up of everything golive creates: at normal exit, on SIGINT/SIGTERM, and after SIGKILL.

Providers register a callable per resource; ``run_all`` runs them newest first. Signal
handlers chain to whatever handler was installed before (pytest's, the CLI's).

A SIGKILL runs no handler, so a resource registered with ``Orphans`` (the processes to end
and the folders to remove) is also told to a watchdog: this file run as a script in its own
session, reading golive's instructions on a pipe. When golive dies, however it dies, the
pipe closes and the watchdog ends and removes whatever was not unregistered, then exits.
The watchdog imports only the standard library.

A cluster folder also holds an owner file (``OWNER``: pid and start time of the golive
process); ``remove_orphaned`` removes folders whose owner is provably gone, for the case
where the watchdog itself was killed.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, Any

OWNER = "golive.owner"
STOP_WAIT_S = 10.0
KILL_WAIT_S = 5.0

_lock = threading.RLock()
_actions: dict[int, Callable[[], None]] = {}
_counter = 0
_installed = False
_previous: dict[int, Any] = {}
_watchdog: subprocess.Popen[bytes] | None = None
_watchdog_pid = 0  # the process that started it (a forked child must not write to it)
_watchdog_failed_in = 0  # a process whose watchdog could not start does not try again


@dataclass(frozen=True)
class Orphans:
    """What to end and remove if golive dies before the registered action runs.

    ``pids`` are (pid, start time) pairs from `process`; ``pidfiles`` name a Postgres
    postmaster.pid read at that moment; ``stop_signal`` ends them (SIGKILL after a wait).
    """

    pids: tuple[tuple[int, str], ...] = ()
    pidfiles: tuple[str, ...] = ()
    folders: tuple[str, ...] = ()
    stop_signal: int = signal.SIGTERM


def register(action: Callable[[], None], orphans: Orphans | None = None) -> int:
    """Run ``action`` at exit or on SIGINT/SIGTERM unless ``unregister``-ed first.

    With ``orphans``, a watchdog ends and removes them if this process dies without running
    ``action`` (SIGKILL, a crash of the interpreter).
    """
    global _counter
    _install()
    with _lock:
        _counter += 1
        _actions[_counter] = action
        if orphans is not None:
            _tell(
                {
                    "add": _counter,
                    "signal": int(orphans.stop_signal),
                    "pids": list(orphans.pids),
                    "pidfiles": list(orphans.pidfiles),
                    "folders": list(orphans.folders),
                }
            )
        return _counter


def unregister(token: int) -> None:
    with _lock:
        if _actions.pop(token, None) is not None:
            _tell({"drop": token})


def run_all() -> None:
    """Run every registered action, newest first; one failing does not stop the others."""
    with _lock:
        items = sorted(_actions.items(), reverse=True)
        _actions.clear()
    for token, action in items:
        try:
            action()
        except Exception as exc:  # clean-up must go on
            os.write(2, f"golive: clean-up step failed: {exc}\n".encode())
        else:
            _tell({"drop": token})


def _at_exit() -> None:
    """Clean up, then let the watchdog go (bounded): nothing is left for it to do."""
    run_all()
    watchdog = _watchdog
    if watchdog is not None and _watchdog_pid == os.getpid():
        with contextlib.suppress(OSError, ValueError):
            if watchdog.stdin is not None:
                watchdog.stdin.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            watchdog.wait(timeout=STOP_WAIT_S + KILL_WAIT_S)


def _handler(signum: int, frame: FrameType | None) -> None:
    run_all()
    prev = _previous.get(signum)
    if callable(prev):
        prev(signum, frame)
    elif signum == signal.SIGINT:
        raise KeyboardInterrupt
    else:
        raise SystemExit(128 + signum)


def _install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    atexit.register(_at_exit)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            _previous[sig] = signal.getsignal(sig)
            signal.signal(sig, _handler)


# processes ---------------------------------------------------------------------------------
def process(pid: int) -> tuple[int, str]:
    """(pid, start time): a pid that is reused later has another start time."""
    return pid, _started(pid) or ""


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks after boot, None when it is gone or a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in ("Z", "X") else fields[19]


def _is_running(pid: int, started: str) -> bool:
    now = _started(pid)
    return now is not None and (not started or now == started)


def _postmaster(pidfile: Path) -> int | None:
    """The postmaster named by a postmaster.pid, if it runs and serves that data folder."""
    try:
        pid = int(pidfile.read_text().split("\n", 1)[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError):
        return None
    return pid if str(pidfile.parent) in cmdline and _started(pid) else None


def _end(processes: Iterable[tuple[int, str]], stop_signal: int) -> None:
    """Signal, wait (bounded), then SIGKILL what is left and wait again (bounded)."""
    alive = [(pid, started) for pid, started in processes if _is_running(pid, started)]
    for sig, wait in ((stop_signal, STOP_WAIT_S), (signal.SIGKILL, KILL_WAIT_S)):
        for pid, _ in alive:
            with contextlib.suppress(OSError):
                os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while alive and time.monotonic() < deadline:
            time.sleep(0.05)
            alive = [(pid, started) for pid, started in alive if _is_running(pid, started)]
        if not alive:
            return


def _reap(entry: dict[str, Any]) -> None:
    procs = [(int(pid), str(started)) for pid, started in entry.get("pids", [])]
    for pidfile in entry.get("pidfiles", []):
        pid = _postmaster(Path(pidfile))
        if pid is not None:
            procs.append(process(pid))
    _end(procs, int(entry.get("signal", signal.SIGTERM)))
    for folder in entry.get("folders", []):
        shutil.rmtree(folder, ignore_errors=True)


# the watchdog ------------------------------------------------------------------------------
def _tell(message: dict[str, Any]) -> None:
    """Send one instruction to the watchdog, starting it on the first ``add``."""
    global _watchdog, _watchdog_pid, _watchdog_failed_in
    with _lock:
        if _watchdog is None or _watchdog_pid != os.getpid():
            if "add" not in message or _watchdog_failed_in == os.getpid():
                return
            try:
                _watchdog = subprocess.Popen(
                    [sys.executable, "-I", os.path.abspath(__file__), "watch"],
                    stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                    start_new_session=True,  # a Ctrl-C to golive's process group misses it
                )  # fmt: skip
            except OSError as exc:  # clean-up at exit and on signals still works
                _watchdog_failed_in = os.getpid()
                os.write(2, f"golive: no clean-up watchdog ({exc}); a SIGKILL leaves "
                            "servers behind\n".encode())  # fmt: skip
                return
            _watchdog_pid = os.getpid()
        stdin: IO[bytes] | None = _watchdog.stdin
        with contextlib.suppress(OSError, ValueError):  # a watchdog that is gone cannot be told
            assert stdin is not None
            stdin.write(json.dumps(message).encode() + b"\n")
            stdin.flush()


def watch(instructions: IO[bytes]) -> None:
    """Keep golive's instructions until the pipe closes; then end and remove what is left."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    entries: dict[int, dict[str, Any]] = {}
    for line in instructions:
        with contextlib.suppress(ValueError, KeyError, TypeError):
            message = json.loads(line)
            if "drop" in message:
                entries.pop(int(message["drop"]), None)
            else:
                entries[int(message["add"])] = message
    # all at once: each is bounded (stop, wait, SIGKILL, wait), so the whole clean-up takes
    # one such bound however many servers and processes the run had, even on a busy machine
    threads = [
        threading.Thread(target=_reap_quietly, args=(entry,), daemon=True)
        for _, entry in sorted(entries.items(), reverse=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=STOP_WAIT_S + KILL_WAIT_S + 60)


def _reap_quietly(entry: dict[str, Any]) -> None:
    with contextlib.suppress(Exception):  # one failing does not stop the others
        _reap(entry)


# owner files and orphans found by the next run ---------------------------------------------
def write_owner(folder: Path) -> None:
    """Mark ``folder`` as this process's, so a later run can prove it orphaned."""
    pid, started = process(os.getpid())
    (folder / OWNER).write_text(json.dumps({"pid": pid, "started": started}))


def remove_orphaned(patterns: Iterable[str] = ("golive-pg-*", "golive-archive-*")) -> list[Path]:
    """Remove temporary folders (and their Postgres servers) whose golive process is gone.

    A folder without a readable owner file is left alone: nothing proves it orphaned.
    """
    removed = []
    root = Path(tempfile.gettempdir())
    for pattern in patterns:
        for folder in sorted(root.glob(pattern)):
            try:
                owner = json.loads((folder / OWNER).read_text())
                pid, started = int(owner["pid"]), str(owner["started"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if _is_running(pid, started):
                continue
            pidfile = str(folder / "data" / "postmaster.pid")
            _reap({"pidfiles": [pidfile], "signal": int(signal.SIGINT)})
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


if __name__ == "__main__" and sys.argv[1:] == ["watch"]:
    watch(sys.stdin.buffer)
