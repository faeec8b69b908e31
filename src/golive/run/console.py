"""What `golive run` prints: scenario titles, and the verdict block read back from the bundle.

Everything is printed as `rich.text.Text`, never as markup, so a title such as
``The money loop through stripe in EUR [stripe-EUR-…]`` is shown as written.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from golive.evidence.fsutil import sha256_file
from golive.evidence.results import scenario_of

FAILED_OUTCOMES = ("failed", "error")
STEP_MARKS = {"passed": ("✓", "green"), "failed": ("✗", "red")}
MAX_MESSAGE_LINES = 6
VERDICT_STYLE = {"GO": "bold green", "NO-GO": "bold red"}
GATE_STYLE = {"PASS": "green", "FAIL": "red"}


def make_console() -> Console:
    """A console on a private copy of stderr.

    pytest's capture redirects file descriptor 2 while a test runs; a duplicate of it still
    reaches the terminal or the CI log. Off a terminal lines are never wrapped (soft wrap).
    """
    stream = os.fdopen(os.dup(2), "w", buffering=1, encoding="utf-8", errors="replace")
    terminal = stream.isatty()
    width = shutil.get_terminal_size().columns if terminal else None
    return Console(file=stream, soft_wrap=not terminal, highlight=False, width=width, emoji=False)


def scenario_title(item: Any) -> str:
    """ "Feature: Scenario [example values]" as in the canary report; the node id otherwise."""
    template = scenario_of(item)
    if template is None:
        return str(item.nodeid)
    callspec = getattr(item, "callspec", None)
    example = callspec.params.get("_pytest_bdd_example") if callspec is not None else None
    name = template.render(example).name if example else template.name
    feature = template.feature.name or template.feature.rel_filename
    suffix = f" [{callspec.id}]" if callspec is not None else ""
    return f"{feature}: {name}{suffix}"


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _title(test: dict[str, Any]) -> str:
    if test.get("kind") == "scenario" and test.get("feature"):
        return f"{test['feature']}: {test['name']}"
    return str(test.get("nodeid", "?"))


def _failures(console: Console, tests: list[dict[str, Any]], *, verbose: bool) -> None:
    failed = [t for t in tests if t.get("outcome") in FAILED_OUTCOMES]
    if not failed:
        return
    console.print(Text(f"Failed ({len(failed)}):", style="bold"))
    for test in failed:
        word = "ERROR" if test["outcome"] == "error" else "FAIL"
        console.print(Text.assemble("  ", (word, "red"), "  ", _title(test)))
        lines = str(test.get("message") or "no message was recorded").strip().splitlines()
        for line in lines[:MAX_MESSAGE_LINES]:
            console.print(Text("      " + line))
        if len(lines) > MAX_MESSAGE_LINES:
            console.print(Text(f"      … {len(lines) - MAX_MESSAGE_LINES} more line(s)"))
        if verbose:
            _steps(console, test.get("steps", []))


def _steps(console: Console, steps: list[dict[str, Any]]) -> None:
    """Given/When/Then of a failed scenario; pytest-bdd marks every step after the failing
    one as failed too, so those are shown as not run."""
    stopped = False
    for step in steps:
        status = None if stopped else step.get("status")
        stopped = stopped or status == "failed"
        mark, style = STEP_MARKS.get(str(status), ("·", "dim"))
        text = f"{step.get('keyword', '')} {step.get('name', '')}".strip()
        note = "" if status in STEP_MARKS else "  (not run)"
        console.print(Text.assemble("      ", (mark, style), " ", text, (note, "dim")))


def _gates(console: Console, gates: list[dict[str, Any]]) -> None:
    """One line a gate: status, name, what was measured (an SLO gate: estimate, bound and
    samples, with units) and the target."""
    if not gates:
        return
    console.print(Text(f"Gates ({len(gates)}):", style="bold"))
    for gate in gates:
        status = str(gate.get("status", "?"))
        target = f"; target {gate['target']}" if gate.get("target") else ""
        measured = gate.get("value") if gate.get("value") is not None else "no value"
        console.print(
            Text.assemble(
                "  ",
                (f"{status:<6}", GATE_STYLE.get(status, "yellow")),
                f" {gate.get('name', '?')}: {measured}{target}",
            )
        )


def print_verdict(console: Console, run_dir: Path, verdict: str, *, verbose: bool) -> None:
    """The verdict, its reasons, the gates, each failed scenario with its reason, and where
    it all is."""
    manifest = _read_json(run_dir / "manifest.json")
    results = _read_json(run_dir / "results.json")
    block = manifest.get("verdict", {})
    console.print()
    exit_code = block.get("exit_code")
    head = f"VERDICT: {verdict}" + (f" (exit {exit_code})" if exit_code is not None else "")
    console.print(Text(head, style=VERDICT_STYLE.get(verdict, "bold yellow")))
    for reason in block.get("reasons", []):
        console.print(Text(f"  - {reason}"))
    _gates(console, list(results.get("gates", [])))
    _failures(console, list(results.get("tests", [])), verbose=verbose)
    signer = manifest.get("signer", {})
    if signer and not signer.get("managed"):
        console.print(
            Text(
                "signed with an UNMANAGED key (generated for this run, then discarded): "
                "integrity only, not origin; pass --key PATH or set GOLIVE_SIGNING_KEY",
                style="yellow",
            )
        )
    console.print(Text(f"evidence: {run_dir}"))
    if (run_dir / "manifest.json").is_file():
        digest = sha256_file(run_dir / "manifest.json")
        console.print(Text(f"manifest sha256: {digest} (the next run's chain head)"))
