"""The control API: clock, reset, state dump, settlement reports, in-process delivery."""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

import stripe

from golive.psp import RunningStub, StubPSP
from tests.psp.receiver import Receiver

AUTH = {"authorization": "Bearer sk_test_x"}


def test_clock_advances_and_speed_changes(psp: RunningStub) -> None:
    before = psp.control.clock()
    after = psp.control.advance_clock(3600)
    assert after.now - before.now >= 3600
    assert after.advanced_seconds == 3600
    frozen = psp.control.set_speed(0)
    assert frozen.speed == 0
    assert psp.control.clock().now == frozen.now
    psp.control.set_speed(1)


def test_reset_forgets_everything_but_startup_endpoints() -> None:
    stub = StubPSP(
        speed=0, stripe_webhook_url="http://127.0.0.1:9/h", stripe_webhook_secret="whsec_fixed"
    )
    stub.handle("POST", "/stripe/v1/payouts", headers=AUTH, body="amount=1&currency=eur")
    stub.handle("POST", "/_stub/faults", body=b'{"latency_ms": 5}')
    stub.advance(500)
    stub.reset()
    dump = stub.dump()
    assert dump["objects"] == {}
    assert dump["faults"] == {}
    assert dump["clock"]["advanced_seconds"] == 0
    [endpoint] = dump["endpoints"]
    assert endpoint["configured"] is True
    assert stub.startup_secrets() == {"stripe": "whsec_fixed"}


def test_state_dump_holds_no_secrets(psp: RunningStub, receiver: Receiver) -> None:
    ep = psp.control.add_webhook_endpoint("stripe", receiver.url)
    adyen = psp.control.add_webhook_endpoint("adyen", receiver.url)
    client = stripe.StripeClient("sk_test_supersecret", base_addresses={"api": psp.stripe_base})
    client.v1.payment_intents.create(params={"amount": 100, "currency": "eur", "confirm": True})
    psp.control.flush()
    text = json.dumps(psp.control.state()) + json.dumps(psp.control.deliveries())
    assert ep.secret not in text
    assert adyen.secret not in text
    assert adyen.secret.lower() not in text
    assert "whsec_" not in text
    assert "sk_test_supersecret" not in text
    assert "_secret_" not in text  # PaymentIntent client secrets stay out too
    assert "secret" not in repr(ep)


def test_stripe_settlement_report(psp: RunningStub) -> None:
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    pi = client.v1.payment_intents.create(
        params={"amount": 10000, "currency": "eur", "confirm": True}
    )
    client.v1.refunds.create(params={"payment_intent": pi.id, "amount": 2500})
    client.v1.payouts.create(params={"amount": 5000, "currency": "eur"})
    client.v1.payment_intents.create(params={"amount": 500, "currency": "jpy", "confirm": True})
    today = datetime.fromtimestamp(psp.control.clock().now, UTC).date().isoformat()
    rows = list(csv.DictReader(io.StringIO(psp.control.settlement("stripe", today))))
    by_category = {(r["reporting_category"], r["currency"]): r for r in rows}
    charge = by_category[("charge", "eur")]
    assert (charge["gross"], charge["fee"], charge["net"]) == ("100.00", "3.20", "96.80")
    assert charge["payment_intent_id"] == pi.id
    assert by_category[("refund", "eur")]["gross"] == "-25.00"
    assert by_category[("payout", "eur")]["net"] == "-50.00"
    assert by_category[("charge", "jpy")]["gross"] == "500"  # zero-decimal currency
    assert psp.control.settlement("stripe", "2001-01-01").count("\n") == 1  # header only


def test_adyen_settlement_report(psp: RunningStub) -> None:
    import httpx

    body = {
        "amount": {"value": 10000, "currency": "EUR"},
        "merchantAccount": "M",
        "reference": "o-1",
        "paymentMethod": {"type": "scheme"},
    }
    with httpx.Client(base_url=psp.adyen_base, headers={"x-api-key": "k"}, trust_env=False) as h:
        ref = h.post("/checkout/v71/payments", json=body).json()["pspReference"]
        h.post(
            f"/checkout/v71/payments/{ref}/refunds",
            json={"merchantAccount": "M", "amount": {"value": 1000, "currency": "EUR"}},
        )
    rows = list(csv.DictReader(io.StringIO(psp.control.settlement("adyen"))))
    settled, refunded = rows
    assert (settled["Type"], settled["Gross Credit (GC)"], settled["Commission (NC)"]) == (
        "Settled",
        "100.00",
        "0.72",
    )
    assert settled["Net Credit (NC)"] == "99.28"
    assert (refunded["Type"], refunded["Gross Debit (GC)"]) == ("Refunded", "10.00")
    assert settled["Psp Reference"] == refunded["Psp Reference"] == ref


def test_in_process_flush_delivers_without_threads(receiver: Receiver) -> None:
    stub = StubPSP(speed=0)
    ep = stub.add_endpoint("stripe", receiver.url)
    stub.handle("POST", "/stripe/v1/payouts", headers=AUTH, body="amount=7&currency=eur")
    result = stub.flush(timeout=10)
    assert result["idle"]
    assert result["attempts"] == 1
    [got] = receiver.received
    event = stripe.Webhook.construct_event(
        got.body, got.headers["stripe-signature"], ep.keys[0].value
    )
    assert event.type == "payout.created"


def test_frozen_clock_only_moves_by_advance() -> None:
    stub = StubPSP(speed=0)
    t0 = stub.clock.now()
    time.sleep(0.01)
    assert stub.clock.now() == t0
    stub.advance(10)
    assert stub.clock.now() == t0 + 10
