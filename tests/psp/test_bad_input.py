"""Bad input: provider-shaped 400s; unknown ids 404; missing or wrong keys 401."""

from __future__ import annotations

import pytest

from golive.psp import StubPSP

AUTH = {"authorization": "Bearer sk_test_x"}
ADYEN = {"x-api-key": "k"}


@pytest.fixture
def stub() -> StubPSP:
    return StubPSP(speed=0)


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        ("currency=eur", "amount", "parameter_missing"),
        ("amount=10&currency=eur&colour=red", "colour", "parameter_unknown"),
        ("amount=ten&currency=eur", "amount", "parameter_invalid_integer"),
        ("amount=0&currency=eur", "amount", "amount_too_small"),
        ("amount=-5&currency=eur", "amount", "amount_too_small"),
        ("amount=100000000&currency=eur", "amount", "amount_too_large"),
        ("amount=1.5&currency=eur", "amount", "parameter_invalid_integer"),
        ("amount=10&currency=xyz", "currency", "parameter_invalid"),
        ("amount=10&currency=eur&confirm=maybe", "confirm", "parameter_invalid_boolean"),
        ("amount=10&currency=eur&capture_method=later", "capture_method", "parameter_invalid"),
        ("amount[x]=1&currency=eur", "amount", "parameter_invalid_integer"),
        ("amount=10&currency=eur&metadata=x", "metadata", "parameter_invalid"),
        ("amount=10&currency=eur&payment_method=card_1", "payment_method", "resource_missing"),
    ],
)
def test_stripe_400s(stub: StubPSP, body: str, param: str, code: str) -> None:
    r = stub.handle("POST", "/stripe/v1/payment_intents", headers=AUTH, body=body)
    assert r.status == 400
    error = r.json()["error"]
    assert (error["type"], error["param"], error["code"]) == ("invalid_request_error", param, code)
    assert error["message"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/stripe/v1/payment_intents/pi_nope"),
        ("POST", "/stripe/v1/payment_intents/pi_nope/capture"),
        ("POST", "/stripe/v1/payment_intents/pi_nope/confirm"),
        ("POST", "/stripe/v1/payment_intents/pi_nope/cancel"),
        ("GET", "/stripe/v1/payouts/po_nope"),
        ("POST", "/stripe/v1/payouts/po_nope/cancel"),
        ("GET", "/stripe/v1/refunds/re_nope"),
        ("GET", "/stripe/v1/events/evt_nope"),
        ("GET", "/stripe/v1/charges/ch_nope"),
        ("GET", "/stripe/v1/webhook_endpoints/we_nope"),
        ("GET", "/stripe/v1/balance_transactions/txn_nope"),
        ("GET", "/stripe/v1/no_such_thing"),
    ],
)
def test_stripe_404s(stub: StubPSP, method: str, path: str) -> None:
    r = stub.handle(method, path, headers=AUTH)
    assert r.status == 404
    assert r.json()["error"]["type"] == "invalid_request_error"


def test_refund_of_unknown_payment_intent_is_404(stub: StubPSP) -> None:
    r = stub.handle("POST", "/stripe/v1/refunds", headers=AUTH, body="payment_intent=pi_nope")
    assert r.status == 404
    assert r.json()["error"]["param"] == "payment_intent"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Bearer pk_test_x"},
        {"authorization": "Bearer sk_live_x"},
        {"authorization": "Token sk_test_x"},
    ],
)
def test_stripe_401s(stub: StubPSP, headers: dict[str, str]) -> None:
    r = stub.handle("GET", "/stripe/v1/payment_intents", headers=headers)
    assert r.status == 401
    assert "sk_live" not in r.text


def test_configured_key_is_the_only_one_accepted() -> None:
    stub = StubPSP(speed=0, stripe_api_key="sk_test_exactly_this")
    assert stub.handle("GET", "/stripe/v1/payouts", headers=AUTH).status == 401
    ok = {"authorization": "Bearer sk_test_exactly_this"}
    assert stub.handle("GET", "/stripe/v1/payouts", headers=ok).status == 200


def test_basic_auth_like_curl_u(stub: StubPSP) -> None:
    r = stub.handle(
        "GET", "/stripe/v1/payouts", headers={"authorization": "Basic c2tfdGVzdF94Og=="}
    )
    assert r.status == 200


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "702"),
        (b"[]", "702"),
        (b'{"merchantAccount": "M", "reference": "r", "paymentMethod": {"type": "scheme"}}', "100"),
        (b'{"amount": {"value": "10", "currency": "EUR"}, "merchantAccount": "M"}', "137"),
        (b'{"amount": {"value": 10, "currency": "XXX"}, "merchantAccount": "M"}', "138"),
        (b'{"amount": {"value": 10, "currency": "EUR"}, "reference": "r"}', "901"),
        (b'{"amount": {"value": 10, "currency": "EUR"}, "merchantAccount": "M", "x": 1}', "702"),
        (
            b'{"amount": {"value": 10, "currency": "EUR"}, "merchantAccount": "M",'
            b' "reference": "r"}',
            "130",
        ),
    ],
)
def test_adyen_400s(stub: StubPSP, body: bytes, code: str) -> None:
    r = stub.handle("POST", "/adyen/checkout/v71/payments", headers=ADYEN, body=body)
    assert r.status == 400
    data = r.json()
    assert (data["status"], data["errorCode"], data["errorType"]) == (400, code, "validation")


def test_adyen_unknown_payment_is_404(stub: StubPSP) -> None:
    body = b'{"merchantAccount": "M", "amount": {"value": 1, "currency": "EUR"}}'
    r = stub.handle("POST", "/adyen/checkout/v71/payments/NOPE/captures", headers=ADYEN, body=body)
    assert r.status == 404
    assert r.json()["errorCode"] == "167"


def test_control_errors_are_plain_400s(stub: StubPSP) -> None:
    r = stub.handle("POST", "/_stub/faults", body=b'{"error_rate_5xx": 2}')
    assert r.status == 400
    assert "between 0 and 1" in r.json()["error"]["message"]
    r = stub.handle("POST", "/_stub/faults", body=b'{"no_such_fault": 1}')
    assert "known faults" in r.json()["error"]["message"]
    r = stub.handle("POST", "/_stub/webhook-endpoints", body=b'{"provider": "paypal", "url": "x"}')
    assert r.status == 400
    r = stub.handle("POST", "/_stub/clock/advance", body=b'{"seconds": -1}')
    assert r.status == 400
    assert stub.handle("GET", "/_stub/nope").status == 404


def test_webhook_urls_are_loopback_only_by_default(stub: StubPSP) -> None:
    r = stub.handle(
        "POST",
        "/_stub/webhook-endpoints",
        body=b'{"provider": "stripe", "url": "http://example.com/hook"}',
    )
    assert r.status == 400
    assert "loopback" in r.json()["error"]["message"]
    r = stub.handle(
        "POST",
        "/stripe/v1/webhook_endpoints",
        headers=AUTH,
        body="url=http://10.0.0.1/h&enabled_events[]=*",
    )
    assert r.status == 400
    assert r.json()["error"]["code"] == "url_invalid"
    with pytest.raises(ValueError, match="loopback"):
        StubPSP(stripe_webhook_url="http://example.com/hook")
    remote = StubPSP(speed=0, allow_remote_webhooks=True)
    r = remote.handle(
        "POST",
        "/_stub/webhook-endpoints",
        body=b'{"provider": "adyen", "url": "http://platform:8000/hook"}',
    )
    assert r.status == 200
