"""The platform's side of Braintree: its transaction API and its signed webhooks.

API: JSON ``POST /merchants/{merchant_id}/transactions`` (a ``sale`` for a deposit, a
``credit`` for a payout) with the API key pair as Basic auth; amounts are decimal major units.
Webhooks arrive form-encoded as ``bt_signature`` and ``bt_payload``: the signature is
``public_key|hex(HMAC-SHA1(SHA1(private_key), bt_payload))`` (several pairs joined by "&"),
checked before the payload (base64 XML) is read.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qs
from xml.etree import ElementTree

from refbank.currencies import exponent
from refbank.psp.events import MalformedEvent, PspEvent
from refbank.psp.signatures import SignatureError, same

# notification kind -> (what it means for a sale, for a credit)
KINDS = {
    "transaction_settled": ("payment_succeeded", "payout_paid"),
    "transaction_settlement_declined": ("payment_failed", "payout_failed"),
}
NONCE = "fake-valid-nonce"  # Braintree's sandbox card nonce


def decimal_amount(amount: int, currency: str) -> str:
    """1050 EUR -> "10.50": Braintree amounts are decimal major units."""
    exp = exponent(currency)
    return f"{Decimal(amount).scaleb(-exp):.{exp}f}"


def minor_amount(text: str | None, currency: str | None) -> int | None:
    if text is None or currency is None:
        return None
    try:
        return int(Decimal(text).scaleb(exponent(currency)))
    except (InvalidOperation, KeyError, ValueError):
        return None


def sale(deposit_id: str, amount: int, currency: str, merchant_account: str) -> dict[str, object]:
    return {
        "transaction": {
            "type": "sale",
            "amount": decimal_amount(amount, currency),
            "currency_iso_code": currency,
            "merchant_account_id": merchant_account,
            "order_id": deposit_id,
            "payment_method_nonce": NONCE,
            "options": {"submit_for_settlement": True},
        }
    }


def credit(
    withdrawal_id: str, amount: int, currency: str, merchant_account: str
) -> dict[str, object]:
    return {
        "transaction": {
            "type": "credit",
            "amount": decimal_amount(amount, currency),
            "currency_iso_code": currency,
            "merchant_account_id": merchant_account,
            "order_id": withdrawal_id,
            "payment_method_nonce": NONCE,
        }
    }


def form(payload: bytes) -> tuple[str, str]:
    """(bt_signature, bt_payload) of a form-encoded webhook body."""
    fields = parse_qs(payload.decode("utf-8", errors="replace"))
    signature, body = fields.get("bt_signature", [""])[0], fields.get("bt_payload", [""])[0]
    if not body:
        raise MalformedEvent("bt_payload is missing")
    return signature, body


def verify_braintree(signature: str, bt_payload: str, public_key: str, private_key: str) -> None:
    """Check ``bt_signature`` against our key pair, as the Braintree SDKs do."""
    if not public_key or not private_key:
        raise SignatureError("no Braintree API key pair is configured")
    if not signature:
        raise SignatureError("missing bt_signature")
    key = hashlib.sha1(private_key.encode()).digest()
    raw = bt_payload.encode()
    expected = [hmac.new(key, p, hashlib.sha1).hexdigest() for p in (raw, raw + b"\n")]
    for pair in signature.split("&"):
        public, _, given = pair.partition("|")
        if public == public_key and any(same(e, given) for e in expected):
            return
    raise SignatureError("bt_signature does not match our key pair")


def braintree_event(bt_payload: str) -> PspEvent:
    """The notification inside a (verified) bt_payload."""
    try:
        root = ElementTree.fromstring(base64.b64decode(bt_payload))
    except (binascii.Error, ElementTree.ParseError, ValueError):
        raise MalformedEvent("bt_payload is not base64 XML") from None
    kind = root.findtext("kind") or ""
    txn = root.find("subject/transaction")
    if root.tag != "notification" or txn is None or not txn.findtext("id"):
        raise MalformedEvent("the notification has no transaction")
    meanings = KINDS.get(kind)
    is_credit = txn.findtext("type") == "credit"
    currency = txn.findtext("currency-iso-code")
    return PspEvent(
        psp="braintree",
        key=f"{txn.findtext('id')}:{kind}",
        raw_type=kind,
        kind=(meanings[1] if is_credit else meanings[0]) if meanings else "ignored",
        our_id=txn.findtext("order-id") or None,
        psp_reference=txn.findtext("id"),
        amount=minor_amount(txn.findtext("amount"), currency),
        currency=currency,
        reason=txn.findtext("processor-response-text") or kind,
    )
