"""allure-results/ completed from the run's records (allure-pytest-bdd wrote the scenarios).

- every scenario gets feature, story and severity labels and golive's attachments (what its
  steps attached, its slice of the HTTP transcripts); step parameters keep only the values
  that appear in the step's text (fixture reprs are dropped);
- a test allure-pytest-bdd did not write (property tests, an interrupted scenario, one that
  never started) gets a result of its own;
- each gate is a test (severity critical for a critical gate, minor otherwise), and
  "Go-live verdict" is a test that fails unless the verdict is GO;
- environment.properties holds the release, the target and the versions.
Files golive writes have stable names (uuid5 of the run and the test), so writing twice
replaces them.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from hashlib import md5
from pathlib import Path
from typing import Any

from golive.evidence.ciformats import CiRun, gate_blocks, gate_message
from golive.evidence.fsutil import atomic_write
from golive.evidence.recorder import Attachment
from golive.evidence.results import TestRecord
from golive.evidence.verdict import (
    ERROR,
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    PASSED,
    SKIPPED,
    XFAILED,
    Gate,
    GateStatus,
)

PREFIX = "golive-"
STATUS = {
    PASSED: "passed",
    FAILED: "failed",
    ERROR: "broken",
    SKIPPED: "skipped",
    XFAILED: "skipped",
    NOT_RUN: "skipped",
    INTERRUPTED: "broken",
}
STEP_STATUS = {"passed": "passed", "failed": "failed", NOT_RUN: "skipped"}
MIME = {
    "json": "application/json",
    "svg": "image/svg+xml",
    "png": "image/png",
    "csv": "text/csv",
    "html": "text/html",
    "xml": "application/xml",
    "md": "text/markdown",
}
SLICE_LIMIT = 1024 * 1024  # bytes of one test's transcript slice; the run folder has all
OURS = ("feature", "story", "severity", "suite", "parentSuite")


def title_paths_beyond_rootdir() -> None:
    """allure-pytest-bdd places a scenario by its feature's path under pytest's rootdir and
    fails the scenario when the feature lies elsewhere (a project's own features run beside
    golive's suite): such a feature is placed by its path from the project folder."""
    from allure_pytest_bdd import pytest_bdd_listener as listener
    from allure_pytest_bdd import utils

    def title_path(request: Any, feature: Any) -> list[str]:
        path = Path(feature.filename)
        if path.is_relative_to(utils.get_rootdir(request)):
            return list(utils.get_title_path(request, feature))
        folders = path.parts[:-1]  # from the last features/ folder, else the file's own
        start = max((i for i, f in enumerate(folders) if f == "features"), default=len(folders) - 1)
        parts = path.parts[start:]
        return [*parts[:-1], feature.name or parts[-1]]

    listener.get_title_path = title_path


def _uuid(run: CiRun, key: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"golive:{run.run_id}:{key}"))


def _labels(result: dict[str, Any], **labels: str) -> None:
    kept = [lb for lb in result.get("labels", []) if lb.get("name") not in OURS]
    result["labels"] = kept + [{"name": k, "value": v} for k, v in labels.items()]


def _record_labels(record: TestRecord) -> dict[str, str]:
    if record.kind == "scenario":
        feature = record.feature or "(feature)"
        return {
            "parentSuite": "golive readiness",
            "suite": feature,
            "feature": feature,
            "story": record.scenario or record.name,
            "severity": "critical",  # any failed scenario is a NO-GO
        }
    module = record.nodeid.split("::")[0]
    feature = "Ledger invariants (properties)" if record.kind == "property" else module
    return {
        "parentSuite": "golive readiness",
        "suite": feature,
        "feature": feature,
        "story": record.nodeid.split("::", 1)[-1],
        "severity": "critical",
    }


def _visible_parameters(step: dict[str, Any]) -> None:
    """Keep a step parameter only when its value is part of the step's text."""
    name = str(step.get("name", ""))
    params = step.get("parameters") or []
    step["parameters"] = [p for p in params if str(p.get("value", "")).strip("'\"") in name]
    for child in step.get("steps") or []:
        _visible_parameters(child)


def _transcripts_by_test(run_dir: Path) -> dict[str, dict[str, bytes]]:
    """Each test's slice of every transcript (peer -> JSON lines), capped at SLICE_LIMIT."""
    slices: dict[str, dict[str, list[bytes]]] = {}
    folder = run_dir / "transcripts"
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        for line in path.read_bytes().splitlines():
            try:
                test = json.loads(line).get("test")
            except (ValueError, AttributeError):
                continue
            if isinstance(test, str):
                slices.setdefault(test, {}).setdefault(path.stem, []).append(line)
    out: dict[str, dict[str, bytes]] = {}
    for test, peers in slices.items():
        for peer, lines in peers.items():
            kept: list[bytes] = []
            size = 0
            for line in lines:
                size += len(line) + 1
                if size > SLICE_LIMIT:
                    kept.append(
                        f"… {len(lines) - len(kept)} more exchanges: transcripts/{peer}.jsonl "
                        "in the run folder has them all".encode()
                    )
                    break
                kept.append(line)
            out.setdefault(test, {})[peer] = b"\n".join(kept) + b"\n"
    return out


def _attachments(
    folder: Path,
    run_dir: Path,
    run: CiRun,
    nodeid: str | None,
    transcripts: dict[str, dict[str, bytes]],
) -> list[dict[str, str]]:
    """Copy golive's attachments of one test (or of the run) into allure-results/."""
    out = []
    atts: list[Attachment] = run.attachments_of(nodeid)
    for att in atts:
        src = run_dir / att.path
        if not src.is_file():
            continue
        ext = att.path.rsplit(".", 1)[-1]
        name = f"{PREFIX}{_uuid(run, att.path)}-attachment.{ext}"
        shutil.copyfile(src, folder / name)
        out.append({"name": att.name, "source": name, "type": MIME.get(ext, "text/plain")})
    if nodeid is not None:
        for peer, data in transcripts.get(nodeid, {}).items():
            name = f"{PREFIX}{_uuid(run, nodeid + '/' + peer)}-attachment.jsonl"
            atomic_write(folder / name, data)
            out.append({"name": f"HTTP transcript ({peer})", "source": name, "type": "text/plain"})
    return out


def _add_attachments(result: dict[str, Any], atts: list[dict[str, str]]) -> None:
    kept = [a for a in result.get("attachments", []) if not a["source"].startswith(PREFIX)]
    result["attachments"] = kept + atts


def _ms(seconds: float | None, default: float) -> int:
    return int((seconds if seconds is not None else default) * 1000)


def _new_result(
    run: CiRun, key: str, name: str, status: str, message: str, trace: str = ""
) -> dict[str, Any]:
    start = _ms(None, run.started_at)
    return {
        "uuid": _uuid(run, key),
        "historyId": md5(key.encode()).hexdigest(),
        "testCaseId": md5(key.encode()).hexdigest(),
        "fullName": key,
        "name": name,
        "status": status,
        "statusDetails": {"message": message, "trace": trace},
        "stage": "finished",
        "start": start,
        "stop": start,
        "labels": [],
        "parameters": [],
        "steps": [],
        "attachments": [],
    }


def _record_result(run: CiRun, record: TestRecord) -> dict[str, Any]:
    result = _new_result(
        run,
        record.nodeid,
        record.display_name,
        STATUS.get(record.outcome, "unknown"),
        f"{record.outcome}: {record.message}" if record.message else record.outcome,
        record.detail,
    )
    result["start"] = _ms(record.started_at, run.started_at)
    result["stop"] = _ms(record.finished_at, record.started_at or run.started_at)
    result["parameters"] = [{"name": k, "value": v} for k, v in record.example.items()]
    steps = []
    explained = False
    for step in record.steps:
        status = STEP_STATUS.get(step.status, "skipped")
        if step.status == NOT_RUN and record.outcome == INTERRUPTED and not explained:
            status, explained = "broken", True
        steps.append({"name": f"{step.keyword} {step.name}", "status": status, "stage": "finished"})
    result["steps"] = steps
    return result


def _gate_result(run: CiRun, gate: Gate, occurrence: int) -> dict[str, Any]:
    if gate.status is GateStatus.PASS:
        status = "passed"
    elif gate_blocks(gate):
        status = "failed" if gate.status is GateStatus.FAIL else "broken"
    else:
        status = "skipped"
    key = f"golive/gates:{gate.name}" + (f" #{occurrence}" if occurrence > 1 else "")
    result = _new_result(run, key, f"Gate: {gate.name}", status, "")
    result["statusDetails"]["message"] = gate_message(gate)
    result["description"] = gate.reason
    result["parameters"] = [
        {"name": "measured", "value": gate.value if gate.value is not None else "no data"},
        {"name": "target", "value": gate.target or "none"},
    ]
    _labels(
        result,
        parentSuite="golive verdict",
        suite="Go-live gates",
        feature="Go-live gates",
        story=gate.name,
        severity="critical" if gate.critical else "minor",
    )
    return result


def _verdict_result(run: CiRun, folder: Path, run_dir: Path) -> dict[str, Any]:
    reasons = "\n".join(f"- {r}" for r in run.verdict.reasons)
    status = "failed" if run.failed else "passed"
    result = _new_result(
        run, "golive:verdict", "Go-live verdict", status, run.verdict_message(), reasons
    )
    result["description"] = reasons
    _labels(
        result,
        parentSuite="golive verdict",
        suite="Go-live verdict",
        feature="Go-live verdict",
        story="verdict",
        severity="blocker",
    )
    _add_attachments(result, _attachments(folder, run_dir, run, None, {}))
    return result


def _key(full_name: str, params: dict[str, str]) -> str:
    return json.dumps([full_name, sorted(params.items())])


def _environment(run: CiRun) -> bytes:
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")

    lines = [
        f"{esc(k).replace('=', '_').replace(':', '_').replace(' ', '_')}={esc(v)}"
        for k, v in run.environment.items()
    ]
    return ("\n".join(lines) + "\n").encode("utf-8")


def complete(folder: Path, run: CiRun) -> None:
    run_dir = folder.parent
    transcripts = _transcripts_by_test(run_dir)
    theirs: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path in sorted(folder.glob("*-result.json")):
        if path.name.startswith(PREFIX):
            path.unlink()  # ours, from an earlier pass: written again below
            continue
        result = json.loads(path.read_bytes())
        params = {str(p["name"]): str(p["value"]) for p in result.get("parameters") or []}
        theirs[_key(str(result.get("fullName", "")), params)] = (path, result)
    for record in run.records:
        full_name = f"{os.path.normpath(record.feature_uri or '')}:{record.scenario}"
        found = theirs.pop(_key(full_name, record.example), None)
        if record.kind == "scenario" and found is not None:
            path, result = found
            for step in result.get("steps") or []:
                _visible_parameters(step)
        else:
            result = _record_result(run, record)
            path = folder / f"{PREFIX}{result['uuid']}-result.json"
        _labels(result, **_record_labels(record))
        _add_attachments(result, _attachments(folder, run_dir, run, record.nodeid, transcripts))
        atomic_write(path, json.dumps(result, indent=1).encode("utf-8"))
    seen: dict[str, int] = {}
    extra = []
    for gate in run.gates:
        seen[gate.name] = seen.get(gate.name, 0) + 1
        extra.append(_gate_result(run, gate, seen[gate.name]))
    extra.append(_verdict_result(run, folder, run_dir))
    for result in extra:
        atomic_write(folder / f"{PREFIX}{result['uuid']}-result.json", json.dumps(result).encode())
    atomic_write(folder / "environment.properties", _environment(run))
