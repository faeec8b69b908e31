from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def promtool() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run Prometheus' promtool (Debian's `prometheus` package); skip where it is missing,
    unless GOLIVE_REQUIRE_PROMTOOL=1 (CI), where that is a failure."""
    exe = shutil.which("promtool")
    if exe is None:
        if os.environ.get("GOLIVE_REQUIRE_PROMTOOL"):
            pytest.fail("promtool not found and GOLIVE_REQUIRE_PROMTOOL is set")
        pytest.skip("promtool not installed (apt-get install prometheus)")

    def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, *map(str, args)], input=stdin, capture_output=True, text=True, timeout=60
        )

    return run
