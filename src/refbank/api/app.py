"""The Starlette application: routes, JSON errors, and the contract document."""

from __future__ import annotations

import logging
from importlib import resources

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from refbank.api import routes
from refbank.api.routes import Handler
from refbank.errors import ApiError
from refbank.platform import Platform

log = logging.getLogger("refbank")


def contract_document() -> bytes:
    """docs/platform-contract.yaml, shipped in the package as refbank/platform-contract.yaml."""
    return resources.files("refbank").joinpath("platform-contract.yaml").read_bytes()


async def api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return JSONResponse(exc.body(), status_code=exc.status)


def guarded(handler: Handler) -> Handler:
    """Answer an unexpected error with a JSON 500 (logged) and keep the connection usable."""

    async def run(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError:
            raise
        except Exception as exc:
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            err = {"code": "internal_error", "field": None, "message": type(exc).__name__}
            return JSONResponse({"error": err}, status_code=500)

    return run


def by_method(handlers: dict[str, Handler]) -> Handler:
    """One route per path, so a 405 names every method the path has in its Allow header."""

    async def run(request: Request) -> Response:
        method = "GET" if request.method == "HEAD" else request.method
        return await handlers[method](request)

    return run


def build_app(platform: Platform) -> Starlette:
    """The HTTP API over ``platform`` (which the caller opens and closes)."""
    paths: dict[str, dict[str, Handler]] = {}
    for method, path, fn in routes.ROUTES:
        paths.setdefault(path, {})[method] = guarded(fn)
    app = Starlette(
        routes=[Route(p, by_method(h), methods=list(h)) for p, h in paths.items()],
        exception_handlers={ApiError: api_error},
    )
    app.state.platform = platform
    app.state.contract = contract_document()
    return app
