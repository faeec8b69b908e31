"""Every call golive makes through an adapter, recorded as the HTTP contract's calls are.

The HTTP contract records its exchanges with httpx event hooks (golive.evidence.transcript).
An adapter may use httpx, another client library or no HTTP at all, so golive does not look
inside it: ``recorded(adapter, event_hooks)`` wraps the adapter, times each call of the
target interface and hands the same event hooks one exchange per call:

    CALL adapter://<class>/<method>   request body: the call's arguments as JSON
    200, or PlatformError.status      response body: the record answered, or the refusal

A call without an answer (NoAnswer, or an exception inside the adapter) has no response and
is not recorded, like an HTTP request that got none; ``close()`` is not a call to the
platform and is not recorded. Transcripts, SLO gates and slis.prom read these exchanges as
they read HTTP ones, and the transcript redacts them the same way.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import httpx

from golive.target.errors import PlatformError
from golive.target.protocol import METHODS, Target

METHOD = "CALL"  # the HTTP method of a recorded adapter call
ADAPTER_HEADER = "x-golive-adapter"  # package.module:Class of the adapter that answered
UNRECORDED = frozenset({"close"})

Hook = Callable[[Any], Any]
_SIGNATURES = {name: inspect.signature(getattr(Target, name)) for name in METHODS}


def recorded(target: Target, event_hooks: Mapping[str, Sequence[Hook]]) -> Target:
    """``target`` with each call of the interface handed to ``event_hooks`` as an exchange."""
    return cast(Target, RecordedTarget(target, event_hooks))


class RecordedTarget:
    """A target whose calls are timed and given to httpx-style event hooks (see the module).

    Anything else the adapter has (its own helpers and attributes, e.g. PlatformClient.call)
    is reached through it, unrecorded; the wrapper's own names all start with an underscore."""

    def __init__(self, inner: Target, event_hooks: Mapping[str, Sequence[Hook]]) -> None:
        self._inner = inner
        self._on_request = tuple(event_hooks.get("request", ()))
        self._on_response = tuple(event_hooks.get("response", ()))
        cls = type(inner)
        base = f"adapter://{cls.__name__.lower()}/"
        self._urls = {name: httpx.URL(base + name) for name in METHODS}  # parsed once
        self._headers = {
            "content-type": "application/json",
            ADAPTER_HEADER: f"{cls.__module__}:{cls.__qualname__}",
        }

    def __getattr__(self, name: str) -> Any:
        if name == "_inner":  # not set yet (a copy being made): no recursion
            raise AttributeError(name)
        return getattr(self._inner, name)

    def __repr__(self) -> str:
        return f"RecordedTarget({self._inner!r})"

    def _recorded_call(self, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """``inner.<name>(*args, **kwargs)``, recorded."""
        method = getattr(self._inner, name)
        try:
            bound = _SIGNATURES[name].bind(None, *args, **kwargs)
        except TypeError:
            return method(*args, **kwargs)  # a wrong call: the adapter says so, as unwrapped
        arguments = dict(list(bound.arguments.items())[1:])  # without self
        request = httpx.Request(
            METHOD, self._urls[name], headers=self._headers, content=_json(arguments)
        )
        for hook in self._on_request:
            hook(request)
        try:
            answer = method(*args, **kwargs)
        except PlatformError as exc:
            refusal = {"code": exc.code, "message": str(exc), "body": exc.body}
            if exc.resource is not None:
                refusal["resource"] = _plain(exc.resource)
            self._respond(request, exc.status, {"error": refusal})
            raise
        self._respond(request, 200, _plain(answer))
        return answer

    def _respond(self, request: httpx.Request, status: int, body: object) -> None:
        response = httpx.Response(
            status,
            headers={"content-type": "application/json"},
            content=_json(body),
            request=request,
        )
        for hook in self._on_response:
            hook(response)


def _json(value: object) -> bytes:
    return json.dumps(value, default=str, sort_keys=True).encode()


def _plain(value: object) -> object:
    """Records (frozen dataclasses) as dicts, lists as lists; the rest as it is."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _recorded_method(name: str) -> Callable[..., Any]:
    if name in UNRECORDED:

        def plain(self: RecordedTarget, *args: Any, **kwargs: Any) -> Any:
            return getattr(self._inner, name)(*args, **kwargs)

        fn = plain
    else:

        def timed(self: RecordedTarget, *args: Any, **kwargs: Any) -> Any:
            return self._recorded_call(name, args, kwargs)

        fn = timed
    fn.__name__ = name
    fn.__qualname__ = f"RecordedTarget.{name}"
    fn.__doc__ = getattr(Target, name).__doc__
    fn.__signature__ = _SIGNATURES[name]  # type: ignore[attr-defined]
    return fn


for _name in METHODS:
    setattr(RecordedTarget, _name, _recorded_method(_name))
