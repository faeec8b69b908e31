"""Idempotency keys: first answer stored and replayed; other parameters are a 400."""

from __future__ import annotations

import httpx
import pytest
import stripe

from golive.psp import RunningStub, StubPSP

AUTH = {"authorization": "Bearer sk_test_x"}


def test_replay_returns_the_first_answer(psp: RunningStub) -> None:
    with httpx.Client(base_url=psp.stripe_base, trust_env=False) as http:
        headers = {**AUTH, "idempotency-key": "k-1"}
        body = {"amount": "500", "currency": "eur", "confirm": "true"}
        first = http.post("/v1/payment_intents", headers=headers, data=body)
        again = http.post("/v1/payment_intents", headers=headers, data=body)
    assert first.status_code == again.status_code == 200
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert len(psp.control.state()["objects"]["payment_intent"]) == 1


def test_other_parameters_are_an_idempotency_error(psp: RunningStub) -> None:
    with httpx.Client(base_url=psp.stripe_base, trust_env=False) as http:
        headers = {**AUTH, "idempotency-key": "k-2"}
        http.post("/v1/payouts", headers=headers, data={"amount": "100", "currency": "eur"})
        other = http.post("/v1/payouts", headers=headers, data={"amount": "101", "currency": "eur"})
    assert other.status_code == 400
    error = other.json()["error"]
    assert error["type"] == "idempotency_error"
    assert "k-2" in error["message"]


def test_sdk_sees_the_idempotency_error(psp: RunningStub) -> None:
    client = stripe.StripeClient(
        "sk_test_x", base_addresses={"api": psp.stripe_base}, max_network_retries=0
    )
    opts: stripe.RequestOptions = {"idempotency_key": "k-3"}
    first = client.v1.payouts.create(params={"amount": 100, "currency": "eur"}, options=opts)
    same = client.v1.payouts.create(params={"amount": 100, "currency": "eur"}, options=opts)
    assert same.id == first.id
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payouts.create(params={"amount": 999, "currency": "eur"}, options=opts)


def test_declines_are_replayed_validation_errors_are_not() -> None:
    psp = StubPSP(speed=0)
    headers = {**AUTH, "idempotency-key": "k-4"}
    declined = "amount=100&currency=eur&confirm=true&payment_method=pm_card_chargeDeclined"
    first = psp.handle("POST", "/stripe/v1/payment_intents", headers=headers, body=declined)
    again = psp.handle("POST", "/stripe/v1/payment_intents", headers=headers, body=declined)
    assert first.status == again.status == 402
    assert again.headers["idempotent-replayed"] == "true"
    headers = {**AUTH, "idempotency-key": "k-5"}
    bad = psp.handle("POST", "/stripe/v1/payouts", headers=headers, body="amount=x&currency=eur")
    assert bad.status == 400
    fixed = psp.handle("POST", "/stripe/v1/payouts", headers=headers, body="amount=x&currency=eur")
    assert "idempotent-replayed" not in fixed.headers  # nothing was stored for the 400


def test_adyen_idempotency(psp: RunningStub) -> None:
    body = {
        "amount": {"value": 100, "currency": "EUR"},
        "merchantAccount": "M",
        "reference": "r",
        "paymentMethod": {"type": "scheme"},
    }
    with httpx.Client(base_url=psp.adyen_base, trust_env=False) as http:
        headers = {"x-api-key": "k", "idempotency-key": "a-1"}
        first = http.post("/checkout/v71/payments", headers=headers, json=body)
        again = http.post("/checkout/v71/payments", headers=headers, json=body)
        other = http.post(
            "/checkout/v71/payments", headers=headers, json={**body, "reference": "s"}
        )
    assert again.json()["pspReference"] == first.json()["pspReference"]
    assert again.headers["idempotent-replayed"] == "true"
    assert other.status_code == 400
    assert other.json()["errorCode"] == "704"


def test_keys_expire_after_a_day() -> None:
    psp = StubPSP(speed=0)
    headers = {**AUTH, "idempotency-key": "k-6"}
    psp.handle("POST", "/stripe/v1/payouts", headers=headers, body="amount=1&currency=eur")
    psp.advance(86401)
    later = psp.handle("POST", "/stripe/v1/payouts", headers=headers, body="amount=2&currency=eur")
    assert later.status == 200
