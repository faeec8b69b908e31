"""The Adyen provider: error shape, keys, idempotency, notification HMAC, retries, report."""

from __future__ import annotations

import hmac
import json
import secrets
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from golive.psp.adyen import api
from golive.psp.http import ApiError, StubRequest, adyen_error
from golive.psp.settlement import adyen_report
from golive.psp.signing import adyen_hmac, is_hex_key, new_adyen_key, same_text

if TYPE_CHECKING:
    from golive.psp.stub import Stub

# kind -> (errorCode, errorType)
_CODES = {
    "not_found": ("000", "validation"),
    "auth": ("000", "security"),
    "server": ("905", "internal"),
    "idempotency": ("704", "validation"),
}
# Three quick retries, then 2, 5, 10, 15, 30 min, 1, 2, 4, 8 h, then every 8 h to 30 days.
_HEAD: tuple[float, ...] = (9, 9, 9, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800)
RETRY_DELAYS: tuple[float, ...] = _HEAD + (28800.0,) * int((30 * 86400 - sum(_HEAD)) // 28800)


class Adyen:
    name = "adyen"
    title = "Adyen"
    routes = tuple(api.ROUTES)
    retry_delays = RETRY_DELAYS
    secret_overlap_s = 0.0  # one HMAC key: the new one signs from now on
    user_agent = "Adyen HttpClient"
    signs_timestamp = False
    object_kinds = MappingProxyType({"payments": "adyen_payment", "payouts": "adyen_payout"})
    magic = MappingProxyType(
        {
            "paymentMethod.holderName=REFUSED": "generic decline",
            "paymentMethod.holderName=NOT_ENOUGH_BALANCE": "insufficient funds",
            "bank.ownerName=ACCOUNT_CLOSED": "payout fails on arrival",
        }
    )

    _OUTCOMES = MappingProxyType(
        {
            "payments": {"Authorised": "succeeded", "Refused": "failed", "Cancelled": "failed"},
            "payouts": {"paid": "paid", "failed": "failed", "declined": "failed"},
        }
    )

    def error(self, status: int, message: str, *, kind: str = "invalid") -> ApiError:
        code, error_type = _CODES.get(kind, ("702", "validation"))
        return adyen_error(status, message, code=code, error_type=error_type)

    def authenticate(self, stub: Stub, req: StubRequest) -> None:
        key = req.header("x-api-key") or ""
        expected = stub.adyen_api_key
        if not key or len(key) > 1024 or (expected and not same_text(key, expected)):
            raise self.error(401, "HTTP Status Response - Unauthorized", kind="auth")

    def params(self, req: StubRequest) -> Any:
        try:
            return req.json()
        except ValueError:
            return req.body.decode("utf-8", errors="replace")

    def new_secret(self) -> str:
        return new_adyen_key()

    def secret_problem(self, secret: str) -> str | None:
        if is_hex_key(secret):
            return None
        return "an Adyen HMAC key must be hexadecimal (64 hex characters)"

    def payload(self, event: dict[str, Any]) -> Any:
        return event

    def sign(self, payload: Any, keys: list[str], stamp: int) -> tuple[bytes, dict[str, str]]:
        item = dict(payload)
        item["additionalData"] = {
            **item.get("additionalData", {}),
            "hmacSignature": adyen_hmac(item, keys[0]),
        }
        envelope = {"live": "false", "notificationItems": [{"NotificationRequestItem": item}]}
        return json.dumps(envelope).encode(), {"content-type": "application/json; charset=utf-8"}

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        items = json.loads(body).get("notificationItems") or []
        signed = [i["NotificationRequestItem"] for i in items]
        return bool(signed) and all(
            hmac.compare_digest(
                adyen_hmac(i, secret), str(i.get("additionalData", {}).get("hmacSignature"))
            )
            for i in signed
        )

    def on_pending(self, event: dict[str, Any], pending: int) -> None:
        return None

    def outcome(self, kind: str, status: str) -> str:
        return self._OUTCOMES[kind].get(status, "pending")

    def carried_ids(self, obj: Mapping[str, Any]) -> set[str]:
        return {str(obj[k]) for k in ("merchantReference", "reference") if obj.get(k)}

    def settlement_report(self, stub: Stub, day: date | None) -> str:
        return adyen_report(stub, day)

    def platform_env(self, api_base: str, secret: str) -> dict[str, str]:
        return {
            "REFBANK_ADYEN_API_BASE": api_base,
            "REFBANK_ADYEN_API_KEY": f"AQE{secrets.token_hex(20)}",
            "REFBANK_ADYEN_HMAC_KEY": secret,
        }


PROVIDER = Adyen()
