"""Every route of the stub, in one table."""

from __future__ import annotations

from golive.psp import adyen_api, control, stripe_more, stripe_payments, stripe_refunds
from golive.psp.api import Router


def build_router() -> Router:
    routes = [
        *stripe_payments.ROUTES,
        *stripe_refunds.ROUTES,
        *stripe_more.ROUTES,
        *adyen_api.ROUTES,
        *control.ROUTES,
    ]
    return Router(routes, control.BLOCKING)
