"""The HTTP contract implementation: answers become records, refusals PlatformError."""

from __future__ import annotations

import json

import httpx
import pytest

from golive.driver import PlatformClient
from golive.target import Deposit, Hold, NoAnswer, PlatformError, Withdrawal

DEPOSIT = {"id": "d1", "account_id": "a1", "amount": 500, "currency": "EUR", "psp": "stripe",
           "psp_reference": None, "status": "failed"}  # fmt: skip


def client_for(handler: httpx.MockTransport) -> PlatformClient:
    client = PlatformClient("http://platform.test")
    client.http = httpx.Client(base_url="http://platform.test", transport=handler)
    return client


def test_a_hold_answer_becomes_a_hold_and_the_key_is_sent() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        body = json.loads(request.content)
        return httpx.Response(201, json={
            "id": "h1", "account_id": body["account_id"], "amount": body["amount"],
            "currency": body["currency"], "status": "pending", "burned_amount": 0,
            "released_amount": 0, "expires_at": "2026-01-01T00:00:00Z"})  # fmt: skip

    hold = client_for(httpx.MockTransport(handle)).place_hold(
        "a1", 300, "EUR", expires_in_seconds=60, key="k-1"
    )
    assert hold == Hold("h1", "a1", 300, "EUR", "pending", 0, 0, "2026-01-01T00:00:00Z")
    assert seen[0].headers["Idempotency-Key"] == "k-1"
    assert json.loads(seen[0].content)["expires_in_seconds"] == 60


def test_a_refusal_carries_status_code_and_the_failed_deposit() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        error = {"code": "psp_unavailable", "field": None, "message": "down", "deposit": DEPOSIT}
        return httpx.Response(502, json={"error": error})

    with pytest.raises(PlatformError) as got:
        client_for(httpx.MockTransport(handle)).deposit("a1", 500, "EUR", "stripe")
    assert (got.value.status, got.value.code) == (502, "psp_unavailable")
    assert isinstance(got.value.resource, Deposit)
    assert got.value.resource.id == "d1"
    assert not isinstance(got.value.resource, Withdrawal)


def test_no_answer_is_no_answer() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    with pytest.raises(NoAnswer, match="GET /health"):
        client_for(httpx.MockTransport(handle)).health()


def test_entries_follow_the_cursor_to_the_end() -> None:
    def leg(i: int) -> dict[str, object]:
        return {"id": str(i), "transaction_id": "t", "account_id": "a",
                "account_kind": "customer_wallet", "direction": "credit", "amount": 1,
                "currency": "EUR"}  # fmt: skip

    def handle(request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor", "0"))
        nxt = str(start + 2) if start + 2 < 5 else None
        legs = [leg(i) for i in range(start, min(start + 2, 5))]
        return httpx.Response(200, json={"entries": legs, "next_cursor": nxt})

    client = client_for(httpx.MockTransport(handle))
    assert [e.id for e in client.entries(limit=2)] == ["0", "1", "2", "3", "4"]


def test_a_refusal_with_a_partial_record_is_still_a_platform_error() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        error = {"code": "psp_unavailable", "deposit": {"id": "d1"}}
        return httpx.Response(502, json={"error": error})

    with pytest.raises(PlatformError) as got:
        client_for(httpx.MockTransport(handle)).deposit("a1", 500, "EUR", "stripe")
    assert (got.value.status, got.value.code, got.value.resource) == (502, "psp_unavailable", None)
