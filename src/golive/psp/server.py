"""The served face: the same handlers behind Starlette on uvicorn, in a thread or a process."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from golive.psp import api
from golive.psp.client import StubControl
from golive.psp.http import StubRequest
from golive.psp.state import StubPSP

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def create_app(psp: StubPSP) -> Starlette:
    """An ASGI app that passes every request to `psp` unchanged."""

    async def endpoint(request: Request) -> Response:
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        req = StubRequest(request.method, request.url.path, request.url.query, headers, body)
        if psp.is_blocking(req.method, req.path):
            resp = await run_in_threadpool(api.handle, psp, req)
        else:
            resp = api.handle(psp, req)
        if resp.delay_s > 0:
            await asyncio.sleep(resp.delay_s)
        return Response(resp.body, status_code=resp.status, headers=resp.headers)

    return Starlette(routes=[Route("/{path:path}", endpoint, methods=METHODS)])


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets that say they are
    # TCP, and without it every answer waits ~40 ms for a delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def _local_url(host: str, port: int) -> str:
    host = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def uvicorn_config(app: Starlette, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
        timeout_graceful_shutdown=3,
    )


@dataclass
class RunningStub:
    """A served stub; `stop()` (or leaving `running_stub`) ends it."""

    psp: StubPSP
    host: str
    port: int
    control: StubControl
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _sock: socket.socket = field(repr=False)

    @property
    def base_url(self) -> str:
        """Where this process reaches the stub (loopback when it listens on every interface)."""
        return _local_url(self.host, self.port)

    @property
    def stripe_base(self) -> str:
        """Give this to the stripe SDK: `stripe.api_base = stub.stripe_base`."""
        return f"{self.base_url}/stripe"

    @property
    def adyen_base(self) -> str:
        return f"{self.base_url}/adyen"

    @property
    def control_base(self) -> str:
        return f"{self.base_url}/_stub"

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.psp.stop()
        self.control.close()
        self._sock.close()


def serve_in_thread(
    psp: StubPSP | None = None, *, host: str = "127.0.0.1", port: int = 0, **options: Any
) -> RunningStub:
    """Serve `psp` (or a new StubPSP(**options)) on host:port (0 = a free port)."""
    psp = psp or StubPSP(**options)
    sock = bind(host, port)
    actual_port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn_config(create_app(psp), host, actual_port))
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="psp-stub-server", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError(f"the PSP stub did not start on {host}:{actual_port}")
        time.sleep(0.01)
    psp.start()
    control = StubControl(_local_url(host, actual_port))
    return RunningStub(psp, host, actual_port, control, server, thread, sock)


@contextmanager
def running_stub(
    host: str = "127.0.0.1", port: int = 0, *, speed: float = 1.0, **options: Any
) -> Iterator[RunningStub]:
    """`with running_stub() as stub:` a served stub, stopped on exit."""
    stub = serve_in_thread(host=host, port=port, speed=speed, **options)
    try:
        yield stub
    finally:
        stub.stop()
