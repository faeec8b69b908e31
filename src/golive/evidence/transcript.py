"""httpx event hooks that record every HTTP exchange with a peer into transcripts/.

    client = httpx.Client(base_url=url, event_hooks=transcript_hooks("platform"))

Works for `httpx.Client` and `httpx.AsyncClient` alike. Each exchange becomes one JSON line
in transcripts/<peer>.jsonl: method, url, status, redacted headers and bodies, start time
and duration in milliseconds. Exchanges that end in a transport error (no response) are
not recorded; count those where the error is raised.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Generator
from datetime import UTC, datetime
from typing import Any

from golive.evidence.recorder import Exchange, Recorder, current

MAX_BODY = 64 * 1024
_STARTED = "golive_started"


class _Done:
    """An already-finished awaitable: lets one hook function serve sync and async clients."""

    def __await__(self) -> Generator[None, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


def _body(raw: bytes, content_type: str, recorder: Recorder) -> dict[str, Any]:
    if not raw:
        return {"size": 0}
    clipped = raw[:MAX_BODY]
    out: dict[str, Any] = {"size": len(raw)}
    if len(raw) > MAX_BODY:
        out["truncated"] = True
    try:
        text = clipped.decode("utf-8")
    except UnicodeDecodeError:
        out["binary"] = True
        return out
    if "json" in content_type:
        try:
            out["json"] = recorder.redactor.redact_json(json.loads(text))
            return out
        except json.JSONDecodeError:
            pass
    out["text"] = recorder.redactor.redact_text(text)
    return out


def _record(peer: str, response: Any) -> None:
    recorder = current()
    request = response.request
    started_wall, started_perf = request.extensions.get(_STARTED, (time.time(), None))
    duration_ms = 0.0 if started_perf is None else (time.perf_counter() - started_perf) * 1000
    redact = recorder.redactor
    try:
        request_body = bytes(request.content)
    except Exception:  # a streamed request body that was not read
        request_body = b""
    url = redact.redact_text(str(request.url))
    exchange = Exchange(
        peer=peer,
        method=request.method,
        url=url,
        status=response.status_code,
        started_at=started_wall,
        duration_ms=round(duration_ms, 3),
        test=recorder.current_test,
    )
    line = {
        **exchange.to_dict(),
        "started": datetime.fromtimestamp(started_wall, UTC).isoformat(timespec="milliseconds"),
        "request": {
            "headers": redact.redact_headers(request.headers.multi_items()),
            "body": _body(request_body, request.headers.get("content-type", ""), recorder),
        },
        "response": {
            "headers": redact.redact_headers(response.headers.multi_items()),
            "body": _body(response.content, response.headers.get("content-type", ""), recorder),
        },
    }
    recorder.add_exchange(exchange, json.dumps(line, sort_keys=True).encode("utf-8"))


def _safe_record(peer: str, response: Any) -> None:
    try:
        _record(peer, response)
    except Exception as exc:  # recording must never break the caller; the gap is reported
        recorder = current()
        with recorder.lock:
            recorder.problems.append(
                f"an HTTP exchange with {peer!r} could not be recorded ({type(exc).__name__})"
            )


def transcript_hooks(peer: str) -> dict[str, list[Callable[[Any], Awaitable[None] | None]]]:
    """httpx `event_hooks` that record every exchange with `peer` ("platform", "psp")."""
    import httpx  # imported here so `golive.evidence` stays light to import

    def on_request(request: httpx.Request) -> _Done:
        request.extensions[_STARTED] = (time.time(), time.perf_counter())
        return _Done()

    def on_response(response: httpx.Response) -> Awaitable[None] | None:
        if isinstance(response.stream, httpx.AsyncByteStream) and not isinstance(
            response.stream, httpx.SyncByteStream
        ):

            async def finish() -> None:
                await response.aread()
                _safe_record(peer, response)

            return finish()
        response.read()
        _safe_record(peer, response)
        return None

    return {"request": [on_request], "response": [on_response]}


def transcript_records(peer: str | None = None) -> list[Exchange]:
    """The exchanges recorded so far in this run (or in memory), optionally for one peer."""
    return current().records(peer)
