"""The HTTP layer: Starlette routes over the service layer (see docs/platform-contract.yaml)."""

from __future__ import annotations

from refbank.api.app import build_app

__all__ = ["build_app"]
