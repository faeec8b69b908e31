"""Disposable Postgres: a fresh test database by template clone vs by running the migrations,
and the bring-up time of each provider, side by side in one run.

    python benchmarks/bench_postgres.py [--reps N] [--budget SECONDS]

Migrations: the reference platform's (``python -m refbank migrate --dsn … --to 1`` in a child
process, and in-process through ``refbank.migrations.migrate`` when importable); without
src/refbank a representative schema (tables, indexes, a constraint trigger). The headline
ratio is against the migrate command (what a suite would otherwise run per test); the
in-process ratio is printed too. Writes benchmarks/results/postgres.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from golive.errors import ProviderUnavailable
from golive.postgres import Instance, Provider, Templates, create_database, drop_database

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "postgres.json"

SCHEMA = """
CREATE TABLE account (id bigserial PRIMARY KEY, owner text NOT NULL, currency char(3) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE txn (id bigserial PRIMARY KEY, idempotency_key text UNIQUE NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE entry (id bigserial PRIMARY KEY, txn_id bigint NOT NULL REFERENCES txn,
    account_id bigint NOT NULL REFERENCES account, amount_minor bigint NOT NULL,
    currency char(3) NOT NULL);
CREATE INDEX entry_account ON entry (account_id);
CREATE INDEX entry_txn ON entry (txn_id);
CREATE TABLE hold (id bigserial PRIMARY KEY, account_id bigint NOT NULL REFERENCES account,
    amount_minor bigint NOT NULL CHECK (amount_minor > 0), state text NOT NULL DEFAULT 'pending'
    CHECK (state IN ('pending', 'posted', 'voided')));
CREATE FUNCTION txn_balances() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM entry WHERE txn_id = NEW.txn_id GROUP BY currency
             HAVING sum(amount_minor) <> 0) THEN
    RAISE EXCEPTION 'transaction % does not balance', NEW.txn_id USING ERRCODE = '23514';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER entry_balances AFTER INSERT ON entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION txn_balances();
"""


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def repeat(fn: Callable[[], float], reps: int, budget: float) -> list[float]:
    """Up to ``reps`` samples, stopping early when ``budget`` seconds are spent (min 1)."""
    out: list[float] = []
    deadline = time.monotonic() + budget
    while len(out) < reps and (not out or time.monotonic() < deadline):
        out.append(fn())
    return out


def refbank_available() -> bool:
    return (HERE.parent / "src" / "refbank").is_dir()


def migrate_cli(dsn: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "refbank", "migrate", "--dsn", dsn, "--to", "1"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip


def migrate_inprocess(dsn: str) -> None:
    from refbank.migrations import migrate

    migrate(dsn, 1)


def migrate_sql(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA.encode())


def clone_vs_migrate(inst: Instance, reps: int, budget: float) -> dict[str, Any]:
    paths: dict[str, Callable[[str], None]] = {}
    if refbank_available():
        paths["refbank migrate (child process)"] = migrate_cli
        paths["refbank migrate (in-process)"] = migrate_inprocess
    else:
        paths["representative SQL schema"] = migrate_sql
    fastest_migrate = list(paths.values())[-1]
    templates = Templates(inst)
    try:
        templates.template("bench", fastest_migrate)  # migrate the template once, untimed
        results: dict[str, list[float]] = {}
        for label, fn in paths.items():

            def by_migration(fn: Callable[[str], None] = fn) -> float:
                t = time.perf_counter()
                db = create_database(inst)
                fn(db.dsn)
                elapsed = time.perf_counter() - t
                drop_database(inst, db.name)
                return elapsed

            results[label] = repeat(by_migration, max(2, reps // 4), budget)

        def by_clone() -> float:
            t = time.perf_counter()
            db = templates.clone("bench", fastest_migrate)
            elapsed = time.perf_counter() - t
            db.drop()
            return elapsed

        results["template clone"] = repeat(by_clone, reps, budget)

        def empty() -> float:  # the floor: every new database copies the system catalogs
            t = time.perf_counter()
            db = create_database(inst)
            elapsed = time.perf_counter() - t
            drop_database(inst, db.name)
            return elapsed

        results["floor: CREATE DATABASE (empty)"] = repeat(empty, reps, budget)
    finally:
        templates.close()
    medians = {k: statistics.median(v) for k, v in results.items()}
    clone = medians["template clone"]
    return {
        "samples": {k: len(v) for k, v in results.items()},
        "median_seconds": medians,
        "ratio_over_clone": {
            k: v / clone for k, v in medians.items() if k != "template clone" and "floor" not in k
        },
        "clone_over_floor": clone / medians["floor: CREATE DATABASE (empty)"],
    }


def providers() -> dict[str, Callable[[], Provider]]:
    from golive.postgres.docker import DockerProvider, engine_reachable, local_image
    from golive.postgres.local import LocalProvider

    out: dict[str, Callable[[], Provider]] = {
        "local (system binaries)": lambda: LocalProvider(prefer="system"),
        "local (pgserver)": lambda: LocalProvider(prefer="pgserver"),
    }
    if engine_reachable():
        image = os.environ.get("GOLIVE_PG_IMAGE") or local_image()
        if image:
            out["docker (" + image + ")"] = lambda: DockerProvider(image=image)
    return out


def bring_up(make: Callable[[], Provider], reps: int, budget: float) -> list[float]:
    def once() -> float:
        t = time.perf_counter()
        provider = make()
        try:
            provider.start_instance().execute("SELECT 1")
            return time.perf_counter() - t
        finally:
            provider.close()

    return repeat(once, reps, budget)


def bring_up_dsn(server: Instance, reps: int, budget: float) -> list[float]:
    from golive.postgres.dsn import DsnProvider

    def once() -> float:
        t = time.perf_counter()
        provider = DsnProvider(server.dsn())
        try:
            provider.start_instance().execute("SELECT 1")
            return time.perf_counter() - t
        finally:
            provider.close()

    return repeat(once, reps, budget)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--reps", type=int, default=20, help="clone samples (bring-up: reps/5)")
    ap.add_argument("--budget", type=float, default=60.0, help="seconds per measurement, max")
    args = ap.parse_args(argv)
    report: dict[str, Any] = {"benchmark": "postgres", "bring_up_median_seconds": {}}

    up_reps = max(2, args.reps // 5)
    made = providers()
    for label, make in made.items():
        try:
            samples = bring_up(make, up_reps, args.budget)
        except ProviderUnavailable as exc:
            print(f"skipped {label}: {exc}", file=sys.stderr)
            continue
        report["bring_up_median_seconds"][label] = statistics.median(samples)

    from golive.postgres.local import LocalProvider

    with LocalProvider() as host:
        server = host.start_instance(name="bench")
        samples = bring_up_dsn(server, up_reps, args.budget)
        report["bring_up_median_seconds"]["dsn (existing server)"] = statistics.median(samples)
        report["clone_vs_migrate"] = clone_vs_migrate(server, args.reps, args.budget)
    report["clone_vs_migrate"]["on"] = host.describe()

    ups = report["bring_up_median_seconds"]
    fastest = min(ups.values())
    print("\nprovider bring-up (open provider, start an instance, first query; median)")
    print(f"  {'provider':<44} {'seconds':>8} {'x fastest':>10}")
    for label, secs in sorted(ups.items(), key=lambda kv: kv[1]):
        print(f"  {label:<44} {secs:>8.3f} {secs / fastest:>10.1f}")
    cvm = report["clone_vs_migrate"]
    print(f"\nfresh test database on {cvm['on']} (median)")
    print(f"  {'how':<44} {'seconds':>8} {'samples':>10}")
    for label, secs in cvm["median_seconds"].items():
        print(f"  {label:<44} {secs:>8.4f} {cvm['samples'][label]:>10}")
    print()
    for label, ratio in cvm["ratio_over_clone"].items():
        verdict = "meets" if ratio >= 10 else "misses"
        print(f"clone is {ratio:5.1f}x faster than {label} ({verdict} the 10x aim)")
    print(f"clone costs {cvm['clone_over_floor']:.2f}x an empty CREATE DATABASE (the floor)")
    # the aim is judged against what a suite would otherwise run per test: the migrate command
    headline = next(iter(cvm["ratio_over_clone"].values()))
    report["aim_clone_at_least_10x"] = headline >= 10
    report["load_average_1m"] = os.getloadavg()[0]
    print(f"(1-minute load average during the run: {report['load_average_1m']:.1f})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
