"""The gate test drives fixtures/invariants.py in a child session (pytester)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # registered here, not via pytest_plugins (only the root conftest may use that)
    if not config.pluginmanager.has_plugin("pytester"):
        config.pluginmanager.import_plugin("pytester")
