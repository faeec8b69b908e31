"""A pytest plugin for bench_run.py: when each phase of a readiness run starts and ends.

Loaded with PYTEST_ADDOPTS="-p benchmarks._phases"; writes JSON to $GOLIVE_BENCH_PHASES.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Generator
from typing import Any

import pytest

_marks: dict[str, float] = {}
_fixtures: dict[str, float] = {}


def pytest_sessionstart(session: pytest.Session) -> None:
    _marks["session_start"] = time.time()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: Any, request: Any) -> Generator[None, Any, Any]:
    start = time.time()
    try:
        return (yield)
    finally:
        if fixturedef.argname in ("pg_provider", "pg_instance", "pg_templates", "stack"):
            name = fixturedef.argname
            _fixtures[name] = _fixtures.get(name, 0.0) + time.time() - start


def pytest_runtest_logstart(nodeid: str) -> None:
    _marks.setdefault("first_test", time.time())


def pytest_runtest_logfinish(nodeid: str) -> None:
    _marks["last_test"] = time.time()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    _marks["session_finish"] = time.time()


def pytest_unconfigure(config: pytest.Config) -> None:
    _marks["unconfigure"] = time.time()
    path = os.environ.get("GOLIVE_BENCH_PHASES")
    if path:
        with open(path, "w") as f:
            json.dump({"marks": _marks, "fixtures": _fixtures}, f)
