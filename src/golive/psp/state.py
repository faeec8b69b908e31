"""StubPSP: the stub's whole state behind one lock, and the plain-function face.

    psp = StubPSP(speed=0)
    resp = psp.handle("POST", "/stripe/v1/payment_intents", headers=..., body=b"amount=100&...")

The served face (golive.psp.server) passes every request to `handle` unchanged.
"""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from golive.psp import api
from golive.psp.clock import VirtualClock
from golive.psp.delivery import Dispatcher, Job, finish, new_client, prepare, send
from golive.psp.faults import FaultBook
from golive.psp.http import ApiError, Ids, StubRequest, StubResponse
from golive.psp.idempotency import IdempotencyStore
from golive.psp.model import Delivery, Endpoint, EndpointKey, EventRecord, webhook_url_problem
from golive.psp.outbox import Outbox
from golive.psp.provider import SHARED
from golive.psp.provider import get as provider_named
from golive.psp.routes import build_router

HELD_MAX_SECONDS = 30.0  # a reordered delivery is held at most this long (virtual)


class StubPSP:
    """In-process PSP of every registered provider. Thread-safe: one lock guards all state."""

    def __init__(
        self,
        *,
        speed: float = 1.0,
        seed: int | None = None,
        stripe_api_key: str | None = None,
        adyen_api_key: str | None = None,
        stripe_webhook_url: str | None = None,
        stripe_webhook_secret: str | None = None,
        adyen_webhook_url: str | None = None,
        adyen_hmac_key: str | None = None,
        delivery_timeout: float = 10.0,
        delivery_threads: int = 4,
        allow_remote_webhooks: bool = False,
    ) -> None:
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.clock = VirtualClock(speed=speed)
        self.ids = Ids(seed)
        self.faults = FaultBook(seed)
        self.allow_remote_webhooks = allow_remote_webhooks
        self.stripe_api_key = stripe_api_key
        self.adyen_api_key = adyen_api_key
        self.router = build_router()
        self.dispatcher = Dispatcher(self, threads=delivery_threads, timeout=delivery_timeout)
        self.generation = 0
        self.request_context: dict[str, Any] | None = None
        self._startup: list[tuple[str, str, str]] = []
        for url in (stripe_webhook_url, adyen_webhook_url):
            problem = url and webhook_url_problem(url, allow_remote=allow_remote_webhooks)
            if problem:
                raise ValueError(f"webhook URL {url!r} {problem}")
        startup = zip(
            SHARED,
            (stripe_webhook_url, adyen_webhook_url),
            (stripe_webhook_secret, adyen_hmac_key),
            strict=True,
        )
        for name, url, secret in startup:
            if url:
                self._startup.append((name, url, secret or provider_named(name).new_secret()))
        self._init_state()

    # -- state ------------------------------------------------------------------------

    def _init_state(self) -> None:
        self.generation += 1
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        self.events: dict[str, EventRecord] = {}
        self.endpoints: dict[str, Endpoint] = {}
        self.outbox = Outbox()
        self.idem = IdempotencyStore()
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._timer_seq = itertools.count()
        for provider, url, secret in self._startup:
            self.add_endpoint(provider, url, secret=secret, configured=True)

    def reset(self) -> None:
        """Back to the start-up state: no objects, events, deliveries or faults; real time."""
        with self.cond:
            self.faults.clear()
            self.clock.reset()
            self._init_state()
            self.cond.notify_all()

    def store(self, kind: str) -> dict[str, dict[str, Any]]:
        return self.objects.setdefault(kind, {})

    def get(self, kind: str, obj_id: str) -> dict[str, Any] | None:
        return self.objects.get(kind, {}).get(obj_id)

    def now(self) -> int:
        return int(self.clock.now())

    def startup_secrets(self) -> dict[str, str]:
        """The start-up endpoints' secrets, for whoever launched the stub (never logged)."""
        return {provider: secret for provider, _, secret in self._startup}

    # -- the plain-function face --------------------------------------------------------

    def handle(
        self,
        method: str,
        path: str,
        *,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: bytes | str = b"",
    ) -> StubResponse:
        """Answer one API call exactly as the server would (latency faults not slept)."""
        raw = body.encode() if isinstance(body, str) else body
        lowered = {k.lower(): v for k, v in (headers or {}).items()}
        return api.handle(self, StubRequest(method.upper(), path, query, lowered, raw))

    def is_blocking(self, method: str, path: str) -> bool:
        """Routes that wait for deliveries (served off the event loop)."""
        try:
            return self.router.match(method, path)[0].blocking
        except ApiError:
            return False

    # -- timers (payout arrival and the like) ------------------------------------------

    def schedule(self, at: float, action: Callable[[], None]) -> None:
        heapq.heappush(self._timers, (at, next(self._timer_seq), action))

    def tick(self) -> None:
        """Run everything the virtual clock has reached (caller holds the lock)."""
        now = self.clock.now()
        while self._timers and self._timers[0][0] <= now:
            _, _, action = heapq.heappop(self._timers)
            try:
                action()
            except Exception:  # one broken timer must not break every later request
                api.log.exception("psp stub: timer error (a golive bug)")
        held = self.outbox.held
        if held and held[0].created + HELD_MAX_SECONDS <= now:
            self.outbox.release_held(now)
            self.cond.notify_all()

    def next_wakeup(self) -> float | None:
        times = [t for t in (self.outbox.next_due(), self._timers[0][0] if self._timers else None)]
        real = [t for t in times if t is not None]
        return min(real) if real else None

    # -- endpoints and events -----------------------------------------------------------

    def add_endpoint(
        self,
        provider: str,
        url: str,
        *,
        secret: str | None = None,
        enabled_events: list[str] | None = None,
        configured: bool = False,
        endpoint_id: str | None = None,
    ) -> Endpoint:
        with self.lock:
            if secret is None:
                secret = provider_named(provider).new_secret()
            ep = Endpoint(
                id=endpoint_id or self.ids.stripe("we"),
                provider=provider,
                url=url,
                keys=[EndpointKey(secret)],
                created=self.clock.now(),
                enabled_events=list(enabled_events or ["*"]),
                configured=configured,
            )
            self.endpoints[ep.id] = ep
            return ep

    def rotate_secret(
        self, endpoint: Endpoint, *, secret: str | None = None, expires_in: float = 0.0
    ) -> str:
        """New signing secret; the old ones keep signing for `expires_in` virtual seconds."""
        with self.lock:
            now = self.clock.now()
            new = secret or provider_named(endpoint.provider).new_secret()
            for key in endpoint.keys:
                if key.expires_at is None or key.expires_at > now + expires_in:
                    key.expires_at = now + expires_in
            endpoint.keys = [EndpointKey(new), *(k for k in endpoint.keys if k.expires_at > now)]  # type: ignore[operator]
            return new

    def emit(
        self, provider: str, event_id: str, event_type: str, body: dict[str, Any]
    ) -> EventRecord:
        """Record an event and queue a delivery to every endpoint that wants it."""
        now = self.clock.now()
        record = EventRecord(event_id, provider, event_type, now, body)
        self.events[event_id] = record
        targets = [
            e for e in self.endpoints.values() if e.provider == provider and e.wants(event_type)
        ]
        record.pending = {e.id for e in targets}
        self.sync_event(record)
        faults = self.faults.effective(provider)
        payload = provider_named(provider).payload(body) if targets else body
        for ep in targets:
            if self.faults.roll(provider, "drop_webhooks"):
                self._log(provider, record, ep, payload, now, 0, "dropped")
                continue
            for n in range(1 + faults.duplicate_webhooks):
                status = "held" if faults.reorder_webhooks else "pending"
                due = now + faults.webhook_delay_s
                self._log(provider, record, ep, payload, due, n, status)
        if faults.reorder_webhooks and len(self.outbox.held) >= faults.reorder_window:
            self.outbox.release_held(now)
        self.cond.notify_all()
        return record

    def _log(
        self,
        provider: str,
        record: EventRecord,
        ep: Endpoint,
        payload: Any,
        due: float,
        copy_n: int,
        status: str,
    ) -> None:
        delivery = Delivery(
            id=self.ids.stripe("whd"),
            provider=provider,
            event_id=record.id,
            event_type=record.type,
            endpoint_id=ep.id,
            url=ep.url,
            payload=payload,
            created=record.created,
            due=due,
            copy=copy_n,
            status=status,
        )
        self.outbox.add(delivery)

    def sync_event(self, record: EventRecord) -> None:
        provider_named(record.provider).on_pending(record.body, len(record.pending))

    # -- delivery -------------------------------------------------------------------------

    def next_job(self, wait: float) -> Job | None:
        """For delivery threads: the next due attempt, or None after waiting up to `wait`."""
        with self.cond:
            self.tick()
            delivery = self.outbox.pop_due(self.clock.now())
            if delivery is not None:
                return prepare(self, delivery)
            wake = self.next_wakeup()
            timeout = wait
            if wake is not None:
                real = self.clock.real_delay(wake - self.clock.now())
                timeout = wait if real is None else max(0.0, min(wait, real))
            self.cond.wait(timeout)
            return None

    def start(self) -> None:
        """Start the background delivery threads."""
        self.dispatcher.start()

    def stop(self) -> None:
        self.dispatcher.stop()

    def flush(self, timeout: float = 10.0) -> dict[str, Any]:
        """Deliver everything due now (held reorderings included) and wait until idle."""
        deadline = time.monotonic() + timeout
        with self.cond:
            first_seq = self.outbox.attempt_seq
            self.tick()
            self.outbox.release_held(self.clock.now())
            self.cond.notify_all()
        if not self.dispatcher.running:
            self._deliver_inline(deadline)
        with self.cond:
            while True:
                self.tick()
                idle = not self.outbox.has_due(self.clock.now()) and self.outbox.in_flight == 0
                left = deadline - time.monotonic()
                if idle or left <= 0:
                    break
                self.cond.wait(min(left, 0.05))
            return {
                "idle": idle,
                "attempts": self.outbox.attempt_seq - first_seq,
                "scheduled": sum(1 for d in self.outbox.log.values() if d.status == "pending"),
                "next_attempt_at": self.outbox.next_due(),
            }

    def _deliver_inline(self, deadline: float) -> None:
        with new_client(self.dispatcher.timeout) as client:
            while time.monotonic() < deadline:
                with self.cond:
                    self.tick()
                    delivery = self.outbox.pop_due(self.clock.now())
                    job = prepare(self, delivery) if delivery else None
                    if delivery is None:
                        return
                if job is None:
                    continue
                send(client, job)
                with self.cond:
                    finish(self, job)

    def advance(
        self, seconds: float, *, step: bool = False, timeout: float = 60.0
    ) -> dict[str, Any]:
        """Move the virtual clock forward by exactly `seconds`. With `step`, stop at every due
        retry or timer on the way and flush there, so a 3-day retry schedule plays out in
        order (bounded by `timeout` real seconds; the rest is then jumped)."""
        deadline = time.monotonic() + timeout
        remaining = seconds
        while step and remaining > 0 and time.monotonic() < deadline:
            with self.cond:
                self.tick()
                wake = self.next_wakeup()
            now = self.clock.now()
            if wake is None or wake - now > remaining:
                break
            jump = max(0.0, wake - now)
            self.clock.advance(jump)
            remaining -= jump
            self.flush(max(0.1, deadline - time.monotonic()))
        self.clock.advance(max(0.0, remaining))
        with self.cond:
            self.tick()
            self.outbox.release_held(self.clock.now())
            self.cond.notify_all()
        if step:
            self.flush(max(0.1, deadline - time.monotonic()))
        return self.clock.snapshot()

    # -- evidence ---------------------------------------------------------------------------

    def dump(self) -> dict[str, Any]:
        """Everything the stub holds, without secrets."""
        with self.lock:
            objects = {
                kind: [_public(o) for o in store.values()] for kind, store in self.objects.items()
            }
            return {
                "clock": self.clock.snapshot(),
                "faults": self.faults.public(),
                "endpoints": [e.public() for e in self.endpoints.values()],
                "objects": objects,
                "events": [
                    {
                        "id": r.id,
                        "provider": r.provider,
                        "type": r.type,
                        "created": r.created,
                        "pending_endpoints": sorted(r.pending),
                        "failed_endpoints": sorted(r.failed),
                    }
                    for r in self.events.values()
                ],
                "deliveries": self.outbox.counts(),
                "idempotency_keys": len(self.idem),
            }


_SECRET_FIELDS = {"client_secret", "secret"}


def _public(value: Any) -> Any:
    """A deep copy without internal `_fields` and without secrets, at any depth."""
    if isinstance(value, dict):
        return {
            k: _public(v)
            for k, v in value.items()
            if not str(k).startswith("_") and k not in _SECRET_FIELDS
        }
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value
