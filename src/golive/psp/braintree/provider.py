"""The Braintree provider: error shape, Basic-auth keys, signed notifications, retries,
settlement report."""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Mapping
from datetime import UTC, date, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from golive.psp.braintree import api, notifications
from golive.psp.http import ApiError, StubRequest
from golive.psp.settlement import decimal

if TYPE_CHECKING:
    from golive.psp.stub import Stub

# Braintree retries a failed webhook for up to 24 hours; the stub: hourly three times, then
# every 3 hours (1 h × 3 + 3 h × 7 = 24 h).
RETRY_DELAYS: tuple[float, ...] = (3600.0,) * 3 + (10800.0,) * 7
REPORT_COLUMNS = (
    "Transaction ID",
    "Transaction Type",
    "Transaction Status",
    "Settlement Date",
    "Currency ISO Code",
    "Amount",
    "Fee",
    "Order ID",
    "Merchant Account ID",
)


class Braintree:
    name = "braintree"
    title = "Braintree"
    routes = api.ROUTES
    retry_delays = RETRY_DELAYS
    secret_overlap_s = 86400.0  # a replaced API key keeps signing while the platform switches
    user_agent = "Braintree Webhooks"
    signs_timestamp = False
    object_kinds = MappingProxyType(
        {"payments": api.OBJECTS["sale"], "payouts": "braintree_credit"}
    )
    magic = MappingProxyType(
        {
            "payment_method_nonce=fake-processor-declined-visa-nonce": "decline 2000",
            "amount of 1000.02 (minor units 100002)": "generic decline",
            "credit of 2000.01 (minor units 200001)": "settlement declined (account closed)",
        }
    )
    _OUTCOMES = MappingProxyType(
        {
            "payments": {"settled": "succeeded", "processor_declined": "failed",
                         "gateway_rejected": "failed", "voided": "failed"},
            "payouts": {"settled": "paid", "settlement_declined": "failed"},
        }
    )  # fmt: skip

    def error(self, status: int, message: str, *, kind: str = "invalid") -> ApiError:
        return api.error(status, message)

    def authenticate(self, stub: Stub, req: StubRequest) -> None:
        """Basic auth with the API key pair (any non-empty pair: the stub is a sandbox)."""
        scheme, _, value = (req.header("authorization") or "").strip().partition(" ")
        try:
            public, _, private = base64.b64decode(value, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            public = private = ""
        if scheme.lower() != "basic" or not public or not private or len(value) > 1024:
            raise api.error(401, "Authentication failed: send the API keys as Basic auth")

    def params(self, req: StubRequest) -> Any:
        try:
            return req.json()
        except ValueError:
            return req.body.decode("utf-8", errors="replace")

    def new_secret(self) -> str:
        return notifications.new_key_pair()

    def secret_problem(self, secret: str) -> str | None:
        return notifications.pair_problem(secret)

    def payload(self, event: dict[str, Any]) -> Any:
        xml = notifications.notification_xml(event["kind"], event["transaction"], event["at"])
        return notifications.payload(xml)

    def sign(self, payload: Any, keys: list[str], stamp: int) -> tuple[bytes, dict[str, str]]:
        form = {"bt_signature": notifications.signature(payload, keys), "bt_payload": payload}
        return urlencode(form).encode(), {"content-type": "application/x-www-form-urlencoded"}

    def verify(self, body: bytes, headers: Mapping[str, str], secret: str) -> bool:
        form = parse_qs(body.decode())
        sig, load = form.get("bt_signature", [""])[0], form.get("bt_payload", [""])[0]
        return notifications.verify(sig, load.encode(), secret)

    def on_pending(self, event: dict[str, Any], pending: int) -> None:
        return None

    def outcome(self, kind: str, status: str) -> str:
        return self._OUTCOMES[kind].get(status, "pending")

    def carried_ids(self, obj: Mapping[str, Any]) -> set[str]:
        return {str(obj["order_id"])} if obj.get("order_id") else set()

    def settlement_report(self, stub: Stub, day: date | None) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        with stub.lock:
            for row in list(stub.store("braintree_ledger").values()):
                settled = datetime.fromtimestamp(row["settled_at"], UTC)
                if day is not None and settled.date() != day:
                    continue
                cur = row["currency"]
                writer.writerow(
                    [
                        row["id"],
                        row["type"],
                        row["status"],
                        settled.strftime("%Y-%m-%d"),
                        cur,
                        decimal(row["value"], cur),
                        decimal(row["fee"], cur),
                        row["order_id"],
                        row["merchant_account_id"],
                    ]
                )
        return out.getvalue()

    def platform_env(self, api_base: str, secret: str) -> dict[str, str]:
        """Braintree signs webhooks with the API key pair: the secret is the platform's keys."""
        public, private = notifications.split_pair(secret)
        return {
            "REFBANK_BRAINTREE_API_BASE": api_base,
            "REFBANK_BRAINTREE_MERCHANT_ID": "golive",
            "REFBANK_BRAINTREE_PUBLIC_KEY": public,
            "REFBANK_BRAINTREE_PRIVATE_KEY": private,
        }


PROVIDER = Braintree()
