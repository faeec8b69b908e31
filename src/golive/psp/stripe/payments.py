"""Stripe PaymentIntents: create, update, confirm, capture (partial too), cancel, read."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from golive.psp.http import StubRequest, StubResponse, stripe_error
from golive.psp.magic import DECLINE_AMOUNTS, GENERIC_DECLINE, STRIPE_DECLINE_PMS
from golive.psp.stripe.common import (
    LIST_PARAMS,
    balance_transaction,
    created_filter,
    emit,
    find,
    newest_first,
    ok,
    page,
    render,
    stripe_fee,
    unexpected_state,
)
from golive.psp.stripe.params import Params, merge_metadata

if TYPE_CHECKING:
    from golive.psp.stub import Stub

DEFAULT_PM = "pm_card_visa"
SETTLE_SECONDS = 2 * 86400  # charges become available two days after capture
_PASSTHROUGH = (
    "customer",
    "receipt_email",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "return_url",
    "setup_future_usage",
    "transfer_group",
    "on_behalf_of",
)
_IGNORED = (
    "automatic_payment_methods",
    "payment_method_options",
    "mandate_data",
    "shipping",
    "off_session",
    "error_on_requires_action",
    "use_stripe_sdk",
    "confirmation_method",
    "application_fee_amount",
    "payment_method_data",
    "radar_options",
)
CREATE = (
    "amount",
    "currency",
    "capture_method",
    "confirm",
    "payment_method",
    "payment_method_types",
    "metadata",
    "description",
    *_PASSTHROUGH,
    *_IGNORED,
)
UPDATE = (
    "amount",
    "currency",
    "capture_method",
    "payment_method",
    "payment_method_types",
    "metadata",
    "description",
    *_PASSTHROUGH,
    *_IGNORED,
)
CONFIRM = (
    "payment_method",
    "capture_method",
    "receipt_email",
    "return_url",
    "setup_future_usage",
    "shipping",
    "off_session",
    "error_on_requires_action",
    "mandate_data",
    "payment_method_options",
    "payment_method_data",
    "use_stripe_sdk",
    "radar_options",
)
CAPTURE = (
    "amount_to_capture",
    "metadata",
    "final_capture",
    "statement_descriptor",
    "statement_descriptor_suffix",
    "application_fee_amount",
)
CANCEL_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)


def _payment_method(p: Params) -> str | None:
    pm = p.string("payment_method", max_length=200)
    if pm is not None and not pm.startswith("pm_"):
        raise stripe_error(
            400,
            f"No such PaymentMethod: '{pm[:100]}'",
            code="resource_missing",
            param="payment_method",
        )
    return pm


def create_intent(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), CREATE)
    amount = p.amount(required=True)
    currency = p.currency()
    capture = p.string("capture_method", choices=("automatic", "automatic_async", "manual"))
    confirm = p.boolean("confirm")
    pm = _payment_method(p)
    types = p.string_list("payment_method_types") or ["card"]
    metadata = p.metadata() or {}
    description = p.string("description")
    extra = {k: p.string(k) for k in _PASSTHROUGH}
    pi_id = psp.ids.stripe("pi")
    pi: dict[str, Any] = {
        "id": pi_id,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": 0,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": capture or "automatic",
        "client_secret": f"{pi_id}_secret_{psp.ids.stripe('cs')[3:]}",
        "confirmation_method": "automatic",
        "created": psp.now(),
        "currency": currency,
        "description": description,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": metadata,
        "next_action": None,
        "payment_method": pm,
        "payment_method_types": types,
        "status": "requires_confirmation" if pm else "requires_payment_method",
        **extra,
    }
    psp.store("payment_intent")[pi_id] = pi
    emit(psp, "payment_intent.created", pi)
    if confirm:
        _confirm(psp, pi, pm or DEFAULT_PM)
    return ok(pi)


def update_intent(psp: Stub, req: StubRequest) -> StubResponse:
    pi = find(psp, "payment_intent", req.path_params["id"])
    p = Params(req.form(), UPDATE)
    changes = {k: p.raw[k] for k in p.raw if k not in ("metadata", "description", "expand")}
    if changes and pi["status"] in ("succeeded", "canceled", "requires_capture", "processing"):
        raise unexpected_state(
            f"You cannot update this PaymentIntent because it has a status of {pi['status']}.", pi
        )
    if p.has("amount"):
        pi["amount"] = p.amount()
    if p.has("currency"):
        pi["currency"] = p.currency()
    if p.has("capture_method"):
        pi["capture_method"] = p.string(
            "capture_method", choices=("automatic", "automatic_async", "manual")
        )
    if p.has("payment_method"):
        pi["payment_method"] = _payment_method(p)
        pi["status"] = "requires_confirmation"
    if p.has("payment_method_types"):
        pi["payment_method_types"] = p.string_list("payment_method_types")
    if p.has("description"):
        pi["description"] = p.string("description")
    for k in _PASSTHROUGH:
        if p.has(k):
            pi[k] = p.string(k)
    pi["metadata"] = merge_metadata(pi["metadata"], p.metadata())
    return ok(pi)


def confirm_intent(psp: Stub, req: StubRequest) -> StubResponse:
    pi = find(psp, "payment_intent", req.path_params["id"])
    p = Params(req.form(), CONFIRM)
    pm = _payment_method(p)
    if p.has("capture_method"):
        pi["capture_method"] = p.string(
            "capture_method", choices=("automatic", "automatic_async", "manual")
        )
    if pi["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise unexpected_state(
            "This PaymentIntent's status is not requires_confirmation or "
            f"requires_payment_method (it is {pi['status']}), so it cannot be confirmed.",
            pi,
        )
    _confirm(psp, pi, pm or pi["payment_method"] or DEFAULT_PM)
    return ok(pi)


def _confirm(psp: Stub, pi: dict[str, Any], pm: str) -> None:
    """Authorise (and for automatic capture, capture) or decline with a 402 card_error."""
    decline = None
    if psp.faults.take("stripe", "decline_next_payments"):
        decline = GENERIC_DECLINE
    elif pm in STRIPE_DECLINE_PMS:
        decline = STRIPE_DECLINE_PMS[pm]
    elif pi["amount"] in DECLINE_AMOUNTS:
        decline = DECLINE_AMOUNTS[pi["amount"]]
    pi["payment_method"] = pm
    manual = pi["capture_method"] == "manual"
    charge = _new_charge(psp, pi, pm, captured=not decline and not manual)
    pi["latest_charge"] = charge["id"]
    if decline:
        code, decline_code, message = decline
        charge.update(status="failed", paid=False, failure_code=code, failure_message=message)
        charge["outcome"] = {
            "network_status": "declined_by_network",
            "reason": decline_code,
            "type": "issuer_declined",
            "seller_message": "The bank declined.",
        }
        error = {
            "type": "card_error",
            "code": code,
            "decline_code": decline_code,
            "message": message,
            "charge": charge["id"],
            "payment_method": {"id": pm, "object": "payment_method", "type": "card"},
        }
        pi.update(status="requires_payment_method", last_payment_error=error)
        emit(psp, "charge.failed", charge)
        emit(psp, "payment_intent.payment_failed", pi)
        raise stripe_error(
            402,
            message,
            type_="card_error",
            code=code,
            decline_code=decline_code,
            charge=charge["id"],
            payment_intent=render(pi),
            replayable=True,
        )
    pi["last_payment_error"] = None
    emit(psp, "charge.succeeded", charge)
    if manual:
        pi.update(status="requires_capture", amount_capturable=pi["amount"])
        emit(psp, "payment_intent.amount_capturable_updated", pi)
    else:
        pi.update(status="succeeded", amount_received=pi["amount"])
        emit(psp, "payment_intent.succeeded", pi)


def _new_charge(psp: Stub, pi: dict[str, Any], pm: str, *, captured: bool) -> dict[str, Any]:
    ch_id = psp.ids.stripe("ch")
    amount = pi["amount"]
    txn = None
    if captured:
        txn = balance_transaction(
            psp,
            type_="charge",
            amount=amount,
            currency=pi["currency"],
            source=ch_id,
            fee=stripe_fee(amount),
            available_in=SETTLE_SECONDS,
            description=pi["description"],
        )
    charge: dict[str, Any] = {
        "id": ch_id,
        "object": "charge",
        "amount": amount,
        "amount_captured": amount if captured else 0,
        "amount_refunded": 0,
        "balance_transaction": txn,
        "captured": captured,
        "created": psp.now(),
        "currency": pi["currency"],
        "description": pi["description"],
        "failure_code": None,
        "failure_message": None,
        "livemode": False,
        "metadata": dict(pi["metadata"]),
        "outcome": {
            "network_status": "approved_by_network",
            "reason": None,
            "type": "authorized",
            "seller_message": "Payment complete.",
        },
        "paid": True,
        "payment_intent": pi["id"],
        "payment_method": pm,
        "refunded": False,
        "status": "succeeded",
    }
    psp.store("charge")[ch_id] = charge
    return charge


def capture_intent(psp: Stub, req: StubRequest) -> StubResponse:
    pi = find(psp, "payment_intent", req.path_params["id"])
    p = Params(req.form(), CAPTURE)
    amount = p.integer("amount_to_capture", minimum=1)
    p.boolean("final_capture")
    metadata = p.metadata()
    if pi["status"] != "requires_capture":
        raise unexpected_state(
            "This PaymentIntent could not be captured because it has a status of "
            f"{pi['status']}. Only a PaymentIntent with one of the following statuses may be "
            "captured: requires_capture.",
            pi,
        )
    capturable = pi["amount_capturable"]
    amount = capturable if amount is None else amount
    if amount > capturable:
        raise stripe_error(
            400,
            f"The amount_to_capture ({amount}) must be less than or equal to the "
            f"amount_capturable ({capturable}).",
            code="amount_too_large",
            param="amount_to_capture",
            replayable=True,
        )
    charge = find(psp, "charge", pi["latest_charge"])
    charge["balance_transaction"] = balance_transaction(
        psp,
        type_="charge",
        amount=amount,
        currency=pi["currency"],
        source=charge["id"],
        fee=stripe_fee(amount),
        available_in=SETTLE_SECONDS,
        description=pi["description"],
    )
    released = pi["amount"] - amount
    charge.update(captured=True, amount_captured=amount, amount_refunded=released)
    charge["refunded"] = released == charge["amount"]
    pi.update(status="succeeded", amount_received=amount, amount_capturable=0)
    pi["metadata"] = merge_metadata(pi["metadata"], metadata)
    emit(psp, "charge.captured", charge)
    emit(psp, "payment_intent.succeeded", pi)
    return ok(pi)


def cancel_intent(psp: Stub, req: StubRequest) -> StubResponse:
    pi = find(psp, "payment_intent", req.path_params["id"])
    p = Params(req.form(), ("cancellation_reason",))
    reason = p.string("cancellation_reason", choices=CANCEL_REASONS)
    if pi["status"] not in CANCELABLE:
        raise unexpected_state(
            "You cannot cancel this PaymentIntent because it has a status of "
            f"{pi['status']}. Only a PaymentIntent with one of the following statuses may be "
            f"canceled: {', '.join(CANCELABLE)}.",
            pi,
        )
    if pi["status"] == "requires_capture" and pi["latest_charge"]:
        charge = find(psp, "charge", pi["latest_charge"])
        charge.update(amount_refunded=charge["amount"], refunded=True)
    pi.update(
        status="canceled", canceled_at=psp.now(), cancellation_reason=reason, amount_capturable=0
    )
    emit(psp, "payment_intent.canceled", pi)
    return ok(pi)


def get_intent(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ("client_secret",))
    return ok(find(psp, "payment_intent", req.path_params["id"]))


def list_intents(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), (*LIST_PARAMS, "customer"))
    keep = created_filter(p)
    customer = p.string("customer")
    items = [o for o in newest_first(psp, "payment_intent") if keep(o)]
    if customer:
        items = [o for o in items if o.get("customer") == customer]
    return page(p, items, "/v1/payment_intents")


ROUTES = [
    ("POST", "/stripe/v1/payment_intents", create_intent),
    ("GET", "/stripe/v1/payment_intents", list_intents),
    ("GET", "/stripe/v1/payment_intents/{id}", get_intent),
    ("POST", "/stripe/v1/payment_intents/{id}", update_intent),
    ("POST", "/stripe/v1/payment_intents/{id}/confirm", confirm_intent),
    ("POST", "/stripe/v1/payment_intents/{id}/capture", capture_intent),
    ("POST", "/stripe/v1/payment_intents/{id}/cancel", cancel_intent),
]
