"""The control API under /_stub/: what scenarios use to steer and inspect the stub."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from golive.psp.faults import parse_faults, scopes
from golive.psp.http import StubRequest, StubResponse, control_error, json_response
from golive.psp.model import webhook_url_problem
from golive.psp.provider import get as provider_named
from golive.psp.provider import names
from golive.psp.settlement import parse_date

if TYPE_CHECKING:
    from golive.psp.stub import Stub


def _body(req: StubRequest) -> dict[str, Any]:
    try:
        data = req.json()
    except ValueError:
        raise control_error(400, "the body is not valid JSON; send a JSON object") from None
    if not isinstance(data, dict):
        raise control_error(400, f"the body must be a JSON object, not {type(data).__name__}")
    return data


def _provider(value: Any) -> str:
    if value not in names():
        raise control_error(400, f"provider={value!r} is not one of {', '.join(names())}")
    return str(value)


def _number(
    data: dict[str, Any],
    name: str,
    default: float | None,
    *,
    low: float = 0,
    high: float = 10 * 365 * 86400,
) -> float:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise control_error(400, f"{name}={value!r} must be a number")
    if not low <= value <= high:
        raise control_error(400, f"{name}={value!r} must be between {low} and {high}")
    return float(value)


def _only(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name in data:
        if name not in allowed:
            raise control_error(400, f"unknown field {name!r}; allowed: {', '.join(allowed)}")


def reset(psp: Stub, req: StubRequest) -> StubResponse:
    psp.reset()
    return json_response(200, {"reset": True, "clock": psp.clock.snapshot()})


def health(psp: Stub, req: StubRequest) -> StubResponse:
    return json_response(200, {"ok": True})


def add_endpoint(psp: Stub, req: StubRequest) -> StubResponse:
    data = _body(req)
    _only(data, ("provider", "url", "secret", "enabled_events"))
    provider = _provider(data.get("provider"))
    url = data.get("url")
    problem = webhook_url_problem(url, allow_remote=psp.allow_remote_webhooks)
    if problem:
        raise control_error(400, f"url={str(url)[:200]!r} {problem}")
    secret = data.get("secret")
    if secret is not None:
        if not isinstance(secret, str) or not secret or len(secret) > 512:
            raise control_error(400, "secret must be a non-empty string (or omit it)")
        problem = provider_named(provider).secret_problem(secret)
        if problem:
            raise control_error(400, problem)
    events = data.get("enabled_events") or ["*"]
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise control_error(400, "enabled_events must be a list of event type strings")
    ep = psp.add_endpoint(provider, str(url), secret=secret, enabled_events=events)
    # The one place a secret leaves the stub: the caller registered it and needs it.
    return json_response(200, {**ep.public(), "secret": ep.keys[0].value})


def list_endpoints(psp: Stub, req: StubRequest) -> StubResponse:
    return json_response(200, {"endpoints": [e.public() for e in psp.endpoints.values()]})


def delete_endpoint(psp: Stub, req: StubRequest) -> StubResponse:
    endpoint_id = req.path_params["id"]
    if psp.endpoints.pop(endpoint_id, None) is None:
        raise control_error(404, f"no webhook endpoint {endpoint_id!r}")
    return json_response(200, {"id": endpoint_id, "deleted": True})


def get_faults(psp: Stub, req: StubRequest) -> StubResponse:
    return json_response(200, {"faults": psp.faults.public()})


def set_faults(psp: Stub, req: StubRequest) -> StubResponse:
    try:
        scope, faults = parse_faults(_body(req))
    except ValueError as exc:
        raise control_error(400, str(exc)) from None
    psp.faults.set(scope, faults)
    return json_response(200, {"faults": psp.faults.public()})


def clear_faults(psp: Stub, req: StubRequest) -> StubResponse:
    scope = req.query_params().get("provider")
    if scope is not None and scope not in scopes():
        raise control_error(400, f"provider={scope!r} is not one of {', '.join(scopes())}")
    psp.faults.clear(scope)
    with psp.cond:  # deliveries held for reordering go now
        psp.outbox.release_held(psp.clock.now())
        psp.cond.notify_all()
    return json_response(200, {"faults": psp.faults.public()})


def rotate_secret(psp: Stub, req: StubRequest) -> StubResponse:
    data = _body(req)
    _only(data, ("provider", "endpoint", "secret", "expires_in_seconds"))
    provider = _provider(data.get("provider"))
    candidates = [e for e in psp.endpoints.values() if e.provider == provider]
    wanted = data.get("endpoint")
    if wanted is not None:
        candidates = [e for e in candidates if wanted in (e.id, e.url)]
    if len(candidates) != 1:
        raise control_error(
            404 if not candidates else 400,
            f"endpoint={wanted!r} matches {len(candidates)} {provider} endpoints; name exactly "
            "one by id or url (it may be omitted when the provider has just one)",
        )
    secret = data.get("secret")
    if secret is not None:
        if not isinstance(secret, str) or not secret:
            raise control_error(400, "secret must be a non-empty string (or omit it)")
        problem = provider_named(provider).secret_problem(secret)
        if problem:
            raise control_error(400, problem)
    overlap = _number(data, "expires_in_seconds", provider_named(provider).secret_overlap_s)
    ep = candidates[0]
    new = psp.rotate_secret(ep, secret=secret, expires_in=overlap)
    return json_response(
        200, {"endpoint": ep.id, "secret": new, "previous_expires_at": psp.clock.now() + overlap}
    )


def get_clock(psp: Stub, req: StubRequest) -> StubResponse:
    return json_response(200, psp.clock.snapshot())


def advance_clock(psp: Stub, req: StubRequest) -> StubResponse:
    data = _body(req)
    _only(data, ("seconds", "step", "timeout_s"))
    seconds = _number(data, "seconds", None)
    timeout = _number(data, "timeout_s", 60.0, high=600)
    step = data.get("step", False)
    if not isinstance(step, bool):
        raise control_error(400, f"step={step!r} must be true or false")
    return json_response(200, psp.advance(seconds, step=step, timeout=timeout))


def set_speed(psp: Stub, req: StubRequest) -> StubResponse:
    data = _body(req)
    _only(data, ("speed",))
    psp.clock.set_speed(_number(data, "speed", None, high=1e6))
    with psp.cond:
        psp.cond.notify_all()
    return json_response(200, psp.clock.snapshot())


def deliveries(psp: Stub, req: StubRequest) -> StubResponse:
    q = req.query_params()
    if not isinstance(q, dict):  # e.g. "?0=a&1=b" decodes to a list
        raise control_error(400, "the query must be named filters, e.g. ?provider=stripe")
    filters = {k: q.get(k) for k in ("event_id", "provider", "status", "endpoint_id", "event_type")}
    for name, value in filters.items():
        if value is not None and not isinstance(value, str):
            raise control_error(400, f"{name} must be a plain string")
    rows = [
        d.public()
        for d in psp.outbox.log.values()
        if all(v is None or getattr(d, k) == v for k, v in filters.items())
    ]
    return json_response(200, {"deliveries": rows})


def flush(psp: Stub, req: StubRequest) -> StubResponse:
    data = _body(req)
    _only(data, ("timeout_s",))
    return json_response(200, psp.flush(_number(data, "timeout_s", 10.0, high=600)))


def state(psp: Stub, req: StubRequest) -> StubResponse:
    return json_response(200, psp.dump())


def settlement(psp: Stub, req: StubRequest) -> StubResponse:
    provider = _provider(req.path_params["provider"])
    raw = req.query_params().get("date")
    try:
        day = parse_date(raw)
    except ValueError as exc:
        raise control_error(400, str(exc)) from None
    text = provider_named(provider).settlement_report(psp, day)
    name = f"{provider}-settlement-{day or 'all'}.csv"
    headers = {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": f'attachment; filename="{name}"',
    }
    return StubResponse(200, text.encode("utf-8"), headers)


ROUTES = [
    ("POST", "/_stub/reset", reset),
    ("GET", "/_stub/health", health),
    ("POST", "/_stub/webhook-endpoints", add_endpoint),
    ("GET", "/_stub/webhook-endpoints", list_endpoints),
    ("DELETE", "/_stub/webhook-endpoints/{id}", delete_endpoint),
    ("GET", "/_stub/faults", get_faults),
    ("POST", "/_stub/faults", set_faults),
    ("DELETE", "/_stub/faults", clear_faults),
    ("POST", "/_stub/rotate-secret", rotate_secret),
    ("GET", "/_stub/clock", get_clock),
    ("POST", "/_stub/clock/advance", advance_clock),
    ("POST", "/_stub/clock/speed", set_speed),
    ("GET", "/_stub/deliveries", deliveries),
    ("POST", "/_stub/deliveries/flush", flush),
    ("GET", "/_stub/state", state),
    ("GET", "/_stub/settlement/{provider}", settlement),
]
BLOCKING = {"/_stub/deliveries/flush", "/_stub/clock/advance"}
