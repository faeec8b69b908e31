"""The drill's restore-and-verify time against raw `pg_dump | pg_restore`, and its checksum
throughput against `COPY … TO '/dev/null'`, side by side in one run.

    python benchmarks/bench_restore.py [--megabytes N] [--rounds N] [--budget SECONDS]
                                       [--postgres SPEC]

Builds a database of about --megabytes (default 200) holding the double-entry ledger of
tests/restore/ledger.sql, written in SQL batches while its triggers and checks enforce the
ledger's invariants. Then, in alternating rounds, each restoring into a fresh database on a
second server:

- raw: ``pg_dump -Fc SRC | pg_restore -d NEW`` — one pipe, both tools running at once;
- raw-file: ``pg_dump -Fc`` to a file, then ``pg_restore`` of it (what a backup job does);
- drill: the drill's backup (``pg_dump -Fc --snapshot`` to a file, with the reference
  checksums read on the same snapshot alongside) and its restore (one transaction, all or
  nothing): that is the drill's restore time. Its verification (schema comparison,
  checksums and their comparison, pg_amcheck, the invariant queries) is timed apart.

ratio = drill restore / raw (aim: at most 1.2), and the verification on top.
Checksums: ``table_sums`` over every table (1 and 2 readers) against ``COPY t TO
'/dev/null'`` over the same tables on the same server, in MB of heap per second.
Bounded by --rounds and --budget. Writes benchmarks/results/restore.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from golive.drills.restore.catalog import schema_diff, schema_of
from golive.drills.restore.checksums import compare_sums, table_sums, user_tables
from golive.drills.restore.logical import dump_database, restore_dump
from golive.drills.restore.reference import frozen_point, take_reference
from golive.drills.restore.tools import tool_env
from golive.drills.restore.verify import amcheck, ledger_invariants
from golive.invariants.sql import REFERENCE_CHECKS
from golive.postgres import Instance, InstanceSpec, create_database, drop_database, open_provider

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "restore.json"
SCHEMA = HERE.parent / "tests" / "restore" / "ledger.sql"
WALLETS = 5_000
BATCH = 40_000  # transfers per generation batch (one transaction each)
# the reference platform's invariant queries that speak this ledger's shape too
CHECKS = tuple(c for c in REFERENCE_CHECKS if c.name in {
    "transaction_legs_balance", "ledger_sums_to_zero", "balance_matches_entries",
    "leg_currency_is_account_currency", "no_negative_customer_balance"})  # fmt: skip

TRANSFERS = f"""
WITH tx AS (
    INSERT INTO ledger_transactions (id, kind)
    SELECT gen_random_uuid(), 'transfer' FROM generate_series(1, {BATCH}) RETURNING id
), pairs AS (
    SELECT id, 1 + floor(random() * {WALLETS})::bigint AS a,
           1 + floor(random() * ({WALLETS} - 1))::bigint AS b,
           1 + floor(random() * 5000)::bigint AS amt
      FROM tx
)
INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount)
SELECT id, a, 'EUR', 'debit', amt FROM pairs
UNION ALL
SELECT id, CASE WHEN b >= a THEN b + 1 ELSE b END, 'EUR', 'credit', amt FROM pairs
"""


def build(src: Instance, db: str, megabytes: int, deadline: float) -> dict[str, Any]:
    """The ledger in ``db``: wallets funded from the PSP clearing account, then transfers in
    batches until the database is about ``megabytes`` large (or the budget is half spent)."""
    started = time.monotonic()
    src.execute(SCHEMA.read_text(), db)
    src.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) SELECT 'customer_wallet', "
        f"'wallet-' || g, 'EUR' FROM generate_series(1, {WALLETS}) g", db,
    )  # fmt: skip
    src.execute("INSERT INTO ledger_accounts (kind, owner, currency) "
                "VALUES ('psp_clearing', 'psp', 'EUR')", db)  # fmt: skip
    with src.connect(db) as conn:
        conn.execute(
            f"SELECT post({WALLETS + 1}, g, 1000000000) FROM generate_series(1, {WALLETS}) g"
        )
        batches = 0
        while time.monotonic() < deadline:
            size = int(str(src.execute(f"SELECT pg_database_size('{db}')")[0][0]))
            if size >= megabytes * 1024 * 1024:
                break
            conn.execute(TRANSFERS)
            batches += 1
        conn.execute("VACUUM ANALYZE")
    size = int(str(src.execute(f"SELECT pg_database_size('{db}')")[0][0]))
    return {"megabytes": round(size / 2**20, 1), "transfers": batches * BATCH,
            "wallets": WALLETS, "seconds": round(time.monotonic() - started, 1)}  # fmt: skip


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.monotonic()
    value = fn()
    return time.monotonic() - start, value


def raw_pipe(src: Instance, db: str, dst: Instance, target: str) -> None:
    dump = subprocess.Popen([*src.client("pg_dump"), "-Fc"], stdout=subprocess.PIPE,
                            env=tool_env(src, db))  # fmt: skip
    restore = subprocess.run(
        [*dst.client("pg_restore"), "-d", target], stdin=dump.stdout,
        env=tool_env(dst, target), capture_output=True, check=False,
    )  # fmt: skip
    assert dump.stdout is not None
    dump.stdout.close()
    if dump.wait() != 0 or restore.returncode != 0:
        raise RuntimeError(f"raw pg_dump | pg_restore failed: {restore.stderr[-500:]!r}")


def raw_file(src: Instance, db: str, dst: Instance, target: str, work: Path) -> None:
    path = work / "raw.dump"
    with path.open("wb") as fh:
        subprocess.run(
            [*src.client("pg_dump"), "-Fc"], stdout=fh, env=tool_env(src, db), check=True
        )
    with path.open("rb") as fh:
        subprocess.run([*dst.client("pg_restore"), "-d", target], stdin=fh,
                       env=tool_env(dst, target), check=True, capture_output=True)  # fmt: skip
    path.unlink()


def drill_round(src: Instance, db: str, dst: Instance, target: str, work: Path) -> dict[str, float]:
    dest = work / "drill.dump"
    t0 = time.monotonic()
    reference, _ = take_reference(
        src, db, alongside=lambda s: dump_database(src, db, dest, snapshot=s)
    )
    t_backup = time.monotonic() - t0
    run = restore_dump(dst, dest, target)
    if not run.ok:
        raise RuntimeError(run.describe())
    t_restore = time.monotonic() - t0
    t_restore_only = t_restore - t_backup
    with dst.connect(target) as conn:
        found = schema_diff(reference.schema, schema_of(conn))
    t1 = time.monotonic()
    restored = table_sums(lambda: dst.connect(target))
    found += compare_sums(reference.tables, restored)
    t_sums = time.monotonic() - t1
    found += amcheck(dst, target)
    t2 = time.monotonic()
    found += ledger_invariants(dst.dsn(target), CHECKS, timeout_ms=600_000)[0]
    t_inv = time.monotonic() - t2
    t_verify = time.monotonic() - t0 - t_restore
    if found:
        raise RuntimeError(f"the drill's verification found differences: {found[:3]}")
    dest.unlink()
    dest.with_name(dest.name + ".sha256").unlink()
    return {"backup_s": t_backup, "restore_only_s": t_restore_only, "restore_s": t_restore,
            "verify_s": t_verify,
            "verify_checksums_s": t_sums, "verify_invariants_s": t_inv}  # fmt: skip


def checksum_throughput(inst: Instance, db: str) -> dict[str, float]:
    tables = user_tables_of(inst, db)
    heap = sum(int(str(inst.execute(f"SELECT pg_relation_size('{t}')", db)[0][0])) for t in tables)
    mb = heap / 2**20

    def copy_all() -> None:
        with inst.connect(db) as conn:
            for t in tables:
                conn.execute(f"COPY {t} TO '/dev/null'")

    t_copy, _ = timed(copy_all)
    t_one, _ = timed(lambda: table_sums(lambda: inst.connect(db), workers=1))
    with frozen_point(inst, db) as point:
        t_two, _ = timed(lambda: table_sums(lambda: inst.connect(db), workers=2,
                                            snapshot=point.snapshot))  # fmt: skip
    return {"heap_mb": round(mb, 1), "copy_mb_s": mb / t_copy, "checksum_mb_s": mb / t_one,
            "checksum_2_readers_mb_s": mb / t_two, "copy_s": t_copy, "checksum_s": t_one,
            "checksum_2_readers_s": t_two}  # fmt: skip


def user_tables_of(inst: Instance, db: str) -> list[str]:
    with inst.connect(db) as conn:
        return user_tables(conn)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--megabytes", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--budget", type=float, default=1800.0, help="seconds for the whole run")
    ap.add_argument("--postgres", default=os.environ.get("GOLIVE_POSTGRES", "local"))
    args = ap.parse_args(argv)
    deadline = time.monotonic() + args.budget
    provider = open_provider(args.postgres)
    result: dict[str, Any] = {"benchmark": "restore", "python": platform.python_version(),
                              "cpus": os.cpu_count(), "provider": provider.describe()}  # fmt: skip
    try:
        src = provider.start_instance(InstanceSpec(settings={"track_commit_timestamp": "on"}))
        dst = provider.start_instance(InstanceSpec(settings={"track_commit_timestamp": "on"}))
        create_database(src, "ledger")
        print(f"building a ~{args.megabytes} MB ledger …", flush=True)
        result["database"] = build(
            src, "ledger", args.megabytes, time.monotonic() + args.budget / 2
        )
        print(f"  {result['database']}", flush=True)
        rounds: list[dict[str, float]] = []
        with tempfile.TemporaryDirectory(prefix="golive-bench-restore-") as tmp:
            work = Path(tmp)
            for i in range(args.rounds):
                if time.monotonic() > deadline:
                    break
                row: dict[str, float] = {}
                for name, run in (
                    ("raw_s", lambda t: raw_pipe(src, "ledger", dst, t)),
                    ("raw_file_s", lambda t: raw_file(src, "ledger", dst, t, work)),
                ):
                    target = f"raw_{i}"
                    create_database(dst, target)
                    row[name], _ = timed(lambda: run(target))  # noqa: B023
                    drop_database(dst, target)
                create_database(dst, f"drill_{i}")
                row |= drill_round(src, "ledger", dst, f"drill_{i}", work)
                if i == 0:
                    result["checksums"] = checksum_throughput(dst, f"drill_{i}")
                drop_database(dst, f"drill_{i}")
                print(f"  round {i + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in row.items()),
                      flush=True)  # fmt: skip
                rounds.append(row)
        if not rounds:
            print("budget spent before a round finished", file=sys.stderr)
            return 1
        best = {k: min(r[k] for r in rounds) for k in rounds[0]}
        result["rounds"] = rounds
        result["best"] = best
        result["ratio_restore_vs_raw"] = best["restore_s"] / best["raw_s"]
        result["ratio_restore_only_vs_raw"] = best["restore_only_s"] / best["raw_s"]
        result["ratio_restore_vs_raw_file"] = best["restore_s"] / best["raw_file_s"]
        result["verify_share_of_restore"] = best["verify_s"] / best["restore_s"]
        result["ratio_checksum_vs_copy"] = (
            result["checksums"]["checksum_s"] / result["checksums"]["copy_s"]
        )
        result["aim"] = {"ratio_restore_vs_raw": "<= 1.2 (verification on top)"}
    finally:
        provider.close()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    c = result["checksums"]
    print(
        f"\nrestore (backup + restore) {best['restore_s']:.1f} s vs raw pg_dump | pg_restore "
        f"{best['raw_s']:.1f} s: ratio {result['ratio_restore_vs_raw']:.2f} (aim <= 1.2); "
        f"vs dump-to-file then restore {best['raw_file_s']:.1f} s: "
        f"{result['ratio_restore_vs_raw_file']:.2f}"
    )
    print(
        f"the restore alone (pg_restore of the drill's dump, one transaction) "
        f"{best['restore_only_s']:.1f} s: ratio {result['ratio_restore_only_vs_raw']:.2f}"
    )
    print(
        f"verification {best['verify_s']:.1f} s on top (checksums "
        f"{best['verify_checksums_s']:.1f} s, invariants {best['verify_invariants_s']:.1f} s)"
    )
    print(
        f"checksums {c['checksum_mb_s']:.0f} MB/s "
        f"(2 readers {c['checksum_2_readers_mb_s']:.0f} MB/s) vs COPY to /dev/null "
        f"{c['copy_mb_s']:.0f} MB/s over {c['heap_mb']} MB of heap: "
        f"ratio {result['ratio_checksum_vs_copy']:.2f}"
    )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
