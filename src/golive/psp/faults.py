"""Faults a scenario can switch on through the control API, optionally per provider."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any

from golive.psp.provider import names


def scopes() -> tuple[str, ...]:
    """ "*" (every provider) and each provider's name."""
    return ("*", *names())


@dataclass
class Faults:
    """Every fault is off by default. Rates are 0..1 (true = 1); counters are consumed."""

    latency_ms: int = 0  # added to every API answer
    error_rate_5xx: float = 0.0  # API answers 500 without doing anything
    fail_next_requests: int = 0  # the next N API calls answer 500 without doing anything
    timeout_rate: float = 0.0  # API does the work, then hangs timeout_ms and answers 504
    timeout_ms: int = 15_000
    drop_webhooks: float = 0.0  # the event exists but is never delivered
    duplicate_webhooks: int = 0  # each event is delivered N extra times
    reorder_webhooks: bool = False  # hold new deliveries and release them newest first
    reorder_window: int = 2  # ... once this many are held (or on flush / clock advance)
    bad_signature: float = 0.0  # attempts signed with a wrong secret
    stale_timestamp: float = 0.0  # Stripe attempts signed with a timestamp an hour old
    webhook_delay_s: float = 0.0  # virtual seconds before the first attempt
    decline_next_payments: int = 0  # the next N payments are declined
    fail_next_payouts: int = 0  # the next N payouts fail when they arrive

    def public(self) -> dict[str, Any]:
        return asdict(self)


_RATES = {"error_rate_5xx", "timeout_rate", "drop_webhooks", "bad_signature", "stale_timestamp"}
_COUNTS = {
    "latency_ms",
    "fail_next_requests",
    "timeout_ms",
    "duplicate_webhooks",
    "reorder_window",
    "decline_next_payments",
    "fail_next_payouts",
}
_LIMITS = {"latency_ms": 120_000, "timeout_ms": 600_000, "duplicate_webhooks": 20}
FAULT_NAMES = tuple(f.name for f in fields(Faults))


def parse_faults(data: Any) -> tuple[str, Faults]:
    """(scope, faults) from a control-API body; ValueError says what is wrong."""
    if not isinstance(data, dict):
        raise ValueError(f"faults must be a JSON object, not {type(data).__name__}")
    scope = data.get("provider") or "*"
    if scope not in scopes():
        raise ValueError(
            f"provider={scope!r} is not one of {', '.join(names())} (or omit it for all)"
        )
    faults = Faults()
    for name, value in data.items():
        if name == "provider":
            continue
        if name not in FAULT_NAMES:
            raise ValueError(f"unknown fault {name!r}; known faults: {', '.join(FAULT_NAMES)}")
        setattr(faults, name, _coerce(name, value))
    if faults.reorder_window < 1:
        raise ValueError(f"reorder_window={faults.reorder_window!r} must be at least 1")
    return scope, faults


def _coerce(name: str, value: Any) -> Any:
    if name == "reorder_webhooks":
        if not isinstance(value, bool):
            raise ValueError(f"{name}={value!r} must be true or false")
        return value
    if name in _RATES:
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        if not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{name}={value!r} must be a rate between 0 and 1 (or a boolean)")
        return float(value)
    if name in _COUNTS:
        limit = _LIMITS.get(name, 1_000_000)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise ValueError(f"{name}={value!r} must be an integer between 0 and {limit}")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 86400:
        raise ValueError(f"{name}={value!r} must be a number of seconds between 0 and 86400")
    return float(value)


class FaultBook:
    """The active faults per scope; a provider-specific scope overrides "*". Not locked:
    the stub calls it under its own lock."""

    def __init__(self, seed: int | None = None) -> None:
        self._scopes: dict[str, Faults] = {}
        self._rng = random.Random(seed)

    def set(self, scope: str, faults: Faults) -> None:
        self._scopes[scope] = faults

    def clear(self, scope: str | None = None) -> None:
        if scope is None:
            self._scopes.clear()
        else:
            self._scopes.pop(scope, None)

    def effective(self, provider: str) -> Faults:
        return self._scopes.get(provider) or self._scopes.get("*") or Faults()

    def take(self, provider: str, counter: str) -> bool:
        """Consume one unit of a `..._next_...` counter; True if there was one."""
        faults = self.effective(provider)
        left = getattr(faults, counter)
        if left > 0:
            setattr(faults, counter, left - 1)
            return True
        return False

    def roll(self, provider: str, rate: str) -> bool:
        value = getattr(self.effective(provider), rate)
        return bool(value > 0 and self._rng.random() < value)

    def public(self) -> dict[str, Any]:
        return {scope: faults.public() for scope, faults in self._scopes.items()}
