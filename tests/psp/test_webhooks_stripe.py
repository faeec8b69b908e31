"""Stripe webhooks: the SDK's verifier accepts what the stub signs and rejects tampering."""

from __future__ import annotations

import json
import re
import time

import pytest
import stripe

from golive.psp import RunningStub
from tests.psp.receiver import Receiver


def _deliver_one(
    psp: RunningStub, receiver: Receiver, secret: str | None = None
) -> tuple[bytes, str, str]:
    ep = psp.control.add_webhook_endpoint(
        "stripe", receiver.url, secret=secret, enabled_events=["payout.created"]
    )
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    client.v1.payouts.create(params={"amount": 100, "currency": "eur"})
    assert psp.control.flush().idle
    [got] = receiver.received
    return got.body, got.headers["stripe-signature"], ep.secret


def test_sdk_accepts_stub_webhook(psp: RunningStub, receiver: Receiver) -> None:
    body, sig, secret = _deliver_one(psp, receiver)
    assert secret.startswith("whsec_")
    event = stripe.Webhook.construct_event(body, sig, secret)
    assert event.type == "payout.created"
    assert event.data.object["amount"] == 100


def test_given_secret_is_used(psp: RunningStub, receiver: Receiver) -> None:
    body, sig, secret = _deliver_one(psp, receiver, secret="whsec_chosen_by_the_test")
    assert secret == "whsec_chosen_by_the_test"
    stripe.Webhook.construct_event(body, sig, secret)


def test_tampered_body_rejected(psp: RunningStub, receiver: Receiver) -> None:
    body, sig, secret = _deliver_one(psp, receiver)
    tampered = body.replace(b'"amount": 100', b'"amount": 900')
    assert tampered != body
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(tampered, sig, secret)


def test_tampered_signature_rejected(psp: RunningStub, receiver: Receiver) -> None:
    body, sig, secret = _deliver_one(psp, receiver)
    v1 = re.search(r"v1=([0-9a-f]+)", sig)
    assert v1 is not None
    flipped = v1.group(1)[:-1] + ("0" if v1.group(1)[-1] != "0" else "1")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sig.replace(v1.group(1), flipped), secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sig, "whsec_not_the_secret")


def test_tampered_timestamp_rejected(psp: RunningStub, receiver: Receiver) -> None:
    body, sig, secret = _deliver_one(psp, receiver)
    t = int(sig.split(",")[0][2:])
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sig.replace(f"t={t}", f"t={t + 1}"), secret)


def test_signature_timestamp_is_real_time_even_after_clock_advance(
    psp: RunningStub, receiver: Receiver
) -> None:
    psp.control.advance_clock(7 * 86400)
    body, sig, secret = _deliver_one(psp, receiver)
    stripe.Webhook.construct_event(body, sig, secret)  # within the 300 s tolerance
    created = json.loads(body)["created"]
    assert created > time.time() + 6 * 86400  # the event itself carries virtual time


def test_bad_signature_fault(psp: RunningStub, receiver: Receiver) -> None:
    psp.control.set_faults(bad_signature=True)
    body, sig, secret = _deliver_one(psp, receiver)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sig, secret)
    [delivery] = psp.control.deliveries()
    assert delivery["attempts"][0]["signature"] == "bad"


def test_stale_timestamp_fault(psp: RunningStub, receiver: Receiver) -> None:
    psp.control.set_faults(stale_timestamp=1.0)
    body, sig, secret = _deliver_one(psp, receiver)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(body, sig, secret)
    # The HMAC itself is right: only the age is wrong.
    stripe.Webhook.construct_event(body, sig, secret, tolerance=7200)


def test_rotation_signs_with_both_until_expiry(psp: RunningStub, receiver: Receiver) -> None:
    ep = psp.control.add_webhook_endpoint("stripe", receiver.url, enabled_events=["payout.created"])
    new = psp.control.rotate_secret("stripe", ep.id, expires_in_seconds=3600)
    assert new != ep.secret
    assert new.startswith("whsec_")
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    client.v1.payouts.create(params={"amount": 100, "currency": "eur"})
    psp.control.flush()
    got = receiver.received[-1]
    sig = got.headers["stripe-signature"]
    assert sig.count("v1=") == 2
    stripe.Webhook.construct_event(got.body, sig, ep.secret)
    stripe.Webhook.construct_event(got.body, sig, new)

    psp.control.advance_clock(3601)  # the old secret expires
    client.v1.payouts.create(params={"amount": 200, "currency": "eur"})
    psp.control.flush()
    got = receiver.received[-1]
    sig = got.headers["stripe-signature"]
    assert sig.count("v1=") == 1
    stripe.Webhook.construct_event(got.body, sig, new)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(got.body, sig, ep.secret)


def test_enabled_events_filter_what_is_sent(psp: RunningStub, receiver: Receiver) -> None:
    psp.control.add_webhook_endpoint(
        "stripe", receiver.url, enabled_events=["payment_intent.succeeded"]
    )
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    client.v1.payment_intents.create(params={"amount": 100, "currency": "eur", "confirm": True})
    psp.control.flush()
    types = [json.loads(b)["type"] for b in receiver.bodies()]
    assert types == ["payment_intent.succeeded"]
