"""docs/adopting.md's worked example adapter: it passes the interface check and works."""

from __future__ import annotations

import json
import re
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from golive.target import PlatformError, load_target

DOC = Path(__file__).resolve().parents[2] / "docs" / "adopting.md"
MODULE = "wallety_golive"


@pytest.fixture
def wallety() -> Iterator[type]:
    """The example's module, made from the code block of the page."""
    [code] = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    module = types.ModuleType(MODULE)
    exec(compile(code, str(DOC), "exec"), module.__dict__)
    sys.modules[MODULE] = module
    try:
        yield load_target(f"{MODULE}:WalletyTarget")
    finally:
        del sys.modules[MODULE]


class FakeWallety:
    """Wallety's reservations: one wallet with 1000 spendable."""

    def __init__(self) -> None:
        self.free = 1_000
        self.resv: dict[str, dict[str, object]] = {}
        self.keys: list[str | None] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.keys.append(request.headers.get("Idempotency-Key"))
        body = json.loads(request.content) if request.content else {}
        parts = request.url.path.strip("/").split("/")
        if request.method == "POST" and len(parts) == 1:
            if body["minor"] > self.free:
                return httpx.Response(409, json={"problem": {"type": "NO_FUNDS"}})
            self.free -= body["minor"]
            rid = f"r{len(self.resv) + 1}"
            self.resv[rid] = {"reservation_id": rid, "wallet": body["wallet"],
                              "minor": body["minor"], "ccy": body["ccy"], "state": "OPEN",
                              "captured_minor": 0, "returned_minor": 0,
                              "lapses_at": "2030-01-01T00:00:00Z"}  # fmt: skip
            return httpx.Response(201, json=self.resv[rid])
        r = self.resv[parts[1]]
        if request.method == "GET":
            return httpx.Response(200, json=r)
        if r["state"] != "OPEN":
            return httpx.Response(409, json={"problem": {"type": "NOT_OPEN"}})
        if parts[2] == "capture":
            r.update(state="CAPTURED", captured_minor=body.get("minor", r["minor"]))
        else:
            r.update(state="CANCELLED", returned_minor=r["minor"])
        return httpx.Response(200, json=r)


def test_the_example_adapter_passes_the_check_and_translates_holds(wallety: type) -> None:
    fake = FakeWallety()
    target = wallety("http://wallety.test")
    target.http = httpx.Client(
        base_url="http://wallety.test", transport=httpx.MockTransport(fake.handle)
    )
    hold = target.place_hold("w1", 400, "EUR", key="k-1")
    assert (hold.id, hold.status, hold.amount, hold.currency) == ("r1", "pending", 400, "EUR")
    assert target.burn(hold.id, 150).status == "burned"
    assert target.get_hold(hold.id).burned_amount == 150
    with pytest.raises(PlatformError) as again:
        target.release(hold.id)
    assert (again.value.status, again.value.code) == (409, "hold_not_pending")
    with pytest.raises(PlatformError) as broke:
        target.place_hold("w1", 5_000, "EUR")
    assert broke.value.code == "insufficient_funds"
    assert fake.keys[0] == "k-1"
