"""StubControl: a small typed client for the stub's control API (/_stub/...)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from golive.errors import ConfigError
from golive.tls import tls_context


class StubControlError(ConfigError):
    """The control API refused a call: the scenario asked for something the stub cannot do."""


@dataclass(frozen=True)
class WebhookEndpointInfo:
    id: str
    provider: str
    url: str
    secret: str  # the signing secret (Stripe whsec_...) or HMAC key (Adyen hex): keep it secret

    def __repr__(self) -> str:  # never show the secret in logs or tracebacks
        return f"WebhookEndpointInfo(id={self.id!r}, provider={self.provider!r}, url={self.url!r})"


@dataclass(frozen=True)
class ClockState:
    now: float
    iso: str
    speed: float
    advanced_seconds: float


@dataclass(frozen=True)
class FlushResult:
    idle: bool  # nothing due and nothing in flight when it returned
    attempts: int  # delivery attempts made while flushing
    scheduled: int  # deliveries waiting for a later retry time
    next_attempt_at: float | None


class StubControl:
    """One method per control route. `base_url` is the stub's root (http://127.0.0.1:PORT)."""

    def __init__(self, base_url: str, *, timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=f"{self.base_url}/_stub",
            timeout=timeout,
            trust_env=False,
            verify=tls_context(),
        )

    def close(self) -> None:
        self._http.close()

    def _call(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None
    ) -> httpx.Response:
        clean = {k: v for k, v in (params or {}).items() if v is not None}
        response = self._http.request(method, path, json=json, params=clean)
        if response.status_code >= 400:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:200]
            raise StubControlError(f"PSP stub control {method} {path}: {message}")
        return response

    def health(self) -> bool:
        return bool(self._call("GET", "/health").json().get("ok"))

    def reset(self) -> None:
        self._call("POST", "/reset")

    def add_webhook_endpoint(
        self,
        provider: str,
        url: str,
        *,
        secret: str | None = None,
        enabled_events: list[str] | None = None,
    ) -> WebhookEndpointInfo:
        body: dict[str, Any] = {"provider": provider, "url": url}
        if secret is not None:
            body["secret"] = secret
        if enabled_events is not None:
            body["enabled_events"] = enabled_events
        data = self._call("POST", "/webhook-endpoints", json=body).json()
        return WebhookEndpointInfo(data["id"], data["provider"], data["url"], data["secret"])

    def webhook_endpoints(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/webhook-endpoints").json()["endpoints"])

    def delete_webhook_endpoint(self, endpoint_id: str) -> None:
        self._call("DELETE", f"/webhook-endpoints/{endpoint_id}")

    def set_faults(self, provider: str | None = None, **faults: Any) -> dict[str, Any]:
        """Replace the faults of one scope (a provider, or both when omitted)."""
        body = {**faults, **({"provider": provider} if provider else {})}
        return dict(self._call("POST", "/faults", json=body).json()["faults"])

    def faults(self) -> dict[str, Any]:
        return dict(self._call("GET", "/faults").json()["faults"])

    def clear_faults(self, provider: str | None = None) -> None:
        self._call("DELETE", "/faults", params={"provider": provider})

    def rotate_secret(
        self,
        provider: str,
        endpoint: str | None = None,
        *,
        secret: str | None = None,
        expires_in_seconds: float | None = None,
    ) -> str:
        """New signing secret (returned); the old one keeps signing until it expires."""
        body: dict[str, Any] = {"provider": provider}
        for name, value in (
            ("endpoint", endpoint),
            ("secret", secret),
            ("expires_in_seconds", expires_in_seconds),
        ):
            if value is not None:
                body[name] = value
        return str(self._call("POST", "/rotate-secret", json=body).json()["secret"])

    def clock(self) -> ClockState:
        return _clock(self._call("GET", "/clock").json())

    def advance_clock(
        self, seconds: float, *, step: bool = False, timeout_s: float = 60.0
    ) -> ClockState:
        """Move virtual time; `step=True` stops and flushes at every due retry on the way."""
        body = {"seconds": seconds, "step": step, "timeout_s": timeout_s}
        return _clock(self._call("POST", "/clock/advance", json=body).json())

    def set_speed(self, speed: float) -> ClockState:
        return _clock(self._call("POST", "/clock/speed", json={"speed": speed}).json())

    def deliveries(
        self,
        *,
        event_id: str | None = None,
        provider: str | None = None,
        status: str | None = None,
        endpoint_id: str | None = None,
        event_type: str | None = None,
    ) -> list[dict[str, Any]]:
        params = {
            "event_id": event_id,
            "provider": provider,
            "status": status,
            "endpoint_id": endpoint_id,
            "event_type": event_type,
        }
        return list(self._call("GET", "/deliveries", params=params).json()["deliveries"])

    def flush(self, timeout_s: float = 10.0) -> FlushResult:
        data = self._call("POST", "/deliveries/flush", json={"timeout_s": timeout_s}).json()
        return FlushResult(
            data["idle"], data["attempts"], data["scheduled"], data["next_attempt_at"]
        )

    def state(self) -> dict[str, Any]:
        return dict(self._call("GET", "/state").json())

    def settlement(self, provider: str, date: str | None = None) -> str:
        """The settlement report CSV for one UTC day (or everything when `date` is None)."""
        return self._call("GET", f"/settlement/{provider}", params={"date": date}).text


def _clock(data: dict[str, Any]) -> ClockState:
    return ClockState(data["now"], data["iso"], data["speed"], data["advanced_seconds"])
