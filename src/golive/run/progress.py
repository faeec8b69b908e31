"""Progress of a readiness run: one line per scenario (and property test) as it finishes.

On a terminal a live bar below those lines shows the counts, the elapsed time and the
step running now; off a terminal (CI logs) only the plain lines are printed. pytest's own
terminal output (dots, summaries) is switched off: this plugin replaces it.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as Bar
from rich.table import Column
from rich.text import Text

from golive.run.console import scenario_title

MARKS = {"passed": ("pass", "green"), "failed": ("FAIL", "red"), "error": ("ERROR", "red")}
SKIP_MARK = ("skip", "yellow")


class Progress:
    """A pytest plugin printing one line per scenario, with a live bar on a terminal."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.started = time.monotonic()
        self.total = 0
        self.done = 0
        self.counts = {"passed": 0, "failed": 0, "skipped": 0}
        self.config: pytest.Config | None = None
        self._titles: dict[str, str] = {}
        self._outcome: dict[str, str] = {}
        self._duration: dict[str, float] = {}
        self._current = ""
        self._bar: Bar | None = None
        self._task: TaskID | None = None

    # pytest hooks ------------------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.config = config
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:  # no dots and no pytest summary: these lines replace them
            config.pluginmanager.unregister(reporter)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.total = len(session.items)
        self._titles = {item.nodeid: scenario_title(item) for item in session.items}
        self.console.print(Text(f"{self.total} scenarios and properties to run"))
        if self.console.is_terminal and self.total:
            self._start_bar()

    def pytest_runtest_logstart(self, nodeid: str, location: Any) -> None:
        self._current = self._titles.get(nodeid, nodeid)
        self._update(self._current)

    def pytest_bdd_before_step(
        self, request: Any, feature: Any, scenario: Any, step: Any, step_func: Any
    ) -> None:
        self._update(f"{self._current}: {step.keyword} {step.name}")

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        nodeid = report.nodeid
        self._duration[nodeid] = self._duration.get(nodeid, 0.0) + float(report.duration or 0)
        if report.failed and self._outcome.get(nodeid) not in ("failed", "error"):
            self._outcome[nodeid] = "failed" if report.when == "call" else "error"
        elif report.skipped and nodeid not in self._outcome:
            self._outcome[nodeid] = "skipped"

    def pytest_runtest_logfinish(self, nodeid: str, location: Any) -> None:
        outcome = self._outcome.get(nodeid, "passed")
        self.done += 1
        self.counts["failed" if outcome == "error" else outcome] += 1
        word, style = MARKS.get(outcome, SKIP_MARK)
        line = Text.assemble(
            (f"{self._elapsed():>7} ", "dim"),
            f"[{self.done}/{self.total}] ",
            (f"{word:<5}", style),
            (f" {self._duration.get(nodeid, 0.0):6.1f}s  ", "dim"),
            self._titles.get(nodeid, nodeid),
        )
        self.console.print(line)
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=self.done, tally=self._tally())

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        self.stop()

    # the live bar ------------------------------------------------------------------------
    def _start_bar(self) -> None:
        self._bar = Bar(
            SpinnerColumn(),
            TextColumn(
                "{task.description}",
                markup=False,
                table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis"),
            ),
            BarColumn(bar_width=20),
            MofNCompleteColumn(),
            TextColumn("{task.fields[tally]}"),
            TimeElapsedColumn(),
            console=self.console,
            expand=True,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self._task = self._bar.add_task("starting", total=self.total, tally=self._tally())
        self._bar.start()

    def _update(self, description: str) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, description=description)

    def _tally(self) -> str:
        c = self.counts
        return f"[green]{c['passed']} pass[/] [red]{c['failed']} fail[/] {c['skipped']} skip"

    def _elapsed(self) -> str:
        return f"{time.monotonic() - self.started:.1f}s"

    def stop(self) -> None:
        """End the live bar (idempotent); the printed lines stay."""
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
