"""Arbitrary requests at every route: the stub never answers 5xx unless a fault asked for
it, and never dies. In-process (fast, many examples) and served (through uvicorn)."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive.psp import RunningStub, StubPSP

STRIPE_AUTH = {"authorization": "Bearer sk_test_props"}
ADYEN_AUTH = {"x-api-key": "props"}
# Faults and speed change what "5xx" and "fast" mean; they get their own property below.
EXCLUDED = {"/_stub/faults", "/_stub/clock/speed"}
NAMES = [
    "amount",
    "currency",
    "confirm",
    "capture_method",
    "payment_method",
    "metadata",
    "amount_to_capture",
    "payment_intent",
    "charge",
    "limit",
    "starting_after",
    "ending_before",
    "created",
    "type",
    "types",
    "delivery_success",
    "url",
    "enabled_events",
    "destination",
    "method",
    "reason",
    "cancellation_reason",
    "description",
    "expand",
    "disabled",
    "status",
    "merchantAccount",
    "reference",
    "paymentMethod",
    "additionalData",
    "originalReference",
    "bank",
    "seconds",
    "step",
    "timeout_s",
    "provider",
    "secret",
    "endpoint",
    "expires_in_seconds",
    "event_id",
    "date",
]

ROUTES = [r for r in StubPSP(speed=0).router.routes if r.template not in EXCLUDED]
names = st.one_of(st.sampled_from(NAMES), st.text(min_size=1, max_size=12))
scalars = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.sampled_from(
        [
            "true",
            "false",
            "",
            "eur",
            "EUR",
            "jpy",
            "manual",
            "pm_card_visa",
            "pm_card_chargeDeclined",
            "*",
            "http://127.0.0.1:9/h",
            "2024-01-01",
        ]
    ),
    st.text(max_size=30),
)
form_values = st.recursive(
    scalars, lambda inner: st.dictionaries(names, inner, max_size=4), max_leaves=8
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**15), 10**15) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(names, inner, max_size=5),
    max_leaves=12,
)
segment = st.one_of(
    st.text(min_size=1, max_size=20).map(lambda s: quote(s, safe="")),
    st.sampled_from(["pi_x", "po_x", "XXXXXXXXXXXXXXXX", "stripe", "adyen"]),
)


def _encode(prefix: str, value: Any) -> list[str]:
    if isinstance(value, dict):
        out: list[str] = []
        for k, v in value.items():
            out += _encode(f"{prefix}[{k}]" if prefix else str(k), v)
        return out
    return [f"{quote(prefix, safe='[]')}={quote(str(value), safe='')}"]


@st.composite
def requests(draw: st.DrawFn, ids: list[str]) -> tuple[str, str, str, dict[str, str], bytes]:
    route = draw(st.sampled_from(ROUTES))
    path = route.template
    for name in re.findall(r"\{(\w+)\}", path):
        path = path.replace(
            f"{{{name}}}", draw(st.sampled_from(ids) | segment) if ids else draw(segment)
        )
    kind = draw(st.sampled_from(["form", "json", "bytes", "empty"]))
    if kind == "form":
        body = "&".join(_encode("", draw(st.dictionaries(names, form_values, max_size=6)))).encode()
    elif kind == "json":
        body = json.dumps(
            draw(st.dictionaries(names, json_values, max_size=6)), allow_nan=True
        ).encode()
    elif kind == "bytes":
        body = draw(st.binary(max_size=200))
    else:
        body = b""
    query = "&".join(_encode("", draw(st.dictionaries(names, form_values, max_size=3))))
    headers = {**STRIPE_AUTH, **ADYEN_AUTH, "content-type": "application/x-www-form-urlencoded"}
    if draw(st.booleans()):
        headers["idempotency-key"] = draw(st.text(alphabet="abc", min_size=1, max_size=3))
    if draw(st.integers(0, 9)) == 0:
        headers = {}
    return route.method, path, query, headers, body


def _seed(stub: StubPSP) -> list[str]:
    """A few real objects so that ids in paths sometimes exist."""
    made = []
    for body in (
        "amount=100&currency=eur&capture_method=manual&confirm=true",
        "amount=100&currency=eur&confirm=true",
    ):
        made.append(
            stub.handle(
                "POST", "/stripe/v1/payment_intents", headers=STRIPE_AUTH, body=body
            ).json()["id"]
        )
    made.append(
        stub.handle(
            "POST", "/stripe/v1/payouts", headers=STRIPE_AUTH, body="amount=5&currency=eur"
        ).json()["id"]
    )
    adyen = json.dumps(
        {
            "amount": {"value": 100, "currency": "EUR"},
            "merchantAccount": "M",
            "reference": "r",
            "paymentMethod": {"type": "scheme"},
            "additionalData": {"manualCapture": "true"},
        }
    )
    made.append(
        stub.handle("POST", "/adyen/checkout/v71/payments", headers=ADYEN_AUTH, body=adyen).json()[
            "pspReference"
        ]
    )
    return made


IN_PROCESS = StubPSP(speed=0, seed=1)
IN_PROCESS_IDS = _seed(IN_PROCESS)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_in_process_never_5xx(data: st.DataObject) -> None:
    method, path, query, headers, body = data.draw(requests(IN_PROCESS_IDS))
    r = IN_PROCESS.handle(method, path, query=query, headers=headers, body=body)
    assert r.status < 500, (method, path, r.status, r.body[:500])
    assert 200 <= r.status < 300 or r.status in (400, 401, 402, 404), r.status
    if r.headers.get("content-type", "").startswith("application/json"):
        json.loads(r.body)
    assert IN_PROCESS.handle("GET", "/_stub/health").status == 200


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.data())
def test_served_never_5xx(psp_stub: RunningStub, data: st.DataObject) -> None:
    method, path, query, headers, body = data.draw(requests([]))
    with httpx.Client(base_url=psp_stub.base_url, trust_env=False, timeout=60) as http:
        r = http.request(
            method, path + (f"?{query}" if query else ""), headers=headers, content=body
        )
        assert r.status_code < 500, (method, path, r.status_code, r.text[:500])
        assert http.get("/_stub/health").status_code == 200


@settings(max_examples=100, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [*NAMES, "latency_ms", "error_rate_5xx", "duplicate_webhooks", "reorder_webhooks"]
        ),
        json_values,
        max_size=4,
    )
)
def test_fault_bodies_are_validated(body: dict[str, Any]) -> None:
    stub = StubPSP(speed=0)
    r = stub.handle("POST", "/_stub/faults", body=json.dumps(body).encode())
    assert r.status in (200, 400)
    r = stub.handle("POST", "/_stub/clock/speed", body=json.dumps(body).encode())
    assert r.status in (200, 400)
