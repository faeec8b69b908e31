"""Fixtures of the stub PSP tests. The `psp` / `psp_stub` fixtures come from fixtures/psp.py
(imported here so these tests run whether or not the root conftest registers that module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe

from fixtures.psp import psp, psp_stub
from golive.psp import RunningStub
from tests.psp.receiver import Receiver

__all__ = ["psp", "psp_stub"]

STRIPE_KEY = "sk_test_golive_stub"
ADYEN_KEY = "adyen-test-api-key"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.stop()


@pytest.fixture
def stripe_client(psp: RunningStub) -> stripe.StripeClient:
    """The official SDK's client, pointed at the stub, without network retries."""
    return stripe.StripeClient(
        STRIPE_KEY, base_addresses={"api": psp.stripe_base}, max_network_retries=0
    )


@pytest.fixture
def stripe_global(psp: RunningStub) -> Iterator[None]:
    """The SDK's global style (`stripe.PaymentIntent.create`) pointed at the stub."""
    old = stripe.api_base, stripe.api_key, stripe.max_network_retries
    stripe.api_base, stripe.api_key, stripe.max_network_retries = psp.stripe_base, STRIPE_KEY, 0
    yield
    stripe.api_base, stripe.api_key, stripe.max_network_retries = old
