"""An in-memory bank behind httpx.MockTransport: enough of the contract for the bank workload.

Correct by default; ``bugs`` switches on one of a few wrong behaviours so the checker's
findings can be tested without a real platform. Thread-safe (one lock), idempotent by key.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from golive.driver import PlatformClient
from golive.psp.client import FlushResult
from golive.target import Target

BUGS = ("double-burn", "bad-transfer-debits", "lose-answers", "race-holds", "key-check-then-act")
CHECK_THEN_ACT_GAP = 0.05  # seconds between looking a key up and doing the work


class FakeBank:
    def __init__(self, *bugs: str) -> None:
        assert set(bugs) <= set(BUGS), bugs
        self.bugs = set(bugs)
        self.lock = threading.Lock()
        self.accounts: dict[str, dict[str, int]] = {}
        self.holds: dict[str, dict[str, Any]] = {}
        self.deposits: dict[str, tuple[str, int]] = {}
        self.replies: dict[str, tuple[int, Any]] = {}
        self.calls = 0
        self.house = 0

    # -- the driver's side ---------------------------------------------------------------
    def client(self) -> PlatformClient:
        c = PlatformClient("http://bank.test")
        c.http = httpx.Client(
            base_url="http://bank.test", transport=httpx.MockTransport(self.handle)
        )
        return c

    def flush(self) -> FlushResult:  # everything was delivered at once
        return FlushResult(idle=True, attempts=0, scheduled=0, next_attempt_at=None)

    def deliver_due(self) -> None:  # what the workload asks of the PSP
        with self.lock:
            for dep_id, (acc, amount) in list(self.deposits.items()):
                self.accounts[acc]["available"] += amount
                del self.deposits[dep_id]

    # -- the platform's side -------------------------------------------------------------
    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        key = request.headers.get("idempotency-key")
        if key and "key-check-then-act" in self.bugs:
            with self.lock:
                stored = self.replies.get(key)
            if stored:
                return httpx.Response(
                    stored[0], json=stored[1], headers={"Idempotent-Replayed": "true"}
                )
            time.sleep(CHECK_THEN_ACT_GAP)  # the gap in which another request with the key gets in
            with self.lock:
                status, data = self.route(request.method, request.url.path, body)
                self.replies.setdefault(key, (status, data))  # stored after the work
            return httpx.Response(status, json=data)
        with self.lock:
            self.calls += 1
            if key and key in self.replies:
                status, data = self.replies[key]
                return httpx.Response(status, json=data, headers={"Idempotent-Replayed": "true"})
            status, data = self.route(request.method, request.url.path, body)
            if key and status < 500:
                self.replies[key] = (status, data)
            if "lose-answers" in self.bugs and request.method == "POST" and self.calls % 7 == 0:
                raise httpx.ReadTimeout("the answer was lost", request=request)
        return httpx.Response(status, json=data)

    def route(self, method: str, path: str, body: dict[str, Any]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        if (method, parts[0]) == ("POST", "accounts"):
            acc = str(uuid.uuid4())
            self.accounts[acc] = {"available": 0, "held": 0}
            return 201, {"id": acc, "owner_ref": body["owner_ref"], "currency": body["currency"]}
        if (method, parts[0]) == ("POST", "deposits"):
            dep = str(uuid.uuid4())
            self.deposits[dep] = (body["account_id"], body["amount"])
            return 201, {"id": dep, "account_id": body["account_id"], "amount": body["amount"],
                         "currency": body["currency"], "psp": body.get("psp", "stripe"),
                         "psp_reference": None, "status": "pending"}  # fmt: skip
        if method == "GET" and parts[0] == "accounts":
            a = self.accounts[parts[1]]
            return 200, {"account_id": parts[1], "currency": "EUR", "pending": 0, **a}
        if (method, parts[0]) == ("POST", "transfers"):
            return self.transfer(body)
        if parts[0] == "holds":
            return self.hold(method, parts, body)
        return 404, {"error": {"code": "not_found"}}

    def transfer(self, body: dict[str, Any]) -> tuple[int, Any]:
        src, dst, amount = body["from_account_id"], body["to_account_id"], body["amount"]
        a = self.accounts[src]
        if amount > a["available"]:
            return 409, {"error": {"code": "insufficient_funds"}}
        if dst not in self.accounts:
            if "bad-transfer-debits" in self.bugs:
                a["available"] -= amount
            return 404, {"error": {"code": "not_found"}}
        a["available"] -= amount
        self.accounts[dst]["available"] += amount
        return 201, {"id": str(uuid.uuid4()), "transaction_id": str(uuid.uuid4()),
                     "from_account_id": src, "to_account_id": dst, "amount": amount,
                     "currency": body["currency"]}  # fmt: skip

    def hold(self, method: str, parts: list[str], body: dict[str, Any]) -> tuple[int, Any]:
        if method == "POST" and len(parts) == 1:
            a, amount = self.accounts[body["account_id"]], body["amount"]
            if amount > a["available"] and "race-holds" not in self.bugs:
                return 409, {"error": {"code": "insufficient_funds"}}
            a["available"] -= amount
            a["held"] += amount
            hid = str(uuid.uuid4())
            self.holds[hid] = {
                "id": hid, "account_id": body["account_id"], "amount": amount,
                "currency": body["currency"], "status": "pending", "burned_amount": 0,
                "released_amount": 0, "expires_at": "2030-01-01T00:00:00+00:00",
            }  # fmt: skip
            return 201, dict(self.holds[hid])
        h = self.holds[parts[1]]
        if method == "GET":
            return 200, dict(h)
        if h["status"] != "pending" and not (parts[2] == "burn" and "double-burn" in self.bugs):
            return 409, {"error": {"code": "hold_not_pending"}}
        a, whole = self.accounts[h["account_id"]], h["amount"]
        take = body.get("amount", whole) if parts[2] == "burn" else 0
        a["held"] -= whole
        a["available"] += whole - take
        self.house += take
        if h["status"] == "pending":
            h.update(status="burned" if parts[2] == "burn" else "released", burned_amount=take,
                     released_amount=whole - take)  # fmt: skip
        return 200, dict(h)


def clients(bank: FakeBank) -> Callable[[], Target]:
    return bank.client
