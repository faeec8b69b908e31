"""The HTTP contract (docs/platform-contract.yaml): golive's default target implementation."""

from __future__ import annotations

from golive.driver.client import PlatformClient, error_code
from golive.driver.models import Balance, Entry, Job
from golive.target.errors import NoAnswer, PlatformError

__all__ = [
    "Balance",
    "Entry",
    "Job",
    "NoAnswer",
    "PlatformClient",
    "PlatformError",
    "error_code",
]
