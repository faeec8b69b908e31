"""Framework-free request and response types, provider-shaped errors, and id generation."""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from typing import Any

from golive.psp.forms import FormError, decode_form

JSON_TYPE = "application/json"


@dataclass
class StubRequest:
    """One API call as the handlers see it (headers lower-cased)."""

    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    path_params: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())

    def form(self) -> dict[str, Any]:
        """Stripe parameters: query string for GET/DELETE, form body for POST."""
        text = self.query if self.method in ("GET", "DELETE") else _text(self.body)
        if self.method == "POST" and self.query:
            text = f"{self.query}&{text}" if text else self.query
        try:
            return decode_form(text)
        except FormError as exc:
            raise stripe_error(400, str(exc), param=exc.param[:100]) from None

    def json(self) -> Any:
        """The JSON body; raises ValueError when it is not JSON."""
        if not self.body.strip():
            return {}
        return json.loads(self.body)

    def query_params(self) -> dict[str, Any]:
        try:
            return decode_form(self.query)
        except FormError as exc:
            raise control_error(400, str(exc)) from None


@dataclass
class StubResponse:
    """What a handler answers. `delay_s` is latency a fault asked for (the server sleeps it)."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> StubResponse:
    body = json.dumps(data).encode("utf-8")  # compact: the C encoder, not the pure-Python one
    return StubResponse(status, body, {"content-type": JSON_TYPE, **(headers or {})})


class ApiError(Exception):
    """A provider-shaped error answer. `replayable=False`: not stored under an idempotency key
    (Stripe keeps no result for requests that fail validation before they run)."""

    def __init__(self, status: int, body: dict[str, Any], *, replayable: bool = False) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body
        self.replayable = replayable

    def response(self) -> StubResponse:
        return json_response(self.status, self.body)


def stripe_error(
    status: int,
    message: str,
    *,
    type_: str = "invalid_request_error",
    code: str | None = None,
    param: str | None = None,
    replayable: bool = False,
    **extra: Any,
) -> ApiError:
    """Stripe's error body: {"error": {"type", "code", "message", "param", ...}}."""
    err: dict[str, Any] = {"type": type_, "message": message}
    if code:
        err["code"] = code
        err["doc_url"] = f"https://stripe.com/docs/error-codes/{code.replace('_', '-')}"
    if param:
        err["param"] = param
    err.update(extra)
    return ApiError(status, {"error": err}, replayable=replayable)


def adyen_error(
    status: int,
    message: str,
    *,
    code: str = "702",
    error_type: str = "validation",
    replayable: bool = False,
) -> ApiError:
    """Adyen's error body: {"status", "errorCode", "message", "errorType"}."""
    body = {"status": status, "errorCode": code, "message": message, "errorType": error_type}
    return ApiError(status, body, replayable=replayable)


def control_error(status: int, message: str) -> ApiError:
    return ApiError(status, {"error": {"message": message}})


def _text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace")


_ALNUM = string.ascii_letters + string.digits


class Ids:
    """Provider-looking ids from a seeded generator (reproducible runs), never secrets."""

    def __init__(self, seed: int | None = None) -> None:
        self._rng = random.Random(seed)

    def stripe(self, prefix: str) -> str:
        return prefix + "_" + "".join(self._rng.choices(_ALNUM, k=24))

    def adyen(self) -> str:
        """A 16-character Adyen pspReference."""
        return "".join(self._rng.choices(string.ascii_uppercase + string.digits, k=16))

    def random(self) -> float:
        return self._rng.random()


def clone(value: Any) -> Any:
    """A deep copy of JSON-shaped data (dicts, lists, scalars), much faster than deepcopy."""
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clone(v) for v in value]
    return value
