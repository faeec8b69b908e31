"""Clean-up of everything golive creates, at normal exit and on SIGINT/SIGTERM.

Providers register a callable per resource; ``run_all`` runs them newest first. Signal
handlers chain to whatever handler was installed before (pytest's, the CLI's).
"""

from __future__ import annotations

import atexit
import os
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

_lock = threading.RLock()
_actions: dict[int, Callable[[], None]] = {}
_counter = 0
_installed = False
_previous: dict[int, Any] = {}


def register(action: Callable[[], None]) -> int:
    """Run ``action`` at exit or on SIGINT/SIGTERM unless ``unregister``-ed first."""
    global _counter
    _install()
    with _lock:
        _counter += 1
        _actions[_counter] = action
        return _counter


def unregister(token: int) -> None:
    with _lock:
        _actions.pop(token, None)


def run_all() -> None:
    """Run every registered action, newest first; one failing does not stop the others."""
    with _lock:
        items = sorted(_actions.items(), reverse=True)
        _actions.clear()
    for _, action in items:
        try:
            action()
        except Exception as exc:  # clean-up must go on
            os.write(2, f"golive: clean-up step failed: {exc}\n".encode())


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
    atexit.register(run_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            _previous[sig] = signal.getsignal(sig)
            signal.signal(sig, _handler)
