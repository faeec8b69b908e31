"""The request pipeline shared by both faces (in-process and served): route, authenticate,
inject API faults, honour idempotency keys, call the handler, shape the answer."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from golive.psp.http import (
    ApiError,
    StubRequest,
    StubResponse,
    adyen_error,
    control_error,
    json_response,
    stripe_error,
)
from golive.psp.idempotency import MAX_KEY_LENGTH, fingerprint

if TYPE_CHECKING:
    from golive.psp.state import StubPSP

Handler = Callable[["StubPSP", StubRequest], StubResponse]
log = logging.getLogger("golive.psp")
_STRIPE_KEY = re.compile(r"^(sk|rk)_test_[A-Za-z0-9_]{1,247}$")


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
        raise not_found(provider_of(path), f"Unrecognized request URL ({method}: {path}).")


def _compile(template: str) -> re.Pattern[str]:
    return re.compile(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template))


def provider_of(path: str) -> str:
    for prefix in ("stripe", "adyen", "_stub"):
        if path.startswith(f"/{prefix}/"):
            return "control" if prefix == "_stub" else prefix
    return "control"


def not_found(provider: str, message: str) -> ApiError:
    if provider == "stripe":
        return stripe_error(404, message)
    if provider == "adyen":
        return adyen_error(404, message, code="000", error_type="validation")
    return control_error(404, message)


def handle(psp: StubPSP, req: StubRequest) -> StubResponse:
    provider = provider_of(req.path)
    try:
        route, req.path_params = psp.router.match(req.method, req.path)
        if provider == "control":
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
        if provider == "adyen":
            return adyen_error(500, message, code="905", error_type="internal").response()
        return stripe_error(500, message, type_="api_error").response()


def _provider_call(psp: StubPSP, provider: str, route: Route, req: StubRequest) -> StubResponse:
    _authenticate(psp, provider, req)
    faults = psp.faults.effective(provider)
    delay = faults.latency_ms / 1000
    if psp.faults.take(provider, "fail_next_requests") or psp.faults.roll(
        provider, "error_rate_5xx"
    ):
        resp = _fault_500(provider)
        resp.delay_s = delay
        return resp
    key = req.header("idempotency-key") if req.method == "POST" else None
    fp = fingerprint(req.method, req.path, _params(provider, req)) if key else ""
    now = psp.clock.now()
    request_id = psp.ids.stripe("req")
    headers = {"request-id": request_id}
    if key:
        if len(key) > MAX_KEY_LENGTH:
            raise _idem_error(provider, f"Idempotency-Key is longer than {MAX_KEY_LENGTH}.")
        headers["idempotency-key"] = key
        saved = psp.idem.get(provider, key, now)
        if saved is not None:
            if not hmac.compare_digest(saved.fingerprint, fp):
                raise _idem_error(
                    provider,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than {key!r} if you "
                    "meant to execute a different request.",
                )
            old = saved.response
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
        psp.idem.put(provider, key, fp, resp, now)
    if psp.faults.roll(provider, "timeout_rate"):
        # The work is done; the answer is lost. Only a replay with the same key tells.
        resp = _fault_500(provider, status=504, message="(stub fault) request timed out")
        delay += faults.timeout_ms / 1000
    resp.delay_s = delay
    return resp


def _params(provider: str, req: StubRequest) -> Any:
    if provider == "stripe":
        return req.form()
    try:
        return req.json()
    except ValueError:
        return req.body.decode("utf-8", errors="replace")


def _idem_error(provider: str, message: str) -> ApiError:
    if provider == "stripe":
        return stripe_error(400, message, type_="idempotency_error")
    return adyen_error(400, message, code="704", error_type="validation")


def _fault_500(provider: str, *, status: int = 500, message: str = "") -> StubResponse:
    message = message or "(stub fault) an error occurred while processing your request"
    if provider == "adyen":
        return adyen_error(status, message, code="905", error_type="internal").response()
    return stripe_error(status, message, type_="api_error").response()


def _authenticate(psp: StubPSP, provider: str, req: StubRequest) -> None:
    if provider == "adyen":
        key = req.header("x-api-key") or ""
        expected = psp.adyen_api_key
        if not key or len(key) > 1024 or (expected and not hmac.compare_digest(key, expected)):
            raise adyen_error(
                401, "HTTP Status Response - Unauthorized", code="000", error_type="security"
            )
        return
    stripe_key = _stripe_key(req.header("authorization") or "")
    if stripe_key is None:
        raise stripe_error(
            401,
            "You did not provide an API key. Send it as 'Authorization: Bearer sk_test_...'.",
        )
    expected = psp.stripe_api_key
    if not _STRIPE_KEY.match(stripe_key) or (
        expected and not hmac.compare_digest(stripe_key, expected)
    ):
        raise stripe_error(
            401,
            "Invalid API Key provided (the stub accepts test-mode keys, sk_test_..., "
            "or exactly the key it was started with).",
        )


def _stripe_key(header: str) -> str | None:
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if scheme.lower() == "basic" and value.strip():
        try:
            user = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ""
        return user.partition(":")[0]
    return None


def ok(data: Any, status: int = 200) -> StubResponse:
    return json_response(status, data)
