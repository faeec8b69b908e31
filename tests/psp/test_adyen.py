"""Adyen-shaped payments, modifications and payouts; notifications the Adyen SDK accepts."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import Adyen
import httpx
import pytest
from Adyen.util import is_valid_hmac_notification

from golive.psp import RunningStub
from tests.psp.receiver import Receiver

KEY = {"x-api-key": "adyen-test-key"}
MERCHANT = "GoliveStubECOM"


@pytest.fixture
def http(psp: RunningStub) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=psp.adyen_base, headers=KEY, trust_env=False) as client:
        yield client


@pytest.fixture
def hmac_key(psp: RunningStub, receiver: Receiver) -> str:
    return psp.control.add_webhook_endpoint("adyen", receiver.url).secret


def _pay(http: httpx.Client, value: int = 1000, **extra: Any) -> dict[str, Any]:
    body = {
        "amount": {"value": value, "currency": "EUR"},
        "merchantAccount": MERCHANT,
        "reference": "order-1",
        "paymentMethod": {"type": "scheme"},
        **extra,
    }
    r = http.post("/checkout/v71/payments", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _notifications(psp: RunningStub, receiver: Receiver) -> list[dict[str, Any]]:
    assert psp.control.flush().idle
    return [json.loads(b) for b in receiver.bodies()]


def _item(envelope: dict[str, Any]) -> dict[str, Any]:
    return envelope["notificationItems"][0]["NotificationRequestItem"]  # type: ignore[no-any-return]


def test_authorisation_notification_verifies(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    paid = _pay(http)
    assert paid["resultCode"] == "Authorised"
    [note] = _notifications(psp, receiver)
    assert note["live"] == "false"
    item = _item(note)
    assert (item["eventCode"], item["success"], item["pspReference"]) == (
        "AUTHORISATION",
        "true",
        paid["pspReference"],
    )
    assert item["amount"] == {"currency": "EUR", "value": 1000}
    assert is_valid_hmac_notification(note, hmac_key)
    assert is_valid_hmac_notification(item, hmac_key)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("success", "false"),
        ("pspReference", "XXXXXXXXXXXXXXXX"),
        ("eventCode", "REFUND"),
        ("merchantReference", "order-2"),
        ("amount", {"currency": "EUR", "value": 1001}),
    ],
)
def test_tampered_notification_rejected(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str, field: str, value: Any
) -> None:
    _pay(http)
    [note] = _notifications(psp, receiver)
    tampered = copy.deepcopy(note)
    _item(tampered)[field] = value
    assert not is_valid_hmac_notification(tampered, hmac_key)
    assert is_valid_hmac_notification(note, hmac_key)


def test_wrong_key_and_bad_signature_fault_rejected(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    _pay(http)
    [note] = _notifications(psp, receiver)
    assert not is_valid_hmac_notification(note, "00" * 32)
    psp.control.set_faults(provider="adyen", bad_signature=True)
    _pay(http)
    notes = _notifications(psp, receiver)
    assert not is_valid_hmac_notification(notes[-1], hmac_key)


def test_refusals_by_holder_name_amount_and_fault(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    by_name = _pay(http, paymentMethod={"type": "scheme", "holderName": "NOT_ENOUGH_BALANCE"})
    assert (by_name["resultCode"], by_name["refusalReasonCode"]) == ("Refused", "12")
    assert _pay(http, value=100002)["resultCode"] == "Refused"
    psp.control.set_faults(provider="adyen", decline_next_payments=1)
    assert _pay(http)["resultCode"] == "Refused"
    assert _pay(http)["resultCode"] == "Authorised"
    items = [_item(n) for n in _notifications(psp, receiver)]
    assert sorted(i["success"] for i in items) == ["false", "false", "false", "true"]
    assert all(is_valid_hmac_notification(i, hmac_key) for i in items)


def test_manual_capture_partial_then_refund(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    paid = _pay(http, additionalData={"manualCapture": "true"})
    ref = paid["pspReference"]
    amount = {"value": 600, "currency": "EUR"}
    r = http.post(
        f"/checkout/v71/payments/{ref}/captures",
        json={"merchantAccount": MERCHANT, "amount": amount, "reference": "cap-1"},
    )
    assert r.status_code == 201
    assert r.json()["status"] == "received"
    assert r.json()["paymentPspReference"] == ref
    r = http.post(
        f"/checkout/v71/payments/{ref}/refunds",
        json={"merchantAccount": MERCHANT, "amount": {"value": 700, "currency": "EUR"}},
    )
    assert r.status_code == 201  # accepted, then refused by notification: only 600 captured
    r = http.post(
        f"/checkout/v71/payments/{ref}/refunds",
        json={"merchantAccount": MERCHANT, "amount": {"value": 600, "currency": "EUR"}},
    )
    assert r.status_code == 201
    items = [_item(n) for n in _notifications(psp, receiver)]
    summary = [(i["eventCode"], i["success"], i.get("originalReference")) for i in items]
    # Delivery threads run in parallel: no ordering guarantee (as with Adyen itself).
    assert sorted(summary, key=str) == sorted(
        [
            ("AUTHORISATION", "true", None),
            ("CAPTURE", "true", ref),
            ("REFUND", "false", ref),
            ("REFUND", "true", ref),
        ],
        key=str,
    )
    assert all(is_valid_hmac_notification(i, hmac_key) for i in items)


def test_cancel_only_before_capture(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    manual = _pay(http, additionalData={"manualCapture": "true"})["pspReference"]
    auto = _pay(http)["pspReference"]
    for ref in (manual, auto):
        r = http.post(f"/checkout/v71/payments/{ref}/cancels", json={"merchantAccount": MERCHANT})
        assert r.status_code == 201
    items = [_item(n) for n in _notifications(psp, receiver)]
    cancels = {
        i["originalReference"]: i["success"] for i in items if i["eventCode"] == "CANCELLATION"
    }
    assert cancels == {manual: "true", auto: "false"}


def _submit(http: httpx.Client, value: int = 5000, owner: str = "A. Holder") -> str:
    body = {
        "amount": {"value": value, "currency": "EUR"},
        "merchantAccount": MERCHANT,
        "reference": f"payout-{value}",
        "shopperEmail": "a@example.com",
        "shopperReference": "s-1",
        "recurring": {"contract": "PAYOUT"},
        "bank": {"iban": "NL13TEST0123456789", "ownerName": owner, "countryCode": "NL"},
    }
    r = http.post("/pal/servlet/Payout/v68/storeDetailAndSubmitThirdParty", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["resultCode"] == "[payout-submit-received]"
    return str(r.json()["pspReference"])


def test_payouts_paid_failed_and_declined(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    ok = _submit(http)
    closed = _submit(http, owner="ACCOUNT_CLOSED")
    psp.control.set_faults(provider="adyen", fail_next_payouts=1)
    faulted = _submit(http, value=5001)
    declined = _submit(http, value=5002)
    r = http.post(
        "/pal/servlet/Payout/v68/declineThirdParty",
        json={"merchantAccount": MERCHANT, "originalReference": declined},
    )
    assert r.json()["response"] == "[payout-decline-received]"
    so_far = [_item(n)["eventCode"] for n in _notifications(psp, receiver)]
    assert so_far == ["PAYOUT_DECLINE"]  # the others wait for their arrival time
    psp.control.advance_clock(86401)
    items = {
        (_item(n)["pspReference"], _item(n)["eventCode"]): _item(n)
        for n in _notifications(psp, receiver)
    }
    assert items[(ok, "PAYOUT_THIRDPARTY")]["success"] == "true"
    assert items[(closed, "PAYOUT_THIRDPARTY")]["success"] == "false"
    assert items[(faulted, "PAYOUT_THIRDPARTY")]["success"] == "false"
    assert items[(declined, "PAYOUT_DECLINE")]["success"] == "true"
    assert (declined, "PAYOUT_THIRDPARTY") not in items
    assert all(is_valid_hmac_notification(i, hmac_key) for i in items.values())


def test_adyen_retries_start_after_nine_seconds(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    receiver.fail_next(1, 500)
    _pay(http)
    psp.control.flush()
    psp.control.advance_clock(9)
    psp.control.flush()
    [d] = psp.control.deliveries(provider="adyen")
    assert [a["status_code"] for a in d["attempts"]] == [500, 200]


def test_rotated_adyen_key_signs_new_notifications(
    psp: RunningStub, receiver: Receiver, http: httpx.Client, hmac_key: str
) -> None:
    new = psp.control.rotate_secret("adyen")
    assert new != hmac_key
    assert len(bytes.fromhex(new)) == 32
    _pay(http)
    [note] = _notifications(psp, receiver)
    assert is_valid_hmac_notification(note, new)
    assert not is_valid_hmac_notification(note, hmac_key)


def test_api_key_required(http: httpx.Client) -> None:
    r = http.post("/checkout/v71/payments", json={}, headers={"x-api-key": ""})
    assert r.status_code == 401
    assert r.json()["errorType"] == "security"


def test_official_sdk_against_the_stub(psp: RunningStub) -> None:
    adyen = Adyen.Adyen()
    adyen.client.xapikey = "adyen-test-key"
    adyen.client.platform = "test"
    payments = adyen.checkout.payments_api
    payments.baseUrl = f"{psp.adyen_base}/checkout/v72"
    result = payments.payments(
        {
            "amount": {"value": 1500, "currency": "EUR"},
            "merchantAccount": MERCHANT,
            "reference": "sdk-1",
            "paymentMethod": {"type": "scheme"},
        }
    )
    assert result.message["resultCode"] == "Authorised"
    payouts = adyen.payout.initialization_api
    payouts.baseUrl = f"{psp.adyen_base}/pal/servlet/Payout/v68"
    submitted = payouts.store_detail_and_submit_third_party(
        {
            "amount": {"value": 500, "currency": "EUR"},
            "merchantAccount": MERCHANT,
            "reference": "sdk-po",
            "shopperEmail": "a@example.com",
            "shopperReference": "s",
            "recurring": {"contract": "PAYOUT"},
            "bank": {"iban": "NL13TEST0123456789", "ownerName": "A", "countryCode": "NL"},
        }
    )
    assert submitted.message["resultCode"] == "[payout-submit-received]"
