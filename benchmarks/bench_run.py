"""Time to verdict of `golive run --suite canary` from cold, by phase, and the harness's share.

Phases: provisioning (Postgres up, template migrated), start-up (stub PSP and platform),
scenarios, evidence (finalising, signing, reports). The harness's own share is the
scenario time not spent waiting on the platform or the PSP (summed from the transcripts,
which time every exchange); the aim is under 30%.

Usage: python benchmarks/bench_run.py [--postgres local] [-k EXPR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _exchange_ms(run_dir: Path) -> dict[str, float]:
    totals: dict[str, float] = {}
    for f in (run_dir / "transcripts").glob("*.jsonl"):
        for line in f.read_text().splitlines():
            rec = json.loads(line)
            peer = rec.get("peer", f.stem)
            totals[peer] = totals.get(peer, 0.0) + float(rec.get("duration_ms") or 0.0)
    return totals


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--postgres", default=os.environ.get("GOLIVE_POSTGRES", "auto"))
    ap.add_argument("-k", default=None, help="limit the scenarios (default: the whole suite)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        phases_file = Path(tmp) / "phases.json"
        env = os.environ | {
            "PYTEST_ADDOPTS": "-p benchmarks._phases",
            "GOLIVE_BENCH_PHASES": str(phases_file),
        }
        cmd = [sys.executable, "-m", "golive", "run", "--suite", "canary"]
        cmd += ["--postgres", args.postgres, "--out", str(Path(tmp) / "reports")]
        if args.k:
            cmd += ["-k", args.k]
        start = time.time()
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
        end = time.time()
        if not phases_file.exists():
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            return 1
        data = json.loads(phases_file.read_text())
        marks, fixtures = data["marks"], data["fixtures"]
        run_dir = max((Path(tmp) / "reports").glob("*-*"))
        exchanges = _exchange_ms(run_dir)
    provisioning = sum(fixtures.get(k, 0.0) for k in ("pg_provider", "pg_instance", "pg_templates"))
    startup = fixtures.get("stack", 0.0)
    tests = marks["last_test"] - marks["first_test"]
    scenarios = tests - provisioning - startup
    waiting = (exchanges.get("platform", 0.0) + exchanges.get("psp", 0.0)) / 1000
    harness = max(0.0, scenarios - waiting)
    rows = {
        "total_s": end - start,
        "cli_and_collection_s": marks["first_test"] - start,
        "provisioning_s": provisioning,
        "platform_and_stub_startup_s": startup,
        "scenarios_s": scenarios,
        "waiting_on_platform_and_psp_s": waiting,
        "evidence_s": marks["unconfigure"] - marks["last_test"],
        "harness_share_of_scenarios": harness / scenarios if scenarios else None,
        "verdict_exit_code": proc.returncode,
    }
    for k, v in rows.items():
        print(f"{k:34} {v:.3f}" if isinstance(v, float) else f"{k:34} {v}")
    out = ROOT / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "run.json").write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
