"""The wallet's API (/api/v1/...): its own paths, names, amounts and error body."""

from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from wallet import books, reservations
from wallet import money_in_out as money
from wallet.api import Problem, body, endpoint, once
from wallet.models import Config, Task
from wallet.views_common import task


def _route(request: HttpRequest, **methods: Any) -> JsonResponse:
    handler = methods.get(request.method or "")
    if handler is None:
        raise Problem(405, "METHOD", f"{request.method} is not allowed here")
    return handler()


def _ok(data: Any) -> JsonResponse:
    return JsonResponse(data, safe=False)


@endpoint
def status(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cur:
        cur.execute("SELECT max(name) FROM django_migrations WHERE app = 'wallet'")
        (schema,) = cur.fetchone() or (None,)
    return _ok(
        {
            "state": "serving",
            "release": str(settings.WALLET_RELEASE),
            "schema": (schema or "none")[:4],
            "api": "hordak-wallet/v1",
        }
    )


@csrf_exempt
@endpoint
def wallets(request: HttpRequest) -> JsonResponse:
    return _route(request, POST=lambda: once(request, lambda: money.open_wallet(body(request))))


@endpoint
def wallet_balance(request: HttpRequest, wallet_id: str) -> JsonResponse:
    return _ok(money.balance(wallet_id))


@csrf_exempt
@endpoint
def topups(request: HttpRequest, wallet_id: str) -> JsonResponse:
    return _route(
        request, POST=lambda: once(request, lambda: money.create_topup(wallet_id, body(request)))
    )


@endpoint
def topup(request: HttpRequest, topup_id: str) -> JsonResponse:
    return _ok(money.get_topup(topup_id))


@csrf_exempt
@endpoint
def payouts(request: HttpRequest, wallet_id: str) -> JsonResponse:
    return _route(
        request, POST=lambda: once(request, lambda: money.create_payout(wallet_id, body(request)))
    )


@endpoint
def payout(request: HttpRequest, payout_id: str) -> JsonResponse:
    return _ok(money.get_payout(payout_id))


@csrf_exempt
@endpoint
def wallet_reservations(request: HttpRequest, wallet_id: str) -> JsonResponse:
    return _route(
        request, POST=lambda: once(request, lambda: reservations.place(wallet_id, body(request)))
    )


@endpoint
def reservation(request: HttpRequest, reservation_id: str) -> JsonResponse:
    return _ok(reservations.get(reservation_id))


@csrf_exempt
@endpoint
def capture(request: HttpRequest, reservation_id: str) -> JsonResponse:
    return _route(
        request,
        POST=lambda: once(request, lambda: reservations.capture(reservation_id, body(request))),
    )


@csrf_exempt
@endpoint
def void(request: HttpRequest, reservation_id: str) -> JsonResponse:
    return _route(request, POST=lambda: once(request, lambda: reservations.void(reservation_id)))


@csrf_exempt
@endpoint
def lapse(request: HttpRequest) -> JsonResponse:
    return _route(request, POST=lambda: once(request, lambda: reservations.lapse(body(request))))


@csrf_exempt
@endpoint
def transfers(request: HttpRequest) -> JsonResponse:
    return _route(request, POST=lambda: once(request, lambda: reservations.transfer(body(request))))


@endpoint
def legs(request: HttpRequest) -> JsonResponse:
    return _ok(books.legs(request.GET.get("after"), request.GET.get("page_size")))


@endpoint
def totals(request: HttpRequest) -> JsonResponse:
    return _ok(books.totals())


@endpoint
def tasks(request: HttpRequest) -> JsonResponse:
    q = Task.objects.order_by("created_at", "id")
    if request.GET.get("kind"):
        q = q.filter(kind=request.GET["kind"])
    if request.GET.get("state"):
        q = q.filter(state=request.GET["state"])
    return _ok({"tasks": [task(t) for t in q[:1000]]})


def _config() -> dict[str, Any]:
    c = Config.objects.get()
    out = {"payouts_enabled": c.payouts_enabled, "default_provider": c.default_provider}
    if settings.WALLET_RELEASE >= 2:
        out["fee_bps"] = c.fee_bps
    return out


@csrf_exempt
@endpoint
def config(request: HttpRequest) -> JsonResponse:
    def change() -> JsonResponse:
        data = body(request)
        c = Config.objects.get()
        if "payouts_enabled" in data:
            if not isinstance(data["payouts_enabled"], bool):
                raise Problem(
                    400, "BAD_FIELD", "payouts_enabled is true or false", "payouts_enabled"
                )
            c.payouts_enabled = data["payouts_enabled"]
        if "default_provider" in data:
            if data["default_provider"] not in ("stripe", "adyen"):
                raise Problem(400, "BAD_PROVIDER", "default_provider is stripe or adyen")
            c.default_provider = data["default_provider"]
        if "fee_bps" in data:
            fee = data["fee_bps"]
            if settings.WALLET_RELEASE < 2:
                raise Problem(400, "BAD_FIELD", "fee_bps exists from release 2 on", "fee_bps")
            if not isinstance(fee, int) or isinstance(fee, bool) or not 0 <= fee <= 1000:
                raise Problem(400, "BAD_FIELD", "fee_bps is 0..1000", "fee_bps")
            c.fee_bps = fee
        c.save()
        return _ok(_config())

    return _route(request, GET=lambda: _ok(_config()), PATCH=change)
