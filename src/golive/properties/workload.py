"""A Jepsen-style bank workload: workers move money between a few accounts at once while
readers take snapshots; everything goes into a ``History`` for the checker.

Bounded in operations (``ops_per_worker``) and in time (``max_seconds``). Seeded: the same
seed gives every worker the same choices (what the platform answers may still differ).
An operation whose answer is lost is retried afterwards with its Idempotency-Key, which
replays the first answer if there was one: that settles most unknown outcomes.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import httpx

from golive.canary.psp_ops import PspOps
from golive.driver import PlatformClient, error_code
from golive.errors import InvariantViolation
from golive.properties.actions import let_webhooks_arrive
from golive.properties.history import (
    FAIL,
    INFO,
    OK,
    AccountRead,
    History,
    HoldRecord,
    Op,
    Snapshot,
)

WEIGHTS = {"transfer": 35, "hold": 25, "burn": 15, "release": 15, "bad-transfer": 10}
MAX_SNAPSHOTS = 5_000
BARRIER_SECONDS = 5.0


@dataclass(frozen=True)
class BankConfig:
    accounts: int = 4
    currency: str = "EUR"
    funding: int = 50_000  # deposited into each account before the workload starts
    workers: int = 4
    readers: int = 1
    ops_per_worker: int = 40
    max_seconds: float = 30.0
    max_transfer: int = 5_000
    seed: int = 0
    psp: str = "stripe"
    burst_every: int = 10  # every Nth operation all workers hold on one account at once


@dataclass
class _Pending:
    """What an operation sent, to retry it with the same key if its answer was lost."""

    index: int
    method: str
    path: str
    body: dict[str, Any]
    key: str


class _Clock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.t0


class BankWorkload:
    def __init__(
        self, make_client: Callable[[], PlatformClient], psp: PspOps, cfg: BankConfig
    ) -> None:
        self.make_client = make_client
        self.psp = psp
        self.cfg = cfg
        self.accounts: list[str] = []
        self.holds: list[tuple[str, str, int]] = []  # (hold id, account, amount) placed
        self.lock = threading.Lock()
        self.ops: list[Op] = []
        self.pending: list[_Pending] = []
        self.snapshots: list[Snapshot] = []
        self.clock = _Clock()
        self.done = threading.Event()
        self.barrier = threading.Barrier(cfg.workers)

    # -- set-up ---------------------------------------------------------------------------
    def fund(self, client: PlatformClient) -> dict[str, int]:
        cfg = self.cfg
        for i in range(cfg.accounts):
            made = client.create_account(
                f"bank-{cfg.seed}-{i}-{uuid.uuid4().hex[:8]}", cfg.currency
            )
            self.accounts.append(str(made["id"]))
            client.deposit(self.accounts[-1], cfg.funding, cfg.currency, cfg.psp)
        let_webhooks_arrive(self.psp)
        initial: dict[str, int] = {}
        for acc in self.accounts:
            bal = client.balance(acc)
            if bal.pending or bal.held:
                raise InvariantViolation(
                    f"bank workload set-up: account {acc} still shows pending {bal.pending} and "
                    f"held {bal.held} after its deposit's webhook was delivered"
                )
            initial[acc] = bal.available
        return initial

    # -- workers ----------------------------------------------------------------------------
    def _send(
        self,
        client: PlatformClient,
        process: int,
        kind: str,
        method: str,
        path: str,
        body: dict[str, Any],
        **fields: Any,
    ) -> tuple[Op, Any]:
        key = str(uuid.uuid4())
        invoked = self.clock.now()
        status: int | None = None
        data: Any = None
        error = None
        try:
            resp = client.request(method, path, body, key=key)
            status = resp.status_code
            data = resp.json() if resp.content else None
        except (httpx.HTTPError, ValueError) as exc:
            error = repr(exc)
        completed = self.clock.now()
        if status is None or status >= 500:
            outcome = INFO
            error = error or str(data)[:300]
        else:
            outcome = OK if status < 400 else FAIL
        placed = kind == "hold" and outcome == OK and isinstance(data, dict)
        if placed:
            fields["hold_id"] = str(data["id"])
        code = error_code(data) if outcome == FAIL else None
        op = Op(process, kind, invoked, completed, outcome, status=status, error=error, code=code,
                **fields)  # fmt: skip
        with self.lock:
            if placed:
                self.holds.append((fields["hold_id"], op.account, op.amount))
            self.ops.append(op)
            if outcome == INFO:
                self.pending.append(_Pending(len(self.ops) - 1, method, path, body, key))
        return op, data

    def _one(self, client: PlatformClient, process: int, rng: random.Random) -> None:
        cfg, cur = self.cfg, self.cfg.currency
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        if kind in ("burn", "release"):
            with self.lock:
                if not self.holds:
                    kind = "hold"
                else:  # often a recent hold, so two workers race for the same one
                    hold = rng.choice(self.holds[-3:] if rng.random() < 0.5 else self.holds)
        if kind == "transfer":
            src, dst = rng.sample(self.accounts, 2)
            amount = rng.randint(1, cfg.max_transfer)
            body = {"from_account_id": src, "to_account_id": dst, "amount": amount, "currency": cur}
            self._send(
                client,
                process,
                kind,
                "POST",
                "/transfers",
                body,
                account=src,
                amount=amount,
                to_account=dst,
            )
        elif kind == "bad-transfer":
            src, dst = rng.choice(self.accounts), str(uuid.uuid4())
            amount = rng.randint(1, cfg.max_transfer)
            body = {"from_account_id": src, "to_account_id": dst, "amount": amount, "currency": cur}
            self._send(
                client,
                process,
                kind,
                "POST",
                "/transfers",
                body,
                account=src,
                amount=amount,
                to_account=dst,
            )
        elif kind == "hold":
            acc, amount = rng.choice(self.accounts), rng.randint(1, cfg.funding // 2)
            body = {
                "account_id": acc,
                "amount": amount,
                "currency": cur,
                "expires_in_seconds": 3600,
            }
            self._send(client, process, kind, "POST", "/holds", body, account=acc, amount=amount)
        elif kind == "burn":
            hold_id, acc, whole = hold
            take = whole if rng.random() < 0.5 else rng.randint(1, whole)
            body = {} if take == whole else {"amount": take}
            self._send(
                client,
                process,
                kind,
                "POST",
                f"/holds/{hold_id}/burn",
                body,
                account=acc,
                amount=take,
                hold_id=hold_id,
                hold_amount=whole,
            )
        else:
            hold_id, acc, whole = hold
            self._send(
                client,
                process,
                kind,
                "POST",
                f"/holds/{hold_id}/release",
                {},
                account=acc,
                amount=whole,
                hold_id=hold_id,
                hold_amount=whole,
            )

    def burst(self, client: PlatformClient, process: int, rng: random.Random, n: int) -> None:
        """All workers at once: a large hold on the same account (at most one should fit)."""
        try:
            self.barrier.wait(timeout=BARRIER_SECONDS)
        except threading.BrokenBarrierError:  # a worker has stopped: no more bursts
            self._one(client, process, rng)
            return
        acc, cfg = self.accounts[n % len(self.accounts)], self.cfg
        amount = rng.randint(cfg.funding // 4, cfg.funding // 2)
        body = {"account_id": acc, "amount": amount, "currency": cfg.currency,
                "expires_in_seconds": 3600}  # fmt: skip
        self._send(client, process, "hold", "POST", "/holds", body, account=acc, amount=amount)

    def worker(self, process: int, deadline: float) -> None:
        rng = random.Random(f"{self.cfg.seed}:{process}")
        client = self.make_client()
        try:
            for i in range(self.cfg.ops_per_worker):
                if self.clock.now() >= deadline:
                    return
                if self.cfg.burst_every and i % self.cfg.burst_every == self.cfg.burst_every - 1:
                    self.burst(client, process, rng, i // self.cfg.burst_every)
                else:
                    self._one(client, process, rng)
        finally:
            self.barrier.abort()  # release the others from the next burst
            client.close()

    # -- readers ----------------------------------------------------------------------------
    def snapshot(
        self, client: PlatformClient, process: int, *, final: bool = False
    ) -> Snapshot | None:
        reads = []
        for acc in self.accounts:
            started = self.clock.now()
            try:
                bal = client.balance(acc)
            except Exception:  # a read that fails is no evidence either way
                return None
            reads.append(
                AccountRead(process, acc, started, self.clock.now(), bal.available, bal.held)
            )
        return Snapshot(process, tuple(reads), final)

    def reader(self, process: int, deadline: float) -> None:
        client = self.make_client()
        try:
            while not self.done.is_set() and self.clock.now() < deadline:
                snap = self.snapshot(client, process)
                with self.lock:
                    if snap is not None:
                        self.snapshots.append(snap)
                    if len(self.snapshots) >= MAX_SNAPSHOTS:
                        return
        finally:
            client.close()

    # -- after the workload ----------------------------------------------------------------
    def settle_unknown(self, client: PlatformClient) -> None:
        """Retry each unanswered operation with its key: a replay tells what happened."""
        for p in self.pending:
            op = self.ops[p.index]
            try:
                resp = client.request(p.method, p.path, p.body, key=p.key)
            except httpx.HTTPError:
                continue
            if resp.status_code >= 500:
                continue
            outcome = OK if resp.status_code < 400 else FAIL
            op = replace(op, outcome=outcome, completed=self.clock.now())
            if outcome == FAIL:
                op = replace(op, code=error_code(resp.json() if resp.content else None))
            if op.kind == "hold" and outcome == OK:
                op = replace(op, hold_id=str(resp.json()["id"]))
                self.holds.append((str(op.hold_id), op.account, op.amount))
            self.ops[p.index] = op

    def hold_records(self, client: PlatformClient) -> dict[str, HoldRecord]:
        out = {}
        for hold_id, acc, amount in self.holds:
            h = client.get_hold(hold_id)
            out[hold_id] = HoldRecord(
                hold_id,
                acc,
                amount,
                str(h["status"]),
                int(h["burned_amount"]),
                int(h["released_amount"]),
            )
        return out

    def clean_up(self, client: PlatformClient, records: dict[str, HoldRecord]) -> None:
        """Release the holds left pending (best effort: the verdict is already in the history)."""
        for rec in records.values():
            if rec.status == "pending":
                with contextlib.suppress(httpx.HTTPError):
                    client.request("POST", f"/holds/{rec.hold_id}/release", {})


def run_bank(make_client: Callable[[], PlatformClient], psp: PspOps, cfg: BankConfig) -> History:
    """Fund the accounts, run the workers and readers, settle unknowns, read the end state."""
    wl = BankWorkload(make_client, psp, cfg)
    client = make_client()
    try:
        initial = wl.fund(client)
        wl.clock = _Clock()
        deadline = cfg.max_seconds
        workers = [
            threading.Thread(target=wl.worker, args=(i, deadline), name=f"bank-worker-{i}")
            for i in range(cfg.workers)
        ]
        readers = [
            threading.Thread(
                target=wl.reader, args=(cfg.workers + i, deadline), name=f"bank-reader-{i}"
            )
            for i in range(cfg.readers)
        ]
        for t in workers + readers:
            t.start()
        for t in workers:
            t.join(timeout=cfg.max_seconds + 60)
        wl.done.set()
        for t in readers:
            t.join(timeout=60)
        wl.settle_unknown(client)
        final = wl.snapshot(client, -1, final=True)
        if final is None:
            raise InvariantViolation("bank workload: the final balances could not be read")
        wl.snapshots.append(final)
        records = wl.hold_records(client)
        duration = wl.clock.now()
        wl.clean_up(client, records)
    finally:
        client.close()
    return History(
        currency=cfg.currency,
        initial=initial,
        ops=wl.ops,
        snapshots=wl.snapshots,
        holds=records,
        seed=cfg.seed,
        duration=duration,
        funded={a: cfg.funding for a in wl.accounts},
    )
