"""golive: go-live readiness test harness for money platforms."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from golive.errors import ConfigError, ExitCode, GoLiveError
from golive.money import Money

try:
    __version__ = version("golive")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+source"

__all__ = ["ConfigError", "ExitCode", "GoLiveError", "Money", "__version__"]
