"""Braintree: the official SDK's WebhookNotification.parse verifies and parses what the stub
sends and refuses tampering; sales, credits (payouts) and declines in Braintree's shape."""

from __future__ import annotations

import base64
from decimal import Decimal
from urllib.parse import parse_qs

import braintree
import httpx
import pytest

from golive.psp import RunningStub
from golive.psp.provider import get, names, pattern
from tests.psp.receiver import Receiver

PUBLIC, PRIVATE = "golivepublic42", "0123456789abcdef0123456789abcdef"
AUTH = "Basic " + base64.b64encode(f"{PUBLIC}:{PRIVATE}".encode()).decode()


def _gateway() -> braintree.BraintreeGateway:
    config = braintree.Configuration(
        braintree.Environment.Sandbox, merchant_id="golive", public_key=PUBLIC,
        private_key=PRIVATE,
    )  # fmt: skip
    return braintree.BraintreeGateway(config)


def _transact(psp: RunningStub, **txn: object) -> httpx.Response:
    url = f"{psp.base_url}/braintree/merchants/golive/transactions"
    body = {"transaction": {"payment_method_nonce": "fake-valid-nonce", **txn}}
    with httpx.Client(trust_env=False) as http:
        return http.post(url, json=body, headers={"authorization": AUTH})


def _delivered(psp: RunningStub, receiver: Receiver) -> tuple[str, str]:
    assert psp.control.flush().idle
    [got] = receiver.received
    assert got.headers["content-type"] == "application/x-www-form-urlencoded"
    form = parse_qs(got.body.decode())
    return form["bt_signature"][0], form["bt_payload"][0]


def _sale_settled(psp: RunningStub, receiver: Receiver) -> tuple[str, str, str]:
    psp.control.add_webhook_endpoint("braintree", receiver.url, secret=f"{PUBLIC}:{PRIVATE}")
    answer = _transact(
        psp, type="sale", amount="12.34", currency_iso_code="EUR", order_id="dep-1",
        options={"submit_for_settlement": True},
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    sig, payload = _delivered(psp, receiver)
    return sig, payload, answer.json()["transaction"]["id"]


def test_sdk_verifies_and_parses_the_stubs_notification(
    psp: RunningStub, receiver: Receiver
) -> None:
    sig, payload, txn_id = _sale_settled(psp, receiver)
    note = _gateway().webhook_notification.parse(sig, payload)
    assert note.kind == braintree.WebhookNotification.Kind.TransactionSettled
    assert note.transaction.id == txn_id
    assert note.transaction.amount == Decimal("12.34")
    assert note.transaction.order_id == "dep-1"
    assert note.transaction.status == "settled"


def test_sdk_refuses_a_tampered_notification(psp: RunningStub, receiver: Receiver) -> None:
    sig, payload, _ = _sale_settled(psp, receiver)
    xml = base64.b64decode(payload).replace(b"12.34", b"99.34")
    with pytest.raises(braintree.exceptions.InvalidSignatureError):
        _gateway().webhook_notification.parse(sig, base64.encodebytes(xml).decode())
    public, _, digest = sig.partition("|")
    flipped = digest[:-1] + ("0" if digest[-1] != "0" else "1")
    with pytest.raises(braintree.exceptions.InvalidSignatureError):
        _gateway().webhook_notification.parse(f"{public}|{flipped}", payload)
    other = braintree.BraintreeGateway(
        braintree.Configuration(
            braintree.Environment.Sandbox, merchant_id="golive", public_key=PUBLIC,
            private_key="not-the-private-key",
        )
    )  # fmt: skip
    with pytest.raises(braintree.exceptions.InvalidSignatureError):
        other.webhook_notification.parse(sig, payload)


def test_bad_signature_fault_is_refused_by_the_sdk(psp: RunningStub, receiver: Receiver) -> None:
    psp.control.set_faults("braintree", bad_signature=True)
    sig, payload, _ = _sale_settled(psp, receiver)
    with pytest.raises(braintree.exceptions.InvalidSignatureError):
        _gateway().webhook_notification.parse(sig, payload)


def test_credit_settles_a_day_later_or_is_declined(psp: RunningStub, receiver: Receiver) -> None:
    psp.control.add_webhook_endpoint("braintree", receiver.url, secret=f"{PUBLIC}:{PRIVATE}")
    paid = _transact(psp, type="credit", amount="5", currency_iso_code="JPY", order_id="wd-1")
    failed = _transact(psp, type="credit", amount="2000.01", currency_iso_code="EUR")
    assert paid.json()["transaction"]["status"] == "submitted_for_settlement"
    assert psp.control.flush().idle
    assert receiver.received == []
    psp.control.advance_clock(86400 + 1, step=True)
    kinds = {}
    for got in receiver.received:
        form = parse_qs(got.body.decode())
        note = _gateway().webhook_notification.parse(form["bt_signature"][0], form["bt_payload"][0])
        kinds[note.transaction.id] = note.kind
    assert kinds == {
        paid.json()["transaction"]["id"]: "transaction_settled",
        failed.json()["transaction"]["id"]: "transaction_settlement_declined",
    }


def test_declines_and_errors_have_braintrees_shape(psp: RunningStub) -> None:
    declined = _transact(
        psp, type="sale", amount="10.00", currency_iso_code="EUR",
        payment_method_nonce="fake-processor-declined-visa-nonce",
    )  # fmt: skip
    assert declined.status_code == 422
    result = declined.json()["api_error_response"]
    assert result["transaction"]["status"] == "processor_declined"
    assert result["transaction"]["processor_response_code"] == "2000"
    too_precise = _transact(psp, type="sale", amount="1.001", currency_iso_code="EUR")
    assert too_precise.status_code == 422
    assert too_precise.json()["api_error_response"]["errors"]["errors"][0]["attribute"] == "amount"
    with httpx.Client(trust_env=False) as http:
        url = f"{psp.base_url}/braintree/merchants/golive/transactions"
        assert http.post(url, json={}).status_code == 401


def test_registry_lists_every_provider_and_builds_the_step_pattern() -> None:
    assert {"adyen", "braintree", "stripe"} <= set(names())
    assert set(pattern().split("|")) == set(names())
    assert get("braintree").secret_problem("pub:priv") is None
    assert get("braintree").secret_problem("no pair here!") is not None
    with pytest.raises(KeyError, match="not one of"):
        get("paypal")


def test_settlement_report_lists_settled_transactions(psp: RunningStub) -> None:
    assert _transact(
        psp, type="sale", amount="100.00", currency_iso_code="EUR", order_id="dep-9",
        options={"submit_for_settlement": True},
    ).status_code == 201  # fmt: skip
    lines = psp.control.settlement("braintree").splitlines()
    assert lines[0].startswith("Transaction ID,")
    [row] = lines[1:]
    # 2.59 % of 100.00 + 0.49 = 3.08
    assert row.split(",")[1:] == ["sale", "settled", row.split(",")[3], "EUR", "100.00", "3.08",
                                  "dep-9", "golive"]  # fmt: skip


def test_refbank_verifies_and_reads_the_stubs_notification(
    psp: RunningStub, receiver: Receiver
) -> None:
    from refbank.psp.braintree import braintree_event, verify_braintree
    from refbank.psp.signatures import SignatureError

    sig, payload, txn_id = _sale_settled(psp, receiver)
    verify_braintree(sig, payload, PUBLIC, PRIVATE)
    event = braintree_event(payload)
    assert (event.kind, event.psp_reference, event.our_id) == ("payment_succeeded", txn_id, "dep-1")
    assert (event.amount, event.currency) == (1234, "EUR")
    with pytest.raises(SignatureError):
        verify_braintree(sig, payload, PUBLIC, "not-the-private-key")
    xml = base64.b64decode(payload).replace(b"12.34", b"99.34")
    with pytest.raises(SignatureError):
        verify_braintree(sig, base64.encodebytes(xml).decode(), PUBLIC, PRIVATE)
