"""Shared by the detection matrices: one Postgres instance for every run, and a runner of
`golive run` as a subprocess with a platform fault switched on in its environment.

The harness under test is never told which fault is on: only the platform reads
GOLIVE_PLATFORM_FAULTS. These tests know, because they check that the harness finds it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from golive.postgres import Instance

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunResult:
    code: int
    verdict: str | None
    reasons: list[str]
    output: str
    run_dir: Path | None

    def assert_no_go(self, scenario: str) -> None:
        """NO-GO (exit 1), with a reason naming ``scenario``."""
        assert self.code == 1, self.explain()
        assert self.verdict == "NO-GO", self.explain()
        assert any(scenario in reason for reason in self.reasons), self.explain()

    def assert_go(self) -> None:
        """GO (exit 0), and its evidence verifies."""
        from golive.evidence.verify import verify_run

        assert self.code == 0, self.explain()
        assert self.verdict == "GO", self.explain()
        assert self.run_dir is not None
        assert verify_run(self.run_dir).ok, verify_run(self.run_dir).problems

    def explain(self) -> str:
        head = f"exit {self.code}, verdict {self.verdict}, reasons {self.reasons}"
        return f"{head}\n{self.output[-3000:]}"


@pytest.fixture(scope="session")
def shared_pg(pg_instance: Instance) -> str:
    """A DSN of one instance all matrix runs share (each run makes and drops its own databases)."""
    return pg_instance.dsn()


@pytest.fixture
def golive_run(shared_pg: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, fault: str | None = None, timeout: float = 600) -> RunResult:
        env = {k: v for k, v in os.environ.items() if k != "GOLIVE_PLATFORM_FAULTS"}
        if fault:
            env["GOLIVE_PLATFORM_FAULTS"] = fault
        out = tmp_path / "reports"
        cmd = [
            sys.executable,
            "-m",
            "golive",
            "run",
            *args,
            "--postgres",
            shared_pg,
            "--out",
            str(out),
        ]
        proc = subprocess.run(
            cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
        runs = (
            sorted(p for p in out.glob("*") if (p / "manifest.json").exists())
            if out.exists()
            else []
        )
        verdict, reasons, run_dir = None, [], None
        if runs:
            run_dir = runs[-1]
            manifest = json.loads((run_dir / "manifest.json").read_text())
            verdict = manifest["verdict"]["verdict"]
            reasons = manifest["verdict"]["reasons"]
        return RunResult(proc.returncode, verdict, reasons, proc.stdout + proc.stderr, run_dir)

    return run
