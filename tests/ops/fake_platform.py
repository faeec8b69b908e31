"""A tiny loopback HTTP server that answers like a platform (and a stub PSP's settlement
reports) from canned data, so the probes' sources and commands run against real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Canned:
    jobs: list[dict[str, Any]] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    deposits: dict[str, dict[str, Any]] = field(default_factory=dict)
    withdrawals: dict[str, dict[str, Any]] = field(default_factory=dict)
    settlement: dict[tuple[str, str], str] = field(default_factory=dict)  # (psp, date) → CSV
    requests: list[str] = field(default_factory=list)


def _handler(data: Canned) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, status: int, body: Any, ctype: str = "application/json") -> None:
            raw = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            q = {k: v[-1] for k, v in parse_qs(url.query).items()}
            data.requests.append(self.path)
            parts = url.path.strip("/").split("/")
            if url.path == "/jobs":
                jobs = [j for j in data.jobs if q.get("state") in (None, j["state"])
                        and q.get("kind") in (None, j["kind"])]  # fmt: skip
                return self._send(200, {"jobs": jobs[: int(q.get("limit", 1000))]})
            if url.path == "/ledger/entries":
                start, limit = int(q.get("cursor", 0)), int(q.get("limit", 100))
                page = data.entries[start : start + limit]
                more = start + limit < len(data.entries)
                cursor = str(start + limit) if more else None
                return self._send(200, {"entries": page, "next_cursor": cursor})
            if parts[0] in ("deposits", "withdrawals") and len(parts) == 2:
                store = data.deposits if parts[0] == "deposits" else data.withdrawals
                if parts[1] in store:
                    return self._send(200, store[parts[1]])
                return self._send(404, {"error": {"code": "not_found", "field": None,
                                                  "message": "no such record"}})  # fmt: skip
            if parts[:2] == ["_stub", "settlement"] and len(parts) == 3:
                key = (parts[2], q.get("date", ""))
                return self._send(200, data.settlement.get(key, _HEADERS[parts[2]]), "text/csv")
            return self._send(404, {"error": {"code": "not_found"}})

    return Handler


_HEADERS = {
    "stripe": "balance_transaction_id,created_utc,available_on_utc,currency,gross,fee,net,"
    "reporting_category,source_id,payment_intent_id,payout_id,description\n",
    "adyen": "Company Account,Merchant Account,Psp Reference,Merchant Reference,Payment Method,"
    "Creation Date,TimeZone,Type,Modification Reference,Gross Currency,Gross Debit (GC),"
    "Gross Credit (GC),Exchange Rate,Net Currency,Net Debit (NC),Net Credit (NC),"
    "Commission (NC),Markup (NC),Scheme Fees (NC),Interchange (NC),Payment Method Variant,"
    "Modification Merchant Reference,Batch Number\n",
}


@contextmanager
def serve(data: Canned) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(data))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def stripe_header() -> str:
    return _HEADERS["stripe"]


def adyen_header() -> str:
    return _HEADERS["adyen"]
