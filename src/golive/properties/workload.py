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

from golive.canary.psp_ops import PspOps
from golive.errors import InvariantViolation
from golive.properties.actions import let_webhooks_arrive
from golive.properties.history import (
    FAIL,
    INFO,
    AccountRead,
    History,
    HoldRecord,
    Op,
    Snapshot,
)
from golive.properties.samekey import Send, answer
from golive.psp.provider import DEFAULT
from golive.target import Hold, NoAnswer, PlatformError, Target

WEIGHTS = {"transfer": 35, "hold": 25, "burn": 15, "release": 15, "bad-transfer": 10}
MAX_SNAPSHOTS = 5_000
BARRIER_SECONDS = 5.0
BURSTS = ("hold", "same-key", "transfer")  # what all workers send at once, in turn


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
    psp: str = DEFAULT
    burst_every: int = 10  # every Nth operation all workers send at once (BURSTS, in turn)


@dataclass
class _Pending:
    """What an operation sent, to retry it with the same key if its answer was lost."""

    index: int
    send: Send
    key: str


def _hold(account: str, amount: int, currency: str) -> Send:
    return lambda c, key: c.place_hold(account, amount, currency, expires_in_seconds=3600, key=key)


class _Clock:
    def __init__(self) -> None:
        self.t0 = time.monotonic()

    def now(self) -> float:
        return time.monotonic() - self.t0


class BankWorkload:
    def __init__(self, make_client: Callable[[], Target], psp: PspOps, cfg: BankConfig) -> None:
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
        self.barrier = threading.Barrier(cfg.workers, action=self._before_burst)
        self.bursts = 0  # bursts begun
        self.burst_amount = 0
        self.burst_client: Target | None = None
        self.run_id = uuid.uuid4().hex[:12]

    # -- set-up ---------------------------------------------------------------------------
    def fund(self, client: Target) -> dict[str, int]:
        cfg = self.cfg
        for i in range(cfg.accounts):
            made = client.create_account(
                f"bank-{cfg.seed}-{i}-{uuid.uuid4().hex[:8]}", cfg.currency
            )
            self.accounts.append(made.id)
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
        client: Target,
        process: int,
        kind: str,
        send: Send,
        shared_key: str | None = None,
        **fields: Any,
    ) -> Op:
        key = shared_key or str(uuid.uuid4())
        invoked = self.clock.now()
        outcome, data, refusal, why = answer(client, send, key)
        completed = self.clock.now()
        placed = kind == "hold" and isinstance(data, Hold)
        if placed and isinstance(data, Hold):
            fields["hold_id"] = data.id
        status = None if refusal is None else refusal.status
        code = refusal.code if outcome == FAIL and refusal is not None else None
        op = Op(process, kind, invoked, completed, outcome, status=status, error=why or None,
                code=code, key=shared_key, **fields)  # fmt: skip
        with self.lock:
            if placed and all(h[0] != fields["hold_id"] for h in self.holds):
                self.holds.append((fields["hold_id"], op.account, op.amount))
            self.ops.append(op)
            if outcome == INFO:
                self.pending.append(_Pending(len(self.ops) - 1, send, key))
        return op

    def _one(self, client: Target, process: int, rng: random.Random) -> None:
        cfg, cur = self.cfg, self.cfg.currency
        kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
        if kind in ("burn", "release"):
            with self.lock:
                if not self.holds:
                    kind = "hold"
                else:  # often a recent hold, so two workers race for the same one
                    hold = rng.choice(self.holds[-3:] if rng.random() < 0.5 else self.holds)
        if kind in ("transfer", "bad-transfer"):
            if kind == "transfer":
                src, dst = rng.sample(self.accounts, 2)
            else:
                src, dst = rng.choice(self.accounts), str(uuid.uuid4())
            amount = rng.randint(1, cfg.max_transfer)
            self._send(
                client,
                process,
                kind,
                lambda c, key: c.transfer(src, dst, amount, cur, key=key),
                account=src,
                amount=amount,
                to_account=dst,
            )
        elif kind == "hold":
            acc, amount = rng.choice(self.accounts), rng.randint(1, cfg.funding // 2)
            self._send(client, process, kind, _hold(acc, amount, cur), account=acc, amount=amount)
        elif kind == "burn":
            hold_id, acc, whole = hold
            take = whole if rng.random() < 0.5 else rng.randint(1, whole)
            part = None if take == whole else take
            self._send(
                client,
                process,
                kind,
                lambda c, key: c.burn(hold_id, part, key=key),
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
                lambda c, key: c.release(hold_id, key=key),
                account=acc,
                amount=whole,
                hold_id=hold_id,
                hold_amount=whole,
            )

    def _before_burst(self) -> None:
        """Once all workers wait at the barrier (none has an operation in flight): size the
        burst's holds or transfers at just over half the account's available money, so that
        exactly one fits and any two accepted at once overdraw it, whatever came before."""
        n, self.bursts = self.bursts, self.bursts + 1
        acc = self.accounts[n % len(self.accounts)]
        try:
            if self.burst_client is None:
                self.burst_client = self.make_client()
            available = self.burst_client.balance(acc).available
        except Exception:  # the burst still runs, sized as if the account were untouched
            available = self.cfg.funding
        self.burst_amount = max(1, available // 2 + 1)

    def burst(self, client: Target, process: int, rng: random.Random, n: int) -> None:
        """All workers at once, in turn: a hold of just over half the available money on one
        account (exactly one must fit); one hold sent by all with one Idempotency-Key (one
        hold must result); a transfer of just over half the available money out of one
        account (exactly one must go through)."""
        try:
            self.barrier.wait(timeout=BARRIER_SECONDS)
        except threading.BrokenBarrierError:  # a worker has stopped: no more bursts
            self._one(client, process, rng)
            return
        acc, cfg, cur = self.accounts[n % len(self.accounts)], self.cfg, self.cfg.currency
        amount, kind = self.burst_amount, BURSTS[n % len(BURSTS)]
        if kind == "transfer":
            dst = self.accounts[(n + 1) % len(self.accounts)]
            self._send(
                client, process, "transfer",
                lambda c, key: c.transfer(acc, dst, amount, cur, key=key),
                account=acc, amount=amount, to_account=dst,
            )  # fmt: skip
            return
        key = None
        if kind == "same-key":  # the same small hold from every worker: a client retrying
            key = f"bank-{cfg.seed}-burst-{n}-{self.run_id}"
            amount = random.Random(key).randint(1, max(1, cfg.funding // 50))
        send = _hold(acc, amount, cur)
        self._send(client, process, "hold", send, key, account=acc, amount=amount)

    def worker(self, process: int, deadline: float) -> None:
        rng = random.Random(f"{self.cfg.seed}:{process}")
        client = self.make_client()
        finished = False
        try:
            for i in range(self.cfg.ops_per_worker):
                if self.clock.now() >= deadline:
                    return
                if self.cfg.burst_every and i % self.cfg.burst_every == self.cfg.burst_every - 1:
                    self.burst(client, process, rng, i // self.cfg.burst_every)
                else:
                    self._one(client, process, rng)
            finished = True
        finally:
            # stopped early: release the others from the next burst. Not after the last
            # operation: the others may not have left the last burst's barrier yet, and an
            # abort then breaks it for them
            if not finished:
                self.barrier.abort()
            client.close()

    # -- readers ----------------------------------------------------------------------------
    def snapshot(self, client: Target, process: int, *, final: bool = False) -> Snapshot | None:
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
    def settle_unknown(self, client: Target) -> None:
        """Retry each unanswered operation with its key: a replay tells what happened."""
        for p in self.pending:
            op = self.ops[p.index]
            outcome, data, refusal, _ = answer(client, p.send, p.key)
            if outcome == INFO:
                continue
            op = replace(op, outcome=outcome, completed=self.clock.now())
            if outcome == FAIL and refusal is not None:
                op = replace(op, code=refusal.code)
            if op.kind == "hold" and isinstance(data, Hold):
                op = replace(op, hold_id=data.id)
                if all(h[0] != data.id for h in self.holds):
                    self.holds.append((data.id, op.account, op.amount))
            self.ops[p.index] = op

    def hold_records(self, client: Target) -> dict[str, HoldRecord]:
        out = {}
        for hold_id, acc, amount in self.holds:
            h = client.get_hold(hold_id)
            out[hold_id] = HoldRecord(
                hold_id, acc, amount, h.status, h.burned_amount, h.released_amount
            )
        return out

    def clean_up(self, client: Target, records: dict[str, HoldRecord]) -> None:
        """Release the holds left pending (best effort: the verdict is already in the history)."""
        for rec in records.values():
            if rec.status == "pending":
                with contextlib.suppress(NoAnswer, PlatformError):
                    client.release(rec.hold_id)


def run_bank(make_client: Callable[[], Target], psp: PspOps, cfg: BankConfig) -> History:
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
        if wl.burst_client is not None:
            wl.burst_client.close()
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
