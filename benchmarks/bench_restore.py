"""The drill's restore-and-verify time against raw `pg_dump | pg_restore`, and its checksum
throughput against `COPY … TO '/dev/null'`, side by side in one run.

    python benchmarks/bench_restore.py [--megabytes N] [--rounds N] [--budget SECONDS]
                                       [--postgres SPEC] [--no-pgbackrest]

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

pgBackRest (when it is installed and the provider is local; --no-pgbackrest leaves it out):
the source archives into a pgBackRest repository (encrypted, as the drill's) and one full
backup is taken of the built ledger. Then, in alternating rounds, from that same backup:

- bare: ``pgbackrest restore`` into a new data directory, and a server started on it until
  promoted (what an operator does by hand); the same with ``--process-max=2``;
- drill: the pgBackRest drill's restore of that repository (``pgbackrest info``, the
  archive's completeness, ``pgbackrest verify``, the restore, the server started and
  promoted), then its verification against a reference taken on the source (schema,
  checksums, pg_amcheck, invariants).

ratio = (drill restore + its verification) / (bare restore + the same verification), aim at
most 1.2; also the drill's restore alone against the bare one, and bare --process-max=2
against bare. Bounded by --rounds and --budget. Writes benchmarks/results/restore.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from golive.drills.restore import pgbackrest as pgbr
from golive.drills.restore.catalog import schema_diff, schema_of
from golive.drills.restore.checksums import compare_sums, table_sums, user_tables
from golive.drills.restore.drill import DrillOptions, RestoreDrill
from golive.drills.restore.logical import dump_database, restore_dump
from golive.drills.restore.reference import Reference, frozen_point, take_reference
from golive.drills.restore.tools import tool_env
from golive.drills.restore.verify import amcheck, ledger_invariants
from golive.invariants.sql import REFERENCE_CHECKS
from golive.postgres import (
    Instance,
    InstanceSpec,
    Provider,
    create_database,
    drop_database,
    open_provider,
)

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


def pgbackrest_backup(repo: pgbr.Repository, src: Instance) -> dict[str, Any]:
    """One full backup of the built ledger, its WAL archived (the repository holds it all)."""
    t, run = timed(lambda: repo.backup("full"))
    if not run.ok:
        raise RuntimeError(run.describe())
    segment = str(src.execute("SELECT pg_walfile_name(pg_switch_wal())")[0][0])
    if not repo.wait_archived(segment, 120):
        raise RuntimeError(f"WAL segment {segment} never reached the pgBackRest repository")
    [label] = [b["label"] for b in repo.labels()]
    return {"full_backup_s": round(t, 1), "label": label, "version": pgbr.version()}


def bare_restore(provider: Provider, repo: pgbr.Repository, *options: str) -> dict[str, float]:
    """``pgbackrest restore`` (with ``options``), then a server on it until promoted."""
    t0 = time.monotonic()
    run, dest = repo.restore(options=options)
    if not run.ok:
        raise RuntimeError(run.describe())
    t_restore = time.monotonic() - t0
    inst = pgbr.start_restored(provider, dest, settings={}, name="bench_bare")
    t_total = time.monotonic() - t0
    inst.destroy()
    return {"restore_s": t_restore, "total_s": t_total}


def drill_pgbackrest(
    provider: Provider, repo: pgbr.Repository, reference: Reference, work: Path
) -> dict[str, float]:
    """The drill's restore of the repository and its verification (no canary)."""
    options = DrillOptions(canary=False, invariants=CHECKS, invariant_timeout_ms=600_000)
    with RestoreDrill(provider, kind="repository", workdir=work, options=options) as d:
        d.use_pgbackrest(repo.config, repo.stanza, None)  # the latest, as the bare restore
        t0 = time.monotonic()
        restored = d.restore_pitr()
        t_restore = time.monotonic() - t0
        d.reference = reference  # verified against the source, as the drill's own are
        found = d.verify()
        t_verify = time.monotonic() - t0 - t_restore
        if not restored or found or d.findings:
            raise RuntimeError(f"the pgBackRest drill found: {(found or d.findings)[:3]}")
        ran = d.facts["pgbackrest"]  # what each pgbackrest command of the drill took
    return {"restore_s": t_restore, "verify_s": t_verify, "info_s": ran["info"]["seconds"],
            "pgbackrest_verify_s": ran["verify"]["seconds"],
            "pgbackrest_restore_s": ran["restore"]["seconds"]}  # fmt: skip


def pgbackrest_rounds(
    provider: Provider, repo: pgbr.Repository, src: Instance, rounds: int, deadline: float
) -> dict[str, Any]:
    """Bare, bare --process-max=2 and the drill, alternating, on the same backup."""
    out: dict[str, Any] = {"backup": pgbackrest_backup(repo, src)}
    reference, _ = take_reference(src, "ledger")
    rows: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="golive-bench-pgbackrest-") as tmp:
        for i in range(rounds):
            if time.monotonic() > deadline:
                break
            bare, bare2 = (
                bare_restore(provider, repo),
                bare_restore(provider, repo, "--process-max=2"),
            )
            drill = drill_pgbackrest(provider, repo, reference, Path(tmp) / f"drill-{i}")
            row = {
                "bare_restore_s": bare["restore_s"], "bare_s": bare["total_s"],
                "bare_pm2_restore_s": bare2["restore_s"], "bare_pm2_s": bare2["total_s"],
                "drill_restore_s": drill["restore_s"], "verify_s": drill["verify_s"],
                "drill_info_s": drill["info_s"], "drill_verify_s": drill["pgbackrest_verify_s"],
                "drill_pgbackrest_restore_s": drill["pgbackrest_restore_s"],
            }  # fmt: skip
            said = ", ".join(f"{k} {v:.1f}" for k, v in row.items())
            print(f"  pgbackrest round {i + 1}: {said}", flush=True)
            rows.append(row)
    if not rows:
        return out
    best = {k: min(r[k] for r in rows) for k in rows[0]}
    out |= {"rounds": rows, "best": best}
    per_round = sorted(
        (r["drill_restore_s"] + r["verify_s"]) / (r["bare_s"] + r["verify_s"]) for r in rows
    )
    out["ratio_with_verification_per_round"] = per_round
    out["ratio_drill_vs_bare_with_verification"] = (best["drill_restore_s"] + best["verify_s"]) / (
        best["bare_s"] + best["verify_s"]
    )
    out["ratio_drill_restore_vs_bare"] = best["drill_restore_s"] / best["bare_s"]
    out["ratio_drill_restore_vs_bare_pm2"] = best["drill_restore_s"] / best["bare_pm2_s"]
    out["ratio_bare_pm2_vs_bare"] = best["bare_pm2_s"] / best["bare_s"]
    out["aim"] = {"ratio_drill_vs_bare_with_verification": "<= 1.2"}
    return out


def print_pgbackrest(result: dict[str, Any]) -> None:
    if "best" not in result:
        print(f"pgBackRest: {result.get('skipped', 'budget spent before a round finished')}")
        return
    b = result["best"]
    print(
        f"pgBackRest drill restore {b['drill_restore_s']:.1f} s + verification "
        f"{b['verify_s']:.1f} s vs bare pgbackrest restore and start {b['bare_s']:.1f} s "
        f"(the restore command {b['bare_restore_s']:.1f} s) + the same verification: ratio "
        f"{result['ratio_drill_vs_bare_with_verification']:.2f} (aim <= 1.2; per round, sorted: "
        + ", ".join(f"{r:.2f}" for r in result["ratio_with_verification_per_round"])
        + ")"
    )
    print(
        f"the drill's restore alone vs bare: {result['ratio_drill_restore_vs_bare']:.2f}; vs "
        f"bare --process-max=2 ({b['bare_pm2_s']:.1f} s): "
        f"{result['ratio_drill_restore_vs_bare_pm2']:.2f}; bare --process-max=2 / bare "
        f"{result['ratio_bare_pm2_vs_bare']:.2f}"
    )


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--megabytes", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--budget", type=float, default=1800.0, help="seconds for the whole run")
    ap.add_argument("--postgres", default=os.environ.get("GOLIVE_POSTGRES", "local"))
    ap.add_argument("--no-pgbackrest", action="store_true", help="leave pgBackRest out")
    args = ap.parse_args(argv)
    deadline = time.monotonic() + args.budget
    provider = open_provider(args.postgres)
    result: dict[str, Any] = {"benchmark": "restore", "python": platform.python_version(),
                              "cpus": os.cpu_count(), "provider": provider.describe()}  # fmt: skip
    settings = {"track_commit_timestamp": "on"}
    repo = None
    if args.no_pgbackrest or shutil.which("pgbackrest") is None or provider.kind != "local":
        result["pgbackrest"] = {
            "skipped": "--no-pgbackrest, no pgbackrest, or not --postgres local"
        }
    else:  # the source archives into the repository from the start
        repo = pgbr.Repository(encrypted=True)
        settings |= {"wal_level": "replica", "archive_mode": "on",
                     "archive_command": repo.archive_command}  # fmt: skip
    try:
        src = provider.start_instance(InstanceSpec(settings=settings))
        dst = provider.start_instance(InstanceSpec(settings={"track_commit_timestamp": "on"}))
        if repo is not None:
            repo.attach(src)
            for command in ("stanza-create", "check"):
                run = repo.run(command, timeout=180)
                if not run.ok:
                    raise RuntimeError(run.describe())
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
        if repo is not None:
            dst.destroy()  # the restored servers need the room
            result["pgbackrest"] = pgbackrest_rounds(provider, repo, src, args.rounds, deadline)
    finally:
        if repo is not None:
            repo.close()
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
    print_pgbackrest(result["pgbackrest"])
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
