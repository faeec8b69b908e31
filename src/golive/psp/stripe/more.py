"""Stripe Payouts, Events, Webhook endpoints, Balance and Balance transactions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from golive.psp.http import StubRequest, StubResponse, json_response, stripe_error
from golive.psp.magic import PAYOUT_FAILURES, payout_failure
from golive.psp.model import webhook_url_problem
from golive.psp.signing import new_stripe_secret
from golive.psp.stripe.common import (
    API_VERSION,
    LIST_PARAMS,
    balance_transaction,
    created_filter,
    emit,
    find,
    missing,
    newest_first,
    ok,
    page,
    render,
)
from golive.psp.stripe.params import Params, bad, merge_metadata

if TYPE_CHECKING:
    from golive.psp.stub import Stub

ARRIVAL_SECONDS = {"standard": 86400, "instant": 1800}
IN_TRANSIT_AFTER = 60  # virtual seconds from pending to in_transit


def create_payout(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(
        req.form(),
        (
            "amount",
            "currency",
            "description",
            "metadata",
            "method",
            "destination",
            "statement_descriptor",
            "source_type",
        ),
    )
    amount = p.amount(required=True)
    assert amount is not None
    currency = p.currency()
    method = p.string("method", choices=("standard", "instant")) or "standard"
    destination = p.string("destination", max_length=200) or "ba_stub_default"
    source_type = p.string("source_type", choices=("bank_account", "card", "fpx")) or "card"
    now = psp.now()
    po_id = psp.ids.stripe("po")
    failure = None
    if psp.faults.take("stripe", "fail_next_payouts"):
        failure = "could_not_process"
    failure = failure or payout_failure(amount, destination)
    txn = balance_transaction(
        psp,
        type_="payout",
        amount=-amount,
        currency=str(currency),
        source=po_id,
        description=p.string("description"),
    )
    payout: dict[str, Any] = {
        "id": po_id,
        "object": "payout",
        "amount": amount,
        "arrival_date": now + ARRIVAL_SECONDS[method],
        "automatic": False,
        "balance_transaction": txn,
        "created": now,
        "currency": currency,
        "description": p.string("description"),
        "destination": destination,
        "failure_balance_transaction": None,
        "failure_code": None,
        "failure_message": None,
        "livemode": False,
        "metadata": p.metadata() or {},
        "method": method,
        "original_payout": None,
        "reconciliation_status": "not_applicable",
        "reversed_by": None,
        "source_type": source_type,
        "statement_descriptor": p.string("statement_descriptor", max_length=22),
        "status": "pending",
        "type": "bank_account",
        "_failure": failure,
    }
    psp.store("payout")[po_id] = payout
    emit(psp, "payout.created", payout)
    generation = psp.generation
    psp.schedule(now + IN_TRANSIT_AFTER, lambda: _in_transit(psp, po_id, generation))
    psp.schedule(payout["arrival_date"], lambda: _arrive(psp, po_id, generation))
    return ok(payout)


def _in_transit(psp: Stub, po_id: str, generation: int) -> None:
    payout = psp.get("payout", po_id)
    if generation == psp.generation and payout and payout["status"] == "pending":
        payout["status"] = "in_transit"
        emit(psp, "payout.updated", payout)


def _arrive(psp: Stub, po_id: str, generation: int) -> None:
    payout = psp.get("payout", po_id)
    if (
        generation != psp.generation
        or not payout
        or payout["status"] not in ("pending", "in_transit")
    ):
        return
    code = payout["_failure"]
    if code:
        payout["failure_balance_transaction"] = balance_transaction(
            psp,
            type_="payout_failure",
            amount=payout["amount"],
            currency=payout["currency"],
            source=po_id,
            category="payout_reversal",
        )
        payout.update(status="failed", failure_code=code, failure_message=PAYOUT_FAILURES[code])
        emit(psp, "payout.failed", payout)
    else:
        payout["status"] = "paid"
        emit(psp, "payout.paid", payout)


def cancel_payout(psp: Stub, req: StubRequest) -> StubResponse:
    payout = find(psp, "payout", req.path_params["id"])
    Params(req.form(), ())
    if payout["status"] != "pending":
        raise stripe_error(
            400,
            f"Payouts can only be canceled while they are pending; this one is {payout['status']}.",
            code="payout_not_cancelable",
            replayable=True,
        )
    balance_transaction(
        psp,
        type_="payout_cancel",
        amount=payout["amount"],
        currency=payout["currency"],
        source=payout["id"],
        category="payout_reversal",
    )
    payout["status"] = "canceled"
    emit(psp, "payout.canceled", payout)
    return ok(payout)


def update_payout(psp: Stub, req: StubRequest) -> StubResponse:
    payout = find(psp, "payout", req.path_params["id"])
    p = Params(req.form(), ("metadata",))
    payout["metadata"] = merge_metadata(payout["metadata"], p.metadata())
    return ok(payout)


def get_payout(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    return ok(find(psp, "payout", req.path_params["id"]))


def list_payouts(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), (*LIST_PARAMS, "status", "arrival_date", "destination"))
    keep, arrival = created_filter(p), created_filter(p, "arrival_date")
    status = p.string("status", choices=("pending", "in_transit", "paid", "failed", "canceled"))
    items = [o for o in newest_first(psp, "payout") if keep(o) and arrival(o)]
    items = [o for o in items if not status or o["status"] == status]
    return page(p, items, "/v1/payouts")


def get_event(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    return ok(find(psp, "event", req.path_params["id"]))


def list_events(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), (*LIST_PARAMS, "type", "types", "delivery_success"))
    keep = created_filter(p)
    one, many = p.string("type"), p.string_list("types")
    delivered = p.boolean("delivery_success")
    if one and many:
        raise bad("You may pass either type or types, but not both.", "types")
    patterns = many or ([one] if one else [])

    def wanted(event: dict[str, Any]) -> bool:
        if patterns and not any(_type_matches(pat, event["type"]) for pat in patterns):
            return False
        if delivered is not None:
            record = psp.events.get(event["id"])
            ok_ = record is not None and not record.pending
            return ok_ == delivered
        return True

    items = [e for e in newest_first(psp, "event") if wanted(e) and keep(e)]
    return page(p, items, "/v1/events")


def _type_matches(pattern: str, event_type: str) -> bool:
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


ENDPOINT_PARAMS = ("url", "enabled_events", "description", "metadata", "api_version", "connect")


def _url(psp: Stub, p: Params, required: bool) -> str | None:
    url = p.string("url", required=required, max_length=2048)
    problem = webhook_url_problem(url, allow_remote=psp.allow_remote_webhooks) if url else None
    if problem:
        raise bad(f"Invalid URL: {str(url)[:100]} {problem}.", "url", "url_invalid")
    return url


def _endpoint_json(psp: Stub, endpoint_id: str, *, secret: str | None = None) -> dict[str, Any]:
    ep = psp.endpoints.get(endpoint_id)
    if ep is None or ep.provider != "stripe":
        raise missing("webhook_endpoint", endpoint_id)
    body: dict[str, Any] = {
        "id": ep.id,
        "object": "webhook_endpoint",
        "api_version": ep.api_version,
        "application": None,
        "created": int(ep.created),
        "description": ep.description,
        "enabled_events": list(ep.enabled_events),
        "livemode": False,
        "metadata": dict(ep.metadata),
        "status": ep.status,
        "url": ep.url,
    }
    if secret:
        body["secret"] = secret
    return body


def create_endpoint(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), ENDPOINT_PARAMS)
    url = _url(psp, p, True)
    events = p.string_list("enabled_events")
    if not events:
        raise bad("Missing required param: enabled_events.", "enabled_events", "parameter_missing")
    secret = new_stripe_secret()
    ep = psp.add_endpoint(
        "stripe", str(url), secret=secret, enabled_events=events, endpoint_id=psp.ids.stripe("we")
    )
    ep.description = p.string("description")
    ep.metadata = p.metadata() or {}
    ep.api_version = p.string("api_version") or API_VERSION
    p.boolean("connect")
    return json_response(200, _endpoint_json(psp, ep.id, secret=secret))


def update_endpoint(psp: Stub, req: StubRequest) -> StubResponse:
    endpoint_id = req.path_params["id"]
    _endpoint_json(psp, endpoint_id)
    p = Params(req.form(), ("url", "enabled_events", "description", "metadata", "disabled"))
    ep = psp.endpoints[endpoint_id]
    url, events, disabled = (
        _url(psp, p, False),
        p.string_list("enabled_events"),
        p.boolean("disabled"),
    )
    if url:
        ep.url = url
    if events:
        ep.enabled_events = events
    if disabled is not None:
        ep.status = "disabled" if disabled else "enabled"
    if p.has("description"):
        ep.description = p.string("description")
    ep.metadata = merge_metadata(ep.metadata, p.metadata())
    return json_response(200, _endpoint_json(psp, endpoint_id))


def get_endpoint(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    return json_response(200, _endpoint_json(psp, req.path_params["id"]))


def delete_endpoint(psp: Stub, req: StubRequest) -> StubResponse:
    endpoint_id = req.path_params["id"]
    _endpoint_json(psp, endpoint_id)
    del psp.endpoints[endpoint_id]
    return json_response(200, {"id": endpoint_id, "object": "webhook_endpoint", "deleted": True})


def list_endpoints(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), ("limit", "starting_after", "ending_before"))
    eps = [e for e in reversed(psp.endpoints.values()) if e.provider == "stripe"]
    return page(p, [_endpoint_json(psp, e.id) for e in eps], "/v1/webhook_endpoints")


def _refresh(psp: Stub, txn: dict[str, Any]) -> dict[str, Any]:
    txn["status"] = "available" if txn["available_on"] <= psp.now() else "pending"
    return txn


def get_balance_transaction(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    return ok(_refresh(psp, find(psp, "balance_transaction", req.path_params["id"])))


def list_balance_transactions(psp: Stub, req: StubRequest) -> StubResponse:
    p = Params(req.form(), (*LIST_PARAMS, "type", "source", "currency", "payout"))
    keep = created_filter(p)
    kind, source, currency = p.string("type"), p.string("source"), p.string("currency")
    items = [_refresh(psp, t) for t in newest_first(psp, "balance_transaction") if keep(t)]
    items = [
        t
        for t in items
        if (not kind or t["type"] == kind)
        and (not source or t["source"] == source)
        and (not currency or t["currency"] == currency.lower())
    ]
    return page(p, items, "/v1/balance_transactions")


def get_balance(psp: Stub, req: StubRequest) -> StubResponse:
    Params(req.form(), ())
    available: dict[str, int] = {}
    pending: dict[str, int] = {}
    for txn in psp.store("balance_transaction").values():
        bucket = available if _refresh(psp, txn)["status"] == "available" else pending
        bucket[txn["currency"]] = bucket.get(txn["currency"], 0) + txn["net"]
    body = {
        "object": "balance",
        "available": [{"amount": v, "currency": c} for c, v in sorted(available.items())],
        "pending": [{"amount": v, "currency": c} for c, v in sorted(pending.items())],
        "livemode": False,
    }
    return json_response(200, render(body))


ROUTES = [
    ("POST", "/stripe/v1/payouts", create_payout),
    ("GET", "/stripe/v1/payouts", list_payouts),
    ("GET", "/stripe/v1/payouts/{id}", get_payout),
    ("POST", "/stripe/v1/payouts/{id}", update_payout),
    ("POST", "/stripe/v1/payouts/{id}/cancel", cancel_payout),
    ("GET", "/stripe/v1/events", list_events),
    ("GET", "/stripe/v1/events/{id}", get_event),
    ("POST", "/stripe/v1/webhook_endpoints", create_endpoint),
    ("GET", "/stripe/v1/webhook_endpoints", list_endpoints),
    ("GET", "/stripe/v1/webhook_endpoints/{id}", get_endpoint),
    ("POST", "/stripe/v1/webhook_endpoints/{id}", update_endpoint),
    ("DELETE", "/stripe/v1/webhook_endpoints/{id}", delete_endpoint),
    ("GET", "/stripe/v1/balance", get_balance),
    ("GET", "/stripe/v1/balance_transactions", list_balance_transactions),
    ("GET", "/stripe/v1/balance_transactions/{id}", get_balance_transaction),
]
