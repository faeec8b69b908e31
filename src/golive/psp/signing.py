"""Webhook signatures exactly as the providers compute them.

Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>...]`, each v1 an HMAC-SHA256 of
"<t>.<raw body>" under one active endpoint secret (the `whsec_...` string itself is the key).
Adyen: `additionalData.hmacSignature` = base64(HMAC-SHA256(hex-decoded key, "pspReference:
originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success")).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

ADYEN_FIELDS = (
    "pspReference",
    "originalReference",
    "merchantAccountCode",
    "merchantReference",
    "value",
    "currency",
    "eventCode",
    "success",
)


def same_text(given: str, expected: str) -> bool:
    """Constant-time comparison of a key or signature a client sent with ours; one with
    characters outside ASCII (compare_digest refuses those as str) is simply wrong."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode())


def stripe_signature(payload: bytes, keys: list[str], timestamp: int) -> str:
    """The Stripe-Signature header value: one v1 entry per key."""
    signed = f"{timestamp}.".encode() + payload
    sigs = [hmac.new(k.encode(), signed, hashlib.sha256).hexdigest() for k in keys]
    return ",".join([f"t={timestamp}", *(f"v1={s}" for s in sigs)])


def adyen_signing_string(item: dict[str, Any]) -> str:
    amount = item.get("amount") or {}
    values = dict(item, value=amount.get("value", ""), currency=amount.get("currency", ""))
    return ":".join(str(values.get(name, "")) for name in ADYEN_FIELDS)


def adyen_hmac(item: dict[str, Any], hex_key: str) -> str:
    """Adyen's hmacSignature for one NotificationRequestItem."""
    key = bytes.fromhex(hex_key)
    mac = hmac.new(key, adyen_signing_string(item).encode("utf-8"), hashlib.sha256)
    return base64.b64encode(mac.digest()).decode("ascii")


def new_stripe_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32).replace("-", "a").replace("_", "b")


def new_adyen_key() -> str:
    """A 64-hex-character (32-byte) HMAC key, as Adyen's Customer Area generates."""
    return secrets.token_hex(32).upper()


def is_hex_key(key: str) -> bool:
    try:
        return len(bytes.fromhex(key)) >= 16
    except ValueError:
        return False
