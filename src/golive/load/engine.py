"""Locust as golive's load engine: run the money loops in Locust processes, read them back.

    run = run_locust(LoadRequest(url=..., psp_url=..., loops=40, users=4, workers=1, ...))

One Locust process by default; ``workers`` > 1: a Locust master and that many worker
processes on this machine (Locust's ``--processes``). Every run is bounded: no loop starts
after the deadline, Locust's own run time stops the users, and the process group is killed
when it outlives both. golive never imports locust (it patches the process with gevent).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from golive.evidence.recorder import Exchange
from golive.load.records import STATS, LoopRecord, read_exchanges, read_loops

GRACE_S = 30.0  # how long loops running at the deadline may take to finish


@dataclass(frozen=True)
class LoadRequest:
    url: str  # the platform's base URL
    psp_url: str
    loops: int
    users: int  # concurrent money loops, across all workers
    seconds: float  # no loop starts after this many seconds
    adapter: str = ""  # package.module:Class, or "" for the HTTP contract
    workers: int = 1
    first: int = 0  # index of the first loop (loops are numbered across batches)


@dataclass
class EngineRun:
    loops: list[LoopRecord]
    exchanges: list[tuple[Exchange, bytes]]  # (record, transcript line) of each exchange
    stats: list[dict[str, Any]] = field(default_factory=list)  # Locust's per-endpoint stats
    returncode: int | None = None
    log: str = ""  # the tail of Locust's output

    @property
    def locust_requests(self) -> int:
        return sum(int(s.get("num_requests", 0)) for s in self.stats)

    @property
    def locust_failures(self) -> int:
        return sum(int(s.get("num_failures", 0)) for s in self.stats)


def locustfile() -> Path:
    return Path(str(resources.files("golive.load").joinpath("locustfile.py")))


def command(req: LoadRequest, folder: Path) -> list[str]:
    users = max(req.users, req.workers)  # a worker without a user would never finish
    run_time = max(1, round(req.seconds + GRACE_S))
    cmd = [
        sys.executable, "-m", "locust", "-f", str(locustfile()), "--headless",
        "--users", str(users), "--spawn-rate", str(users), "--run-time", f"{run_time}s",
        "--stop-timeout", str(round(GRACE_S)), "--host", req.url,
        "--only-summary", "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    if req.workers > 1:
        cmd += ["--processes", str(req.workers)]
    return cmd


def environment(req: LoadRequest, folder: Path) -> dict[str, str]:
    return {
        **os.environ,
        "GOLIVE_LOAD_DIR": str(folder),
        "GOLIVE_LOAD_URL": req.url,
        "GOLIVE_LOAD_ADAPTER": req.adapter,
        "GOLIVE_LOAD_PSP": req.psp_url,
        "GOLIVE_LOAD_LOOPS": str(req.loops),
        "GOLIVE_LOAD_FIRST": str(req.first),
        "GOLIVE_LOAD_WORKERS": str(req.workers),
        "GOLIVE_LOAD_DEADLINE": str(time.time() + req.seconds),
        # what golive can import (an adapter's module too), the load processes can
        "PYTHONPATH": os.pathsep.join(p or os.getcwd() for p in sys.path),
    }


def run_locust(req: LoadRequest) -> EngineRun:
    """Run ``req.loops`` money loops under Locust and read back what its processes wrote."""
    with tempfile.TemporaryDirectory(prefix="golive-load-") as tmp:
        folder = Path(tmp)
        log_path = folder / "locust.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(
                command(req, folder), env=environment(req, folder), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            try:
                code: int | None = proc.wait(timeout=req.seconds + 2 * GRACE_S + 30)
            except subprocess.TimeoutExpired:
                code = None
            finally:
                _kill_group(proc)
        stats_path = folder / STATS
        stats = json.loads(stats_path.read_text()) if stats_path.is_file() else []
        return EngineRun(
            loops=read_loops(folder),
            exchanges=read_exchanges(folder),
            stats=stats,
            returncode=code,
            log=log_path.read_text(errors="replace")[-2000:],
        )


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    """The Locust process and every worker it forked: gone, whatever state they are in."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            continue
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=5)
