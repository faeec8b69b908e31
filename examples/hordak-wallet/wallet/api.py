"""The wallet's HTTP conventions: JSON bodies, decimal-string amounts, its own error body
``{"problem": {"type": "...", "detail": "...", "field": ...}}``, and Idempotency-Key replay."""

import hashlib
import json
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from moneyed import get_currency

from wallet import faults
from wallet.models import Replay

CURRENCIES = ("EUR", "USD", "GBP", "JPY", "BHD")


class Problem(Exception):
    def __init__(self, status: int, type_: str, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.type, self.detail, self.field = status, type_, detail, field

    def response(self) -> JsonResponse:
        body = {"problem": {"type": self.type, "detail": self.detail, "field": self.field}}
        return JsonResponse(body, status=self.status)


def places(currency: str) -> int:
    sub = get_currency(currency).sub_unit
    return len(str(sub)) - 1  # 100 → 2, 1 → 0, 1000 → 3


def fmt(amount: Decimal, currency: str) -> str:
    """A decimal string in major units with the currency's own places: "10.50", "1000"."""
    return str(Decimal(amount).quantize(Decimal(1).scaleb(-places(currency))))


def parse_amount(value: Any, currency: str, field: str = "amount") -> Decimal:
    """A positive amount given as a decimal string with at most the currency's places."""
    if not isinstance(value, str):
        raise Problem(400, "BAD_AMOUNT", 'amounts are decimal strings, e.g. "10.50"', field)
    try:
        if faults.on("float-amounts"):
            # FAULT float-amounts: the amount takes a trip through float and is cut to the
            # currency's places ("12.29" → 12.289999… → 12.28)
            amount = Decimal(float(value)).quantize(
                Decimal(1).scaleb(-places(currency)), rounding=ROUND_DOWN
            )
        else:
            amount = Decimal(value)
    except (InvalidOperation, ValueError):
        raise Problem(400, "BAD_AMOUNT", f"{value!r} is not a decimal amount", field) from None
    if not amount.is_finite() or amount <= 0:
        raise Problem(400, "BAD_AMOUNT", f"{value!r} is not a positive amount", field)
    if amount != amount.quantize(Decimal(1).scaleb(-places(currency))):
        raise Problem(400, "BAD_AMOUNT", f"{value!r} has more places than {currency}", field)
    return amount


def parse_currency(value: Any) -> str:
    if value not in CURRENCIES:
        raise Problem(
            400, "BAD_CURRENCY", f"{value!r} is not one of {', '.join(CURRENCIES)}", "currency"
        )
    return str(value)


def body(request: HttpRequest) -> dict[str, Any]:
    if not request.body:
        return {}
    try:
        data = json.loads(request.body)
    except ValueError:
        raise Problem(400, "BAD_JSON", "the body is not JSON") from None
    if not isinstance(data, dict):
        raise Problem(400, "BAD_JSON", "the body is not a JSON object")
    return data


def endpoint(view: Callable[..., JsonResponse]) -> Callable[..., JsonResponse]:
    """Problems become the error body."""

    def wrapped(request: HttpRequest, *args: Any, **kw: Any) -> JsonResponse:
        try:
            return view(request, *args, **kw)
        except Problem as p:
            return p.response()

    wrapped.__name__ = view.__name__
    return wrapped


def once(request: HttpRequest, work: Callable[[], tuple[int, Any]]) -> JsonResponse:
    """Run a mutating request once per Idempotency-Key: the same request again replays the
    first answer; the key with another body is refused. Refusals (4xx) are not kept."""
    given = request.headers.get("Idempotency-Key")
    if not given:
        status, data = work()
        return JsonResponse(data, status=status, safe=False)
    # a key is scoped to the endpoint and resource it was sent to (as Stripe scopes keys to an
    # account): the same key on another wallet's path is another key
    key = hashlib.sha256(f"{request.method} {request.path} {given}".encode()).hexdigest()
    fingerprint = hashlib.sha256(request.body).hexdigest()
    try:
        with transaction.atomic():
            Replay.objects.create(key=key, fingerprint=fingerprint)
    except IntegrityError:
        seen = Replay.objects.get(key=key)
        if seen.fingerprint != fingerprint:
            raise Problem(
                422,
                "KEY_REUSED",
                "this Idempotency-Key was used for another request",
                "Idempotency-Key",
            ) from None
        if seen.status is None:
            raise Problem(
                409, "IN_PROGRESS", "the first request with this key is still running"
            ) from None
        return JsonResponse(seen.body, status=seen.status, safe=False)
    try:
        status, data = work()
    except Problem as p:
        Replay.objects.filter(key=key).delete()
        if p.status >= 500 and isinstance(p, Kept):
            Replay.objects.create(
                key=key, fingerprint=fingerprint, status=p.status, body=p.response_body()
            )
        raise p from None
    except BaseException:
        Replay.objects.filter(key=key).delete()
        raise
    Replay.objects.filter(key=key).update(status=status, body=data)
    return JsonResponse(data, status=status, safe=False)


class Kept(Problem):
    """A failure whose answer is kept for the key (the PSP refused: the top-up is failed)."""

    def __init__(self, status: int, type_: str, detail: str, extra: dict[str, Any]) -> None:
        super().__init__(status, type_, detail)
        self.extra = extra

    def response_body(self) -> dict[str, Any]:
        return {"problem": {"type": self.type, "detail": self.detail, "field": None}} | self.extra

    def response(self) -> JsonResponse:
        return JsonResponse(self.response_body(), status=self.status)
