"""The Stripe provider: error shape, keys, idempotency, webhook signing, retries, report."""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from golive.psp.http import ApiError, StubRequest, stripe_error
from golive.psp.settlement import stripe_report
from golive.psp.signing import new_stripe_secret, stripe_signature
from golive.psp.stripe import more, payments, refunds

if TYPE_CHECKING:
    from golive.psp.stub import Stub

_KEY = re.compile(r"^(sk|rk)_test_[A-Za-z0-9_]{1,247}$")
_ERROR_TYPES = {"server": "api_error", "idempotency": "idempotency_error"}
# "up to three days with an exponential back off" (live mode): 1 + 14 attempts, ~2.98 days
RETRY_DELAYS: tuple[float, ...] = (60, 300, 1800, 3600, 7200, 14400, *([28800.0] * 8))


class Stripe:
    name = "stripe"
    title = "Stripe"
    routes = (*payments.ROUTES, *refunds.ROUTES, *more.ROUTES)
    retry_delays = RETRY_DELAYS
    secret_overlap_s = 86400.0  # roll-secret keeps the old one for 24 hours
    user_agent = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"
    signs_timestamp = True
    object_kinds = MappingProxyType({"payments": "payment_intent", "payouts": "payout"})
    magic = MappingProxyType(
        {
            "payment_method=pm_card_chargeDeclined": "generic decline",
            "payment_method=pm_card_chargeDeclinedInsufficientFunds": "insufficient funds",
            "destination=ba_account_closed": "payout fails on arrival",
        }
    )

    _OUTCOMES = MappingProxyType(
        {
            "payments": {"succeeded": "succeeded", "requires_payment_method": "failed",
                         "canceled": "failed"},
            "payouts": {"paid": "paid", "failed": "failed", "canceled": "failed"},
        }
    )  # fmt: skip

    def error(self, status: int, message: str, *, kind: str = "invalid") -> ApiError:
        return stripe_error(status, message, type_=_ERROR_TYPES.get(kind, "invalid_request_error"))

    def authenticate(self, stub: Stub, req: StubRequest) -> None:
        key = _bearer(req.header("authorization") or "")
        if key is None:
            raise stripe_error(
                401,
                "You did not provide an API key. Send it as 'Authorization: Bearer sk_test_...'.",
            )
        expected = stub.stripe_api_key
        if not _KEY.match(key) or (expected and not hmac.compare_digest(key, expected)):
            raise stripe_error(
                401,
                "Invalid API Key provided (the stub accepts test-mode keys, sk_test_..., "
                "or exactly the key it was started with).",
            )

    def params(self, req: StubRequest) -> Any:
        return req.form()

    def new_secret(self) -> str:
        return new_stripe_secret()

    def secret_problem(self, secret: str) -> str | None:
        return None

    def payload(self, event: dict[str, Any]) -> Any:
        return json.dumps(event).encode("utf-8")

    def sign(self, payload: Any, keys: list[str], stamp: int) -> tuple[bytes, dict[str, str]]:
        headers = {
            "content-type": "application/json; charset=utf-8",
            "stripe-signature": stripe_signature(payload, keys, stamp),
        }
        return payload, headers

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        parts = [p.partition("=") for p in headers.get("stripe-signature", "").split(",")]
        stamp = next((v for k, _, v in parts if k == "t"), "")
        expected = stripe_signature(body, [secret], int(stamp) if stamp.isdigit() else 0)
        mine = expected.rpartition("v1=")[2]
        return any(k == "v1" and hmac.compare_digest(v, mine) for k, _, v in parts)

    def on_pending(self, event: dict[str, Any], pending: int) -> None:
        event["pending_webhooks"] = pending

    def outcome(self, kind: str, status: str) -> str:
        return self._OUTCOMES[kind].get(status, "pending")

    def carried_ids(self, obj: Mapping[str, Any]) -> set[str]:
        # under whatever metadata key the platform chose (refbank: deposit_id, withdrawal_id)
        return {str(v) for v in (obj.get("metadata") or {}).values()}

    def settlement_report(self, stub: Stub, day: date | None) -> str:
        return stripe_report(stub, day)

    def platform_env(self, api_base: str, secret: str) -> dict[str, str]:
        return {
            "REFBANK_STRIPE_API_BASE": api_base,
            "REFBANK_STRIPE_API_KEY": f"sk_test_{secrets.token_hex(12)}",
            "REFBANK_STRIPE_WEBHOOK_SECRETS": secret,
        }


def _bearer(header: str) -> str | None:
    """The key of `Authorization: Bearer k` or of Basic auth with k as the user (curl -u k:)."""
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            user = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return user.partition(":")[0]
    return None


PROVIDER = Stripe()
