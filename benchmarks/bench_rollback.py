"""Time to roll back as the drill measures it, against the app switch and the schema downgrade
done on their own, side by side in one run (the drill's overhead ratio).

    python benchmarks/bench_rollback.py [--rounds N] [--budget SECONDS] [--postgres SPEC]

Each round runs both on fresh databases with the same history (live balances under release 1,
an upgrade to release 2, a canary loop on it):

- raw: the platform's ``deploy`` operation to release 1, then its ``migrate`` operation to
  schema 1 (the commands the drill runs), timed with nothing else;
- drill: ``Drill.rollback()`` — the same two actions journaled, each followed by its release
  check (``GET /version``), then the after-rollback steady-state check (every probe).

The ratio drill / raw is the price of proving the rollback rather than just doing it. Rounds
alternate raw and drill so drift on a shared machine hits both. Bounded by --rounds and
--budget. Writes benchmarks/results/rollback.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from golive.canary.psp_ops import PspOps
from golive.drills.journal import Kind
from golive.drills.rollback import runbook
from golive.drills.rollback.book import Book
from golive.drills.rollback.case import open_drill
from golive.drills.rollback.money import canary, live_balances, new_world
from golive.drills.rollback.plan import plan_release
from golive.driver import PlatformClient
from golive.evidence import GateStatus
from golive.postgres import Templates, open_provider
from golive.stack import embedded_stack, migrate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "rollback.json"


class NullSink:
    def attach(self, name: str, data: str, kind: str) -> object:
        return None

    def record_gate(self, name: str, status: GateStatus, **kw: Any) -> None:
        return None


def raw_round(templates: Templates, log_dir: Path) -> dict[str, float]:
    db = templates.clone("refbank-schema-1", lambda dsn: migrate(dsn, "1"))
    try:
        with embedded_stack(db.dsn, app_version="1", log_dir=log_dir) as s:
            assert s.platform is not None
            client, psp, book = PlatformClient(s.platform_url), PspOps(s.psp_url), Book()
            try:
                live_balances(lambda: new_world(client, psp, book), psp)
                ops, url = s.operations, s.platform_url
                ops.run("migrate", {"schema": "2", "lock_timeout_ms": 30000, "url": url})
                ops.run("deploy", {"release": "2", "url": url})
                canary(lambda: new_world(client, psp, book), psp, "2")
                t0 = time.perf_counter()
                ops.run("deploy", {"release": "1", "url": url})
                t1 = time.perf_counter()
                ops.run("migrate", {"schema": "1", "lock_timeout_ms": 30000, "url": url})
                t2 = time.perf_counter()
            finally:
                client.close()
                psp.close()
            return {"switch_s": t1 - t0, "downgrade_s": t2 - t1, "total_s": t2 - t0}
    finally:
        db.drop()


def drill_round(templates: Templates, log_dir: Path) -> dict[str, float]:
    plan = plan_release("1", "2")
    db = templates.clone("refbank-schema-1", lambda dsn: migrate(dsn, "1"))
    try:
        with embedded_stack(db.dsn, app_version="1", log_dir=log_dir) as s, open_drill(
            "bench", "benchmark", stack=s, plan=plan, target_seconds=600,
            lock_timeout_s=30, sink=NullSink(),
        ) as case:  # fmt: skip
            runbook.open_live_balances(case)
            case.drill.act(  # as the drills' Given step: keyed requests to retry after it
                "make requests with idempotency keys, to retry after the change",
                lambda: case.memory.record(case.client, case.psp.deliver_due),
            )
            runbook.steady_state_before(case)
            runbook.deploy_new_release(case)
            runbook.canary_on(case, "new")
            outcome = case.drill.rollback()
            if not outcome.ok:
                raise RuntimeError(f"the drill's rollback failed: {case.drill.journal.findings}")
            acts = case.drill.journal.find(Kind.ROLLBACK)
            steady = case.drill.journal.find(Kind.HYPOTHESIS)[-1].seconds
            return {
                "rollback_s": outcome.seconds,
                "actions_s": sum(a.seconds for a in acts),
                "steady_state_s": steady,
                **{f"{a.name}_s": a.seconds for a in acts},
            }
    finally:
        db.drop()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--rounds", type=int, default=3, help="rounds of raw + drill (default 3)")
    ap.add_argument("--budget", type=float, default=240.0, help="stop after this many seconds")
    ap.add_argument("--postgres", default=None, help="provider or DSN (default: auto)")
    args = ap.parse_args(argv)
    log_dir = HERE / "results" / "rollback-logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    raws: list[dict[str, float]] = []
    drills: list[dict[str, float]] = []
    deadline = time.monotonic() + args.budget
    with open_provider(args.postgres) as provider:
        instance = provider.start_instance(name="bench-rollback")
        templates = Templates(instance)
        try:
            while len(raws) < args.rounds and (not raws or time.monotonic() < deadline):
                raws.append(raw_round(templates, log_dir))
                drills.append(drill_round(templates, log_dir))
                r, d = raws[-1], drills[-1]
                print(f"round {len(raws)}: raw {r['total_s']:.2f} s (switch {r['switch_s']:.2f}, "
                      f"downgrade {r['downgrade_s']:.2f}); drill {d['rollback_s']:.2f} s "
                      f"(actions {d['actions_s']:.2f}, steady state {d['steady_state_s']:.2f})",
                      flush=True)  # fmt: skip
        finally:
            templates.close()
    med = statistics.median
    result = {
        "benchmark": "rollback",
        "rounds": len(raws),
        "raw": raws,
        "drill": drills,
        "median": {
            "raw_switch_s": med(r["switch_s"] for r in raws),
            "raw_downgrade_s": med(r["downgrade_s"] for r in raws),
            "raw_total_s": med(r["total_s"] for r in raws),
            "drill_rollback_s": med(d["rollback_s"] for d in drills),
            "drill_actions_s": med(d["actions_s"] for d in drills),
            "drill_steady_state_s": med(d["steady_state_s"] for d in drills),
        },
        "overhead_ratio": med(
            d["rollback_s"] / r["total_s"] for r, d in zip(raws, drills, strict=True)
        ),
        "actions_ratio": med(
            d["actions_s"] / r["total_s"] for r, d in zip(raws, drills, strict=True)
        ),
        # the stable part of the overhead: the after-rollback check's share of the drill's time
        "steady_state_share": med(d["steady_state_s"] / d["rollback_s"] for d in drills),
        "machine": {"python": sys.version.split()[0], "platform": platform.platform()},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    m = result["median"]
    print(f"\nmedian raw rollback (switch + downgrade): {m['raw_total_s']:.2f} s")
    print(f"median drill time to roll back:          {m['drill_rollback_s']:.2f} s")
    print(f"overhead ratio drill/raw: {result['overhead_ratio']:.2f}  "
          f"(actions alone: {result['actions_ratio']:.2f})")  # fmt: skip
    print(f"steady-state check's share of the drill's time: {result['steady_state_share']:.1%}")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
