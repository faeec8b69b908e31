"""Webhook delivery over real HTTP: sign each attempt, send, record, retry.

Worker threads take due deliveries from the outbox (under the stub's lock), send them
without the lock, and record the outcome. Any 2xx acknowledges; anything else, a time-out
or a refused connection schedules a retry. Secrets are used here and never recorded.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Protocol

import httpx

from golive.psp.model import Attempt, Delivery
from golive.psp.provider import get as provider_named
from golive.psp.stub import Stub
from golive.tls import tls_context

log = logging.getLogger("golive.psp")
STALE_SECONDS = 3600  # well past the SDKs' 300 s tolerance


@dataclass
class Job:
    delivery: Delivery
    attempt: Attempt
    generation: int
    body: bytes
    headers: dict[str, str]


def prepare(psp: Stub, delivery: Delivery) -> Job | None:
    """Build the signed request of the next attempt (caller holds the lock)."""
    endpoint = psp.endpoints.get(delivery.endpoint_id)
    outbox = psp.outbox
    if endpoint is None or endpoint.status != "enabled":
        delivery.status = "abandoned"  # the endpoint was deleted or disabled meanwhile
        outbox.in_flight -= 1
        return None
    now = psp.clock.now()
    wall = time.time()
    provider = provider_named(delivery.provider)
    kind = "valid"
    if psp.faults.roll(delivery.provider, "bad_signature"):
        kind = "bad"
    elif provider.signs_timestamp and psp.faults.roll(delivery.provider, "stale_timestamp"):
        kind = "stale"
    keys = endpoint.active_keys(now)
    if kind == "bad" or not keys:
        keys = [provider.new_secret()]  # a secret the receiver does not know
    stamp = int(wall) - (STALE_SECONDS if kind == "stale" else 0)
    body, headers = provider.sign(delivery.payload, keys, stamp)
    headers["user-agent"] = provider.user_agent
    outbox.attempt_seq += 1
    attempt = Attempt(len(delivery.attempts) + 1, outbox.attempt_seq, now, wall, kind)
    delivery.attempts.append(attempt)
    return Job(delivery, attempt, psp.generation, body, headers)


def send(client: httpx.Client, job: Job) -> None:
    """POST the attempt and fill in status code or error and latency (no lock held)."""
    start = time.perf_counter()
    try:
        response = client.post(job.delivery.url, content=job.body, headers=job.headers)
        job.attempt.status_code = response.status_code
    except httpx.TimeoutException:
        job.attempt.error = "timeout"
    except Exception as exc:  # a worker never dies: any failure is a failed attempt
        job.attempt.error = f"{type(exc).__name__}: {exc}"[:300]
    job.attempt.latency_ms = round((time.perf_counter() - start) * 1000, 3)


def finish(psp: Stub, job: Job) -> None:
    """Record the outcome: ack, or schedule the retry (caller holds the lock)."""
    if job.generation != psp.generation:
        return  # the stub was reset while this attempt was on the wire
    d = job.delivery
    psp.outbox.in_flight -= 1
    event = psp.events.get(d.event_id)
    code = job.attempt.status_code
    if code is not None and 200 <= code < 300:
        d.status = "succeeded"
        if event is not None:
            event.pending.discard(d.endpoint_id)
            event.failed.discard(d.endpoint_id)
            psp.sync_event(event)
    elif not psp.outbox.retry(d, psp.clock.now()) and event is not None:
        event.failed.add(d.endpoint_id)


def new_client(timeout: float) -> httpx.Client:
    # trust_env=False: never route loopback deliveries through a proxy from the environment.
    return httpx.Client(
        timeout=timeout, trust_env=False, follow_redirects=False, verify=tls_context()
    )


class Queue(Stub, Protocol):
    """The stub as its delivery threads see it: a Stub that hands out due attempts."""

    def next_job(self, wait: float) -> Job | None: ...


class Dispatcher:
    """Background delivery threads."""

    def __init__(self, psp: Queue, *, threads: int = 4, timeout: float = 10.0) -> None:
        self.psp = psp
        self.threads = threads
        self.timeout = timeout
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def running(self) -> bool:
        return bool(self._threads)

    def start(self) -> None:
        if self._threads:
            return
        self._stop.clear()
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, name=f"psp-delivery-{i}", daemon=True)
            t.start()
            self._threads.append(t)

    def stop(self) -> None:
        self._stop.set()
        with self.psp.cond:
            self.psp.cond.notify_all()
        for t in self._threads:
            t.join(timeout=self.timeout + 5)
        self._threads.clear()

    def _loop(self) -> None:
        with new_client(self.timeout) as client:
            while not self._stop.is_set():
                try:
                    job = self.psp.next_job(wait=0.2)
                    if job is None:
                        continue
                    send(client, job)
                    with self.psp.cond:
                        finish(self.psp, job)
                        self.psp.cond.notify_all()
                except Exception:  # a bug must not silently stop deliveries
                    log.exception("psp stub: delivery thread error (a golive bug)")
                    time.sleep(0.1)
