"""refbank: the reference money platform golive tests against (it never imports golive).

A double-entry ledger on Postgres behind the platform contract (docs/platform-contract.yaml),
with PSP integration, versioned migrations (schema 1 and 2) and a fault catalog.
"""

from __future__ import annotations

from refbank.config import Config, PspConfig
from refbank.faults import CATALOG, Faults
from refbank.migrations import current_schema_version, migrate
from refbank.platform import Platform

__all__ = [
    "CATALOG",
    "Config",
    "Faults",
    "Platform",
    "PspConfig",
    "current_schema_version",
    "migrate",
]
