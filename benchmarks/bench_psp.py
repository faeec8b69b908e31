"""The stub PSP's throughput and its own overhead, side by side in one run.

    python benchmarks/bench_psp.py [--requests N] [--deliveries N] [--budget SECONDS]

API: requests/s of the served stub (create-and-confirm a PaymentIntent; retrieve one) against
a bare Starlette endpoint served the same way (uvicorn, own process, same socket set-up)
answering a fixed JSON body of similar size, both driven by the same minimal keep-alive
socket clients. The ratio is the share of the serving stack's throughput the stub keeps.
Webhooks: deliveries/s of the stub's delivery threads (signing, logging, retry bookkeeping)
to a bare receiver, against the same number of threads POSTing the same bodies to it with
httpx directly. Also the in-process handler rate (no HTTP at all).

Every loop is bounded in count and in time. Writes benchmarks/results/psp.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "psp.json"
AUTH = {"authorization": "Bearer sk_test_bench"}
CLIENT_THREADS = 4
DELIVERY_THREADS = 4


def _serve(kind: str, conn: Any) -> None:
    """Child process: serve the stub or a bare endpoint on a free loopback port."""
    import uvicorn
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    from golive.psp import StubPSP, create_app
    from golive.psp.server import bind, uvicorn_config

    if kind == "stub":
        psp = StubPSP(speed=0, seed=1, delivery_threads=DELIVERY_THREADS)
        app = create_app(psp)
        psp.start()
    else:
        body = json.dumps(
            {
                "id": "pi_" + "x" * 24,
                "object": "payment_intent",
                "amount": 100,
                "status": "succeeded",
                "metadata": {},
            },
            indent=2,
        ).encode()

        async def endpoint(request: Any) -> Response:
            await request.body()
            return Response(body, media_type="application/json")

        app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
    sock = bind("127.0.0.1", 0)
    conn.send(sock.getsockname()[1])
    uvicorn.Server(uvicorn_config(app, "127.0.0.1", sock.getsockname()[1])).run(sockets=[sock])


@contextmanager
def served(kind: str) -> Iterator[str]:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=_serve, args=(kind, child), daemon=True)
    proc.start()
    try:
        if not parent.poll(60):
            raise RuntimeError(f"the {kind} server did not start")
        base = f"http://127.0.0.1:{parent.recv()}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/_stub/health", trust_env=False)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield base
    finally:
        proc.terminate()  # our own child, by its handle
        proc.join(10)


class RawClient:
    """A minimal keep-alive HTTP/1.1 client on a plain socket: cheap enough that the server,
    not the client, is what the API measurements time (httpx costs ms per call here)."""

    def __init__(self, base: str) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.host = f"{host}:{port}"
        self.buf = b""

    def request(self, method: str, path: str, body: bytes = b"") -> int:
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
            "Authorization: Bearer sk_test_bench\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        self.sock.sendall(head.encode() + body)
        while b"\r\n\r\n" not in self.buf:
            self.buf += self._recv()
        header, _, self.buf = self.buf.partition(b"\r\n\r\n")
        lines = header.decode("latin-1").split("\r\n")
        length = next(
            int(v)
            for k, _, v in (ln.partition(":") for ln in lines[1:])
            if k.lower() == "content-length"
        )
        while len(self.buf) < length:
            self.buf += self._recv()
        self.buf = self.buf[length:]
        return int(lines[0].split()[1])

    def _recv(self) -> bytes:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("server closed the connection")
        return chunk

    def close(self) -> None:
        self.sock.close()


def hammer(
    base: str, call: Callable[[Any], int], *, count: int, budget: float, raw: bool = True
) -> dict[str, Any]:
    """`count` calls from CLIENT_THREADS keep-alive clients, or until `budget` seconds pass."""
    lock = threading.Lock()
    done = [0, 0]  # calls, errors
    stop = time.monotonic() + budget

    def work() -> None:
        client: Any = RawClient(base) if raw else httpx.Client(base_url=base, trust_env=False)
        try:
            while time.monotonic() < stop:
                with lock:
                    if done[0] >= count:
                        return
                    done[0] += 1
                try:
                    failed = call(client) >= 400
                except Exception:  # counted: a benchmark with errors exits non-zero
                    failed = True
                if failed:
                    with lock:
                        done[1] += 1
        finally:
            client.close()

    threads = [threading.Thread(target=work) for _ in range(CLIENT_THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - start
    return {
        "calls": done[0],
        "errors": done[1],
        "seconds": round(seconds, 3),
        "per_second": round(done[0] / seconds, 1),
    }


def bench_api(count: int, budget: float) -> dict[str, Any]:
    create = b"amount=1000&currency=eur&confirm=true&metadata[order]=o-1"
    out: dict[str, Any] = {}
    with served("stub") as stub:
        first = httpx.post(
            f"{stub}/stripe/v1/payment_intents", headers=AUTH, content=create, trust_env=False
        ).json()["id"]
        out["stub_create"] = hammer(
            stub,
            lambda c: c.request("POST", "/stripe/v1/payment_intents", create),
            count=count,
            budget=budget,
        )
        out["stub_retrieve"] = hammer(
            stub,
            lambda c: c.request("GET", f"/stripe/v1/payment_intents/{first}"),
            count=count,
            budget=budget,
        )
    with served("bare") as bare:
        out["bare_post"] = hammer(
            bare, lambda c: c.request("POST", "/x", create), count=count, budget=budget
        )
        out["bare_get"] = hammer(bare, lambda c: c.request("GET", "/x"), count=count, budget=budget)
    return out


def bench_deliveries(count: int, budget: float) -> dict[str, Any]:
    copies = 10
    events = max(1, count // copies)
    with served("bare") as receiver, served("stub") as stub:
        control = httpx.Client(base_url=f"{stub}/_stub", trust_env=False, timeout=budget + 30)
        control.post(
            "/webhook-endpoints",
            json={
                "provider": "stripe",
                "url": f"{receiver}/hook",
                "enabled_events": ["payout.created"],
            },
        )
        # Queue everything first (due in a minute of frozen virtual time), then release at once.
        control.post("/faults", json={"duplicate_webhooks": copies - 1, "webhook_delay_s": 60})
        with httpx.Client(base_url=stub, trust_env=False) as api:
            for _ in range(events):
                api.post(
                    "/stripe/v1/payouts", headers=AUTH, data={"amount": "100", "currency": "eur"}
                )
        control.post("/faults", json={})  # the queued deliveries keep their schedule
        start = time.perf_counter()
        control.post("/clock/advance", json={"seconds": 60})
        flushed = control.post("/deliveries/flush", json={"timeout_s": budget}).json()
        seconds = time.perf_counter() - start
        log = control.get("/deliveries").json()["deliveries"]
        delivered = sum(1 for d in log if d["status"] == "succeeded")
        payload = httpx.get(
            f"{stub}/stripe/v1/events?limit=1", headers=AUTH, trust_env=False
        ).json()["data"][0]
        body = json.dumps(payload, indent=2).encode()
        stub_rate = {
            "deliveries": delivered,
            "queued": len(log),
            "idle": flushed["idle"],
            "seconds": round(seconds, 3),
            "per_second": round(delivered / seconds, 1),
        }
        headers = {"content-type": "application/json", "stripe-signature": "t=1,v1=" + "0" * 64}
        raw = hammer(
            receiver,
            lambda c: c.post("/hook", content=body, headers=headers).status_code,
            count=delivered or count,
            budget=budget,
            raw=False,
        )
        control.close()
    return {"stub": stub_rate, "raw_posts": raw}


def bench_in_process(count: int, budget: float) -> dict[str, Any]:
    from golive.psp import StubPSP

    psp = StubPSP(speed=0, seed=1)
    body = "amount=1000&currency=eur&confirm=true&metadata[order]=o-1"
    n, stop, start = 0, time.monotonic() + budget, time.perf_counter()
    while n < count and time.monotonic() < stop:
        psp.handle("POST", "/stripe/v1/payment_intents", headers=AUTH, body=body)
        n += 1
    seconds = time.perf_counter() - start
    return {"calls": n, "seconds": round(seconds, 3), "per_second": round(n / seconds, 1)}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="API calls per measurement")
    parser.add_argument("--deliveries", type=int, default=1000, help="webhook deliveries")
    parser.add_argument("--budget", type=float, default=30.0, help="seconds cap per measurement")
    args = parser.parse_args(argv)
    api = bench_api(args.requests, args.budget)
    hooks = bench_deliveries(args.deliveries, args.budget)
    local = bench_in_process(args.requests, args.budget)
    ratios = {
        "create_vs_bare_post": round(
            api["stub_create"]["per_second"] / api["bare_post"]["per_second"], 3
        ),
        "retrieve_vs_bare_get": round(
            api["stub_retrieve"]["per_second"] / api["bare_get"]["per_second"], 3
        ),
        "deliveries_vs_raw_posts": round(
            hooks["stub"]["per_second"] / hooks["raw_posts"]["per_second"], 3
        ),
    }
    rows = [
        (
            "API create+confirm PaymentIntent",
            api["stub_create"]["per_second"],
            api["bare_post"]["per_second"],
            ratios["create_vs_bare_post"],
        ),
        (
            "API retrieve PaymentIntent",
            api["stub_retrieve"]["per_second"],
            api["bare_get"]["per_second"],
            ratios["retrieve_vs_bare_get"],
        ),
        (
            "webhook deliveries",
            hooks["stub"]["per_second"],
            hooks["raw_posts"]["per_second"],
            ratios["deliveries_vs_raw_posts"],
        ),
    ]
    print(f"{'measure':36} {'stub/s':>10} {'bare/s':>10} {'ratio':>7}")
    for name, stub, bare, ratio in rows:
        print(f"{name:36} {stub:>10.1f} {bare:>10.1f} {ratio:>7.3f}")
    print(f"{'in-process handler (no HTTP)':36} {local['per_second']:>10.1f}")
    errors = sum(m["errors"] for m in api.values()) + hooks["raw_posts"]["errors"]
    result = {
        "benchmark": "psp",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average": os.getloadavg(),
        },
        "settings": {
            "client_threads": CLIENT_THREADS,
            "delivery_threads": DELIVERY_THREADS,
            **vars(args),
        },
        "api": api,
        "webhooks": hooks,
        "in_process": local,
        "ratios": ratios,
        "errors": errors,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS.relative_to(HERE.parent)}")
    return 1 if errors or not hooks["stub"]["idle"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
