"""The stub PSP: a stateful emulator of every registered provider (Stripe-,
Adyen-, Braintree-shaped) with signed, at-least-once webhooks, a virtual
clock and fault injection. See docs/psp.md.

Two faces over the same handlers: `StubPSP.handle(...)` in-process, and `running_stub()`
(or `golive psp serve`) for a real server on a loopback port.
"""

from __future__ import annotations

from golive.psp.adyen.provider import RETRY_DELAYS as ADYEN_RETRY_DELAYS
from golive.psp.binding import ServedStub, serve_stub
from golive.psp.client import (
    ClockState,
    FlushResult,
    StubControl,
    StubControlError,
    WebhookEndpointInfo,
)
from golive.psp.faults import FAULT_NAMES, Faults
from golive.psp.http import StubResponse
from golive.psp.provider import Provider, names, providers
from golive.psp.secrets import WebhookSecrets
from golive.psp.server import RunningStub, create_app, running_stub, serve_in_thread
from golive.psp.signing import adyen_hmac, stripe_signature
from golive.psp.state import StubPSP
from golive.psp.stripe.provider import RETRY_DELAYS as STRIPE_RETRY_DELAYS

__all__ = [
    "ADYEN_RETRY_DELAYS",
    "FAULT_NAMES",
    "STRIPE_RETRY_DELAYS",
    "ClockState",
    "Faults",
    "FlushResult",
    "Provider",
    "RunningStub",
    "ServedStub",
    "StubControl",
    "StubControlError",
    "StubPSP",
    "StubResponse",
    "WebhookEndpointInfo",
    "WebhookSecrets",
    "adyen_hmac",
    "create_app",
    "names",
    "providers",
    "running_stub",
    "serve_in_thread",
    "serve_stub",
    "stripe_signature",
]
