"""PSP webhook payloads (Stripe events, Adyen notification items) as one event type."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

STRIPE_TYPES = {
    "payment_intent.succeeded": "payment_succeeded",
    "payment_intent.payment_failed": "payment_failed",
    "payout.paid": "payout_paid",
    "payout.failed": "payout_failed",
    "payout.canceled": "payout_failed",
}
# Adyen eventCode → (what success=true means, what success=false means)
ADYEN_CODES = {
    "AUTHORISATION": ("payment_succeeded", "payment_failed"),
    "PAYOUT_THIRDPARTY": ("payout_paid", "payout_failed"),
    "PAYOUT_DECLINE": ("payout_failed", "ignored"),
    "PAYOUT_EXPIRE": ("payout_failed", "ignored"),
    "PAIDOUT_REVERSED": ("payout_failed", "ignored"),
}


class MalformedEvent(ValueError):
    """A webhook body that does not have the PSP's shape."""


@dataclass(frozen=True)
class PspEvent:
    psp: str
    key: str  # de-duplication key: Stripe event id, Adyen pspReference:eventCode
    raw_type: str
    kind: str  # payment_succeeded | payment_failed | payout_paid | payout_failed | ignored
    our_id: str | None  # the deposit or withdrawal id we sent as metadata / merchantReference
    psp_reference: str | None
    amount: int | None
    currency: str | None
    reason: str = ""


def _obj(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise MalformedEvent(f"{what} is not an object")
    return value


def stripe_event(body: Any) -> PspEvent:
    event = _obj(body, "the event")
    obj = _obj(_obj(event.get("data"), "data").get("object"), "data.object")
    raw = str(event.get("type", ""))
    if not event.get("id"):
        raise MalformedEvent("the event has no id")
    kind = STRIPE_TYPES.get(raw, "ignored")
    meta = obj.get("metadata") or {}
    ours = meta.get("withdrawal_id") if kind.startswith("payout") else meta.get("deposit_id")
    err = obj.get("last_payment_error") or {}
    reason = str(
        obj.get("failure_code") or (err.get("code") if isinstance(err, Mapping) else "") or raw
    )
    amount = obj.get("amount")
    return PspEvent(
        psp="stripe",
        key=str(event["id"]),
        raw_type=raw,
        kind=kind,
        our_id=str(ours) if ours else None,
        psp_reference=obj.get("id"),
        amount=amount if isinstance(amount, int) else None,
        currency=str(obj["currency"]).upper() if obj.get("currency") else None,
        reason=reason,
    )


def adyen_items(body: Any) -> list[Mapping[str, Any]]:
    items = _obj(body, "the notification").get("notificationItems")
    if not isinstance(items, list) or not items:
        raise MalformedEvent("notificationItems is missing or empty")
    out = [
        _obj(_obj(i, "an item").get("NotificationRequestItem"), "NotificationRequestItem")
        for i in items
    ]
    for item in out:
        for name in ("amount", "additionalData"):
            if item.get(name) is not None:
                _obj(item[name], f"NotificationRequestItem.{name}")
    return out


def adyen_event(item: Mapping[str, Any]) -> PspEvent:
    code = str(item.get("eventCode", ""))
    success = str(item.get("success", "")).lower() == "true"
    on_true, on_false = ADYEN_CODES.get(code, ("ignored", "ignored"))
    amount = item.get("amount") or {}
    value = amount.get("value") if isinstance(amount, Mapping) else None
    return PspEvent(
        psp="adyen",
        key=f"{item.get('pspReference', '')}:{code}",
        raw_type=code,
        kind=on_true if success else on_false,
        our_id=str(item["merchantReference"]) if item.get("merchantReference") else None,
        psp_reference=item.get("pspReference"),
        amount=value if isinstance(value, int) else None,
        currency=amount.get("currency") if isinstance(amount, Mapping) else None,
        reason=str(item.get("reason") or code),
    )
