"""Interrupted runs: SIGINT/SIGTERM give a signed ABORTED bundle; SIGKILL an incomplete one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive.evidence.verify import verify_run

from .conftest import only_run

SLOW = """\
import os, pathlib, time

def test_quick():
    assert True

def test_slow():
    pathlib.Path(os.environ["STARTED_MARKER"]).write_text("started")
    for _ in range(600):  # bounded: at most 60 s if nobody interrupts
        time.sleep(0.1)
"""


def _start(pytester: pytest.Pytester) -> tuple[subprocess.Popen[bytes], Path]:
    pytester.makepyfile(**{"properties/test_slow": SLOW})
    marker = pytester.path / "started.marker"
    env = {**os.environ, "STARTED_MARKER": str(marker)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "properties"],
        cwd=pytester.path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 120
    while not marker.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            out = proc.communicate()[0].decode(errors="replace")
            pytest.fail(f"the slow test never started:\n{out}")
        time.sleep(0.05)
    return proc, marker


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_gives_a_verifiable_aborted_bundle(
    pytester: pytest.Pytester, sig: signal.Signals
) -> None:
    proc, _ = _start(pytester)
    proc.send_signal(sig)
    out = proc.communicate(timeout=120)[0].decode(errors="replace")
    assert proc.returncode == 3, out
    run = only_run(pytester.path)
    report = verify_run(run)
    assert report.ok, report.problems
    assert report.verdict == "ABORTED"
    manifest = json.loads((run / "manifest.json").read_text())
    first = manifest["verdict"]["reasons"][0]
    assert first.startswith("the run was aborted: interrupted by " + sig.name)
    assert "properties/test_slow.py::test_slow" in first
    assert manifest["counts"]["passed"] == 1  # what ran before the signal is kept
    assert "VERDICT: ABORTED" in out


def test_sigkill_leaves_an_incomplete_folder_that_never_verifies(
    pytester: pytest.Pytester,
) -> None:
    proc, _ = _start(pytester)
    proc.kill()
    proc.communicate(timeout=60)
    run = only_run(pytester.path)
    assert (run / "RUNNING").exists()
    assert not (run / "manifest.json").exists()
    report = verify_run(run)
    assert not report.ok
    assert any("incomplete run" in p.text for p in report.problems)
