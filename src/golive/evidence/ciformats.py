"""The CI formats (junit.xml, cucumber.json, allure-results/) carry golive's meaning.

pytest, pytest-bdd and allure-pytest-bdd write these files while the run goes; at the end
`write_ci_formats` completes them from the run's records, so a CI dashboard shows what the
signed evidence says: scenario titles, every collected test (an interrupted one as an error,
one that never started as skipped with the reason), the gates, and a "verdict" testcase that
fails unless the verdict is GO. Writing twice gives the same files (the verdict can change
after the secret scan, and then they are written again).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from golive.evidence.recorder import Attachment
from golive.evidence.results import TestRecord
from golive.evidence.verdict import Gate, GateStatus, Verdict, VerdictResult


@dataclass(frozen=True)
class CiRun:
    """What the CI formats are completed from."""

    run_id: str
    verdict: VerdictResult
    records: list[TestRecord]
    gates: list[Gate]
    environment: dict[str, str]  # release, target, versions: Allure's environment
    started_at: float
    attachments: list[Attachment] = field(default_factory=list)

    def attachments_of(self, nodeid: str | None) -> list[Attachment]:
        return [a for a in self.attachments if a.test == nodeid]

    @property
    def failed(self) -> bool:
        """The verdict testcase fails unless the run proved readiness."""
        return self.verdict.verdict is not Verdict.GO

    def verdict_message(self) -> str:
        v = self.verdict
        first = f": {v.reasons[0]}" if v.reasons else ""
        return f"{v.verdict.value} (exit {v.exit_code}){first}"


def gate_blocks(gate: Gate) -> bool:
    """A critical gate that FAILED or has NO DATA keeps the run from GO."""
    return gate.critical and gate.status is not GateStatus.PASS


def gate_message(gate: Gate) -> str:
    measured = gate.value if gate.value is not None else "no value"
    target = f", target {gate.target}" if gate.target else ""
    scope = "" if gate.critical else "non-critical, does not decide the verdict: "
    return f"{scope}{gate.status.value} (measured {measured}{target}): {gate.reason}"


def environment(meta: dict[str, Any], harness: dict[str, Any], run_id: str) -> dict[str, str]:
    """Release, target and versions, as flat text (Allure's environment, JUnit properties)."""
    target = meta.get("target")
    out = {
        "run_id": run_id,
        "release": str(meta.get("release") or "not recorded"),
        "environment": str(meta.get("environment") or "not recorded"),
        "phase": str(meta.get("phase") or "not recorded"),
        "golive.version": str(harness.get("version")),
        "python": platform.python_version(),
        "os": platform.platform(),
    }
    for dist in ("pytest", "pytest-bdd", "hypothesis"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            continue
    if isinstance(target, dict):
        out.update({f"target.{k}": str(v) for k, v in sorted(target.items()) if v is not None})
    else:
        out["target"] = str(target or "not recorded")
    if harness.get("commit"):
        out["golive.commit"] = str(harness["commit"])
    project = meta.get("project")
    if isinstance(project, dict) and project.get("commit"):
        out["project.commit"] = str(project["commit"])
        out["project.dirty"] = "yes" if project.get("dirty") else "no"
    return out


def write_ci_formats(run_dir: Path, run: CiRun) -> list[str]:
    """Complete the CI formats present in the run folder; returns the problems, if any (a
    file that could not be completed may look greener than the run: the verdict says so)."""
    from xml.etree.ElementTree import ParseError

    from golive.evidence import allure_results, cucumber, junit

    problems = []
    for name, complete in (
        ("junit.xml", junit.complete),
        ("cucumber.json", cucumber.complete),
        ("allure-results", allure_results.complete),
    ):
        path = run_dir / name
        if not path.exists():
            continue
        try:
            complete(path, run)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ParseError) as exc:
            problems.append(f"{name} could not be completed ({type(exc).__name__}: {exc})")
    return problems
