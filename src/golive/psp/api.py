"""The request pipeline shared by both faces (in-process and served): route, authenticate,
inject API faults, honour idempotency keys, call the handler, shape the answer."""

from __future__ import annotations

import hmac
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from golive.psp import provider as registry
from golive.psp.http import ApiError, StubRequest, StubResponse, control_error, json_response
from golive.psp.idempotency import MAX_KEY_LENGTH, fingerprint
from golive.psp.provider import Handler, Provider

log = logging.getLogger("golive.psp")


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str]
    blocking: bool  # waits for deliveries: run without the lock (and off the event loop)


class Router:
    def __init__(self, routes: Iterable[tuple[str, str, Handler]], blocking: set[str]) -> None:
        self.routes = [
            Route(method, template, handler, _compile(template), template in blocking)
            for method, template, handler in routes
        ]

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        for route in self.routes:
            m = route.pattern.fullmatch(path)
            if m and route.method == method:
                return route, m.groupdict()
        raise not_found(path, f"Unrecognized request URL ({method}: {path}).")


def _compile(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template))


def not_found(path: str, message: str) -> ApiError:
    provider = registry.of_path(path)
    if provider is None:
        return control_error(404, message)
    return provider.error(404, message, kind="not_found")


def handle(psp: Any, req: StubRequest) -> StubResponse:
    provider = registry.of_path(req.path)
    try:
        match: tuple[Route, dict[str, str]] = psp.router.match(req.method, req.path)
        route, req.path_params = match
        if provider is None:  # the control API
            if route.blocking:
                return route.handler(psp, req)
            with psp.lock:
                return route.handler(psp, req)
        with psp.lock:
            psp.tick()
            return _provider_call(psp, provider, route, req)
    except ApiError as exc:
        return exc.response()
    except Exception:  # a stub bug: answer in the provider's shape, keep serving
        log.exception("psp stub: unexpected error on %s %s", req.method, req.path)
        message = "The stub hit an internal error (a golive bug; see the server log)."
        if provider is None:
            return control_error(500, message).response()
        return provider.error(500, message, kind="server").response()


def _provider_call(psp: Any, provider: Provider, route: Route, req: StubRequest) -> StubResponse:
    name = provider.name
    provider.authenticate(psp, req)
    faults = psp.faults.effective(name)
    delay = faults.latency_ms / 1000
    if psp.faults.take(name, "fail_next_requests") or psp.faults.roll(name, "error_rate_5xx"):
        resp = _fault(provider)
        resp.delay_s = delay
        return resp
    key = req.header("idempotency-key") if req.method == "POST" else None
    fp = fingerprint(req.method, req.path, provider.params(req)) if key else ""
    now = psp.clock.now()
    request_id = psp.ids.stripe("req")
    headers = {"request-id": request_id}
    if key:
        if len(key) > MAX_KEY_LENGTH:
            raise provider.error(
                400, f"Idempotency-Key is longer than {MAX_KEY_LENGTH}.", kind="idempotency"
            )
        headers["idempotency-key"] = key
        saved = psp.idem.get(name, key, now)
        if saved is not None:
            if not hmac.compare_digest(saved.fingerprint, fp):
                raise provider.error(
                    400,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than {key!r} if you "
                    "meant to execute a different request.",
                    kind="idempotency",
                )
            old: StubResponse = saved.response
            replay = {**old.headers, **headers, "idempotent-replayed": "true"}
            return replace(old, headers=replay, delay_s=delay)
    psp.request_context = {"id": request_id, "idempotency_key": key}
    store = True
    try:
        resp = route.handler(psp, req)
    except ApiError as exc:
        resp, store = exc.response(), exc.replayable
    finally:
        psp.request_context = None
    resp.headers.update(headers)
    if key and store:
        psp.idem.put(name, key, fp, resp, now)
    if psp.faults.roll(name, "timeout_rate"):
        # The work is done; the answer is lost. Only a replay with the same key tells.
        resp = _fault(provider, status=504, message="(stub fault) request timed out")
        delay += faults.timeout_ms / 1000
    resp.delay_s = delay
    return resp


def _fault(provider: Provider, *, status: int = 500, message: str = "") -> StubResponse:
    message = message or "(stub fault) an error occurred while processing your request"
    return provider.error(status, message, kind="server").response()


def ok(data: Any, status: int = 200) -> StubResponse:
    return json_response(status, data)
