"""Mutation testing as a measure of detection: how many bugs nobody seeded does golive catch?

cosmic-ray (PyPI: ``pip install cosmic-ray``) makes mutants of refbank's service, PSP client
and migration code; each mutant is judged by the readiness suite (a fast selection, through
``golive run``): NO-GO (or any non-zero exit) kills it, GO lets it survive. A seeded sample
of the mutants is run, bounded in time; the cosmic-ray session (SQLite) keeps every result,
so a second run resumes where the first stopped. Prints and writes
benchmarks/results/detection.json: the kill rate and every surviving mutant, for triage.

The mutants are made in a copy of the checkout (benchmarks/results/mutation/work), never in
the checkout itself; the suite runs there with that copy's src/ first on PYTHONPATH.

One Postgres server serves every mutant's run, and each run stops at its first failure.
``--recheck SELECTION`` judges the survivors again with another -k selection.

    python benchmarks/bench_detection.py [--sample 20] [--seed 1] [--minutes 40]
                                         [--timeout 300] [--fresh]
                                         [--recheck SELECTION [--jobs ID ...]]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "results" / "mutation"
WORK = OUT / "work"
SESSION = OUT / "session.sqlite"
CONFIG = OUT / "cosmic-ray.toml"
RESULT = HERE / "results" / "detection.json"
RECHECKED = HERE / "results" / "detection-recheck.json"
# what is mutated (relative to the checkout): refbank's service, PSP client and migrations
TARGETS = ("src/refbank/service", "src/refbank/psp/client.py", "src/refbank/migrations")
COPIED = ("src", "features", "steps", "fixtures", "properties", "conftest.py", "pyproject.toml")
# the readiness suite, a fast selection: the canary scenarios and the same-key bursts
SELECTION = "test_canary or test_same_key"
# operators whose every mutant here is equivalent: `|` only appears in annotations, which
# `from __future__ import annotations` never evaluates (cosmic-ray's operators filter)
EQUIVALENT = ("core/ReplaceBinaryOperator_BitOr_.*",)


def judge_command(selection: str = SELECTION) -> str:
    return f"{sys.executable} -m golive run --suite full -k '{selection}' --out {OUT / 'runs'}"


def copy_checkout() -> None:
    """A pristine copy of what the suite needs (again on resume: an interrupted mutant may
    have left a mutated file behind)."""
    WORK.mkdir(parents=True, exist_ok=True)
    for name in COPIED:
        src, dst = ROOT / name, WORK / name
        if dst.is_dir():
            shutil.rmtree(dst)
        if src.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            shutil.copytree(src, dst, ignore=ignore)
        else:
            shutil.copy2(src, dst)


def write_config(timeout: float) -> None:
    paths = ", ".join(f'"{p}"' for p in TARGETS)
    CONFIG.write_text(
        "[cosmic-ray]\n"
        f"module-path = [{paths}]\n"
        f"timeout = {timeout}\n"
        "excluded-modules = []\n"
        f'test-command = "{judge_command()}"\n\n'
        "[cosmic-ray.distributor]\n"
        'name = "local"\n\n'
        "[cosmic-ray.filters.operators-filter]\n"
        f"exclude-operators = [{', '.join(repr(e) for e in EQUIVALENT)}]\n"
    )


def cosmic_ray(*args: str) -> list[str]:
    exe = Path(sys.executable).with_name("cosmic-ray")
    return [str(exe) if exe.exists() else "cosmic-ray", *args]


def init_session(sample: int, seed: int, timeout: float) -> None:
    """Make every mutant, then keep a seeded sample: the others are marked skipped."""
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    write_config(timeout)
    SESSION.unlink(missing_ok=True)
    subprocess.run(cosmic_ray("init", str(CONFIG), str(SESSION)), cwd=WORK, check=True)
    filters = Path(sys.executable).with_name("cr-filter-operators")
    subprocess.run([str(filters), str(SESSION), str(CONFIG)], cwd=WORK, check=True)
    with use_db(str(SESSION)) as db:
        made = db.num_work_items
        ids = sorted(item.job_id for item in db.pending_work_items)
        keep = set(random.Random(seed).sample(ids, min(sample, len(ids))))
        skipped = WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output="not in the sample")
        db.set_multiple_results([i for i in ids if i not in keep], skipped)
    print(
        f"{made} mutants made, {len(ids)} after the equivalence filter; a sample of "
        f"{len(keep)} (seed {seed}) will be run"
    )


@contextmanager
def shared_postgres() -> Iterator[str]:
    """One Postgres server for the whole benchmark, handed to every mutant's run as a DSN
    (``GOLIVE_POSTGRES``): each run still migrates its own template there with the mutant's
    migrations and clones fresh databases from it, and drops them; only the server's start is
    saved. A DSN already in ``GOLIVE_POSTGRES`` is used as it is."""
    from golive.postgres import open_provider

    spec = os.environ.get("GOLIVE_POSTGRES", "")
    if "://" in spec or "=" in spec:
        yield spec
        return
    with open_provider(spec or None) as provider:
        yield provider.start_instance(name="mutants").dsn()


def judge_env(dsn: str) -> dict[str, str]:
    """What a mutant's run gets: the copy's code first, the shared server, pytest's -x."""
    return {
        "PYTHONPATH": str(WORK / "src"),
        "GOLIVE_POSTGRES": dsn,
        # one failing scenario is enough to kill a mutant: stop there (pytest's -x)
        "PYTEST_ADDOPTS": "-x",
    }


def execute(minutes: float, dsn: str) -> bool:
    """Run the pending mutants until done or the time is up; True when none is left."""
    env = os.environ | judge_env(dsn)
    proc = subprocess.Popen(cosmic_ray("exec", str(CONFIG), str(SESSION)), cwd=WORK, env=env)
    try:
        proc.wait(timeout=minutes * 60)
        return True
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)  # cosmic-ray restores the mutated file on the way out
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        return False


def report() -> dict[str, Any]:
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import TestOutcome, WorkerOutcome

    counts = {"killed": 0, "survived": 0, "incompetent": 0, "pending": 0}
    survivors = []
    with use_db(str(SESSION)) as db:
        results = dict(db.results)
        for item in db.work_items:
            res = results.get(item.job_id)
            if res is None:
                counts["pending"] += 1
                continue
            if res.worker_outcome == WorkerOutcome.SKIPPED:
                continue
            if res.test_outcome == TestOutcome.SURVIVED:
                counts["survived"] += 1
                m = item.mutations[0]
                survivors.append({
                    "job_id": item.job_id, "module": str(m.module_path),
                    "line": m.start_pos[0], "operator": m.operator_name,
                    "occurrence": m.occurrence, "diff": res.diff,
                })  # fmt: skip
            elif res.test_outcome == TestOutcome.KILLED:
                counts["killed"] += 1
            else:
                counts["incompetent"] += 1
    judged = counts["killed"] + counts["survived"]
    return {
        "test_command": judge_command(),
        "targets": list(TARGETS),
        "counts": counts,
        "kill_rate": round(counts["killed"] / judged, 3) if judged else None,
        "survivors": survivors,
    }


def recheck(
    selection: str, minutes: float, timeout: float, dsn: str, jobs: list[str]
) -> dict[str, Any]:
    """Judge the session's survivors again with ``selection`` (a wider one, or the same after
    a new check landed), each mutant applied in the copy as cosmic-ray applies it. The
    session keeps the sample's own verdicts: this answer is written apart (RECHECKED).
    ``jobs``: only the survivors whose job id starts with one of these (all when empty)."""
    from cosmic_ray.mutating import mutate_and_test
    from cosmic_ray.work_db import use_db
    from cosmic_ray.work_item import TestOutcome

    with use_db(str(SESSION)) as db:
        results = dict(db.results)
        items = [i for i in db.work_items if results.get(i.job_id) is not None]
        items = [i for i in items if results[i.job_id].test_outcome == TestOutcome.SURVIVED]
    items = [i for i in items if not jobs or i.job_id.startswith(tuple(jobs))]
    os.environ.update(judge_env(dsn))
    os.chdir(WORK)  # the mutants' paths are relative to the copy
    outcomes: dict[str, list[str]] = {
        "killed": [],
        "survived": [],
        "incompetent": [],
        "not_run": [],
    }
    deadline = time.monotonic() + minutes * 60
    for item in items:
        m = item.mutations[0]
        where = f"{m.module_path}:{m.start_pos[0]} {m.operator_name} (job {item.job_id})"
        if time.monotonic() > deadline:
            outcomes["not_run"].append(where)
            continue
        res = mutate_and_test(item.mutations, judge_command(selection), timeout)
        outcome = res.test_outcome.value if res.test_outcome else "incompetent"
        outcomes[outcome].append(where)
        print(f"  {outcome}: {where}", flush=True)
    return {"selection": selection, "test_command": judge_command(selection)} | outcomes


def judged(out: dict[str, Any]) -> int:
    return int(out["counts"]["killed"] + out["counts"]["survived"] + out["counts"]["incompetent"])


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=20, help="mutants to run (default 20)")
    ap.add_argument("--seed", type=int, default=1, help="which sample (default 1)")
    ap.add_argument("--minutes", type=float, default=40.0, help="time bound of this run")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds per mutant")
    ap.add_argument("--fresh", action="store_true", help="forget the session and start over")
    ap.add_argument(
        "--recheck",
        metavar="SELECTION",
        help="judge the session's survivors again with this -k selection instead of running "
        "the sample (results apart, in detection-recheck.json)",
    )
    ap.add_argument("--jobs", nargs="*", default=[], help="with --recheck: only these job ids")
    args = ap.parse_args(argv)
    try:
        import cosmic_ray  # noqa: F401
    except ImportError:
        print("bench_detection needs cosmic-ray: pip install cosmic-ray", file=sys.stderr)
        return 2
    started = time.monotonic()
    copy_checkout()
    if args.recheck:
        if not SESSION.exists():
            print(f"no session to recheck: {SESSION}", file=sys.stderr)
            return 2
        with shared_postgres() as dsn:
            found = recheck(args.recheck, args.minutes, args.timeout, dsn, args.jobs)
        found["minutes"] = round((time.monotonic() - started) / 60, 1)
        kept = json.loads(RECHECKED.read_text()) if RECHECKED.exists() else {}
        kept[args.recheck] = found  # one entry per selection
        RECHECKED.write_text(json.dumps(kept, indent=2) + "\n")
        print(
            f"rechecked with -k {args.recheck!r}: killed {len(found['killed'])}, survived "
            f"{len(found['survived'])}, not run {len(found['not_run'])} in {found['minutes']} "
            f"min; wrote {RECHECKED}"
        )
        return 0
    if args.fresh or not SESSION.exists():
        init_session(args.sample, args.seed, args.timeout)
    else:
        print(f"resuming {SESSION}")
    before = judged(report())
    with shared_postgres() as dsn:
        done = execute(args.minutes, dsn)
    seconds = time.monotonic() - started
    out = report()
    now = judged(out) - before
    out |= {
        "finished": done,
        "minutes": round(seconds / 60, 1),
        "judged_this_run": now,
        "seconds_per_mutant": round(seconds / now, 1) if now else None,
    }
    RESULT.parent.mkdir(parents=True, exist_ok=True)
    RESULT.write_text(json.dumps(out, indent=2) + "\n")
    c = out["counts"]
    print(
        f"killed {c['killed']}, survived {c['survived']}, incompetent {c['incompetent']}, "
        f"pending {c['pending']}; kill rate {out['kill_rate']}; this run: {now} judged in "
        f"{out['minutes']} min ({out['seconds_per_mutant']} s each)"
    )
    for s in out["survivors"]:
        print(f"  survived: {s['module']}:{s['line']} {s['operator']} (job {s['job_id']})")
    print(f"wrote {RESULT}" + ("" if done else "; time is up: run again to resume"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
