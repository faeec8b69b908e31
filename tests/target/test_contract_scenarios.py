"""features/contract speaks HTTP to the platform: with an adapter target its scenarios are
deselected (not applicable, recorded in the manifest), never run or counted as passed."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ADAPTER = "tests.target.refbank_adapter:RefbankAdapter"


def collect(tmp_path: Path, config: str) -> str:
    """Collect features/contract against a platform URL nobody serves (collection only)."""
    (tmp_path / "golive.toml").write_text(config)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLIVE_", "REFBANK_"))}
    env |= {"GOLIVE_CONFIG": str(tmp_path / "golive.toml"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pytest", "features/contract", "--collect-only", "-q",
           "-p", "no:cacheprovider", "--target", "http://127.0.0.1:9"]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    return proc.stdout + proc.stderr


def counts(said: str) -> tuple[int, int]:
    """(selected, deselected) of a ``--collect-only -q`` summary."""
    every = re.search(
        r"(?:no tests|(\d+)(?:/\d+)? tests?) collected(?: \((\d+) deselected\))?", said
    )
    assert every is not None, said[-2000:]
    return int(every.group(1) or 0), int(every.group(2) or 0)


def test_an_adapter_target_deselects_the_contract_scenarios(tmp_path: Path) -> None:
    said = collect(tmp_path, f'[target]\nurl = "http://127.0.0.1:9"\nadapter = "{ADAPTER}"\n')
    selected, deselected = counts(said)
    assert (selected, deselected >= 30) == (0, True), said[-2000:]


def test_a_target_speaking_the_contract_runs_them(tmp_path: Path) -> None:
    said = collect(tmp_path, '[target]\nurl = "http://127.0.0.1:9"\n')
    selected, deselected = counts(said)
    # only the examples of payment providers the target does not use ([target] psps)
    assert selected >= 30, said[-2000:]
    assert deselected <= 3, said[-2000:]


LIMITS = "test_a_transfer_that_would_take_a_wallet_past_the_largest_balance"


def test_a_target_without_seed_balance_does_not_run_the_limit_scenario(tmp_path: Path) -> None:
    """features/contract/limits.feature needs the seed_balance operation: without it the
    scenario is deselected (listed as not checked on this target), with it, it runs."""
    said = collect(tmp_path, '[target]\nurl = "http://127.0.0.1:9"\n')
    assert LIMITS not in said, said[-2000:]
    assert counts(said)[1] >= 1
    hooked = '[target.operations]\nseed_balance = "seed {account} {amount} {currency}"\n'
    said = collect(tmp_path, '[target]\nurl = "http://127.0.0.1:9"\n' + hooked)
    assert LIMITS in said, said[-2000:]


def test_a_run_without_seed_balance_lists_the_limit_scenario_and_stays_go(tmp_path: Path) -> None:
    """The deselected limit scenario is recorded as not checked on this target, and the
    verdict is that of what ran (a platform-free test stands in for the rest of a run)."""
    (tmp_path / "golive.toml").write_text('[target]\nurl = "http://127.0.0.1:9"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLIVE_", "REFBANK_"))}
    env |= {"GOLIVE_CONFIG": str(tmp_path / "golive.toml"), "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "pytest", "features/contract", "tests/test_money.py",
           "-k", "seed_balance or test_money", "-p", "no:cacheprovider",
           "--target", "http://127.0.0.1:9", "--golive-evidence=on",
           "--golive-out", str(tmp_path / "out")]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    (run,) = [p for p in (tmp_path / "out").iterdir() if (p / "manifest.json").exists()]
    assert json.loads((run / "manifest.json").read_text())["verdict"]["verdict"] == "GO"
    listed = json.loads((run / "results.json").read_text())["metadata"]["not_checked_on_target"]
    assert listed["operations"] == ["seed_balance"]
    assert [s.rsplit("::", 1)[1][: len(LIMITS)] for s in listed["scenarios"]] == [LIMITS]
