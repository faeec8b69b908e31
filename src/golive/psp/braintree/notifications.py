"""Braintree webhook notifications: the XML, its `bt_payload` and `bt_signature`.

bt_payload is the base64 (76-character lines, as the SDKs send it) of
`<notification><timestamp/><kind/><subject><transaction>…</transaction></subject>`;
bt_signature is `public_key|hex(HMAC-SHA1(SHA1(private_key), bt_payload))`, one pair per
active key joined by "&". A webhook secret here is the API key pair `public_key:private_key`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

# The transaction fields a notification carries (stub object key -> XML element).
_FIELDS = (
    ("id", "id"),
    ("type", "type"),
    ("status", "status"),
    ("amount", "amount"),
    ("currency_iso_code", "currency-iso-code"),
    ("order_id", "order-id"),
    ("merchant_account_id", "merchant-account-id"),
    ("processor_response_code", "processor-response-code"),
    ("processor_response_text", "processor-response-text"),
)


def new_key_pair() -> str:
    """A fresh `public_key:private_key` pair in Braintree's formats."""
    public = "".join(secrets.choice("abcdefghjkmnpqrstvwxyz23456789") for _ in range(16))
    return f"{public}:{secrets.token_hex(16)}"


def split_pair(secret: str) -> tuple[str, str]:
    public, _, private = secret.partition(":")
    return public, private


def pair_problem(secret: str) -> str | None:
    public, private = split_pair(secret)
    if public.isalnum() and private.isalnum():
        return None
    return "a Braintree webhook secret is the API key pair 'public_key:private_key' (alphanumeric)"


def notification_xml(kind: str, transaction: dict[str, Any], at: float) -> bytes:
    root = ElementTree.Element("notification")
    stamp = ElementTree.SubElement(root, "timestamp", type="datetime")
    stamp.text = datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ElementTree.SubElement(root, "kind").text = kind
    node = ElementTree.SubElement(ElementTree.SubElement(root, "subject"), "transaction")
    for key, tag in _FIELDS:
        if transaction.get(key) not in (None, ""):
            ElementTree.SubElement(node, tag).text = str(transaction[key])
    xml: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return xml


def payload(xml: bytes) -> bytes:
    return base64.encodebytes(xml)


def digest(private_key: str, bt_payload: bytes) -> str:
    key = hashlib.sha1(private_key.encode()).digest()
    return hmac.new(key, bt_payload, hashlib.sha1).hexdigest()


def signature(bt_payload: bytes, pairs: list[str]) -> str:
    """The bt_signature of `bt_payload` under each `public:private` pair."""
    signed = []
    for pair in pairs:
        public, private = split_pair(pair)
        signed.append(f"{public}|{digest(private, bt_payload)}")
    return "&".join(signed)


def verify(bt_signature: str, bt_payload: bytes, pair: str) -> bool:
    """What a receiver checks: the pair for its public key matches the payload."""
    public, private = split_pair(pair)
    expected = digest(private, bt_payload)
    for part in bt_signature.split("&"):
        key, _, given = part.partition("|")
        if key == public and hmac.compare_digest(given, expected):
            return True
    return False
