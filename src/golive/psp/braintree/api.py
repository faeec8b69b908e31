"""Braintree's transaction API as the stub serves it: JSON shaped after the gateway's XML.

    POST /braintree/merchants/{merchant_id}/transactions   {"transaction": {...}}
    GET  /braintree/merchants/{merchant_id}/transactions/{id}

A sale with `options.submit_for_settlement` settles at once (`transaction_settled`); a
credit (the payout) settles one virtual day later, or is declined (`transaction_settlement_
declined`). Declines answer 422 with the transaction, as Braintree's error result does.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from golive.money import EXPONENTS
from golive.psp.http import ApiError, StubRequest, StubResponse, json_response
from golive.psp.magic import DECLINE_AMOUNTS, PAYOUT_FAILURES, payout_failure

if TYPE_CHECKING:
    from golive.psp.stub import Stub

NAME = "braintree"
SETTLE_SECONDS = 86400  # a credit reaches the customer's card one day later
FIELDS = {
    "type",
    "amount",
    "currency_iso_code",
    "merchant_account_id",
    "order_id",
    "payment_method_nonce",
    "options",
}
# Braintree's sandbox nonces and processor responses (code, text)
DECLINE_NONCES = {
    "fake-processor-declined-visa-nonce": ("2000", "Do Not Honor"),
    "fake-processor-declined-mastercard-nonce": ("2000", "Do Not Honor"),
    "fake-processor-failure-jcb-nonce": ("3000", "Processor Network Unavailable - Try Again"),
}
INSUFFICIENT = ("2001", "Insufficient Funds")
OBJECTS = {"sale": "braintree_sale", "credit": "braintree_credit"}


def error(status: int, message: str, *, attribute: str = "", code: str = "81502") -> ApiError:
    """Braintree's error result: {"api_error_response": {"message", "errors"}}."""
    errors = [{"attribute": attribute, "code": code, "message": message}] if attribute else []
    body = {"api_error_response": {"message": message, "errors": {"errors": errors}}}
    return ApiError(status, body)


def _body(req: StubRequest) -> dict[str, Any]:
    try:
        data = req.json()
    except ValueError:
        raise error(400, "the body is not JSON") from None
    txn = data.get("transaction") if isinstance(data, dict) else None
    if not isinstance(txn, dict):
        raise error(422, "Transaction is required.", attribute="transaction", code="91501")
    unknown = sorted(set(txn) - FIELDS)
    if unknown:
        raise error(422, f"Invalid keys: {', '.join(unknown)[:200]}", attribute="base")
    return txn


def _amount(txn: dict[str, Any]) -> tuple[int, str, str]:
    """(minor units, currency, the amount as sent)."""
    currency = txn.get("currency_iso_code")
    if not isinstance(currency, str) or currency.upper() not in EXPONENTS:
        raise error(422, "Currency is not supported.", attribute="currency_iso_code")
    currency = currency.upper()
    raw = txn.get("amount")
    try:
        value = Decimal(str(raw)) if isinstance(raw, str | int) else None
    except InvalidOperation:
        value = None
    exp = EXPONENTS[currency]
    if value is None or not value.is_finite() or value <= 0 or value != round(value, exp):
        raise error(422, "Amount is an invalid format.", attribute="amount", code="81503")
    minor = int(value.scaleb(exp))
    if minor > 10**12:
        raise error(422, "Amount is too large.", attribute="amount", code="81528")
    return minor, currency, f"{value.scaleb(0):.{exp}f}"


def create(psp: Stub, req: StubRequest) -> StubResponse:
    txn = _body(req)
    kind = txn.get("type")
    if kind not in OBJECTS:
        raise error(422, "Type must be sale or credit.", attribute="type", code="91523")
    minor, currency, amount = _amount(txn)
    nonce = txn.get("payment_method_nonce")
    if not isinstance(nonce, str) or not nonce:
        raise error(422, "Payment method nonce is required.", attribute="payment_method_nonce")
    options = txn.get("options") or {}
    if not isinstance(options, dict):
        raise error(422, "options must be an object", attribute="options")
    order_id = txn.get("order_id")
    if order_id is not None and (not isinstance(order_id, str) or len(order_id) > 255):
        raise error(422, "Order ID is too long.", attribute="order_id", code="91501")
    obj: dict[str, Any] = {
        "id": psp.ids.adyen()[:8].lower(),
        "type": kind,
        "amount": amount,
        "value": minor,
        "currency_iso_code": currency,
        "merchant_account_id": txn.get("merchant_account_id") or req.path_params["merchant_id"],
        "order_id": order_id or "",
        "created_at": psp.now(),
    }
    psp.store(OBJECTS[kind])[obj["id"]] = obj
    if kind == "sale":
        return _sale(psp, obj, nonce, bool(options.get("submit_for_settlement")))
    return _credit(psp, obj)


def _sale(psp: Stub, obj: dict[str, Any], nonce: str, settle: bool) -> StubResponse:
    decline = DECLINE_NONCES.get(nonce)
    if psp.faults.take(NAME, "decline_next_payments"):
        decline = DECLINE_NONCES["fake-processor-declined-visa-nonce"]
    elif obj["value"] in DECLINE_AMOUNTS:
        decline = (
            INSUFFICIENT
            if DECLINE_AMOUNTS[obj["value"]][1] == "insufficient_funds"
            else (DECLINE_NONCES["fake-processor-declined-visa-nonce"])
        )
    if decline:
        obj.update(status="processor_declined", processor_response_code=decline[0])
        obj["processor_response_text"] = decline[1]
        body = {"api_error_response": {"message": decline[1], "transaction": public(obj)}}
        raise ApiError(422, body, replayable=True)
    obj.update(processor_response_code="1000", processor_response_text="Approved")
    obj["status"] = "settled" if settle else "authorized"
    if settle:
        _ledger(psp, obj)
        notify(psp, "transaction_settled", obj)
    return json_response(201, {"transaction": public(obj)})


def _credit(psp: Stub, obj: dict[str, Any]) -> StubResponse:
    failure = "could_not_process" if psp.faults.take(NAME, "fail_next_payouts") else None
    obj["failure"] = failure or payout_failure(obj["value"], None)
    obj["status"] = "submitted_for_settlement"
    obj.update(processor_response_code="1000", processor_response_text="Approved")
    generation = psp.generation
    psp.schedule(psp.now() + SETTLE_SECONDS, lambda: _credit_settles(psp, obj["id"], generation))
    return json_response(201, {"transaction": public(obj)})


def _credit_settles(psp: Stub, txn_id: str, generation: int) -> None:
    obj = psp.get(OBJECTS["credit"], txn_id)
    if generation != psp.generation or obj is None or obj["status"] != "submitted_for_settlement":
        return
    if obj["failure"]:
        obj["status"] = "settlement_declined"
        obj["processor_response_text"] = PAYOUT_FAILURES[obj["failure"]]
        notify(psp, "transaction_settlement_declined", obj)
        return
    obj["status"] = "settled"
    _ledger(psp, obj)
    notify(psp, "transaction_settled", obj)


def find(psp: Stub, req: StubRequest) -> StubResponse:
    txn_id = req.path_params["id"]
    for store in OBJECTS.values():
        obj = psp.get(store, txn_id)
        if obj is not None:
            return json_response(200, {"transaction": public(obj)})
    raise error(404, f"transaction with id {txn_id[:40]!r} not found")


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """A transaction as Braintree answers it (without the stub's own fields)."""
    return {k: v for k, v in obj.items() if k not in ("value", "failure")}


def notify(psp: Stub, kind: str, obj: dict[str, Any]) -> None:
    """Record a webhook notification and queue its delivery (signed per attempt)."""
    event_id = f"{obj['id']}:{kind}"
    psp.emit(NAME, event_id, kind, {"kind": kind, "at": psp.now(), "transaction": public(obj)})


def fee(value: int) -> int:
    """The stub's Braintree fee: 2.59 % + 49 minor units, rounded half up."""
    return (value * 259 + 5000) // 10000 + 49


def _ledger(psp: Stub, obj: dict[str, Any]) -> None:
    """One settled transaction, for the settlement report."""
    psp.store("braintree_ledger")[obj["id"]] = {
        "id": obj["id"],
        "type": obj["type"],
        "status": "settled",
        "settled_at": psp.now(),
        "value": obj["value"],
        "currency": obj["currency_iso_code"],
        "order_id": obj["order_id"],
        "merchant_account_id": obj["merchant_account_id"],
        "fee": fee(obj["value"]) if obj["type"] == "sale" else 0,
    }


ROUTES = (
    ("POST", "/braintree/merchants/{merchant_id}/transactions", create),
    ("GET", "/braintree/merchants/{merchant_id}/transactions/{id}", find),
)
