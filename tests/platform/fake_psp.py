"""A minimal fake PSP (Stripe- and Adyen-shaped) that records what the platform sent it.

It only answers API calls; tests deliver webhooks themselves, signed the way Stripe and
Adyen sign them (see ``signing.py``). ``mode`` makes the next calls decline or fail.
"""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Call:
    path: str
    headers: dict[str, str]
    form: dict[str, str]
    json: Any


@dataclass
class FakePsp:
    calls: list[Call] = field(default_factory=list)
    mode: str = "ok"  # ok | decline | error
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _next(self, prefix: str) -> str:
        with self._lock:
            return f"{prefix}{next(self._ids):06d}"

    async def _record(self, request: Request) -> Call:
        form: dict[str, str] = {}
        body: Any = None
        if request.headers.get("content-type", "").startswith("application/x-www-form"):
            form = dict(parse_qsl((await request.body()).decode()))
        else:
            body = await request.json()
        call = Call(request.url.path, dict(request.headers), form, body)
        self.calls.append(call)
        return call

    async def stripe_payment_intent(self, request: Request) -> Response:
        call = await self._record(request)
        if self.mode == "error":
            return JSONResponse({"error": {"type": "api_error"}}, status_code=500)
        pi = {
            "id": self._next("pi_"),
            "object": "payment_intent",
            "amount": int(call.form["amount"]),
            "currency": call.form["currency"],
            "metadata": {"deposit_id": call.form.get("metadata[deposit_id]")},
            "status": "requires_payment_method" if self.mode == "decline" else "succeeded",
        }
        return JSONResponse(pi)

    async def stripe_payout(self, request: Request) -> Response:
        call = await self._record(request)
        if self.mode == "error":
            return JSONResponse({"error": {"type": "api_error"}}, status_code=500)
        if self.mode == "decline":
            err = {"code": "balance_insufficient", "type": "invalid_request_error"}
            return JSONResponse({"error": err}, status_code=400)
        po = {
            "id": self._next("po_"),
            "object": "payout",
            "amount": int(call.form["amount"]),
            "currency": call.form["currency"],
            "status": "pending",
            "metadata": {"withdrawal_id": call.form.get("metadata[withdrawal_id]")},
        }
        return JSONResponse(po)

    async def adyen_payment(self, request: Request) -> Response:
        await self._record(request)
        if self.mode == "error":
            return JSONResponse({"status": 500, "errorCode": "905"}, status_code=500)
        result = "Refused" if self.mode == "decline" else "Authorised"
        return JSONResponse({"pspReference": self._next("PSP"), "resultCode": result})

    async def adyen_payout(self, request: Request) -> Response:
        await self._record(request)
        if self.mode == "error":
            return JSONResponse({"status": 500, "errorCode": "905"}, status_code=500)
        result = "[payout-submit-refused]" if self.mode == "decline" else "[payout-submit-received]"
        return JSONResponse({"pspReference": self._next("PAY"), "resultCode": result})

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/stripe/v1/payment_intents", self.stripe_payment_intent, methods=["POST"]),
                Route("/stripe/v1/payouts", self.stripe_payout, methods=["POST"]),
                Route("/adyen/checkout/v71/payments", self.adyen_payment, methods=["POST"]),
                Route(
                    "/adyen/pal/servlet/Payout/v68/storeDetailAndSubmitThirdParty",
                    self.adyen_payout,
                    methods=["POST"],
                ),
            ]
        )

    def last(self, path_part: str) -> Call:
        return [c for c in self.calls if path_part in c.path][-1]
