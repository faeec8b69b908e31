"""Money movements per second through refbank's service layer vs pgbench running the same SQL
transaction on the same server in the same run; and what the HTTP layer adds.

    python benchmarks/bench_platform.py [--seconds S] [--clients N] [--accounts N]

A money movement is a wallet-to-wallet transfer: lock both ledger accounts, check the funds,
post the balanced transaction (the database's triggers move the balances and check the
double entry at commit), record the transfer. pgbench runs exactly those statements (a custom
script, prepared statements like psycopg's) with the same number of clients. The HTTP figure
is the same transfer through `POST /transfers` of `python -m refbank serve` in a child process.
Every loop is bounded in time and count. Writes benchmarks/results/platform.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from _pgbench import pgbench_tps

from golive.postgres import create_database, open_provider
from refbank import Config, Platform, migrate
from refbank.ledger import credit, debit, post
from refbank.service import accounts, transfers

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "platform.json"
MAX_OPS = 200_000  # per measurement, whatever the time budget

ACCOUNT_UUID = "format('00000000-0000-4000-8000-%s', lpad(to_hex(:{v}::bigint), 12, '0'))::uuid"
# the statements of refbank's transfer (service/transfers.py, ledger.py), in pgbench's syntax
PGBENCH_SCRIPT = f"""
\\set i random(0, :n - 1)
\\set j (:i + 1 + random(0, :n - 2)) % :n
\\set wa :w0 + 2 * :i
\\set wb :w0 + 2 * :j
BEGIN;
SELECT id, balance, (SELECT coalesce(sum(amount), 0) FROM holds
                     WHERE account_id = {ACCOUNT_UUID.format(v="i")}
                       AND status = 'pending' AND NOT ledger_posted) AS reserved
  FROM ledger_accounts WHERE id = ANY(ARRAY[:wa, :wb]::bigint[]) ORDER BY id FOR UPDATE;
WITH t AS (INSERT INTO ledger_transactions (id, kind, reference)
           VALUES (gen_random_uuid(), 'transfer', 'pgbench') RETURNING id)
INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount)
SELECT t.id, a, c, d, m FROM t, unnest(ARRAY[:wa, :wb]::bigint[], ARRAY['EUR', 'EUR'],
       ARRAY['debit', 'credit'], ARRAY[1, 1]::bigint[]) AS u(a, c, d, m);
INSERT INTO transfers (id, from_account_id, to_account_id, amount, currency, transaction_id)
VALUES (gen_random_uuid(), {ACCOUNT_UUID.format(v="i")}, {ACCOUNT_UUID.format(v="j")}, 1, 'EUR',
        NULL) RETURNING *;
COMMIT;
"""


def account_id(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012x}"


def setup(dsn: str, n: int, platform: Platform) -> int:
    """n funded EUR accounts with predictable ids; returns the first wallet's ledger id."""
    accounts.open_house_accounts(platform, "EUR")
    with platform.db.pool.connection() as conn, conn.transaction():
        for i in range(n):
            conn.execute(
                "INSERT INTO accounts (id, owner_ref, currency) VALUES (%s, 'bench', 'EUR')",
                (account_id(i),),
            )
            conn.execute(
                "INSERT INTO ledger_accounts (kind, owner, currency) VALUES "
                "('customer_wallet', %s, 'EUR'), ('customer_held', %s, 'EUR')",
                (account_id(i), account_id(i)),
            )
        rows = conn.execute(
            "SELECT id, owner FROM ledger_accounts WHERE kind = 'customer_wallet' ORDER BY id"
        ).fetchall()
        first = int(rows[0]["id"])
        if [int(r["id"]) for r in rows] != [first + 2 * i for i in range(n)]:
            raise SystemExit("wallet ledger ids are not consecutive; cannot script pgbench")
        clearing = platform.accounts.system("psp_clearing", "EUR", "stripe")
        for i in range(n):
            post(
                conn,
                "deposit",
                "bench",
                [debit(clearing, 10**12, "EUR"), credit(first + 2 * i, 10**12, "EUR")],
            )
    return first


def bounded_threads(clients: int, seconds: float, work: Callable[[random.Random], None]) -> float:
    """Run ``work`` from ``clients`` threads for ``seconds`` (at most MAX_OPS); ops per second."""
    done = [0] * clients
    deadline = time.perf_counter() + seconds

    def loop(k: int) -> None:
        rng = random.Random(k)
        while time.perf_counter() < deadline and sum(done) < MAX_OPS:
            work(rng)
            done[k] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(done) / (time.perf_counter() - start)


def pair(rng: random.Random, n: int) -> tuple[str, str]:
    i = rng.randrange(n)
    j = (i + 1 + rng.randrange(n - 1)) % n
    return account_id(i), account_id(j)


def service_rate(platform: Platform, n: int, clients: int, seconds: float) -> float:
    def move(rng: random.Random) -> None:
        a, b = pair(rng, n)
        transfers.transfer(platform, a, b, 1, "EUR", None)

    bounded_threads(clients, min(2.0, seconds / 4), move)  # warm up: caches, prepared statements
    return bounded_threads(clients, seconds, move)


def http_rate(dsn: str, n: int, clients: int, seconds: float) -> float:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "refbank",
            "serve",
            "--dsn",
            dsn,
            "--port",
            "0",
            "--app-version",
            "2",
            "--pool-size",
            str(clients + 2),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        found = re.search(r"listening on (http://\S+)", line)
        if not found:
            raise SystemExit(f"refbank serve did not start: {line!r}")
        # keep draining: the access log would fill the pipe (~64 KB) and block the server
        drain = threading.Thread(target=proc.stdout.read, daemon=True)
        drain.start()
        local = threading.local()

        def move(rng: random.Random) -> None:
            if not hasattr(local, "http"):
                local.http = httpx.Client(base_url=found.group(1), timeout=30)
            a, b = pair(rng, n)
            body = {"from_account_id": a, "to_account_id": b, "amount": 1, "currency": "EUR"}
            local.http.post("/transfers", json=body).raise_for_status()

        bounded_threads(clients, min(2.0, seconds / 4), move)
        return bounded_threads(clients, seconds, move)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=10.0, help="per measurement")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients everywhere")
    ap.add_argument("--accounts", type=int, default=200, help="funded wallets")
    ap.add_argument("--postgres", default=None, help="provider or DSN (default auto)")
    args = ap.parse_args(argv)
    provider = open_provider(args.postgres)
    where = provider.describe()
    try:
        inst = provider.start_instance(name="bench-platform")
        db = create_database(inst)
        migrate(db.dsn, 2)
        platform = Platform(Config(dsn=db.dsn, app_version="2", pool_size=args.clients + 2))
        try:
            w0 = setup(db.dsn, args.accounts, platform)
            rates = {
                "pgbench (same SQL transaction)": pgbench_tps(
                    inst,
                    db.name,
                    PGBENCH_SCRIPT,
                    {"n": args.accounts, "w0": w0},
                    seconds=args.seconds,
                    clients=args.clients,
                ),
                "refbank service layer": service_rate(
                    platform, args.accounts, args.clients, args.seconds
                ),
            }
        finally:
            platform.close()
        rates["refbank over HTTP"] = http_rate(db.dsn, args.accounts, args.clients, args.seconds)
    finally:
        provider.close()
    floor = rates["pgbench (same SQL transaction)"]
    service = rates["refbank service layer"]
    http = rates["refbank over HTTP"]
    report: dict[str, Any] = {
        "benchmark": "platform",
        "movement": "wallet-to-wallet transfer (lock, check, post, record)",
        "postgres": where,
        "load_average_at_end": os.getloadavg(),
        "clients": args.clients,
        "seconds": args.seconds,
        "accounts": args.accounts,
        "movements_per_second": rates,
        "service_over_pgbench": service / floor,
        "http_over_service": http / service,
        "http_added_ms_per_movement_per_client": 1000 * args.clients * (1 / http - 1 / service),
        "aim": "service_over_pgbench >= 0.5",
    }
    print(f"{'path':34} {'movements/s':>12} {'vs pgbench':>10}")
    for label, rate in rates.items():
        print(f"{label:34} {rate:12.0f} {rate / floor:10.2f}")
    added = report["http_added_ms_per_movement_per_client"]
    print(f"HTTP adds {added:.2f} ms per movement per client (HTTP/service = {http / service:.2f})")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
