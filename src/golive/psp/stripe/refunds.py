"""Stripe Charges (read-only) and Refunds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from golive.psp.http import StubRequest, StubResponse, stripe_error
from golive.psp.stripe.common import (
    LIST_PARAMS,
    balance_transaction,
    created_filter,
    emit,
    find,
    newest_first,
    ok,
    page,
    unexpected_state,
)
from golive.psp.stripe.params import Params, bad

if TYPE_CHECKING:
    from golive.psp.stub import Stub


def get_charge(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    return ok(find(psp, "charge", req.path_params["id"]))


def list_charges(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), (*LIST_PARAMS, "payment_intent", "customer"))
    keep = created_filter(p)
    pi = p.string("payment_intent")
    items = [o for o in newest_first(psp, "charge") if keep(o)]
    if pi:
        items = [o for o in items if o["payment_intent"] == pi]
    return page(p, items, "/v1/charges")


def create_refund(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(
        req.form(),
        (
            "payment_intent",
            "charge",
            "amount",
            "reason",
            "metadata",
            "refund_application_fee",
            "reverse_transfer",
            "instructions_email",
        ),
    )
    pi_id, ch_id = p.string("payment_intent"), p.string("charge")
    amount = p.amount()
    reason = p.string("reason", choices=("duplicate", "fraudulent", "requested_by_customer"))
    metadata = p.metadata() or {}
    p.boolean("refund_application_fee")
    p.boolean("reverse_transfer")
    if bool(pi_id) == bool(ch_id):
        raise bad(
            "Provide exactly one of payment_intent or charge.",
            "payment_intent",
            "parameter_missing",
        )
    if pi_id:
        pi = find(psp, "payment_intent", pi_id, "payment_intent")
        if pi["status"] != "succeeded" or not pi["latest_charge"]:
            raise unexpected_state(
                f"This PaymentIntent has a status of {pi['status']}; only a succeeded "
                "PaymentIntent can be refunded.",
                pi,
            )
        ch_id = pi["latest_charge"]
    charge = find(psp, "charge", str(ch_id), "charge")
    if not charge["captured"] or charge["status"] != "succeeded":
        raise stripe_error(
            400,
            f"Charge {charge['id']} has not been captured.",
            code="charge_not_refundable",
            replayable=True,
        )
    refundable = charge["amount"] - charge["amount_refunded"]
    if refundable <= 0:
        raise stripe_error(
            400,
            f"Charge {charge['id']} has already been refunded.",
            code="charge_already_refunded",
            replayable=True,
        )
    amount = refundable if amount is None else amount
    if amount > refundable:
        raise stripe_error(
            400,
            f"Refund amount ({amount}) is greater than unrefunded amount on charge ({refundable})",
            code="amount_too_large",
            param="amount",
            replayable=True,
        )
    re_id = psp.ids.stripe("re")
    txn = balance_transaction(
        psp,
        type_="refund",
        amount=-amount,
        currency=charge["currency"],
        source=re_id,
        description="REFUND FOR CHARGE",
    )
    refund = {
        "id": re_id,
        "object": "refund",
        "amount": amount,
        "balance_transaction": txn,
        "charge": charge["id"],
        "created": psp.now(),
        "currency": charge["currency"],
        "metadata": metadata,
        "payment_intent": charge["payment_intent"],
        "reason": reason,
        "status": "succeeded",
    }
    psp.store("refund")[re_id] = refund
    charge["amount_refunded"] += amount
    charge["refunded"] = charge["amount_refunded"] == charge["amount"]
    emit(psp, "charge.refunded", charge)
    emit(psp, "refund.created", refund)
    return ok(refund)


def get_refund(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    return ok(find(psp, "refund", req.path_params["id"]))


def list_refunds(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), (*LIST_PARAMS, "payment_intent", "charge"))
    keep = created_filter(p)
    pi, ch = p.string("payment_intent"), p.string("charge")
    items = [o for o in newest_first(psp, "refund") if keep(o)]
    items = [
        o for o in items if (not pi or o["payment_intent"] == pi) and (not ch or o["charge"] == ch)
    ]
    return page(p, items, "/v1/refunds")


ROUTES = [
    ("GET", "/stripe/v1/charges", list_charges),
    ("GET", "/stripe/v1/charges/{id}", get_charge),
    ("POST", "/stripe/v1/refunds", create_refund),
    ("GET", "/stripe/v1/refunds", list_refunds),
    ("GET", "/stripe/v1/refunds/{id}", get_refund),
]
