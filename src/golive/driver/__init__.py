"""The platform driver: golive's only way to a money platform (see docs/platform-contract.yaml)."""

from __future__ import annotations

from golive.driver.client import PlatformClient, PlatformError, error_code
from golive.driver.models import Balance, Entry, Job

__all__ = ["Balance", "Entry", "Job", "PlatformClient", "PlatformError", "error_code"]
