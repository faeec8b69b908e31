"""Adyen Checkout payments and modifications (captures, refunds, cancels), and payouts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from golive.psp.adyen.common import amount, body, commission, ledger, notify, obj, text
from golive.psp.http import StubRequest, StubResponse, adyen_error, json_response
from golive.psp.magic import ADYEN_AMOUNT_REFUSALS, ADYEN_REFUSALS, PAYOUT_FAILURES, payout_failure

if TYPE_CHECKING:
    from golive.psp.stub import Stub

PAYMENT_FIELDS = (
    "amount",
    "reference",
    "paymentMethod",
    "returnUrl",
    "shopperReference",
    "shopperEmail",
    "shopperIP",
    "shopperInteraction",
    "recurringProcessingModel",
    "storePaymentMethod",
    "countryCode",
    "shopperLocale",
    "channel",
    "origin",
    "browserInfo",
    "billingAddress",
    "deliveryAddress",
    "metadata",
    "captureDelayHours",
    "lineItems",
    "telephoneNumber",
    "shopperName",
    "dateOfBirth",
    "authenticationData",
    "merchantOrderReference",
    "shopperStatement",
    "splits",
    "store",
    "deviceFingerprint",
    "threeDS2RequestData",
    "socialSecurityNumber",
    "order",
    "redirectFromIssuerMethod",
    "redirectToIssuerMethod",
)
MODIFICATION_FIELDS = (
    "amount",
    "reference",
    "splits",
    "lineItems",
    "platformChargebackLogic",
    "merchantRefundReason",
    "store",
    "capturePspReference",
)
PAYOUT_FIELDS = (
    "amount",
    "reference",
    "recurring",
    "shopperEmail",
    "shopperReference",
    "bank",
    "card",
    "billingAddress",
    "dateOfBirth",
    "entityType",
    "fraudOffset",
    "nationality",
    "selectedBrand",
    "shopperName",
    "socialSecurityNumber",
    "shopperStatement",
)
PAYOUT_ARRIVAL_SECONDS = 86400


def _brand(pm: dict[str, Any]) -> str:
    brand = pm.get("brand")
    if isinstance(brand, str) and brand:
        return brand
    kind = pm.get("type")
    return "visa" if kind in (None, "scheme") else str(kind)


def payments(psp: Stub, req: StubRequest) -> StubResponse:
    data = body(req, PAYMENT_FIELDS)
    value, currency = amount(data)
    merchant = str(data["merchantAccount"])
    reference = text(data, "reference", required=True)
    pm = obj(data, "paymentMethod", required=True)
    if not isinstance(pm.get("type"), str):
        raise adyen_error(400, "Required field 'paymentMethod.type' is not provided.", code="130")
    extra = data.get("additionalData") or {}
    delay = data.get("captureDelayHours")
    if delay is not None and (isinstance(delay, bool) or not isinstance(delay, int) or delay < 0):
        raise adyen_error(400, "captureDelayHours must be a non-negative integer")
    manual = extra.get("manualCapture") == "true"
    holder = pm.get("holderName")
    refusal = None
    if psp.faults.take("adyen", "decline_next_payments"):
        refusal = ADYEN_REFUSALS["REFUSED"]
    elif isinstance(holder, str) and holder.upper() in ADYEN_REFUSALS:
        refusal = ADYEN_REFUSALS[holder.upper()]
    elif value in ADYEN_AMOUNT_REFUSALS:
        refusal = ADYEN_AMOUNT_REFUSALS[value]
    ref = psp.ids.adyen()
    brand = _brand(pm)
    payment = {
        "pspReference": ref,
        "merchantAccount": merchant,
        "reference": reference,
        "value": value,
        "currency": currency,
        "brand": brand,
        "manual": manual,
        "status": "Refused" if refusal else "Authorised",
        "captured": 0,
        "refunded": 0,
        "created": psp.now(),
    }
    psp.store("adyen_payment")[ref] = payment
    answer: dict[str, Any] = {
        "pspReference": ref,
        "resultCode": payment["status"],
        "amount": {"currency": currency, "value": value},
        "merchantReference": reference,
        "paymentMethod": {"brand": brand, "type": pm["type"]},
    }
    common: dict[str, Any] = {
        "value": value,
        "currency": currency,
        "merchant_account": merchant,
        "merchant_reference": str(reference),
        "payment_method": brand,
    }
    if refusal:
        answer.update(refusalReason=refusal[1], refusalReasonCode=refusal[0])
        notify(psp, "AUTHORISATION", ref, False, reason=refusal[1], **common)
        return json_response(200, answer)
    if not manual:  # immediate capture (Adyen's default): settles without a CAPTURE webhook
        payment["captured"] = value
        ledger(
            psp,
            "Settled",
            psp_reference=ref,
            merchant_account=merchant,
            merchant_reference=str(reference),
            value=value,
            currency=currency,
            payment_method=brand,
            fee=commission(value),
        )
    ops = ["CANCEL", "CAPTURE", "REFUND"] if manual else ["REFUND"]
    notify(psp, "AUTHORISATION", ref, True, reason="stub:authorised", operations=ops, **common)
    return json_response(200, answer)


def _payment(psp: Stub, req: StubRequest) -> dict[str, Any]:
    ref = req.path_params["pspReference"]
    payment = psp.get("adyen_payment", ref)
    if payment is None:
        raise adyen_error(404, f"Original pspReference {ref[:40]!r} not found", code="167")
    return payment


def _modification(
    psp: Stub, req: StubRequest, *, with_amount: bool
) -> tuple[dict[str, Any], dict[str, Any], int, str, str]:
    data = body(req, MODIFICATION_FIELDS if with_amount else ("reference",))
    payment = _payment(psp, req)
    value, currency = amount(data) if with_amount else (payment["value"], payment["currency"])
    if currency != payment["currency"]:
        raise adyen_error(
            400,
            f"Currency {currency} does not match the payment's {payment['currency']}",
            code="138",
        )
    reference = text(data, "reference") or payment["reference"]
    return data, payment, value, currency, reference


def _ack(
    psp: Stub,
    data: dict[str, Any],
    payment: dict[str, Any],
    mod_ref: str,
    reference: str,
    value: int | None,
) -> StubResponse:
    answer: dict[str, Any] = {
        "merchantAccount": data["merchantAccount"],
        "paymentPspReference": payment["pspReference"],
        "pspReference": mod_ref,
        "reference": reference,
        "status": "received",
    }
    if value is not None:
        answer["amount"] = {"currency": payment["currency"], "value": value}
    return json_response(201, answer)


def captures(psp: Stub, req: StubRequest) -> StubResponse:
    data, payment, value, currency, reference = _modification(psp, req, with_amount=True)
    mod = psp.ids.adyen()
    left = payment["value"] - payment["captured"]
    ok = payment["status"] == "Authorised" and payment["manual"] and value <= left
    reason = "" if ok else "Insufficient in process amount or payment not capturable"
    if ok:
        payment["captured"] += value
        ledger(
            psp,
            "Settled",
            psp_reference=payment["pspReference"],
            merchant_account=payment["merchantAccount"],
            merchant_reference=payment["reference"],
            value=value,
            currency=currency,
            payment_method=payment["brand"],
            modification_reference=mod,
            modification_merchant_reference=reference,
            fee=commission(value),
        )
    notify(
        psp,
        "CAPTURE",
        mod,
        ok,
        value=value,
        currency=currency,
        merchant_account=payment["merchantAccount"],
        merchant_reference=reference,
        original_reference=payment["pspReference"],
        reason=reason,
        payment_method=payment["brand"],
    )
    return _ack(psp, data, payment, mod, reference, value)


def refunds(psp: Stub, req: StubRequest) -> StubResponse:
    data, payment, value, currency, reference = _modification(psp, req, with_amount=True)
    mod = psp.ids.adyen()
    ok = value <= payment["captured"] - payment["refunded"]
    if ok:
        payment["refunded"] += value
        ledger(
            psp,
            "Refunded",
            psp_reference=payment["pspReference"],
            merchant_account=payment["merchantAccount"],
            merchant_reference=payment["reference"],
            value=value,
            currency=currency,
            payment_method=payment["brand"],
            modification_reference=mod,
            modification_merchant_reference=reference,
        )
    notify(
        psp,
        "REFUND",
        mod,
        ok,
        value=value,
        currency=currency,
        merchant_account=payment["merchantAccount"],
        merchant_reference=reference,
        original_reference=payment["pspReference"],
        reason="" if ok else "Insufficient balance on payment",
        payment_method=payment["brand"],
    )
    return _ack(psp, data, payment, mod, reference, value)


def cancels(psp: Stub, req: StubRequest) -> StubResponse:
    data, payment, value, currency, reference = _modification(psp, req, with_amount=False)
    mod = psp.ids.adyen()
    ok = payment["status"] == "Authorised" and payment["captured"] == 0
    if ok:
        payment["status"] = "Cancelled"
    notify(
        psp,
        "CANCELLATION",
        mod,
        ok,
        value=value,
        currency=currency,
        merchant_account=payment["merchantAccount"],
        merchant_reference=reference,
        original_reference=payment["pspReference"],
        reason="" if ok else "Payment already captured or not authorised",
        payment_method=payment["brand"],
    )
    return _ack(psp, data, payment, mod, reference, None)


def submit_payout(psp: Stub, req: StubRequest) -> StubResponse:
    data = body(req, PAYOUT_FIELDS)
    value, currency = amount(data)
    merchant = str(data["merchantAccount"])
    reference = str(text(data, "reference", required=True))
    bank, card = obj(data, "bank"), obj(data, "card")
    for name in ("recurring", "shopperName", "billingAddress"):
        obj(data, name)
    text(data, "shopperEmail")
    text(data, "shopperReference")
    holder = bank.get("ownerName") or card.get("holderName")
    failure = "could_not_process" if psp.faults.take("adyen", "fail_next_payouts") else None
    failure = failure or payout_failure(value, holder)
    ref = psp.ids.adyen()
    method = "bankTransfer" if bank or not card else "card"
    payout = {
        "pspReference": ref,
        "merchantAccount": merchant,
        "reference": reference,
        "value": value,
        "currency": currency,
        "status": "submitted",
        "failure": failure,
        "method": method,
        "created": psp.now(),
        "arrival": psp.now() + PAYOUT_ARRIVAL_SECONDS,
    }
    psp.store("adyen_payout")[ref] = payout
    ledger(
        psp,
        "PaidOut",
        psp_reference=ref,
        merchant_account=merchant,
        merchant_reference=reference,
        value=value,
        currency=currency,
        payment_method=method,
    )
    generation = psp.generation
    arrival = psp.now() + PAYOUT_ARRIVAL_SECONDS
    psp.schedule(arrival, lambda: _payout_arrives(psp, ref, generation))
    return json_response(200, {"pspReference": ref, "resultCode": "[payout-submit-received]"})


def _payout_arrives(psp: Stub, ref: str, generation: int) -> None:
    payout = psp.get("adyen_payout", ref)
    if generation != psp.generation or payout is None or payout["status"] != "submitted":
        return
    code = payout["failure"]
    payout["status"] = "failed" if code else "paid"
    if code:
        _reverse(psp, payout)
    notify(
        psp,
        "PAYOUT_THIRDPARTY",
        ref,
        not code,
        value=payout["value"],
        currency=payout["currency"],
        merchant_account=payout["merchantAccount"],
        merchant_reference=payout["reference"],
        reason=PAYOUT_FAILURES[code] if code else "",
        payment_method=payout["method"],
    )


def _reverse(psp: Stub, payout: dict[str, Any]) -> None:
    ledger(
        psp,
        "PaidOutReversed",
        psp_reference=payout["pspReference"],
        merchant_account=payout["merchantAccount"],
        merchant_reference=payout["reference"],
        value=payout["value"],
        currency=payout["currency"],
        payment_method=payout["method"],
    )


def _review(psp: Stub, req: StubRequest) -> dict[str, Any]:
    data = body(req, ("originalReference",))
    ref = text(data, "originalReference", required=True)
    payout = psp.get("adyen_payout", str(ref))
    if payout is None:
        raise adyen_error(404, f"Original pspReference {str(ref)[:40]!r} not found", code="167")
    return payout


def confirm_payout(psp: Stub, req: StubRequest) -> StubResponse:
    payout = _review(psp, req)  # the stub confirms payouts on submission: nothing to do
    return json_response(
        200, {"pspReference": payout["pspReference"], "response": "[payout-confirm-received]"}
    )


def decline_payout(psp: Stub, req: StubRequest) -> StubResponse:
    payout = _review(psp, req)
    if payout["status"] != "submitted":
        raise adyen_error(
            400,
            f"Payout is already {payout['status']}; it cannot be declined",
            code="702",
            replayable=True,
        )
    payout["status"] = "declined"
    _reverse(psp, payout)
    notify(
        psp,
        "PAYOUT_DECLINE",
        payout["pspReference"],
        True,
        value=payout["value"],
        currency=payout["currency"],
        merchant_account=payout["merchantAccount"],
        merchant_reference=payout["reference"],
        payment_method=payout["method"],
    )
    return json_response(
        200, {"pspReference": payout["pspReference"], "response": "[payout-decline-received]"}
    )


CHECKOUT_VERSIONS = ("v70", "v71", "v72")  # v71 documented; the SDK's default is v72
_PAYOUT = "/adyen/pal/servlet/Payout/v68"
ROUTES = [
    *(
        route
        for v in CHECKOUT_VERSIONS
        for route in (
            ("POST", f"/adyen/checkout/{v}/payments", payments),
            ("POST", f"/adyen/checkout/{v}/payments/{{pspReference}}/captures", captures),
            ("POST", f"/adyen/checkout/{v}/payments/{{pspReference}}/refunds", refunds),
            ("POST", f"/adyen/checkout/{v}/payments/{{pspReference}}/cancels", cancels),
        )
    ),
    ("POST", f"{_PAYOUT}/storeDetailAndSubmitThirdParty", submit_payout),
    ("POST", f"{_PAYOUT}/confirmThirdParty", confirm_payout),
    ("POST", f"{_PAYOUT}/declineThirdParty", decline_payout),
]
