"""Test results as the evidence keeps them: one `TestRecord` per test or scenario.

Built from pytest reports (and pytest-bdd's scenario reports) while the run goes; saved
as results.json, the signed data that report.html and canary_report.md are rendered from.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from golive.evidence.redact import Redactor
from golive.evidence.verdict import (
    ERROR,
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    PASSED,
    SKIPPED,
    XFAILED,
    TestOutcome,
)

MAX_MESSAGE = 2_000
MAX_DETAIL = 20_000


@dataclass
class StepRecord:
    keyword: str
    name: str
    line: int
    status: str  # "passed", "failed" or "not run"
    duration_s: float


@dataclass
class TestRecord:
    __test__ = False  # not a pytest test class

    nodeid: str
    name: str
    kind: str  # "scenario", "property" or "test"
    location: str
    feature: str | None = None
    feature_file: str | None = None
    feature_uri: str | None = None  # the feature as pytest-bdd names it (cucumber.json, Allure)
    scenario: str | None = None  # the scenario title, outline examples filled in
    example: dict[str, str] = field(default_factory=dict)  # the outline example's values
    steps: list[StepRecord] = field(default_factory=list)
    phases: dict[str, str] = field(default_factory=dict)
    outcome: str = NOT_RUN
    duration_s: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    message: str = ""
    detail: str = ""
    config_problem: bool = False
    attachments: list[str] = field(default_factory=list)
    hypothesis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestRecord:
        steps = [StepRecord(**s) for s in data.get("steps", [])]
        return cls(**{**data, "steps": steps})

    def outcome_for_verdict(self) -> TestOutcome:
        return TestOutcome(self.display_name, self.outcome, self.config_problem)

    @property
    def display_name(self) -> str:
        """ "Feature: Scenario [examples]" for a scenario, the node id for other tests."""
        if self.kind == "scenario" and self.feature:
            return f"{self.feature}: {self.name}"
        return self.nodeid


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + f"\n… ({len(text) - limit} more chars)"


def scenario_of(item: Any) -> Any | None:
    """pytest-bdd's templated scenario for a test item, or None for a plain test."""
    try:
        from pytest_bdd.scenario import scenario_wrapper_template_registry
    except ImportError:  # pragma: no cover - pytest-bdd is a dependency
        return None
    obj = getattr(item, "obj", None)
    try:
        return scenario_wrapper_template_registry.get(obj) if obj is not None else None
    except TypeError:
        return None


def new_record(item: Any, rootdir: Path) -> TestRecord:
    path, line, _ = item.location
    record = TestRecord(
        nodeid=item.nodeid, name=item.name, kind="test", location=f"{path}:{(line or 0) + 1}"
    )
    template = scenario_of(item)
    if template is not None:
        callspec = getattr(item, "callspec", None)
        example = callspec.params.get("_pytest_bdd_example", {}) if callspec is not None else {}
        rendered = template.render(example)
        record.kind = "scenario"
        record.scenario = rendered.name
        record.example = {str(k): str(v) for k, v in example.items()}
        record.name = rendered.name + (f" [{callspec.id}]" if callspec is not None else "")
        record.feature = template.feature.name or template.feature.rel_filename
        record.feature_uri = template.feature.rel_filename
        feature_path = Path(template.feature.filename)
        try:
            record.feature_file = feature_path.relative_to(rootdir).as_posix()
        except ValueError:
            record.feature_file = feature_path.as_posix()
        record.steps = [
            StepRecord(s.keyword, s.name, s.line_number, NOT_RUN, 0.0) for s in rendered.steps
        ]
    elif path.split("/", 1)[0] == "properties":
        record.kind = "property"
    return record


def render_scenario(record: TestRecord, item: Any) -> None:
    """Use the scenario as it ran (outline examples filled in) for the name and steps."""
    try:
        from pytest_bdd.reporting import scenario_reports_registry
    except ImportError:  # pragma: no cover
        return
    report = scenario_reports_registry.get(item)
    if report is None:
        return
    scenario = report.scenario
    callspec = getattr(item, "callspec", None)
    record.name = scenario.name + (f" [{callspec.id}]" if callspec is not None else "")
    if len(scenario.steps) == len(record.steps):
        for step, rendered in zip(record.steps, scenario.steps, strict=True):
            step.name = rendered.name


def _bdd_steps(report: Any) -> list[dict[str, Any]] | None:
    try:
        from pytest_bdd.reporting import test_report_context_registry
    except ImportError:  # pragma: no cover
        return None
    context = test_report_context_registry.get(report)
    return None if context is None else [dict(step) for step in context.scenario["steps"]]


def apply_report(
    record: TestRecord, report: Any, redactor: Redactor, *, config_problem: bool
) -> str | None:
    """Fold one phase report into `record`. Returns Hypothesis text when it has some."""
    when = report.when
    wasxfail = hasattr(report, "wasxfail")
    phase = report.outcome
    if wasxfail and report.skipped:
        phase = XFAILED
    record.phases[when] = phase
    record.duration_s += float(getattr(report, "duration", 0.0) or 0.0)
    if report.failed:
        record.config_problem = record.config_problem or config_problem
        text = redactor.redact_text(str(report.longrepr))
        record.detail = _clip((record.detail + "\n\n" + text).strip(), MAX_DETAIL)
        crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
        message = getattr(crash, "message", None) or text.strip().splitlines()[-1:]
        if isinstance(message, list):
            message = message[0] if message else "failed"
        record.message = _clip(redactor.redact_text(str(message)), MAX_MESSAGE)
    elif report.skipped and not record.message:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
        reason = getattr(report, "wasxfail", "") or reason
        record.message = _clip(redactor.redact_text(str(reason)), MAX_MESSAGE)
    record.outcome = _outcome(record.phases)
    steps = _bdd_steps(report)
    if steps is not None:
        for index, step in enumerate(steps):
            if index < len(record.steps):
                record.steps[index].status = "failed" if step["failed"] else "passed"
                record.steps[index].duration_s = round(float(step["duration"]), 6)
    sections = [
        content
        for title, content in getattr(report, "sections", [])
        if title.startswith("Hypothesis")
    ]
    return redactor.redact_text("\n".join(sections)) if sections else None


def _outcome(phases: dict[str, str]) -> str:
    setup, call, teardown = phases.get("setup"), phases.get("call"), phases.get("teardown")
    if setup == FAILED:
        return ERROR
    if setup in (SKIPPED, XFAILED):
        return setup
    if call is None:
        return NOT_RUN
    if call == FAILED:
        return FAILED
    if teardown == FAILED:
        return ERROR
    return call if call in (SKIPPED, XFAILED) else PASSED


def settle_unfinished(records: list[TestRecord], interrupted: str | None) -> None:
    """After an interruption: a test that started and never finished is INTERRUPTED; one
    that never started stays NOT_RUN and says why."""
    if interrupted is None:
        return
    for record in records:
        if record.outcome != NOT_RUN:
            continue
        if record.started_at is not None:
            record.outcome = INTERRUPTED
            record.message = record.message or interrupted
        else:
            record.message = record.message or f"the run stopped before it started ({interrupted})"


def now() -> float:
    return time.time()
