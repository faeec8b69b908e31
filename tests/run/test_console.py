"""The console of `golive run`: one line per scenario with its title and example values, no
pytest dots, a live bar only on a terminal, and a verdict block that names each failure."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from golive.run.console import print_verdict

ROOT = Path(__file__).resolve().parents[2]
EUR_LOOPS = "the_money_loop_through and EUR"
STRIPE = "Canary money loop: The money loop through stripe in EUR [stripe-EUR-"
ADYEN = "Canary money loop: The money loop through adyen in EUR [adyen-EUR-"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
CLEAN_ENV = {k: v for k, v in os.environ.items() if k != "GOLIVE_PLATFORM_FAULTS"}


def golive_run(*args: str, out: Path) -> list[str]:
    argv = [sys.executable, "-m", "golive", "run", "--suite", "canary", "--postgres", "local"]
    return [*argv, "--out", str(out), *args]


def run_captured(*args: str, out: Path, env: dict[str, str] | None = None) -> tuple[int, str]:
    res = subprocess.run(
        golive_run(*args, out=out), cwd=ROOT, capture_output=True, text=True, timeout=600,
        env={**CLEAN_ENV, **(env or {})},
    )  # fmt: skip
    return res.returncode, res.stdout + res.stderr


def line_with(text: str, lines: list[str]) -> str:
    found = [line for line in lines if text in line]
    assert len(found) == 1, f"{text!r} on {len(found)} lines of:\n" + "\n".join(lines)
    return found[0]


def test_captured_console_names_every_scenario_on_one_line(tmp_path: Path) -> None:
    rc, output = run_captured("-k", EUR_LOOPS, out=tmp_path / "reports")
    lines = output.splitlines()
    assert rc == 0, output
    stripe, adyen = line_with(STRIPE, lines), line_with(ADYEN, lines)
    assert stripe != adyen
    for line in (stripe, adyen):  # outcome and title on one line, longer than 80: not wrapped
        assert " pass " in line
        assert len(line) > 80
    assert not [line for line in lines if re.match(r"^\.+", line)], output  # no pytest dots
    assert "passed in" not in output  # nor pytest's summary
    assert not re.search(r"\d:\d\d:\d\d", output)  # no live bar (elapsed) off a terminal
    assert "\x1b[" not in output  # nor colours
    assert "VERDICT: GO (exit 0)" in output
    hint = line_with("UNMANAGED", lines)
    assert "--key PATH" in hint
    assert "--golive-key" not in output
    assert line_with("evidence: ", lines).endswith(str(next((tmp_path / "reports").iterdir())))


def test_terminal_console_shows_a_live_bar(tmp_path: Path) -> None:
    """Under a pseudo-terminal: the bar (counts, elapsed time) and the same scenario lines."""
    controller, terminal = pty.openpty()
    env = {**CLEAN_ENV, "TERM": "xterm-256color", "COLUMNS": "160"}
    proc = subprocess.Popen(
        golive_run("-k", EUR_LOOPS, out=tmp_path / "reports"),
        cwd=ROOT, stdin=terminal, stdout=terminal, stderr=terminal, env=env,
    )  # fmt: skip
    os.close(terminal)
    chunks: list[bytes] = []
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1.0)
            if ready:
                try:
                    data = os.read(controller, 65536)
                except OSError:  # the child closed the terminal
                    break
                if not data:
                    break
                chunks.append(data)
            elif proc.poll() is not None:
                break
        rc = proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        os.close(controller)
    raw = b"".join(chunks).decode("utf-8", "replace")
    text = ANSI.sub("", raw)
    assert rc == 0, text[-3000:]
    assert "\x1b[" in raw  # a terminal gets colours and cursor control
    assert re.search(r"[01]/2 .*\d+ pass \d+ fail \d+ skip.*\d:\d\d:\d\d", text), text[-3000:]
    assert STRIPE[:60] in text
    assert ADYEN[:60] in text
    assert "VERDICT: GO (exit 0)" in text


def test_failure_lists_the_scenario_its_reason_and_with_v_its_steps(tmp_path: Path) -> None:
    """A platform fault switched on by the test (the harness never reads it) fails a scenario."""
    rc, output = run_captured(
        "-v", "-k", "a_failed_payout and stripe", out=tmp_path / "reports",
        env={"GOLIVE_PLATFORM_FAULTS": "payout-failure-not-refunded"},
    )  # fmt: skip
    lines = output.splitlines()
    assert rc == 1, output
    assert "VERDICT: NO-GO (exit 1)" in output
    title = "Canary money loop: A failed payout through stripe refunds the wallet [stripe]"
    failed = lines.index(line_with(f"FAIL  {title}", [x for x in lines if " FAIL  " in x]))
    assert "expected 80.00 EUR" in lines[failed + 1]
    steps = lines[failed + 2 :]
    assert any(s.strip() == "✓ When the customer withdraws 50.00 EUR through stripe" for s in steps)
    assert any(s.strip().startswith("✗ And the wallet shows 80.00 EUR available") for s in steps)
    assert any(s.strip().endswith("(not run)") for s in steps)


def _bundle(tmp_path: Path, tests: list[dict[str, object]]) -> Path:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    verdict = {"verdict": "NO-GO", "exit_code": 1, "reasons": ["1 test(s) failed: [red]x[/]"]}
    manifest = {"verdict": verdict, "signer": {"managed": True}}
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    (run_dir / "results.json").write_text(json.dumps({"tests": tests}))
    return run_dir


STEPS = [
    {"keyword": "Given", "name": "a wallet", "status": "passed"},
    {"keyword": "When", "name": "it [bold]pays[/]", "status": "failed"},
    {"keyword": "Then", "name": "nothing moved", "status": "failed"},
]


@pytest.mark.parametrize("verbose", [False, True])
def test_verdict_block_prints_names_as_written(tmp_path: Path, verbose: bool) -> None:
    tests: list[dict[str, object]] = [
        {"kind": "scenario", "feature": "F", "name": "S [stripe-EUR-1]", "outcome": "failed",
         "message": "boom [red]not markup[/]", "steps": STEPS},
        {"kind": "test", "nodeid": "properties/test_p.py::test_q", "outcome": "error",
         "message": "", "steps": []},
        {"kind": "scenario", "feature": "F", "name": "ok", "outcome": "passed", "steps": []},
    ]  # fmt: skip
    console = Console(record=True, width=60, soft_wrap=True, file=open(os.devnull, "w"))  # noqa: SIM115
    print_verdict(console, _bundle(tmp_path, tests), "NO-GO", verbose=verbose)
    text = console.export_text()
    assert "VERDICT: NO-GO (exit 1)" in text
    assert "  - 1 test(s) failed: [red]x[/]" in text
    assert "FAIL  F: S [stripe-EUR-1]" in text
    assert "boom [red]not markup[/]" in text
    assert "ERROR  properties/test_p.py::test_q" in text
    assert "no message was recorded" in text
    assert "F: ok" not in text
    assert "UNMANAGED" not in text  # a managed key gets no hint
    assert ("✗ When it [bold]pays[/]" in text) is verbose
    assert ("· Then nothing moved  (not run)" in text) is verbose
