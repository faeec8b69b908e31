"""Schemathesis against refbank: the contract says exactly what the platform does.

`st run` with every check and every phase, bounded (examples per operation, a time
budget, one worker), against refbank on loopback on a disposable database. Any failure
(a server error, a schema-valid request refused, a schema-violating one accepted, an
undocumented status, header or shape) fails the test with Schemathesis' own report.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.platform.bank import Bank

ROOT = Path(__file__).resolve().parents[2]
BUDGET_SECONDS = 60


@pytest.mark.slow
def test_schemathesis_finds_no_failure(bank: Bank, tmp_path: Path) -> None:
    report = tmp_path / "run.ndjson"
    cmd = [
        str(Path(sys.executable).with_name("st")), "run", f"{bank.url}/openapi.yaml",
        "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", "30", "--max-time", str(BUDGET_SECONDS), "--workers", "1",
        "--seed", "1", "--report", "ndjson", "--report-ndjson-path", str(report),
    ]  # fmt: skip
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.platform.schemathesis_hooks",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        cmd,
        capture_output=True,
        text=True,
        timeout=BUDGET_SECONDS * 4,
        check=False,
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stdout[-8000:] + done.stderr[-2000:]
    assert re.search(r"\b(\d+) selected / \1 total", done.stdout)  # no operation left out
    events = [json.loads(line) for line in report.read_text().splitlines() if line.strip()]
    assert len(events) > 100  # it did send requests: one event per scenario and more
