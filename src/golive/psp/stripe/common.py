"""Pieces every Stripe handler uses: rendering, lookup, lists, events, balance transactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from golive.psp.http import ApiError, StubResponse, clone, json_response, stripe_error
from golive.psp.stripe.params import Params

if TYPE_CHECKING:
    from golive.psp.stub import Stub

API_VERSION = "2024-06-20"
LIST_PARAMS = ("limit", "starting_after", "ending_before", "created")


def render(obj: dict[str, Any]) -> dict[str, Any]:
    """The public JSON of a stored object (internal `_fields` dropped)."""
    return {k: clone(v) for k, v in obj.items() if not k.startswith("_")}


def ok(obj: dict[str, Any]) -> StubResponse:
    return json_response(200, render(obj))


def missing(kind: str, obj_id: str, param: str = "id") -> ApiError:
    return stripe_error(
        404,
        f"No such {kind}: '{obj_id[:100]}'",
        code="resource_missing",
        param=param,
        replayable=True,
    )


def find(psp: Stub, kind: str, obj_id: str, param: str = "id") -> dict[str, Any]:
    obj = psp.get(kind, obj_id)
    if obj is None:
        raise missing(kind, obj_id, param)
    return obj


def unexpected_state(message: str, obj: dict[str, Any] | None = None) -> ApiError:
    extra: dict[str, Any] = {}
    if obj is not None and obj.get("object") == "payment_intent":
        extra["payment_intent"] = render(obj)
    return stripe_error(
        400, message, code="payment_intent_unexpected_state", replayable=True, **extra
    )


def emit(psp: Stub, event_type: str, obj: dict[str, Any]) -> None:
    """Record a Stripe event with a snapshot of `obj` and queue its webhooks."""
    event_id = psp.ids.stripe("evt")
    ctx = psp.request_context or {}
    body = {
        "id": event_id,
        "object": "event",
        "api_version": API_VERSION,
        "created": psp.now(),
        "data": {"object": render(obj)},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {"id": ctx.get("id"), "idempotency_key": ctx.get("idempotency_key")},
        "type": event_type,
    }
    psp.store("event")[event_id] = body
    psp.emit("stripe", event_id, event_type, body)


def created_filter(params: Params, field: str = "created") -> Callable[[dict[str, Any]], bool]:
    value = params.raw.get(field)
    if value is None:
        return lambda obj: True
    if isinstance(value, str):
        exact = params.integer(field)
        return lambda obj: obj.get(field) == exact
    if not isinstance(value, dict):
        raise stripe_error(400, f"Invalid {field}", param=field, code="parameter_invalid")
    bounds = Params(value, ("gt", "gte", "lt", "lte"))
    gt, gte = bounds.integer("gt"), bounds.integer("gte")
    lt, lte = bounds.integer("lt"), bounds.integer("lte")

    def keep(obj: dict[str, Any]) -> bool:
        v = obj.get(field)
        if not isinstance(v, int):
            return False
        return not (
            (gt is not None and v <= gt)
            or (gte is not None and v < gte)
            or (lt is not None and v >= lt)
            or (lte is not None and v > lte)
        )

    return keep


def page(params: Params, items: list[dict[str, Any]], url: str) -> StubResponse:
    """A Stripe list object; `items` newest first."""
    limit = params.integer("limit", minimum=1, maximum=100) or 10
    after = params.string("starting_after")
    before = params.string("ending_before")
    ids = [o["id"] for o in items]
    if after:
        if after not in ids:
            raise missing("object", after, "starting_after")
        start = ids.index(after) + 1
        chunk, more = items[start : start + limit], start + limit < len(items)
    elif before:
        if before not in ids:
            raise missing("object", before, "ending_before")
        end = ids.index(before)
        chunk, more = items[max(0, end - limit) : end], end - limit > 0
    else:
        chunk, more = items[:limit], len(items) > limit
    body = {"object": "list", "data": [render(o) for o in chunk], "has_more": more, "url": url}
    return json_response(200, body)


def newest_first(psp: Stub, kind: str) -> list[dict[str, Any]]:
    return list(reversed(psp.store(kind).values()))


def stripe_fee(amount: int) -> int:
    """The stub's fee model: 2.9% + 30 minor units, rounded half up."""
    return (amount * 29 + 500) // 1000 + 30


def balance_transaction(
    psp: Stub,
    *,
    type_: str,
    amount: int,
    currency: str,
    source: str,
    fee: int = 0,
    available_in: int = 0,
    description: str | None = None,
    category: str | None = None,
) -> str:
    now = psp.now()
    txn = psp.ids.stripe("txn")
    fee_details = []
    if fee:
        fee_details = [
            {
                "amount": fee,
                "application": None,
                "currency": currency,
                "description": "Stripe processing fees",
                "type": "stripe_fee",
            }
        ]
    psp.store("balance_transaction")[txn] = {
        "id": txn,
        "object": "balance_transaction",
        "amount": amount,
        "available_on": now + available_in,
        "created": now,
        "currency": currency,
        "description": description,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": fee_details,
        "net": amount - fee,
        "reporting_category": category or type_,
        "source": source,
        "status": "available" if available_in == 0 else "pending",
        "type": type_,
    }
    return txn
