"""Webhook signature checks, written here (not taken from the PSP SDKs).

Stripe: ``Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]`` where each v1 is
HMAC-SHA256(secret, f"{t}.{payload}"); any configured secret may match (rotation); an event
older than the tolerance (300 s) is refused as a replay.
Adyen: ``additionalData.hmacSignature`` = base64(HMAC-SHA256(bytes.fromhex(key), signing
string)) where the signing string joins pspReference, originalReference,
merchantAccountCode, merchantReference, value, currency, eventCode and success with ":".
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Mapping, Sequence
from typing import Any

STRIPE_TOLERANCE_SECONDS = 300


class SignatureError(ValueError):
    """A webhook whose signature does not verify (or is too old)."""


def same(expected: str, given: str) -> bool:
    """Constant-time comparison of a signature we computed with one we were sent; a sent one
    with characters outside ASCII (compare_digest refuses those as str) is simply wrong."""
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))


def stripe_signature(secret: str, timestamp: int, payload: bytes) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def verify_stripe(
    payload: bytes,
    header: str | None,
    secrets: Sequence[str],
    *,
    tolerance: int | None = STRIPE_TOLERANCE_SECONDS,
    now: float | None = None,
) -> int:
    """Check a Stripe-Signature header; returns its timestamp. ``tolerance=None``: no age check."""
    if not header:
        raise SignatureError("missing Stripe-Signature header")
    if not secrets:
        raise SignatureError("no Stripe webhook secret is configured")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise SignatureError("Stripe-Signature timestamp is not an integer") from None
        elif name == "v1":
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureError("Stripe-Signature needs t= and at least one v1=")
    expected = [stripe_signature(s, timestamp, payload) for s in secrets]
    if not any(same(e, c) for e in expected for c in candidates):
        raise SignatureError("no v1 signature matches a configured webhook secret")
    current = time.time() if now is None else now
    if tolerance is not None and timestamp < current - tolerance:
        raise SignatureError(
            f"the event was signed {int(current - timestamp)} s ago (> {tolerance} s)"
        )
    return timestamp


def adyen_signing_string(item: Mapping[str, Any]) -> str:
    amount = item.get("amount") or {}
    fields = [
        item.get("pspReference", ""),
        item.get("originalReference", ""),
        item.get("merchantAccountCode", ""),
        item.get("merchantReference", ""),
        str(amount.get("value", "")),
        amount.get("currency", ""),
        item.get("eventCode", ""),
        item.get("success", ""),
    ]
    return ":".join("" if f is None else str(f) for f in fields)


def adyen_signature(hmac_key_hex: str, item: Mapping[str, Any]) -> str:
    digest = hmac.new(
        bytes.fromhex(hmac_key_hex), adyen_signing_string(item).encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def verify_adyen(item: Mapping[str, Any], hmac_key_hex: str) -> None:
    """Check one NotificationRequestItem's ``additionalData.hmacSignature``."""
    if not hmac_key_hex:
        raise SignatureError("no Adyen HMAC key is configured")
    given = (item.get("additionalData") or {}).get("hmacSignature")
    if not isinstance(given, str) or not given:
        raise SignatureError("missing additionalData.hmacSignature")
    if not same(adyen_signature(hmac_key_hex, item), given):
        raise SignatureError("hmacSignature does not match")
