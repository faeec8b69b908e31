"""Ledger state-machine steps per second against real Postgres vs pgbench running the
equivalent transactions on the same server in the same run.

    python benchmarks/bench_properties.py [--seconds S] [--accounts N] [--postgres SPEC]

A state-machine step is one operation through the platform's HTTP contract followed by the
invariant check (each account's balance, the new ledger legs). Its database work, written
as one pgbench transaction with the platform's own statements: claim the Idempotency-Key,
lock the wallet and held ledger accounts, check reservations, insert the hold, post the
balanced two-leg transaction, store the answer; then, as the checks do, read two balances
and the last page of ledger legs. pgbench runs it with one client (the machine is
sequential) on a sibling database of the same server. The ratio is machine / pgbench: the
share of the database's speed the property test keeps after HTTP, the platform's Python,
the stub PSP and the checks. Bounded in time and count. Writes
benchmarks/results/properties.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psycopg
from _pgbench import pgbench_tps
from hypothesis import Phase
from hypothesis.stateful import run_state_machine_as_test

from golive.canary.psp_ops import PspOps
from golive.driver import PlatformClient
from golive.postgres import Templates, open_provider
from golive.properties import LedgerMachine, PropertyContext, profile_settings
from golive.stack import embedded_stack, migrate

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "properties.json"
MAX_STEPS = 5_000  # whatever the time budget

ACCOUNT = "format('00000000-0000-4000-8000-%s', lpad(to_hex(:i::bigint), 12, '0'))::uuid"
PGBENCH_STEP = f"""
\\set i random(0, :n - 1)
\\set w :w0 + 2 * :i
\\set h :w + 1
\\set amt random(1, 100)
\\set k random(1, 2000000000)
BEGIN;
INSERT INTO idempotency_keys (key, request_hash) VALUES ('bench-' || :k, 'h')
    ON CONFLICT (key) DO NOTHING RETURNING key;
SELECT id, balance FROM ledger_accounts WHERE id = ANY(ARRAY[:w, :h]::bigint[])
    ORDER BY id FOR UPDATE;
SELECT coalesce(sum(amount), 0) AS s FROM holds
    WHERE account_id = {ACCOUNT} AND status = 'pending' AND NOT ledger_posted;
INSERT INTO holds (id, account_id, amount, currency, ledger_posted, expires_at)
    VALUES (gen_random_uuid(), {ACCOUNT}, :amt, 'EUR', true, now() + interval '1 hour')
    RETURNING *;
WITH t AS (INSERT INTO ledger_transactions (id, kind, reference)
           VALUES (gen_random_uuid(), 'hold_place', 'bench') RETURNING id)
INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount)
SELECT t.id, a, 'EUR', d, :amt FROM t, unnest(ARRAY[:w, :h]::bigint[],
       ARRAY['debit', 'credit']) AS u(a, d);
UPDATE idempotency_keys SET status_code = 201, response = '{{}}'::jsonb, completed_at = now()
    WHERE key = 'bench-' || :k;
COMMIT;
SELECT a.id, w.balance,
       coalesce((SELECT sum(amount) FROM holds h WHERE h.account_id = a.id
                 AND h.status = 'pending'), 0) AS held,
       coalesce((SELECT sum(amount) FROM deposits d WHERE d.account_id = a.id
                 AND d.status = 'pending'), 0) AS pending
  FROM accounts a JOIN ledger_accounts w ON w.kind = 'customer_wallet' AND w.owner = a.id::text
 WHERE a.id = {ACCOUNT};
SELECT a.id, w.balance FROM accounts a
  JOIN ledger_accounts w ON w.kind = 'customer_wallet' AND w.owner = a.id::text
 WHERE a.id = {ACCOUNT};
SELECT e.id, e.transaction_id, t.kind, la.owner, la.kind, e.direction, e.amount, e.currency
  FROM ledger_entries e JOIN ledger_accounts la ON la.id = e.account_id
  JOIN ledger_transactions t ON t.id = e.transaction_id
 WHERE e.id > (SELECT coalesce(max(id), 0) - 200 FROM ledger_entries) ORDER BY e.id LIMIT 201;
"""


def funded_accounts(dsn: str, n: int) -> int:
    """n funded EUR customers with predictable ids; returns the first wallet's ledger id."""
    with psycopg.connect(dsn) as conn:
        conn.execute(
            "INSERT INTO ledger_accounts (kind, owner, currency) "
            "VALUES ('psp_clearing', 'psp_clearing:stripe:EUR', 'EUR')"
        )
        for i in range(n):
            acc = f"00000000-0000-4000-8000-{i:012x}"
            conn.execute(
                "INSERT INTO accounts (id, owner_ref, currency) VALUES (%s, 'bench', 'EUR')", (acc,)
            )
            conn.execute(
                "INSERT INTO ledger_accounts (kind, owner, currency) VALUES "
                "('customer_wallet', %s, 'EUR'), ('customer_held', %s, 'EUR')",
                (acc, acc),
            )
        ids = [r[0] for r in conn.execute(
            "SELECT id FROM ledger_accounts WHERE kind = 'customer_wallet' ORDER BY id"
        ).fetchall()]  # fmt: skip
        if ids != [ids[0] + 2 * i for i in range(n)]:
            raise SystemExit("wallet ledger ids are not consecutive; cannot script pgbench")
        for w in ids:
            conn.execute(
                "WITH t AS (INSERT INTO ledger_transactions (id, kind, reference) "
                "VALUES (gen_random_uuid(), 'deposit', 'bench') RETURNING id) "
                "INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, "
                "amount) SELECT t.id, a, 'EUR', d, 1000000000 FROM t, unnest(ARRAY[%s, "
                "(SELECT id FROM ledger_accounts WHERE kind = 'psp_clearing')]::bigint[], "
                "ARRAY['credit', 'debit']) AS u(a, d)",
                (w,),
            )
    return int(ids[0])


class CountingMachine(LedgerMachine):
    """Counts the invariant checks: one after every step (and after the initializers)."""

    steps = 0

    def __init__(self, probe: PropertyContext) -> None:
        super().__init__(probe)
        check = self.s.check

        def counted() -> None:
            CountingMachine.steps += 1
            check()

        self.s.check = counted  # type: ignore[method-assign]


def machine_rate(platform_url: str, psp_url: str, seconds: float) -> dict[str, float]:
    """Steps per second of the ledger state machine; HTTP requests per step."""
    requests = [0]

    def count(_: httpx.Request) -> None:
        requests[0] += 1

    client = PlatformClient(platform_url, event_hooks={"request": [count]})
    psp = PspOps(psp_url)
    psp.clear_faults()
    probe = PropertyContext(client, psp)
    chunk = profile_settings("ci", max_examples=5, database=None, phases=[Phase.generate])
    run_state_machine_as_test(lambda: CountingMachine(probe), settings=chunk)  # warm up
    CountingMachine.steps, requests[0] = 0, 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds and CountingMachine.steps < MAX_STEPS:
        run_state_machine_as_test(lambda: CountingMachine(probe), settings=chunk)
    elapsed = time.perf_counter() - start
    client.close()
    psp.close()
    steps = CountingMachine.steps
    return {"steps": steps, "seconds": elapsed, "steps_per_second": steps / elapsed,
            "platform_requests_per_step": requests[0] / max(1, steps)}  # fmt: skip


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    ap.add_argument("--accounts", type=int, default=200, help="funded wallets for pgbench")
    ap.add_argument("--postgres", default=None, help="provider or DSN (default auto)")
    args = ap.parse_args(argv)
    provider = open_provider(args.postgres)
    where = provider.describe()
    try:
        inst = provider.start_instance(name="bench-properties")
        templates = Templates(inst)
        floor_db = templates.clone("refbank-2", lambda dsn: migrate(dsn, "2"))
        w0 = funded_accounts(floor_db.dsn, args.accounts)
        floor = pgbench_tps(inst, floor_db.name, PGBENCH_STEP, {"n": args.accounts, "w0": w0},
                            seconds=args.seconds)  # fmt: skip
        machine_db = templates.clone("refbank-2", lambda dsn: migrate(dsn, "2"))
        with embedded_stack(machine_db.dsn, app_version="2") as stack:
            machine = machine_rate(stack.platform_url, stack.psp_url, args.seconds)
        templates.close()
    finally:
        provider.close()
    ratio = machine["steps_per_second"] / floor
    report: dict[str, Any] = {
        "benchmark": "properties",
        "step": "one operation through the contract + the invariant check",
        "pgbench_step": "hold placement with its idempotency key + two balance reads + "
        "the last page of ledger legs, one client",
        "postgres": where,
        "load_average_at_end": os.getloadavg(),
        "seconds": args.seconds,
        "machine": machine,
        "pgbench_equivalent_steps_per_second": floor,
        "machine_over_pgbench": ratio,
        "aim": "machine_over_pgbench >= 0.05 (HTTP, two processes and the checks per step)",
    }
    print(f"{'path':40} {'steps/s':>10} {'vs pgbench':>10}")
    print(f"{'pgbench (equivalent SQL, 1 client)':40} {floor:10.1f} {1.0:10.2f}")
    print(f"{'ledger state machine (HTTP + checks)':40} {machine['steps_per_second']:10.1f} "
          f"{ratio:10.3f}")  # fmt: skip
    print(f"{machine['steps']:.0f} steps, {machine['platform_requests_per_step']:.1f} platform "
          "requests per step")  # fmt: skip
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
