"""The delivery queue and log: due-time ordered, with a hold area for reordering.

Not locked itself: the stub calls it under its lock. Retry schedules are virtual seconds
after a failed attempt, so the clock's speed and `advance` compress them.
"""

from __future__ import annotations

import heapq

from golive.psp.model import Delivery
from golive.psp.provider import get as provider_named


class Outbox:
    """Every delivery ever made (the log) and the queue of those still due."""

    def __init__(self) -> None:
        self.log: dict[str, Delivery] = {}
        self.held: list[Delivery] = []
        self.in_flight = 0
        self.attempt_seq = 0
        self._heap: list[tuple[float, int, str]] = []
        self._seq = 0

    def add(self, delivery: Delivery) -> None:
        self.log[delivery.id] = delivery
        if delivery.status == "pending":
            self._push(delivery)
        elif delivery.status == "held":
            self.held.append(delivery)

    def _push(self, delivery: Delivery) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (delivery.due, self._seq, delivery.id))

    def _clean(self) -> None:
        while self._heap:
            due, _, did = self._heap[0]
            d = self.log.get(did)
            if d is not None and d.status == "pending" and d.due == due:
                return
            heapq.heappop(self._heap)

    def next_due(self) -> float | None:
        self._clean()
        return self._heap[0][0] if self._heap else None

    def pop_due(self, now: float) -> Delivery | None:
        self._clean()
        if self._heap and self._heap[0][0] <= now:
            _, _, did = heapq.heappop(self._heap)
            delivery = self.log[did]
            delivery.status = "in_flight"
            self.in_flight += 1
            return delivery
        return None

    def has_due(self, now: float) -> bool:
        due = self.next_due()
        return due is not None and due <= now

    def retry(self, delivery: Delivery, now: float) -> bool:
        """Schedule the next attempt after a failure; False when the schedule is spent."""
        delays = provider_named(delivery.provider).retry_delays
        index = len(delivery.attempts) - 1
        if index >= len(delays):
            delivery.status = "failed"
            return False
        delivery.status = "pending"
        delivery.due = now + delays[index]
        self._push(delivery)
        return True

    def release_held(self, now: float) -> int:
        """Let held deliveries go, newest first (that is the reordering)."""
        released = list(reversed(self.held))
        self.held.clear()
        for d in released:
            d.status = "pending"
            d.due = now
            self._push(d)
        return len(released)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for d in self.log.values():
            out[d.status] = out.get(d.status, 0) + 1
        return out
