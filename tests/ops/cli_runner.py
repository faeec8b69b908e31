"""Run `golive …` in this process (fast) or as a real process (what cron does)."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass
class Done:
    returncode: int
    stdout: str
    stderr: str


def in_process(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
               *args: str | Path) -> Done:  # fmt: skip
    from golive.cli import main

    monkeypatch.setattr(sys, "argv", ["golive", *map(str, args)])
    capsys.readouterr()
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return Done(code, out, err)


def as_process(*args: str | Path) -> Done:
    done = subprocess.run(
        [sys.executable, "-m", "golive", *map(str, args)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    return Done(done.returncode, done.stdout, done.stderr)
