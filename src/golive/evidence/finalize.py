"""Turn a finished (or interrupted) run into a signed bundle.

Order matters, and is the crash-safety argument:
1. close transcripts; complete the CI formats (junit, cucumber, allure: ciformats.py) with
   every test, the gates and a first verdict; redact them and every other file in place;
2. decide the verdict; write results.json and signer.pub;
3. scan every file for secrets (views and manifest too, before they are written); any
   finding means: no signature, verdict INCONCLUSIVE, exit 3 (and the CI formats are written
   again with that verdict);
4. hash every artifact, link to the previous run, render report.html / canary_report.md;
5. write manifest.json, then attestation.dsse.json (each atomically), then remove RUNNING.
A crash anywhere before step 5 ends leaves RUNNING behind: `golive verify` says incomplete.
"""

from __future__ import annotations

import json
import platform
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.evidence import dsse
from golive.evidence.ciformats import CiRun, environment, write_ci_formats
from golive.evidence.fsutil import atomic_write, bundle_files, hash_files, pretty_json, sha256_bytes
from golive.evidence.keys import SigningKey
from golive.evidence.manifest import (
    ATTESTATION,
    MANIFEST,
    RESULTS,
    RUNNING,
    SCHEMA,
    SIGNER_PUB,
    VIEWS,
    chain_lock,
    iso,
    previous_link,
)
from golive.evidence.recorder import Recorder
from golive.evidence.redact import Redactor
from golive.evidence.results import TestRecord, now, settle_unfinished
from golive.evidence.verdict import (
    ERROR,
    FAILED,
    INTERRUPTED,
    PASSED,
    GateStatus,
    Verdict,
    VerdictResult,
    decide,
)
from golive.evidence.views import render_views

# Our own files that are never rewritten by the redaction pass (written after it, or markers).
NOT_REDACTED = frozenset({RUNNING, SIGNER_PUB, RESULTS})


@dataclass
class RunContext:
    """Everything the plugin hands over at the end of a run."""

    run_dir: Path
    reports_dir: Path
    key: SigningKey
    recorder: Recorder
    started_at: float
    harness: dict[str, Any]
    configuration: dict[str, Any]
    inputs: list[dict[str, str]]
    seeds: dict[str, Any]
    chain_head: str | None = None
    records: list[TestRecord] = field(default_factory=list)
    collection_errors: list[dict[str, str]] = field(default_factory=list)
    interrupted: str | None = None


def _redact_in_place(run_dir: Path, redactor: Redactor) -> None:
    """Redact every file so far: junit, cucumber and allure output, and our own files again
    (a secret registered after an attachment was written is caught here)."""
    for rel in bundle_files(run_dir):
        if rel in NOT_REDACTED:
            continue
        path = run_dir / rel
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        clean = redactor.redact_bytes(data)
        if clean != data:
            atomic_write(path, clean)


def _drop_empty_folders(run_dir: Path) -> None:
    """An empty folder (allure-results/ of a run without scenarios) is not evidence."""
    for path in sorted(run_dir.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()


def scan_bundle(run_dir: Path, redactor: Redactor, names: list[str]) -> list[str]:
    """Plain-language findings ("FILE at byte N: KIND"), never the secret itself."""
    problems = []
    for rel in names:
        path = run_dir / rel
        if path.is_symlink() or not path.is_file():
            continue
        for finding in redactor.scan(path.read_bytes())[:5]:
            problems.append(f"{rel} at byte {finding.offset}: looks like a {finding.kind}")
    return problems


def _counts(records: list[TestRecord]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for record in records:
        counts[record.outcome] = counts.get(record.outcome, 0) + 1
    counts["total"] = len(records)
    return counts


def _verdict(ctx: RunContext, extra: list[str]) -> VerdictResult:
    tests = [r.outcome_for_verdict() for r in ctx.records]
    problems = list(ctx.recorder.problems) + extra
    if ctx.collection_errors:
        names = ", ".join(e["nodeid"] for e in ctx.collection_errors[:10])
        problems.append(f"{len(ctx.collection_errors)} collection error(s): {names}")
    result = decide(
        tests=tests, gates=ctx.recorder.gates, interrupted=ctx.interrupted, problems=problems
    )
    if extra and result.verdict is Verdict.NO_GO:  # unsigned evidence proves nothing: exit 3
        return VerdictResult(Verdict.INCONCLUSIVE, (*extra, *result.reasons))
    return result


def _ci_run(ctx: RunContext, verdict: VerdictResult) -> CiRun:
    rec = ctx.recorder
    return CiRun(
        run_id=ctx.run_dir.name,
        verdict=verdict,
        records=ctx.records,
        gates=list(rec.gates),
        environment=environment(rec.metadata, ctx.harness, ctx.run_dir.name),
        started_at=ctx.started_at,
        attachments=list(rec.attachments),
    )


def _results(ctx: RunContext) -> dict[str, Any]:
    rec = ctx.recorder
    by_test: dict[str, list[str]] = {}
    for att in rec.attachments:
        by_test.setdefault(att.test or "", []).append(att.path)
    for record in ctx.records:
        record.attachments = by_test.get(record.nodeid, [])
    return {
        "schema": "golive.results/v1",
        "tests": [r.to_dict() for r in ctx.records],
        "gates": [g.to_dict() for g in rec.gates],
        "attachments": [vars(a) for a in rec.attachments],
        "metadata": rec.metadata,
        "collection_errors": ctx.collection_errors,
        "exchanges": {
            peer: len(rec.records(peer)) for peer in sorted({e.peer for e in rec.exchanges})
        },
    }


def _entries(run_dir: Path, names: list[str]) -> list[dict[str, Any]]:
    digests = hash_files([run_dir / n for n in names])
    return [
        {"path": n, "sha256": digests[run_dir / n], "size": (run_dir / n).stat().st_size}
        for n in names
    ]


def _statement(manifest_bytes: bytes, manifest: dict[str, Any], results: dict[str, Any]) -> bytes:
    verdict = Verdict(manifest["verdict"]["verdict"])
    tests = results["tests"]
    # Tests are named by pytest node id, the name a policy can match exactly.
    passed = [t["nodeid"] for t in tests if t["outcome"] == PASSED]
    failed = [t["nodeid"] for t in tests if t["outcome"] in (FAILED, ERROR, INTERRUPTED)]
    warned = [
        t["nodeid"] for t in tests if t["outcome"] not in (PASSED, FAILED, ERROR, INTERRUPTED)
    ]
    for gate in results["gates"]:
        label = f"gate: {gate['name']}"
        status = GateStatus(gate["status"])
        if status is GateStatus.PASS:
            passed.append(label)
        elif status is GateStatus.FAIL and gate["critical"]:
            failed.append(label)
        else:
            warned.append(label)
    configuration = [
        {"name": i["name"], "digest": {"sha256": i["sha256"]}} for i in manifest["inputs"]
    ]
    configuration.append(
        {"name": "golive-configuration", "digest": {"sha256": manifest["configuration"]["digest"]}}
    )
    target, project = manifest.get("target"), manifest.get("project")
    if isinstance(target, dict) and target.get("url"):
        configuration.append({"name": "target", "uri": str(target["url"])})
    if isinstance(project, dict) and project.get("commit"):
        configuration.append({"name": "project", "digest": {"gitCommit": project["commit"]}})
    return dsse.statement(
        run={k: manifest.get(k) for k in ("release", "environment", "phase", "target", "project")},
        manifest_digest=sha256_bytes(manifest_bytes),
        result=verdict.in_toto_result,
        configuration=configuration,
        passed=passed,
        warned=warned,
        failed=failed,
    )


def finalize(ctx: RunContext) -> VerdictResult:
    run_dir, rec = ctx.run_dir, ctx.recorder
    settle_unfinished(ctx.records, ctx.interrupted)
    rec.close_transcripts()
    # The CI formats carry the verdict; if the secret scan changes it, they are written again.
    first = _verdict(ctx, [])
    ci_problems = write_ci_formats(run_dir, _ci_run(ctx, first))
    _redact_in_place(run_dir, rec.redactor)
    _drop_empty_folders(run_dir)
    finished = now()
    results = _clean(_results(ctx), rec.redactor)
    atomic_write(run_dir / RESULTS, pretty_json(results))
    atomic_write(run_dir / SIGNER_PUB, ctx.key.public_pem())

    listed = [n for n in bundle_files(run_dir) if n not in (RUNNING, MANIFEST, ATTESTATION, *VIEWS)]
    findings = scan_bundle(run_dir, rec.redactor, listed)
    verdict = _verdict(ctx, _refusal(findings) + ci_problems)
    if verdict != first:
        write_ci_formats(run_dir, _ci_run(ctx, verdict))
    meta = rec.metadata
    core: dict[str, Any] = {
        "schema": SCHEMA,
        "run_id": run_dir.name,
        "harness": ctx.harness,
        "platform": {"python": platform.python_version(), "system": platform.platform()},
        "target": meta.get("target"),
        "release": meta.get("release"),
        "environment": meta.get("environment"),
        "phase": meta.get("phase"),
        "project": meta.get("project"),
        "configuration": ctx.configuration,
        "inputs": ctx.inputs,
        "seeds": {**ctx.seeds, **(meta.get("seeds") or {})},
        "started_at": iso(ctx.started_at),
        "finished_at": iso(finished),
        "duration_s": round(finished - ctx.started_at, 3),
        "counts": _counts(ctx.records),
        "signer": {
            "fingerprint": ctx.key.fingerprint,
            "managed": ctx.key.managed,
            "source": ctx.key.source,
            "public_key": SIGNER_PUB,
        },
        "artifacts": _entries(run_dir, listed),
    }
    with chain_lock(ctx.reports_dir):
        previous = previous_link(ctx.reports_dir, run_dir, ctx.chain_head)
        core["previous"] = previous
        prev_seq = (previous or {}).get("sequence")
        core["sequence"] = (int(prev_seq) + 1) if prev_seq is not None else 1
        core["verdict"] = verdict.to_dict()
        core["signing"] = _signing(findings)
        views = render_views(core, results, run_dir)
        # the views and the manifest itself are scanned too, before anything is signed
        late = _scan_outputs(rec.redactor, {**views, MANIFEST: _manifest(core, views)[1]})
        if late and not findings:
            findings = late
            verdict = _verdict(ctx, _refusal(findings) + ci_problems)
            write_ci_formats(run_dir, _ci_run(ctx, verdict))
            core["artifacts"] = _entries(run_dir, listed)
            core["verdict"], core["signing"] = verdict.to_dict(), _signing(findings)
            views = render_views(core, results, run_dir)
        for name, data in views.items():
            atomic_write(run_dir / name, data)
        manifest, manifest_bytes = _manifest(core, views)
        atomic_write(run_dir / MANIFEST, manifest_bytes)
        if not findings:
            envelope = dsse.sign(_statement(manifest_bytes, manifest, results), ctx.key)
            atomic_write(run_dir / ATTESTATION, envelope)
        (run_dir / RUNNING).unlink(missing_ok=True)
    return verdict


def _clean(results: dict[str, Any], redactor: Redactor) -> dict[str, Any]:
    """results with every secret registered by now masked (the text is redacted as JSON)."""
    clean = redactor.redact_bytes(pretty_json(results))
    try:
        parsed: dict[str, Any] = json.loads(clean)
    except ValueError:  # a replacement broke the JSON: keep it as is, the scan will judge
        return results
    return parsed


def _scan_outputs(redactor: Redactor, outputs: dict[str, bytes]) -> list[str]:
    """Findings in files not yet written (views, the manifest), as `scan_bundle` words them."""
    return [
        f"{name} at byte {f.offset}: looks like a {f.kind}"
        for name, data in outputs.items()
        for f in redactor.scan(data)[:5]
    ]


def _manifest(core: dict[str, Any], views: dict[str, bytes]) -> tuple[dict[str, Any], bytes]:
    entries = [
        {"path": n, "sha256": sha256_bytes(d), "size": len(d)} for n, d in sorted(views.items())
    ]
    manifest = {**core, "views": entries}
    return manifest, pretty_json(manifest)


def _refusal(findings: list[str]) -> list[str]:
    if not findings:
        return []
    shown = "; ".join(findings[:5])
    more = f" (and {len(findings) - 5} more)" if len(findings) > 5 else ""
    return [f"evidence was NOT signed: secret-looking content remains in {shown}{more}"]


def _signing(findings: list[str]) -> dict[str, Any]:
    if not findings:
        return {"signed": True, "format": "DSSE", "file": ATTESTATION}
    return {
        "signed": False,
        "reason": "secret scan found secret-looking content",
        "findings": findings,
    }
