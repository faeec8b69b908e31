"""Every route of the stub, in one table: each provider's routes, then the control API."""

from __future__ import annotations

from golive.psp import control
from golive.psp.api import Router
from golive.psp.provider import providers


def build_router() -> Router:
    routes = [route for provider in providers() for route in provider.routes]
    return Router([*routes, *control.ROUTES], control.BLOCKING)
