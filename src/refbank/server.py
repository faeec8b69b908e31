"""Serving: check the schema, open the platform, run uvicorn, say where it listens."""

from __future__ import annotations

import logging
import socket

import uvicorn

from refbank.api import build_app
from refbank.config import Config
from refbank.migrations import migrate
from refbank.platform import RUNS_ON, Platform, check_schema

log = logging.getLogger("refbank")


class _Server(uvicorn.Server):
    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            host, port = self.servers[0].sockets[0].getsockname()[:2]
            print(f"listening on http://{host}:{port}", flush=True)


def serve(config: Config) -> None:
    if config.migrate:
        migrate(config.dsn, max(RUNS_ON[config.app_version]), faults=config.faults)
    schema = check_schema(config.app_version, config.dsn)
    # which faults are on is not logged: a harness must find them by testing
    log.info("refbank app v%s on schema v%s", config.app_version, schema)
    platform = Platform(config)
    try:
        app = build_app(platform)
        uv = uvicorn.Config(app, host=config.host, port=config.port, log_level="info")
        _Server(uv).run()
    finally:
        platform.close()
