"""One handler per contract operation: parse and validate, call the service, answer JSON."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from refbank.api.validate import (
    DEFAULT_EXPIRY_SECONDS,
    MAX_EXPIRY_SECONDS,
    Body,
    parse_json,
    uuid_text,
)
from refbank.errors import ApiError, invalid, not_found
from refbank.idempotency import Key, Reply
from refbank.platform import Platform
from refbank.psp import PSPS
from refbank.service import accounts, deposits, holds, transfers, webhooks, withdrawals

Handler = Callable[[Request], Awaitable[Response]]
MAX_PAGE = 1000
MAX_BODY = 1 << 20
CURSOR = re.compile(r"[0-9]{1,18}")  # an entry id, as next_cursor gives it
INTEGER = re.compile(r"-?[0-9]{1,19}")  # int() would also take "+1", " 1", "1_0" and "١"


def _platform(request: Request) -> Platform:
    p = request.app.state.platform
    assert isinstance(p, Platform)
    return p


async def _raw(request: Request) -> bytes:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise ApiError(413, "body_too_large", f"the body has {len(raw)} bytes; at most {MAX_BODY}")
    return raw


async def _body(request: Request, *allowed: str, required: bool = False) -> tuple[Body, Key | None]:
    raw = await _raw(request)
    if required and not raw.strip():
        raise ApiError(400, "invalid_json", "the body is required: send a JSON object")
    data = parse_json(raw)
    body = Body(data, *allowed)
    header = request.headers.get("idempotency-key")
    key = None if header is None else Key.of(header, request.method, request.url.path, data)
    return body, key


def _reply(reply: Reply) -> Response:
    headers = {"Idempotent-Replayed": "true"} if reply.replayed else {}
    return JSONResponse(reply.body, status_code=reply.status, headers=headers)


def _path_id(request: Request, what: str) -> str:
    raw = request.path_params["id"]
    try:
        return uuid_text(raw, "id")
    except ApiError:
        raise not_found(what, raw) from None


async def _call(fn: Callable[..., Any], *args: Any) -> Any:
    return await run_in_threadpool(fn, *args)


# -- health, version, contract -----------------------------------------------------------
async def health(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def version(request: Request) -> Response:
    return JSONResponse(await _call(accounts.version, _platform(request)))


async def contract(request: Request) -> Response:
    return Response(request.app.state.contract, media_type="application/yaml")


# -- accounts ----------------------------------------------------------------------------
async def create_account(request: Request) -> Response:
    body, key = await _body(request, "owner_ref", "currency", required=True)
    owner, currency = body.text("owner_ref"), body.currency()
    return _reply(await _call(accounts.create_account, _platform(request), owner, currency, key))


async def get_account(request: Request) -> Response:
    account_id = _path_id(request, "account")
    return JSONResponse(await _call(accounts.get_account, _platform(request), account_id))


async def balance(request: Request) -> Response:
    account_id = _path_id(request, "account")
    return JSONResponse(await _call(accounts.balance, _platform(request), account_id))


# -- deposits and withdrawals ------------------------------------------------------------
async def create_deposit(request: Request) -> Response:
    body, key = await _body(request, "account_id", "amount", "currency", "psp", required=True)
    args = (body.id("account_id"), body.amount(), body.currency(), body.psp(), key)
    return _reply(await _call(deposits.create, _platform(request), *args))


async def get_deposit(request: Request) -> Response:
    return JSONResponse(await _call(deposits.get, _platform(request), _path_id(request, "deposit")))


async def create_withdrawal(request: Request) -> Response:
    body, key = await _body(request, "account_id", "amount", "currency", "psp", required=True)
    args = (body.id("account_id"), body.amount(), body.currency(), body.psp(), key)
    return _reply(await _call(withdrawals.create, _platform(request), *args))


async def get_withdrawal(request: Request) -> Response:
    wid = _path_id(request, "withdrawal")
    return JSONResponse(await _call(withdrawals.get, _platform(request), wid))


# -- holds -------------------------------------------------------------------------------
async def place_hold(request: Request) -> Response:
    body, key = await _body(
        request, "account_id", "amount", "currency", "expires_in_seconds", required=True
    )
    args = (
        body.id("account_id"),
        body.amount(),
        body.currency(),
        body.integer("expires_in_seconds", 1, MAX_EXPIRY_SECONDS, DEFAULT_EXPIRY_SECONDS),
        key,
    )
    return _reply(await _call(holds.place, _platform(request), *args))


async def get_hold(request: Request) -> Response:
    return JSONResponse(await _call(holds.get, _platform(request), _path_id(request, "hold")))


async def burn(request: Request) -> Response:
    hold_id = _path_id(request, "hold")
    body, key = await _body(request, "amount", "account_id")
    args = (hold_id, body.amount(required=False), body.id("account_id", required=False), key)
    return _reply(await _call(holds.burn, _platform(request), *args))


async def release(request: Request) -> Response:
    hold_id = _path_id(request, "hold")
    body, key = await _body(request, "account_id")
    args = (hold_id, body.id("account_id", required=False), key)
    return _reply(await _call(holds.release, _platform(request), *args))


async def expire_holds(request: Request) -> Response:
    body, key = await _body(request, "now")
    return _reply(await _call(holds.expire, _platform(request), body.timestamp("now"), key))


# -- transfers ---------------------------------------------------------------------------
async def create_transfer(request: Request) -> Response:
    body, key = await _body(
        request, "from_account_id", "to_account_id", "amount", "currency", required=True
    )
    args = (
        body.id("from_account_id"),
        body.id("to_account_id"),
        body.amount(),
        body.currency(),
        key,
    )
    return _reply(await _call(transfers.transfer, _platform(request), *args))


async def get_transfer(request: Request) -> Response:
    tid = _path_id(request, "transfer")
    found = await _call(transfers.get, _platform(request), tid)
    if found is None:
        raise not_found("transfer", tid)
    return JSONResponse(found)


# -- ledger, jobs, settings --------------------------------------------------------------
def _query_int(request: Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not INTEGER.fullmatch(raw):
        raise invalid(name, f"{name} {raw!r} is not an integer")
    value = int(raw)
    if not low <= value <= high:
        raise invalid(name, f"{name} must be from {low} to {high}, not {value}")
    return value


async def ledger_entries(request: Request) -> Response:
    raw = request.query_params.get("cursor")
    if raw is not None and not CURSOR.fullmatch(raw):
        raise invalid("cursor", f"cursor {raw!r} is not a next_cursor this platform gave")
    cursor = int(raw or 0)
    limit = _query_int(request, "limit", 100, 1, MAX_PAGE)
    return JSONResponse(await _call(accounts.entries, _platform(request), cursor, limit))


async def ledger_totals(request: Request) -> Response:
    return JSONResponse(await _call(accounts.totals, _platform(request)))


def _query_choice(request: Request, name: str, options: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name)
    if value is not None and value not in options:
        raise invalid(name, f"{name} {value!r} is not one of {', '.join(options)}")
    return value


async def list_jobs(request: Request) -> Response:
    state = _query_choice(request, "state", ("pending", "done", "failed"))
    kind = _query_choice(request, "kind", ("payout", "deposit_confirmation"))
    limit = _query_int(request, "limit", MAX_PAGE, 1, MAX_PAGE)
    return JSONResponse(await _call(accounts.jobs, _platform(request), state, kind, limit))


async def get_settings(request: Request) -> Response:
    return JSONResponse(await _call(accounts.get_settings, _platform(request)))


async def put_settings(request: Request) -> Response:
    body, key = await _body(request, "withdrawals_enabled", "primary_psp", "fee_bps", required=True)
    changes: dict[str, Any] = {
        "withdrawals_enabled": body.boolean("withdrawals_enabled"),
        "primary_psp": body.choice("primary_psp", PSPS),
        "fee_bps": body.integer("fee_bps", 0, 10_000),
    }
    changes = {k: v for k, v in changes.items() if v is not None}
    return _reply(await _call(accounts.put_settings, _platform(request), changes, key))


# -- PSP webhooks ------------------------------------------------------------------------
async def stripe_webhook(request: Request) -> Response:
    payload = await _raw(request)
    signature = request.headers.get("stripe-signature")
    return _reply(await _call(webhooks.stripe, _platform(request), payload, signature))


async def adyen_webhook(request: Request) -> Response:
    await _call(webhooks.adyen, _platform(request), await _raw(request))
    return PlainTextResponse("[accepted]")


async def braintree_webhook(request: Request) -> Response:
    payload = await _raw(request)
    return _reply(await _call(webhooks.braintree_notification, _platform(request), payload))


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", "/health", health),
    ("GET", "/version", version),
    ("GET", "/openapi.yaml", contract),
    ("POST", "/accounts", create_account),
    ("GET", "/accounts/{id}", get_account),
    ("GET", "/accounts/{id}/balance", balance),
    ("POST", "/deposits", create_deposit),
    ("GET", "/deposits/{id}", get_deposit),
    ("POST", "/holds", place_hold),
    ("GET", "/holds/{id}", get_hold),
    ("POST", "/holds/{id}/burn", burn),
    ("POST", "/holds/{id}/release", release),
    ("POST", "/admin/holds/expire", expire_holds),
    ("POST", "/transfers", create_transfer),
    ("GET", "/transfers/{id}", get_transfer),
    ("POST", "/withdrawals", create_withdrawal),
    ("GET", "/withdrawals/{id}", get_withdrawal),
    ("GET", "/ledger/entries", ledger_entries),
    ("GET", "/ledger/totals", ledger_totals),
    ("GET", "/jobs", list_jobs),
    ("GET", "/admin/settings", get_settings),
    ("PUT", "/admin/settings", put_settings),
    ("POST", "/webhooks/stripe", stripe_webhook),
    ("POST", "/webhooks/adyen", adyen_webhook),
    ("POST", "/webhooks/braintree", braintree_webhook),
]
