"""What a payment provider is to the stub: the `Provider` protocol and the one registry.

A provider is a subpackage of golive.psp that exports `PROVIDER`; the registry finds every
such package, so adding a provider touches nothing outside its package. Handlers get the stub
as a `Stub` (the state they need), never the concrete `StubPSP`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from typing import TYPE_CHECKING, Any, Protocol

from golive.psp.http import ApiError, StubRequest, StubResponse

if TYPE_CHECKING:
    from golive.psp.stub import Stub

# A route handler: (the stub, the request) -> the answer. Handlers see the `Stub` protocol,
# never golive.psp.state (which imports every provider).
Handler = Callable[["Stub", StubRequest], StubResponse]
Signed = tuple[bytes, dict[str, str]]  # (request body, headers) of one webhook attempt

# The providers golive shares webhook secrets for (golive.psp.secrets) and a platform uses
# unless its [target] psps says otherwise; the first is the default where one is enough.
SHARED: tuple[str, ...] = ("stripe", "adyen")
DEFAULT = SHARED[0]


class Provider(Protocol):
    """One payment provider as the stub emulates it (docs/psp.md)."""

    name: str  # the path prefix (/stripe/...), the fault scope, the step-pattern word
    title: str  # how people write it
    routes: Sequence[tuple[str, str, Handler]]  # (method, path template, handler)
    retry_delays: tuple[float, ...]  # virtual seconds before each retry of a webhook
    secret_overlap_s: float  # how long a rotated-out webhook secret keeps signing
    user_agent: str  # of webhook deliveries
    signs_timestamp: bool  # the signature carries a time (the stale_timestamp fault applies)
    object_kinds: Mapping[str, str]  # "payments"/"payouts" -> the stub's object kind
    magic: Mapping[str, str]  # documented test values: what to send -> what happens

    def error(self, status: int, message: str, *, kind: str = "invalid") -> ApiError:
        """An API error in the provider's shape; kind: invalid, not_found, auth, server,
        idempotency."""
        ...

    def authenticate(self, stub: Stub, req: StubRequest) -> None:
        """Raise the provider's 401 unless the request carries an acceptable key."""
        ...

    def params(self, req: StubRequest) -> Any:
        """The request's parameters as idempotency compares them."""
        ...

    def new_secret(self) -> str:
        """A fresh webhook signing secret in the provider's format."""
        ...

    def secret_problem(self, secret: str) -> str | None:
        """Why `secret` cannot be this provider's webhook secret (None: it can)."""
        ...

    def payload(self, event: dict[str, Any]) -> Any:
        """What is stored for delivery when an event is emitted (signed per attempt)."""
        ...

    def sign(self, payload: Any, keys: list[str], stamp: int) -> Signed:
        """The body and headers of one attempt signed with `keys` at unix time `stamp`."""
        ...

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        """Whether a delivered webhook verifies under `secret` (what a receiver checks)."""
        ...

    def on_pending(self, event: dict[str, Any], pending: int) -> None:
        """Update the event body when the count of unacknowledged endpoints changes."""
        ...

    def outcome(self, kind: str, status: str) -> str:
        """A payments/payouts object's status as succeeded, paid, failed or pending."""
        ...

    def carried_ids(self, obj: Mapping[str, Any]) -> set[str]:
        """The platform's own ids (deposit, withdrawal) that a stub object carries."""
        ...

    def settlement_report(self, stub: Stub, day: date | None) -> str:
        """The settlement report CSV for one UTC day (every day when None)."""
        ...

    def platform_env(self, api_base: str, secret: str) -> dict[str, str]:
        """The reference platform's settings (REFBANK_*) for this provider at `api_base`,
        sharing the webhook `secret`."""
        ...


@cache
def _registry() -> dict[str, Provider]:
    package = importlib.import_module("golive.psp")
    found: dict[str, Provider] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if not info.ispkg:
            continue
        provider = getattr(importlib.import_module(f"golive.psp.{info.name}"), "PROVIDER", None)
        if provider is not None:
            found[provider.name] = provider
    return found


def providers() -> list[Provider]:
    """Every provider, in name order."""
    return list(_registry().values())


def names() -> tuple[str, ...]:
    return tuple(_registry())


def get(name: str) -> Provider:
    """The provider called `name`; KeyError names the known ones."""
    try:
        return _registry()[name]
    except KeyError:
        raise KeyError(f"{name!r} is not one of {', '.join(names())}") from None


def pattern() -> str:
    """A regex alternative of every provider name, for step patterns: 'adyen|stripe|…'."""
    return "|".join(names())


def of_path(path: str) -> Provider | None:
    """The provider whose API `path` is under (/stripe/…), None for anything else."""
    head = path.split("/", 2)[1] if path.startswith("/") else ""
    return _registry().get(head)
