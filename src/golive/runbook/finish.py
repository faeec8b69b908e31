"""The runbook's own evidence: its run folder signed and chained like any run."""

from __future__ import annotations

import calendar
import time

from golive.evidence.finalize import RunContext, finalize
from golive.evidence.fsutil import sha256_file
from golive.evidence.keys import SigningKey
from golive.evidence.recorder import Recorder
from golive.evidence.results import TestRecord
from golive.evidence.session import harness_identity
from golive.evidence.verdict import VerdictResult
from golive.runbook.execute import RUNBOOK_COPY, Outcome, RunbookRun, order, write_log_views
from golive.runbook.model import Step

# a step's result → the outcome the verdict rules know (inconclusive and unconfirmed steps
# did not prove anything: skipped, so the runbook is INCONCLUSIVE, never GO)
OUTCOMES = {
    "passed": "passed",
    "failed": "failed",
    "error": "error",
    "inconclusive": "skipped",
    "unconfirmed": "skipped",
}


def _record(run: RunbookRun, step: Step, out: Outcome | None) -> TestRecord:
    label = f"{step.at}: {step.title}" if step.at else step.title
    branch = " (rollback branch)" if step.branch == "rollback" else ""
    record = TestRecord(
        nodeid=f"runbook::{step.id}",
        name=label + branch,
        kind="scenario",
        location=f"{RUNBOOK_COPY}:{step.line}",
        feature=f"Runbook {run.book.path.name}",
        feature_file=RUNBOOK_COPY,
    )
    if out is not None:
        record.outcome = OUTCOMES.get(out.result, "error")
        record.config_problem = out.result == "error" and step.kind != "command"
        detail = [out.note] if out.note else []
        if out.evidence:
            detail.append(f"evidence {out.evidence['run_id']} ({out.verdict})")
        record.message = "; ".join(detail)
        record.phases = {"call": record.outcome}
    return record


def finish(run: RunbookRun, outcomes: dict[str, Outcome], key: SigningKey) -> VerdictResult:
    run.log.append("runbook finished", actor=run.actor)
    write_log_views(run)
    steps = order(run.book.main_path())
    steps += [s for s in order(run.book.rollback_path()) if s.id in outcomes]
    rec = Recorder(run.run_dir, redactor=run.redactor)
    digest = sha256_file(run.run_dir / RUNBOOK_COPY)
    rec.metadata.update(
        {
            "release": run.release,
            "phase": run.book.phase,
            "runbook": {"file": run.book.path.name, "sha256": digest},
        }
    )
    first = run.log.events[0]
    started = calendar.timegm(time.strptime(first["at"], "%Y-%m-%dT%H:%M:%SZ"))
    ctx = RunContext(
        run_dir=run.run_dir,
        reports_dir=run.reports,
        key=key,
        recorder=rec,
        started_at=started,
        harness=harness_identity(),
        configuration={
            "args": ["runbook", str(run.book.path)],
            "mode": "runbook",
            "digest": sha256_file(run.run_dir / RUNBOOK_COPY),
        },
        inputs=[{"name": RUNBOOK_COPY, "sha256": sha256_file(run.run_dir / RUNBOOK_COPY)}],
        seeds={},
        records=[_record(run, s, outcomes.get(s.id)) for s in steps],
    )
    return finalize(ctx)
