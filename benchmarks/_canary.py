"""Time to verdict of `golive run --suite canary` on a target, for bench_target.py and
bench_wallet.py: the embedded refbank, refbank started as an external service
(examples/external-refbank) and the hordak wallet (examples/hordak-wallet).

An external platform is started by its own start.sh on free loopback ports, with a state
folder of its own, and stopped by its stop.sh; golive is pointed at it with a copy of the
example's golive.toml naming those ports. Each `golive run` is timed from the outside
(wall clock, what a user waits for) and from the inside (benchmarks/_phases.py: when the
scenarios ran); its transcripts give the time spent waiting on the platform and on the PSP.
Every subprocess has a timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.postgres.base import free_port

ROOT = Path(__file__).resolve().parents[1]
EXTERNAL_REFBANK = ROOT / "examples" / "external-refbank"
WALLET = ROOT / "examples" / "hordak-wallet"
START_TIMEOUT = 900.0  # the wallet's first start installs its requirements into its .venv
STOP_TIMEOUT = 120.0
RUN_TIMEOUT = 1500.0
EMBEDDED = "refbank, embedded"


@dataclass
class Target:
    """A platform to run the canary against: the extra `golive run` arguments and env."""

    name: str
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path = ROOT
    start_s: float | None = None  # how long its start.sh took (None: golive starts it)


@dataclass
class Run:
    """One timed `golive run --suite canary`."""

    target: str
    exit_code: int
    verdict: str
    wall_s: float  # from the command to its exit: the time to verdict
    tests: int  # scenarios and tests that ran (passed or failed)
    scenarios_s: float  # first scenario's start to the last one's end, without start-up
    before_s: float  # command line, configuration, preflight, collection
    setup_s: float  # Postgres, stub PSP and platform brought up by the run's fixtures
    after_s: float  # evidence: finalising, signing, reports
    platform_s: float  # wall time with at least one platform exchange in flight
    psp_s: float  # the same for the stub PSP
    platform_calls: int
    adapter_calls: int  # exchanges of method CALL: calls through an adapter
    tail: str  # the end of the output, for a run that did not give GO

    def summary(self) -> dict[str, Any]:
        out = dict(self.__dict__)
        del out["tail"]
        out["platform_share_of_scenarios"] = self.platform_s / self.scenarios_s
        out["psp_share_of_scenarios"] = self.psp_s / self.scenarios_s
        return out


def clean_env() -> dict[str, str]:
    """This environment without REFBANK_*/GOLIVE_*/WALLET_* settings, this golive on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REFBANK_", "GOLIVE_", "WALLET_", "HORDAK_WALLET_", "PYTEST_"))
    }
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def embedded() -> Target:
    return Target(EMBEDDED, env=clean_env())


def _start(script: Path, env: dict[str, str]) -> float:
    t = time.monotonic()
    try:
        done = subprocess.run(
            [str(script)], env=env, capture_output=True, text=True, timeout=START_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        raise SystemExit(f"{script} did not finish in {START_TIMEOUT:.0f} s") from None
    if done.returncode != 0:
        raise SystemExit(f"{script} failed (exit {done.returncode}): {done.stderr[-2000:]}")
    return time.monotonic() - t


def _stop(script: Path, env: dict[str, str]) -> None:
    try:
        subprocess.run([str(script)], env=env, capture_output=True, timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        print(
            f"{script} did not finish in {STOP_TIMEOUT:.0f} s: check for leftovers", file=sys.stderr
        )


@contextlib.contextmanager
def external_refbank() -> Iterator[Target]:
    """refbank started by examples/external-refbank/start.sh; its golive.toml on our ports."""
    with tempfile.TemporaryDirectory(prefix="bench-external-refbank-") as tmp:
        state = Path(tmp) / "state"
        port, pg_port = str(free_port()), str(free_port())
        env = clean_env() | {
            "GOLIVE_PLATFORM_STATE": str(state),
            "REFBANK_PORT": port,
            "EXAMPLE_PG_PORT": pg_port,
            "GOLIVE_PSP_PORT": str(free_port()),
        }
        text = (EXTERNAL_REFBANK / "golive.toml").read_text()
        text = text.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
        text = text.replace("127.0.0.1:55432", f"127.0.0.1:{pg_port}")
        text = text.replace('".golive-platform/platform.env"', f'"{state}/platform.env"')
        config = Path(tmp) / "golive.toml"
        config.write_text(text)
        try:
            took = _start(EXTERNAL_REFBANK / "start.sh", env)
            yield Target("refbank, external", ["--config", str(config)], env, start_s=took)
        finally:
            _stop(EXTERNAL_REFBANK / "stop.sh", env)


@contextlib.contextmanager
def hordak_wallet() -> Iterator[Target]:
    """The hordak wallet started by its start.sh; its golive.toml on our ports."""
    with tempfile.TemporaryDirectory(prefix="bench-hordak-wallet-") as tmp:
        state = Path(tmp) / "state"
        port, pg_port = str(free_port()), str(free_port())
        env = clean_env() | {
            "WALLET_STATE": str(state),
            "WALLET_PORT": port,
            "EXAMPLE_PG_PORT": pg_port,
            "GOLIVE_PSP_PORT": str(free_port()),
            "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET": "whsec_" + secrets.token_hex(24),
            "GOLIVE_PSP_ADYEN_HMAC_KEY": secrets.token_hex(32).upper(),
        }
        text = (WALLET / "golive.toml").read_text()
        text = text.replace("http://127.0.0.1:8100", f"http://127.0.0.1:{port}")
        text = text.replace('".wallet-state/wallet.env"', f'"{state}/wallet.env"')
        text = text.replace("@127.0.0.1:55442/", f"@127.0.0.1:{pg_port}/")
        # beside the example's: its operations run in the config's folder (.venv/bin/python)
        config = WALLET / f"golive.local-bench-{Path(tmp).name}.toml"
        config.write_text(text)
        try:
            took = _start(WALLET / "start.sh", env)
            run_env = env | {"PYTHONPATH": str(WALLET)}  # the adapter is imported from there
            yield Target("hordak wallet", ["--config", str(config)], run_env, start_s=took)
        finally:
            _stop(WALLET / "stop.sh", env)
            config.unlink(missing_ok=True)


def busy_seconds(spans: list[tuple[float, float]]) -> float:
    """The length of the union of [start, end) spans: overlapping calls count once."""
    total, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            total += end - max(start, reach)
            reach = end
    return total


def canary(target: Target) -> Run:
    """One `golive run --suite canary` against ``target``, timed; its evidence read back."""
    with tempfile.TemporaryDirectory(prefix="bench-canary-") as tmp:
        phases_file = Path(tmp) / "phases.json"
        env = target.env | {
            "PYTEST_ADDOPTS": "-p benchmarks._phases",
            "GOLIVE_BENCH_PHASES": str(phases_file),
            "PYTHONPATH": os.pathsep.join(
                p for p in (str(ROOT), target.env.get("PYTHONPATH", "")) if p
            ),
        }
        argv = [sys.executable, "-m", "golive", "run", "--suite", "canary", *target.args]
        argv += ["--out", str(Path(tmp) / "reports")]
        start, started_at = time.monotonic(), time.time()
        try:
            proc = subprocess.run(
                argv, cwd=target.cwd, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT
            )
        except subprocess.TimeoutExpired:
            raise SystemExit(
                f"{target.name}: golive run gave no verdict in {RUN_TIMEOUT:.0f} s"
            ) from None
        wall = time.monotonic() - start
        output = proc.stdout + proc.stderr
        verdict = next(
            (ln.split()[1] for ln in output.splitlines() if ln.startswith("VERDICT:")), "none"
        )
        runs = sorted((Path(tmp) / "reports").glob("*-*"))
        if not phases_file.exists() or not runs:
            raise SystemExit(f"{target.name}: golive run left no run folder:\n{output[-3000:]}")
        phases = json.loads(phases_file.read_text())
        spans, calls = _exchanges(runs[-1])
        results = json.loads((runs[-1] / "results.json").read_text())
    ran = sum(t.get("outcome") in ("passed", "failed") for t in results["tests"])
    marks, fixtures = phases["marks"], phases["fixtures"]
    setup = sum(fixtures.get(k, 0.0) for k in ("pg_provider", "pg_instance", "pg_templates"))
    setup += fixtures.get("stack", 0.0)
    return Run(
        target=target.name,
        exit_code=proc.returncode,
        verdict=verdict,
        wall_s=wall,
        tests=ran,
        scenarios_s=marks["last_test"] - marks["first_test"] - setup,
        before_s=marks["first_test"] - started_at,
        setup_s=setup,
        after_s=marks["unconfigure"] - marks["last_test"],
        platform_s=busy_seconds(spans.get("platform", [])),
        psp_s=busy_seconds(spans.get("psp", [])),
        platform_calls=calls["platform"],
        adapter_calls=calls["adapter"],
        tail=output[-3000:],
    )


def _exchanges(run_dir: Path) -> tuple[dict[str, list[tuple[float, float]]], dict[str, int]]:
    """Per peer, the [start, end) of every exchange; how many went to the platform, and how
    many of those were calls through an adapter (method CALL, docs/adopting.md)."""
    spans: dict[str, list[tuple[float, float]]] = {}
    calls = {"platform": 0, "adapter": 0}
    for f in (run_dir / "transcripts").glob("*.jsonl"):
        for line in f.read_text().splitlines():
            rec = json.loads(line)
            peer = rec.get("peer", f.stem)
            start = float(rec["started_at"])
            spans.setdefault(peer, []).append((start, start + float(rec["duration_ms"]) / 1000))
            if peer == "platform":
                calls["platform"] += 1
                calls["adapter"] += rec.get("method") == "CALL"
    return spans, calls


def print_runs(runs: list[Run]) -> None:
    """One line per run: verdict, time to verdict and its phases, time waiting on peers (s)."""
    print(
        f"{'target':18} {'verdict':>7} {'tests':>5} {'to verdict':>10} {'before':>7} "
        f"{'setup':>6} {'scenarios':>9} {'evidence':>8} {'platform':>8} {'psp':>5} {'calls':>6}"
    )
    for r in runs:
        print(
            f"{r.target:18} {r.verdict:>7} {r.tests:5d} {r.wall_s:10.1f} {r.before_s:7.1f} "
            f"{r.setup_s:6.1f} {r.scenarios_s:9.1f} {r.after_s:8.1f} {r.platform_s:8.1f} "
            f"{r.psp_s:5.1f} {r.platform_calls:6d}"
        )


def median_run(runs: list[Run]) -> Run:
    """The run with the median time to verdict (the lower middle one of an even count)."""
    ordered = sorted(runs, key=lambda r: r.wall_s)
    return ordered[(len(ordered) - 1) // 2]
