"""Adyen request validation, notifications, and the settlement ledger."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from golive.money import EXPONENTS
from golive.psp.http import ApiError, StubRequest, adyen_error

if TYPE_CHECKING:
    from golive.psp.stub import Stub

MAX_VALUE = 10**12
COMMON = ("merchantAccount", "applicationInfo", "additionalData")


def body(req: StubRequest, allowed: tuple[str, ...]) -> dict[str, Any]:
    """The JSON object of a request; unknown fields are refused."""
    try:
        data = req.json()
    except ValueError:
        raise adyen_error(400, "Malformed JSON: the request body could not be parsed") from None
    if not isinstance(data, dict):
        raise adyen_error(400, "Structure of the request is invalid: expected a JSON object")
    unknown = [k for k in data if k not in (*COMMON, *allowed)]
    if unknown:
        raise adyen_error(
            400, f"Structure of the request contains the following unknown fields: {unknown[:5]}"
        )
    text(data, "merchantAccount", required=True, code="901")
    if "additionalData" in data and not _string_map(data["additionalData"]):
        raise adyen_error(400, "additionalData must be an object of string values")
    if "applicationInfo" in data and not isinstance(data["applicationInfo"], dict):
        raise adyen_error(400, "applicationInfo must be an object")
    return data


def _string_map(value: Any) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def required_missing(name: str, code: str = "130") -> ApiError:
    return adyen_error(400, f"Required field '{name}' is not provided.", code=code)


def text(
    data: dict[str, Any],
    name: str,
    *,
    required: bool = False,
    code: str = "130",
    max_length: int = 1000,
) -> str | None:
    value = data.get(name)
    if value is None:
        if required:
            raise required_missing(name, code)
        return None
    if not isinstance(value, str) or (required and not value) or len(value) > max_length:
        raise adyen_error(
            400, f"Field '{name}' must be a string of at most {max_length} characters"
        )
    return value


def obj(data: dict[str, Any], name: str, *, required: bool = False) -> dict[str, Any]:
    value = data.get(name)
    if value is None:
        if required:
            raise required_missing(name)
        return {}
    if not isinstance(value, dict):
        raise adyen_error(400, f"Field '{name}' must be an object")
    return value


def amount(data: dict[str, Any], *, minimum: int = 1) -> tuple[int, str]:
    """(value, currency) of the `amount` object."""
    raw = data.get("amount")
    if raw is None:
        raise adyen_error(400, "Required field 'amount' is not provided.", code="100")
    if not isinstance(raw, dict) or set(raw) - {"value", "currency"}:
        raise adyen_error(
            400, 'Field \'amount\' must be {"value": int, "currency": str}', code="137"
        )
    value, currency = raw.get("value"), raw.get("currency")
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= MAX_VALUE:
        raise adyen_error(400, f"Invalid amount specified: {str(value)[:40]}", code="137")
    if not isinstance(currency, str) or currency not in EXPONENTS:
        raise adyen_error(400, f"Unsupported currency specified: {str(currency)[:20]}", code="138")
    return value, currency


def notify(
    psp: Stub,
    event_code: str,
    psp_reference: str,
    success: bool,
    *,
    value: int,
    currency: str,
    merchant_account: str,
    merchant_reference: str,
    original_reference: str | None = None,
    reason: str = "",
    payment_method: str | None = None,
    operations: list[str] | None = None,
) -> None:
    """Record an Adyen NotificationRequestItem and queue its delivery (signed per attempt)."""
    item: dict[str, Any] = {
        "additionalData": {},
        "amount": {"currency": currency, "value": value},
        "eventCode": event_code,
        "eventDate": datetime.fromtimestamp(psp.clock.now(), UTC).isoformat(timespec="seconds"),
        "merchantAccountCode": merchant_account,
        "merchantReference": merchant_reference,
        "pspReference": psp_reference,
        "reason": reason,
        "success": "true" if success else "false",
    }
    if original_reference:
        item["originalReference"] = original_reference
    if payment_method:
        item["paymentMethod"] = payment_method
    if operations:
        item["operations"] = operations
    event_id = f"{psp_reference}:{event_code}:{item['success']}"
    store = psp.store("adyen_notification")
    n = 1
    while event_id in store:
        n += 1
        event_id = f"{psp_reference}:{event_code}:{item['success']}:{n}"
    store[event_id] = item
    psp.emit("adyen", event_id, event_code, item)


def commission(value: int) -> int:
    """The stub's Adyen fee model: 0.6% + 12 minor units, rounded half up."""
    return (value * 6 + 500) // 1000 + 12


def ledger(
    psp: Stub,
    type_: str,
    *,
    psp_reference: str,
    merchant_account: str,
    merchant_reference: str,
    value: int,
    currency: str,
    payment_method: str,
    modification_reference: str = "",
    modification_merchant_reference: str = "",
    fee: int = 0,
) -> None:
    """One settlement-details row (see settlement.adyen_report)."""
    key = psp.ids.stripe("aled")
    psp.store("adyen_ledger")[key] = {
        "created": psp.clock.now(),
        "type": type_,
        "psp_reference": psp_reference,
        "merchant_account": merchant_account,
        "merchant_reference": merchant_reference,
        "gross": value,
        "currency": currency,
        "commission": fee,
        "payment_method": payment_method,
        "modification_reference": modification_reference,
        "modification_merchant_reference": modification_merchant_reference,
    }
