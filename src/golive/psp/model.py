"""Records the stub keeps besides provider objects: webhook endpoints, events, deliveries."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

from golive.psp.clock import iso


def webhook_url_problem(url: Any, *, allow_remote: bool) -> str | None:
    """Why `url` cannot receive webhooks, or None. Loopback only unless `allow_remote`."""
    if not isinstance(url, str) or len(url) > 2048:
        return "must be an http(s) URL"
    try:
        parts = urlparse(url)
        host, _ = parts.hostname, parts.port
        httpx.URL(url)
    except (ValueError, httpx.InvalidURL):
        return "is not a valid URL"
    if parts.scheme not in ("http", "https") or not host:
        return "must be an http(s) URL with a host"
    if not allow_remote and not _loopback(host):
        return (
            "is not a loopback address; the stub delivers only to 127.0.0.1, ::1 or "
            "localhost unless it was started with allow_remote_webhooks"
        )
    return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass
class EndpointKey:
    """One signing secret; `expires_at` (virtual time) is set on a rotated-out key."""

    value: str
    expires_at: float | None = None


@dataclass
class Endpoint:
    """Where one provider's webhooks go. Secrets never leave through `public()`."""

    id: str
    provider: str
    url: str
    keys: list[EndpointKey]
    created: float
    enabled_events: list[str] = field(default_factory=lambda: ["*"])
    status: str = "enabled"
    description: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)
    api_version: str | None = None
    configured: bool = False  # given at start-up: survives a reset

    def active_keys(self, now: float) -> list[str]:
        """Newest first; a rotated-out key signs until it expires."""
        return [k.value for k in self.keys if k.expires_at is None or k.expires_at > now]

    def wants(self, event_type: str) -> bool:
        return self.status == "enabled" and (
            "*" in self.enabled_events or event_type in self.enabled_events
        )

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "url": self.url,
            "enabled_events": list(self.enabled_events),
            "status": self.status,
            "active_secrets": len([k for k in self.keys if k.expires_at is None]),
            "rotated_secrets_expire_at": [k.expires_at for k in self.keys if k.expires_at],
            "configured": self.configured,
        }


@dataclass
class EventRecord:
    """A Stripe event or an Adyen notification item, and which endpoints still owe an ack."""

    id: str
    provider: str
    type: str
    created: float
    body: dict[str, Any]
    pending: set[str] = field(default_factory=set)  # endpoint ids without a 2xx yet
    failed: set[str] = field(default_factory=set)  # endpoint ids whose retries ran out


@dataclass
class Attempt:
    n: int  # 1-based attempt number of this delivery
    seq: int  # global order in which attempts started
    at: float  # virtual time the attempt started
    wall: float  # real Unix time the attempt started (the signature timestamp's clock)
    signature: str  # "valid", "bad" or "stale" (a fault asked for it)
    status_code: int | None = None
    error: str | None = None
    latency_ms: float | None = None

    def public(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "seq": self.seq,
            "at": self.at,
            "at_iso": iso(self.at),
            "wall": self.wall,
            "signature": self.signature,
            "status_code": self.status_code,
            "error": self.error,
            "latency_ms": self.latency_ms,
        }


@dataclass
class Delivery:
    """One copy of one event on its way to one endpoint, with every attempt."""

    id: str
    provider: str
    event_id: str
    event_type: str
    endpoint_id: str
    url: str
    payload: Any  # Stripe: the event JSON bytes; Adyen: the notification item (unsigned)
    created: float
    due: float
    copy: int = 0  # 0 = the original, 1.. = duplicates a fault asked for
    status: str = "pending"  # pending, held, in_flight, succeeded, failed, dropped, abandoned
    attempts: list[Attempt] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "provider": self.provider,
            "event_id": self.event_id,
            "event_type": self.event_type,
            "endpoint_id": self.endpoint_id,
            "url": self.url,
            "copy": self.copy,
            "status": self.status,
            "created": self.created,
            "next_attempt_at": self.due if self.status == "pending" else None,
            "attempts": [a.public() for a in self.attempts],
        }
