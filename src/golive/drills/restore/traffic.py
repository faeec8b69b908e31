"""Traffic that goes on while a drill backs up, marks its recovery point and meets disaster.

Transfers between seeded wallets from a few client threads, bounded in count and time. Every
acknowledged transfer is logged with the moment its answer arrived: the last one before the
disaster is the last transaction the source committed, as far as any customer knows.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from golive.drills.restore.seed import Wallet, plan_transfers
from golive.target import NoAnswer, PlatformError, Target


@dataclass
class TrafficResult:
    acknowledged: list[tuple[float, str]] = field(default_factory=list)  # (answered at, tx id)
    refused: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def last_ack_at(self) -> float | None:
        return max((t for t, _ in self.acknowledged), default=None)

    def to_dict(self) -> dict[str, object]:
        return {
            "acknowledged": len(self.acknowledged),
            "refused": self.refused,
            "errors": self.errors,
            "seconds": round(self.seconds, 3),
            "last_ack_at": self.last_ack_at,
        }


class Traffic:
    """Background transfers; ``start()``, then ``stop()`` for the result."""

    def __init__(
        self,
        connect: Callable[[], Target],
        wallets: Sequence[Wallet],
        *,
        seed: int = 0,
        workers: int = 2,
        max_ops: int = 2_000,
        max_seconds: float = 300.0,
    ) -> None:
        self.connect = connect
        self.plan = plan_transfers(wallets, max_ops, random.Random(seed))
        self.workers = workers
        self.max_seconds = max_seconds
        self.result = TrafficResult()
        self._next = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._started = 0.0

    def _take(self) -> tuple[Wallet, Wallet, int] | None:
        with self._lock:
            if self._next >= len(self.plan):
                return None
            self._next += 1
            return self.plan[self._next - 1]

    def _work(self) -> None:
        deadline = self._started + self.max_seconds
        client = self.connect()
        try:
            self._loop(client, deadline)
        finally:
            client.close()

    def _loop(self, client: Target, deadline: float) -> None:
        while not self._stop.is_set() and time.monotonic() < deadline:
            item = self._take()
            if item is None:
                return
            src, dst, amount = item
            try:
                res = client.transfer(src.account_id, dst.account_id, amount, src.currency)
            except PlatformError as exc:
                with self._lock:
                    if exc.status < 500:
                        self.result.refused += 1
                    else:
                        self.result.errors += 1
                if exc.status >= 500:
                    self._stop.wait(0.05)
                continue
            except NoAnswer:
                with self._lock:
                    self.result.errors += 1
                self._stop.wait(0.05)
                continue
            with self._lock:
                self.result.acknowledged.append((time.time(), res.transaction_id))

    def start(self) -> Traffic:
        self._started = time.monotonic()
        self._threads = [
            threading.Thread(target=self._work, name=f"drill-traffic-{i}", daemon=True)
            for i in range(self.workers)
        ]
        for t in self._threads:
            t.start()
        return self

    def wait_acknowledged(self, count: int, timeout: float = 60.0) -> int:
        """Wait (bounded) until ``count`` more transfers have been acknowledged."""
        with self._lock:
            goal = len(self.result.acknowledged) + count
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(t.is_alive() for t in self._threads):
            with self._lock:
                if len(self.result.acknowledged) >= goal:
                    break
            time.sleep(0.02)
        with self._lock:
            return len(self.result.acknowledged)

    def stop(self) -> TrafficResult:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)
        self.result.seconds = time.monotonic() - self._started if self._started else 0.0
        return self.result
