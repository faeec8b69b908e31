"""The load engine: money loops per second with one Locust worker vs two vs the platform's
own ceiling, golive's CPU per request vs the platform's, and the time to 2,995 requests.

    python benchmarks/bench_load.py [--loops N] [--concurrency C] [--seconds S] [--postgres P]

On one embedded refbank (Postgres, the stub PSP, refbank started here), in one run:

- the load phase (golive.canary.load.run_load: Locust, the loops' records read back, every
  loop's money checked) with 1 worker, then 2 (a Locust master and two workers), each
  ``--loops`` loops at ``--concurrency``; loops/s over the loops' own window (first request
  to last answer) and over the phase's wall time (Locust's start and the checks included);
- the platform's ceiling: pgbench running refbank's SQL for one write call of the loop (a
  hold placed under its idempotency key, the balance reads, the last page of ledger legs:
  bench_properties.PGBENCH_STEP) with ``--concurrency`` clients, divided by the 8 write calls
  of a loop (account, deposit, its credit, hold, burn, hold, release, withdrawal);
- CPU per platform request: the Locust processes (this process's reaped children) vs refbank
  and its Postgres (their processes' CPU times, read with psutil around each phase); golive's
  own process (stub PSP, checks) beside them;
- time to 2,995 requests (99.9% at 95% confidence with no failure): from the phase's start,
  Locust's start-up included, to the answer of the 2,995th request.

Aims (issue 16): the harness is never the bottleneck (Locust CPU per request ≤ 0.2× the
platform's), and 2,995 requests in under 60 s on two cores. Every loop is bounded in count
and time. Writes benchmarks/results/load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

import psutil
from _pgbench import pgbench_tps
from bench_properties import PGBENCH_STEP, funded_accounts

from golive.canary.load import LoadResult, LoadTarget, run_load
from golive.canary.psp_ops import PspOps
from golive.operations.refbank import PlatformState
from golive.postgres import Instance, Templates, open_provider
from golive.stack import Stack, embedded_stack, migrate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "load.json"
WRITES_PER_LOOP = 8
ENOUGH = 2_995  # requests that prove 99.9% at 95% confidence with no failure


def _cpu(procs: list[psutil.Process]) -> float:
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass  # gone meanwhile: its time is lost (refbank's pool keeps its backends)
    return total


def platform_processes(stack: Stack, inst: Instance) -> list[psutil.Process]:
    """refbank's process and its Postgres server's (the postmaster and its backends)."""
    out = []
    if stack.platform is not None:
        pid = PlatformState(stack.platform.state).pid()
        if pid:
            out.append(psutil.Process(pid))
    for p in psutil.process_iter(["name", "cmdline"]):
        cmd = " ".join(p.info["cmdline"] or [])
        if p.info["name"] == "postgres" and f"-p {inst.port}" in cmd:
            out += [p, *p.children(recursive=True)]
    return out


def _own() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def phase(stack: Stack, inst: Instance, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    psp = PspOps(stack.psp_url)
    client = stack.open_target()
    platform = platform_processes(stack, inst)
    before_platform, (before_me, before_kids) = _cpu(platform), _own()
    try:
        result: LoadResult = run_load(
            LoadTarget(stack.platform_url, stack.psp_url, stack.adapter), psp, client,
            loops=args.loops, concurrency=args.concurrency, max_seconds=args.seconds,
            workers=workers,
        )  # fmt: skip
    finally:
        getattr(client, "close", lambda: None)()
        psp.close()
    after_me, after_kids = _own()
    platform_cpu = _cpu(platform_processes(stack, inst)) - before_platform
    xs = sorted(result.exchanges, key=lambda x: x.started_at)
    n = len(xs)
    window = (max(x.started_at + x.duration_ms / 1000 for x in xs) - xs[0].started_at) if xs else 0
    enough = None
    if n >= ENOUGH:
        ends = sorted(x.started_at + x.duration_ms / 1000 for x in xs)
        enough = ends[ENOUGH - 1] - result.started
    return {
        "workers": workers,
        "loops": result.loops_run,
        "failures": len(result.failures),
        "requests": n,
        "locust_requests": result.locust_requests,
        "loops_per_second": result.loops_run / window if window else 0.0,
        "loops_per_second_wall": result.loops_run / (result.loops_finished - result.started),
        "seconds_to_2995_requests": enough,
        "cpu_ms_per_request": {
            "locust": (after_kids - before_kids) * 1000 / max(n, 1),
            "platform": platform_cpu * 1000 / max(n, 1),
            "golive_process": (after_me - before_me) * 1000 / max(n, 1),
        },
    }


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--loops", type=int, default=400, help="loops per phase")
    ap.add_argument("--concurrency", type=int, default=4, help="concurrent loops")
    ap.add_argument("--seconds", type=float, default=120.0, help="bound of each phase")
    ap.add_argument("--pgbench-seconds", type=float, default=15.0)
    ap.add_argument("--postgres", default=None, help="provider or DSN (default auto)")
    args = ap.parse_args(argv)
    provider = open_provider(args.postgres)
    where = provider.describe()
    try:
        inst = provider.start_instance(name="bench-load")
        templates = Templates(inst)
        floor_db = templates.clone("refbank-2", lambda dsn: migrate(dsn, "2"))
        w0 = funded_accounts(floor_db.dsn, 200)
        tps = pgbench_tps(inst, floor_db.name, PGBENCH_STEP, {"n": 200, "w0": w0},
                          seconds=args.pgbench_seconds, clients=args.concurrency)  # fmt: skip
        db = templates.clone("refbank-2", lambda dsn: migrate(dsn, "2"))
        with embedded_stack(db.dsn, app_version="2") as stack:
            phases = [phase(stack, inst, workers, args) for workers in (1, 2)]
        templates.close()
    finally:
        provider.close()
    ceiling = tps / WRITES_PER_LOOP
    one, two = phases
    harness = one["cpu_ms_per_request"]["locust"] / max(one["cpu_ms_per_request"]["platform"], 1e-9)
    report: dict[str, Any] = {
        "benchmark": "load",
        "postgres": where,
        "load_average_at_end": os.getloadavg(),
        "loops": args.loops,
        "concurrency": args.concurrency,
        "phases": phases,
        "pgbench_write_steps_per_second": tps,
        "platform_ceiling_loops_per_second": ceiling,
        "two_workers_over_one": two["loops_per_second"] / one["loops_per_second"],
        "one_worker_over_ceiling": one["loops_per_second"] / ceiling,
        "locust_cpu_over_platform_cpu": harness,
        "aim": "locust_cpu_over_platform_cpu <= 0.2; 2,995 requests in < 60 s on two cores",
    }
    print(f"{'path':44} {'loops/s':>8} {'wall':>8} {'vs ceiling':>10} {'t(2995)':>8}")
    for p in phases:
        t = p["seconds_to_2995_requests"]
        shown = "-" if t is None else f"{t:.1f}s"
        print(f"{'load phase, ' + str(p['workers']) + ' worker(s)':44} "
              f"{p['loops_per_second']:8.1f} {p['loops_per_second_wall']:8.1f} "
              f"{p['loops_per_second'] / ceiling:10.2f} {shown:>8}")  # fmt: skip
    print(f"{'ceiling: pgbench, the loop SQL (8 writes)':44} {ceiling:8.1f} {'':8} {1.0:10.2f}")
    print(f"2 workers / 1 worker: {report['two_workers_over_one']:.2f}")
    for p in phases:
        c = p["cpu_ms_per_request"]
        share = c["locust"] / max(c["platform"], 1e-9)
        print(f"CPU ms per request, {p['workers']} worker(s): Locust {c['locust']:.2f}, "
              f"platform (refbank + Postgres) {c['platform']:.2f}, golive process "
              f"{c['golive_process']:.2f}; Locust / platform {share:.2f}")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(p["failures"] == 0 for p in phases) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
