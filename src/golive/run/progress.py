"""Progress of a readiness run: the current scenario and step, printed as they happen."""

from __future__ import annotations

import time
from typing import Any

import pytest
from rich.console import Console


class Progress:
    """A pytest plugin printing one line per scenario (and property test) with its outcome."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.total = 0
        self.done = 0
        self.failed = 0
        self._status: Any = None
        self.config: pytest.Config | None = None

    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self.started:6.1f}s"

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self.console.print(f"[bold]{self.total}[/] scenarios and properties to run")

    def pytest_bdd_before_step(
        self, request: Any, feature: Any, scenario: Any, step: Any, step_func: Any
    ) -> None:
        if self._status is not None:
            self._status.update(f"{scenario.name}: {step.keyword} {step.name}")

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self.done += 1
        name = nodeid.split("::")[-1]
        self.console.print(f"[dim]{self._elapsed()}[/] [{self.done}/{self.total}] {name} …")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            mark = {
                "passed": "[green]pass[/]",
                "failed": "[red]FAIL[/]",
                "skipped": "[yellow]skip[/]",
            }
            if report.outcome == "failed":
                self.failed += 1
            self.console.print(
                f"[dim]{self._elapsed()}[/]   {mark[report.outcome]} ({report.duration:.1f}s)"
            )
