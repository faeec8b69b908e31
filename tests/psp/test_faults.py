"""API faults: 5xx, time-outs, latency, declines and payout failures, scoped per provider."""

from __future__ import annotations

import httpx
import pytest
import stripe

from golive.psp import RunningStub, StubPSP

AUTH = {"authorization": "Bearer sk_test_x"}
ADYEN = {"x-api-key": "k"}
PAYOUT = "amount=100&currency=eur"


def _payouts(stub: StubPSP) -> int:
    return len(stub.dump()["objects"].get("payout", []))


def test_fail_next_requests_answers_500_without_doing_anything() -> None:
    stub = StubPSP(speed=0)
    stub.handle("POST", "/_stub/faults", body=b'{"fail_next_requests": 2}')
    codes = [
        stub.handle("POST", "/stripe/v1/payouts", headers=AUTH, body=PAYOUT).status
        for _ in range(3)
    ]
    assert codes == [500, 500, 200]
    assert _payouts(stub) == 1


def test_error_rate_one_fails_everything_and_clearing_restores() -> None:
    stub = StubPSP(speed=0)
    stub.handle("POST", "/_stub/faults", body=b'{"error_rate_5xx": 1}')
    r = stub.handle("GET", "/stripe/v1/payouts", headers=AUTH)
    assert r.status == 500
    assert r.json()["error"]["type"] == "api_error"
    stub.handle("DELETE", "/_stub/faults")
    assert stub.handle("GET", "/stripe/v1/payouts", headers=AUTH).status == 200


def test_faults_scoped_to_one_provider() -> None:
    stub = StubPSP(speed=0)
    stub.handle("POST", "/_stub/faults", body=b'{"provider": "adyen", "error_rate_5xx": 1}')
    assert stub.handle("GET", "/stripe/v1/payouts", headers=AUTH).status == 200
    r = stub.handle("POST", "/adyen/checkout/v71/payments", headers=ADYEN, body=b"{}")
    assert r.status == 500
    assert r.json()["errorType"] == "internal"


def test_timeout_does_the_work_and_loses_the_answer() -> None:
    stub = StubPSP(speed=0)
    stub.handle("POST", "/_stub/faults", body=b'{"timeout_rate": 1, "timeout_ms": 2000}')
    headers = {**AUTH, "idempotency-key": "t-1"}
    lost = stub.handle("POST", "/stripe/v1/payouts", headers=headers, body=PAYOUT)
    assert lost.status == 504
    assert lost.delay_s == pytest.approx(2.0)
    assert _payouts(stub) == 1  # it happened
    stub.handle("DELETE", "/_stub/faults")
    replay = stub.handle("POST", "/stripe/v1/payouts", headers=headers, body=PAYOUT)
    assert replay.status == 200
    assert replay.headers["idempotent-replayed"] == "true"
    assert _payouts(stub) == 1


def test_latency_is_reported_in_process_and_slept_when_served() -> None:
    stub = StubPSP(speed=0)
    stub.handle("POST", "/_stub/faults", body=b'{"latency_ms": 250}')
    assert stub.handle("GET", "/stripe/v1/payouts", headers=AUTH).delay_s == pytest.approx(0.25)


def test_served_timeout_makes_the_client_time_out(psp: RunningStub) -> None:
    psp.control.set_faults(provider="stripe", timeout_rate=1.0, timeout_ms=5000)
    with (
        httpx.Client(base_url=psp.stripe_base, trust_env=False, timeout=0.3) as http,
        pytest.raises(httpx.ReadTimeout),
    ):
        http.post("/v1/payouts", headers=AUTH, data={"amount": "1", "currency": "eur"})
    psp.control.clear_faults()
    assert len(psp.control.state()["objects"]["payout"]) == 1


def test_decline_next_payments_counts_down(psp: RunningStub) -> None:
    psp.control.set_faults(provider="stripe", decline_next_payments=1)
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    with pytest.raises(stripe.CardError):
        client.v1.payment_intents.create(params={"amount": 100, "currency": "eur", "confirm": True})
    ok = client.v1.payment_intents.create(
        params={"amount": 100, "currency": "eur", "confirm": True}
    )
    assert ok.status == "succeeded"
    assert psp.control.faults()["stripe"]["decline_next_payments"] == 0


def test_fail_next_payouts(psp: RunningStub) -> None:
    psp.control.set_faults(fail_next_payouts=1)
    client = stripe.StripeClient("sk_test_x", base_addresses={"api": psp.stripe_base})
    failing = client.v1.payouts.create(params={"amount": 100, "currency": "eur"})
    fine = client.v1.payouts.create(params={"amount": 100, "currency": "eur"})
    psp.control.advance_clock(86401)
    assert client.v1.payouts.retrieve(failing.id).status == "failed"
    assert client.v1.payouts.retrieve(failing.id).failure_code == "could_not_process"
    assert client.v1.payouts.retrieve(fine.id).status == "paid"


def test_control_routes_are_never_faulted() -> None:
    stub = StubPSP(speed=0)
    stub.handle("POST", "/_stub/faults", body=b'{"error_rate_5xx": 1}')
    assert stub.handle("GET", "/_stub/state").status == 200
