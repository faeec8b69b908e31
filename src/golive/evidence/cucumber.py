"""cucumber.json completed from the run's records (pytest-bdd wrote the first draft).

A scenario pytest-bdd never reported is added: interrupted, its first unfinished step
failed with the reason; never started, every step skipped and the first one saying why.
A feature "golive verdict" holds the scenario "verdict" (failed unless the verdict is GO)
and one scenario per gate (failed when a critical gate FAILED or has NO DATA).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from golive.evidence.ciformats import CiRun, gate_blocks, gate_message
from golive.evidence.fsutil import atomic_write
from golive.evidence.results import TestRecord
from golive.evidence.verdict import INTERRUPTED, NOT_RUN, GateStatus

VERDICT_URI = "golive/verdict"
STEP_STATUS = {"passed": "passed", "failed": "failed", NOT_RUN: "skipped"}


def _steps(record: TestRecord) -> list[dict[str, Any]]:
    steps = []
    reason = f"{record.outcome}: {record.message}".strip(": ")
    explained = False
    for step in record.steps:
        result: dict[str, Any] = {
            "status": STEP_STATUS.get(step.status, "skipped"),
            "duration": int(step.duration_s * 1e9),
        }
        if step.status == NOT_RUN and not explained:
            explained = True
            result["error_message"] = reason
            if record.outcome == INTERRUPTED:
                result["status"] = "failed"
        steps.append(
            {
                "keyword": step.keyword,
                "name": step.name,
                "line": step.line,
                "match": {"location": ""},
                "result": result,
            }
        )
    return steps


def _scenario(record: TestRecord) -> dict[str, Any]:
    return {
        "keyword": "Scenario",
        "id": record.nodeid.split("::")[-1],
        "name": record.scenario or record.name,
        "line": max(1, record.steps[0].line - 1) if record.steps else 1,
        "description": "",
        "tags": [],
        "type": "scenario",
        "steps": _steps(record),
    }


def _check(element_id: str, name: str, step: str, failed: bool, message: str) -> dict[str, Any]:
    result: dict[str, Any] = {"status": "failed" if failed else "passed", "duration": 0}
    if failed:
        result["error_message"] = message
    return {
        "keyword": "Scenario",
        "id": element_id,
        "name": name,
        "line": 1,
        "description": message,
        "tags": [],
        "type": "scenario",
        "steps": [
            {
                "keyword": "Then",
                "name": step,
                "line": 1,
                "match": {"location": ""},
                "result": result,
            }
        ],
    }


def _verdict_feature(run: CiRun) -> dict[str, Any]:
    v = run.verdict
    elements = [
        _check(
            "verdict",
            "verdict",
            "the release candidate is GO",
            run.failed,
            run.verdict_message() + "".join(f"\n- {r}" for r in v.reasons),
        )
    ]
    for gate in run.gates:
        elements.append(
            _check(
                f"gate: {gate.name}",
                f"Gate: {gate.name}",
                f"{gate.name} is within target ({gate.target or 'no target'})",
                gate_blocks(gate),
                gate_message(gate) if gate.status is not GateStatus.PASS else gate.reason,
            )
        )
    return {
        "keyword": "Feature",
        "uri": VERDICT_URI,
        "id": VERDICT_URI,
        "name": "golive verdict",
        "line": 1,
        "description": f"run {run.run_id}",
        "language": "en",
        "tags": [],
        "elements": elements,
    }


def complete(path: Path, run: CiRun) -> None:
    features: list[dict[str, Any]] = [
        f for f in json.loads(path.read_bytes()) if f.get("uri") != VERDICT_URI
    ]
    by_uri = {f["uri"]: f for f in features}
    seen = {(f["uri"], e.get("id")) for f in features for e in f.get("elements", [])}
    for record in run.records:
        if record.kind != "scenario" or record.feature_uri is None:
            continue
        key = (record.feature_uri, record.nodeid.split("::")[-1])
        if key in seen:
            continue
        feature = by_uri.get(record.feature_uri)
        if feature is None:
            feature = {
                "keyword": "Feature",
                "uri": record.feature_uri,
                "id": record.feature_uri,
                "name": record.feature,
                "line": 1,
                "description": "",
                "language": "en",
                "tags": [],
                "elements": [],
            }
            features.append(feature)
            by_uri[record.feature_uri] = feature
        feature["elements"].append(_scenario(record))
        seen.add(key)
    features.append(_verdict_feature(run))
    atomic_write(path, json.dumps(features, indent=4).encode("utf-8"))
