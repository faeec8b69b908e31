"""Realistic data for a drill, made through the platform's own API (the target interface).

Accounts, a deposit into each (credited through the PSP's webhook, as in production), then
wallet-to-wallet transfers. Bounded in count and time, with a small pool of concurrent
clients. Every row is the platform's own doing: its invariants hold because it kept them.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from golive.canary.psp_ops import PspOps
from golive.drills.memory import Memory
from golive.errors import ExpectationFailed
from golive.money import Money
from golive.target import NoAnswer, PlatformError, Target

T = TypeVar("T")


@dataclass(frozen=True)
class SeedAccount:
    """One customer to create, with the deposit that opens the wallet through payment provider
    ``psp`` (one the target uses)."""

    owner_ref: str
    opening: Money
    psp: str


@dataclass(frozen=True)
class Wallet:
    account_id: str
    currency: str
    opening: int


@dataclass
class SeedResult:
    wallets: list[Wallet] = field(default_factory=list)
    deposits: int = 0
    credited: int = 0
    transfers: int = 0
    refused: int = 0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    memory: Memory = field(default_factory=Memory)  # requests retried after the restore

    @property
    def transactions(self) -> int:
        return self.credited + self.transfers

    def to_dict(self) -> dict[str, object]:
        return {
            "accounts": len(self.wallets),
            "deposits": self.deposits,
            "credited": self.credited,
            "transfers": self.transfers,
            "refused": self.refused,
            "failures": self.failures[:20],
            "remembered": len(self.memory.requests),
            "seconds": round(self.seconds, 3),
        }


class _Clients:
    """One target client per worker thread (closed together)."""

    def __init__(self, connect: Callable[[], Target]) -> None:
        self.connect = connect
        self.local = threading.local()
        self.all: list[Target] = []
        self.lock = threading.Lock()

    def get(self) -> Target:
        client: Target | None = getattr(self.local, "client", None)
        if client is None:
            client = self.local.client = self.connect()
            with self.lock:
                self.all.append(client)
        return client

    def close(self) -> None:
        for c in self.all:
            c.close()


def _bounded(
    items: Sequence[T], work: Callable[[T], Any], *, workers: int, deadline: float
) -> list[Any]:
    """``work`` over ``items`` with ``workers`` threads; items not started by ``deadline`` are
    skipped (their result is None); exceptions come back as results."""

    def task(item: T) -> Any:
        if time.monotonic() > deadline:
            return None
        try:
            return work(item)
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(task, items))


def plan_transfers(
    wallets: Sequence[Wallet], count: int, rng: random.Random
) -> list[tuple[Wallet, Wallet, int]]:
    """``count`` transfers between distinct wallets of one currency, each a small share of the
    sender's opening balance (so almost none is refused for lack of funds)."""
    by_currency: dict[str, list[Wallet]] = {}
    for w in wallets:
        by_currency.setdefault(w.currency, []).append(w)
    pools = [ws for ws in by_currency.values() if len(ws) >= 2]
    plan: list[tuple[Wallet, Wallet, int]] = []
    if not pools:
        return plan
    for _ in range(count):
        src, dst = rng.sample(rng.choice(pools), 2)
        plan.append((src, dst, rng.randint(1, max(1, src.opening // 100))))
    return plan


@dataclass(frozen=True)
class Books:
    """What seeding the target through its API made, and when it started."""

    seeded: SeedResult
    started_at: float


def seed_platform(
    connect: Callable[[], Target],
    psp: PspOps,
    accounts: Sequence[SeedAccount],
    *,
    transfers: int,
    rng: random.Random,
    workers: int = 4,
    max_seconds: float = 900.0,
) -> SeedResult:
    """Create ``accounts`` with their opening deposits, settle them, then ``transfers``;
    ``connect`` opens a client of the target (one per worker thread)."""
    started = time.monotonic()
    deadline = started + max_seconds
    result = SeedResult()
    clients = _Clients(connect)
    try:

        def open_account(a: SeedAccount) -> tuple[str, str]:
            c = clients.get()
            acc = c.create_account(a.owner_ref, a.opening.currency)
            dep = c.deposit(acc.id, a.opening.amount_minor, a.opening.currency, a.psp)
            return acc.id, dep.id

        opened = _bounded(accounts, open_account, workers=workers, deadline=deadline)
        made = [(a, r) for a, r in zip(accounts, opened, strict=True) if isinstance(r, tuple)]
        result.failures += [
            f"open {a.owner_ref}: {r}"[:300]
            for a, r in zip(accounts, opened, strict=True)
            if isinstance(r, Exception)
        ]
        result.deposits = len(made)
        psp.deliver_due()

        def credited(item: tuple[SeedAccount, tuple[str, str]]) -> Wallet | None:
            a, (account_id, deposit_id) = item
            status = clients.get().get_deposit(deposit_id).status
            return (
                Wallet(account_id, a.opening.currency, a.opening.amount_minor)
                if status == "succeeded"
                else None
            )

        checked = _bounded(made, credited, workers=workers, deadline=deadline)
        result.wallets = [w for w in checked if isinstance(w, Wallet)]
        result.credited = len(result.wallets)

        def transfer(t: tuple[Wallet, Wallet, int]) -> bool:
            src, dst, amount = t
            try:
                clients.get().transfer(src.account_id, dst.account_id, amount, src.currency)
            except PlatformError as exc:
                if exc.status >= 500:
                    raise
                return False
            return True

        plan = plan_transfers(result.wallets, transfers, rng)
        done = _bounded(plan, transfer, workers=workers, deadline=deadline)
        result.transfers = sum(1 for d in done if d is True)
        result.refused = sum(1 for d in done if d is False)
        result.failures += [f"transfer: {d}"[:300] for d in done if isinstance(d, Exception)]
        try:  # a few requests with keys, retried on the restored database (golive.drills.memory)
            result.memory.record(clients.get(), psp.deliver_due)
        except (PlatformError, NoAnswer, ExpectationFailed) as exc:
            result.failures.append(f"requests to retry after the restore: {exc}"[:300])
    finally:
        clients.close()
        result.seconds = time.monotonic() - started
    return result
