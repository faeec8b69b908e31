"""Webhooks signed exactly as Stripe and Adyen sign them (independent of refbank's code)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any

STRIPE_SECRET = "whsec_test_refbank_primary"
STRIPE_OLD_SECRET = "whsec_test_refbank_rotated_out"
ADYEN_HMAC_KEY = "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056"
ADYEN_MERCHANT = "RefbankTestECOM"
_counter = iter(range(1, 10**9))


def stripe_event(kind: str, obj: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    n = next(_counter)
    return {
        "id": event_id or f"evt_test_{n:08d}",
        "object": "event",
        "api_version": "2024-06-20",
        "created": int(time.time()),
        "type": kind,
        "data": {"object": obj},
        "livemode": False,
    }


def stripe_headers(
    payload: bytes, secrets: list[str] | None = None, t: int | None = None
) -> dict[str, str]:
    t = int(time.time()) if t is None else t
    parts = [f"t={t}"] + [
        "v1=" + hmac.new(s.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
        for s in (secrets or [STRIPE_SECRET])
    ]
    return {"Stripe-Signature": ",".join(parts), "Content-Type": "application/json"}


def adyen_item(
    event_code: str,
    psp_reference: str,
    merchant_reference: str,
    value: int,
    currency: str,
    success: bool = True,
    key: str = ADYEN_HMAC_KEY,
    merchant: str = ADYEN_MERCHANT,
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "amount": {"currency": currency, "value": value},
        "eventCode": event_code,
        "eventDate": "2030-01-01T00:00:00+01:00",
        "merchantAccountCode": merchant,
        "merchantReference": merchant_reference,
        "originalReference": "",
        "pspReference": psp_reference,
        "reason": "" if success else "Refused",
        "success": "true" if success else "false",
        "additionalData": {},
    }
    fields = [
        psp_reference,
        "",
        merchant,
        merchant_reference,
        str(value),
        currency,
        event_code,
        item["success"],
    ]
    digest = hmac.new(bytes.fromhex(key), ":".join(fields).encode(), hashlib.sha256).digest()
    item["additionalData"]["hmacSignature"] = base64.b64encode(digest).decode()
    return item


def adyen_notification(*items: dict[str, Any]) -> bytes:
    body = {"live": "false", "notificationItems": [{"NotificationRequestItem": i} for i in items]}
    return json.dumps(body).encode()
