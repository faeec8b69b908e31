"""A tiny adapter for the reference platform: the HTTP contract, named as an adapter.

golive makes it with ``base_url`` only, as it makes any adapter, so nothing of golive's
reaches its HTTP client: whatever a run records of it, the target layer recorded."""

from __future__ import annotations

from golive.driver import PlatformClient


class RefbankAdapter(PlatformClient):
    def __init__(self, base_url: str) -> None:
        super().__init__(base_url)
