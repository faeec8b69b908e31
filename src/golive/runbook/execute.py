"""Running a runbook: each step in order, logged as it happens, resumable, signed at the end.

The runbook's own evidence is a run folder like any other (RUNNING until the end, then
signed and chained): one record per step, the execution log, the runbook it ran. Suite and
probe steps are `golive` commands in subprocesses, so each suite run is a signed run of its
own, labelled with the release and phase (GOLIVE_RELEASE, GOLIVE_PHASE); the log cites its
manifest digest. A NO-GO at a decision point stops the main path and runs the rollback branch.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.errors import ConfigError
from golive.evidence.fsutil import atomic_write, sha256_file
from golive.evidence.manifest import MANIFEST, RUNNING, load_manifest, run_dirs
from golive.evidence.redact import Redactor
from golive.runbook.confirm import Confirmations
from golive.runbook.log import LOG, LOG_MD, ExecutionLog
from golive.runbook.model import PROBES, Runbook, Step, configured_operations, load_runbook

RUNBOOK_COPY = "runbook.toml"
Ask = Callable[[Step], tuple[str, str] | None]  # an operator's (actor, note), or None


@dataclass
class Outcome:
    result: str  # passed, failed, inconclusive, unconfirmed, error, interrupted
    exit_code: int | None = None
    verdict: str | None = None
    evidence: dict[str, str] | None = None
    note: str = ""
    actor: str | None = None


@dataclass
class RunbookRun:
    book: Runbook
    run_dir: Path
    reports: Path
    release: str
    passthrough: list[str] = field(default_factory=list)
    confirmations: Confirmations | None = None
    ask: Ask | None = None  # None: non-interactive
    say: Callable[[str], None] = print  # one line per step, as it starts and ends
    redactor: Redactor = field(default_factory=Redactor)  # what the log must never show
    actor: str = field(default_factory=lambda: os.environ.get("USER") or "golive")

    @property
    def log(self) -> ExecutionLog:
        return ExecutionLog.open(self.run_dir / LOG)


def order(steps: list[Step]) -> list[Step]:
    """Listing order, except that a step comes after the steps it needs."""
    by_id, done, out = {s.id: s for s in steps}, set(), []

    def place(step: Step) -> None:
        if step.id in done:
            return
        done.add(step.id)
        for need in step.needs:
            if need in by_id:
                place(by_id[need])
        out.append(step)

    for step in steps:
        place(step)
    return out


def start(book: Runbook, reports: Path, release: str, **kw: Any) -> RunbookRun:
    from golive.evidence.manifest import create_run_dir

    run_dir = create_run_dir(reports)
    shutil.copyfile(book.path, run_dir / RUNBOOK_COPY)
    run = RunbookRun(book, run_dir, reports, release, **kw)
    run.log.append(
        "runbook started",
        runbook=str(book.path),
        release=release,
        runbook_sha256=sha256_file(book.path),
        actor=run.actor,
    )
    return run


def unfinished(reports: Path) -> Path:
    """The newest runbook run folder still RUNNING in ``reports`` (for resume)."""
    found = [d for d in run_dirs(reports) if (d / RUNNING).exists() and (d / LOG).exists()]
    if not found:
        raise ConfigError(
            f"no unfinished runbook in {reports}: start one with `golive runbook run`"
        )
    return found[-1]


def reopen(run_dir: Path, reports: Path, **kw: Any) -> RunbookRun:
    book = load_runbook(run_dir / RUNBOOK_COPY, configured_operations())
    first = ExecutionLog.open(run_dir / LOG).events[0]
    run = RunbookRun(book, run_dir, reports, str(first.get("release")), **kw)
    run.log.append("runbook resumed", actor=run.actor)
    return run


def execute(run: RunbookRun) -> dict[str, Outcome]:
    """Run every step not yet done; stop at the first failure (a NO-GO decision runs the
    rollback branch first). Returns each step's outcome (done earlier ones included)."""
    outcomes = {k: _from_event(e) for k, e in run.log.finished().items()}
    for step in order(run.book.main_path()):
        if step.id in outcomes:
            continue
        out = outcomes[step.id] = _run_step(run, step)
        if out.result == "passed":
            continue
        if step.decision and out.result == "failed":
            run.log.append("decision", step.id, result="NO-GO", note="rollback branch starts")
            for rb in order(run.book.rollback_path()):
                if rb.id not in outcomes:
                    outcomes[rb.id] = _run_step(run, rb)
                    if outcomes[rb.id].result != "passed":
                        break
        break
    return outcomes


def _from_event(e: dict[str, Any]) -> Outcome:
    return Outcome(
        str(e["result"]),
        e.get("exit_code"),
        e.get("verdict"),
        e.get("evidence"),
        str(e.get("note") or ""),
        e.get("actor"),
    )


def _run_step(run: RunbookRun, step: Step) -> Outcome:
    command = _command(run, step)
    run.log.append(
        "start",
        step.id,
        kind=step.kind,
        title=step.title,
        at_label=step.at,
        command=run.redactor.redact_json(command),
        actor=run.actor if step.kind != "manual" else None,
    )
    began = time.monotonic()
    run.say(f"{step.at or '':>6} {step.id}: {step.title} …")
    out = _manual(run, step) if step.kind == "manual" else _subprocess(run, step, command)
    result = out.result
    seconds = time.monotonic() - began
    detail = f" — {out.note}" if out.note and result != "passed" else ""
    run.say(f"{'':>6} {step.id}: {result.upper()} ({seconds:.1f} s){detail}")
    run.log.append(
        "end",
        step.id,
        result=result,
        exit_code=out.exit_code,
        verdict=out.verdict,
        evidence=out.evidence,
        note=out.note or None,
        actor=out.actor,
        seconds=round(time.monotonic() - began, 3),
    )
    return out


def _command(run: RunbookRun, step: Step) -> list[str] | None:
    golive = [sys.executable, "-m", "golive"]
    if step.kind == "suite":
        return [
            *golive,
            "run",
            "--suite",
            str(step.suite),
            "--out",
            str(run.reports.resolve()),
            *("--release", run.release, "--phase", step.phase),  # over golive.toml's [run]
            *run.passthrough,
            *step.args,
        ]
    if step.kind == "probe":
        return [*golive, *PROBES[str(step.probe)], *step.args]
    if step.kind in ("command", "operation"):
        return list(step.command)
    return None


def _manual(run: RunbookRun, step: Step) -> Outcome:
    if run.ask is not None:
        answer = run.ask(step)
        if answer is None:
            return Outcome("unconfirmed", note="the operator did not confirm it")
        actor, note = answer
        return Outcome("passed", note=note, actor=actor)
    found = run.confirmations.by_step.get(step.id) if run.confirmations else None
    if found is None:
        return Outcome(
            "unconfirmed",
            note=f"no pre-signed confirmation of {step.id!r} (owner: {step.owner}); add one "
            "with `golive runbook confirm`",
        )
    approver = run.confirmations.approver if run.confirmations else ""
    note = f"confirmed at {found.at}, signed by {approver}" + (
        f": {found.note}" if found.note else ""
    )
    return Outcome("passed", note=note, actor=found.actor)


def _subprocess(run: RunbookRun, step: Step, argv: list[str] | None) -> Outcome:
    assert argv is not None
    before = {d.name for d in run_dirs(run.reports)}
    env = {**os.environ, "GOLIVE_RELEASE": run.release, "GOLIVE_PHASE": step.phase}
    try:
        proc = subprocess.Popen(argv, env=env, cwd=step.cwd, start_new_session=True)
    except OSError as exc:
        return Outcome("error", note=f"{argv[0]} could not start: {exc.strerror}")
    try:
        code = proc.wait(timeout=step.timeout)
    except subprocess.TimeoutExpired:
        _stop(proc)
        return Outcome("error", note=f"timed out after {step.timeout:g} s")
    except KeyboardInterrupt:
        _stop(proc)
        raise
    evidence = _new_run(run.reports, before, run.run_dir)
    verdict = evidence.pop("verdict", None) if evidence else None
    if step.kind in ("command", "operation"):
        result = "passed" if code == 0 else "failed"
    else:  # golive's exit codes: 0 GO, 1 NO-GO, 2 usage, 3 INCONCLUSIVE
        result = {0: "passed", 1: "failed", 3: "inconclusive"}.get(code, "error")
    return Outcome(result, code, verdict, evidence or None)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the step's process group (golive finalises ABORTED), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
            return
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


def _new_run(reports: Path, before: set[str], own: Path) -> dict[str, str]:
    """The run folder a suite step wrote: its id, manifest digest and verdict."""
    new = [d for d in run_dirs(reports) if d.name not in before and d != own]
    for d in reversed(new):
        manifest = load_manifest(d)
        if manifest is not None:
            return {
                "run_id": d.name,
                "manifest_sha256": sha256_file(d / MANIFEST),
                "verdict": str((manifest.get("verdict") or {}).get("verdict")),
            }
    return {}


def write_log_views(run: RunbookRun) -> None:
    log = run.log
    atomic_write(run.run_dir / LOG_MD, log.to_markdown(f"{run.book.path.name}, {run.release}"))
