"""`golive runbook run/resume/confirm` through the real CLI: steps in order with a signed,
chained execution log; resume never repeats a step; a NO-GO decision runs the rollback branch;
manual steps need a pre-signed confirmation in CI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from golive.evidence.keys import generate_keypair
from golive.evidence.manifest import load_manifest, run_dirs
from golive.evidence.verify import verify_chain, verify_run

PY = sys.executable


def golive(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PY, "-m", "golive", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "runbook.toml"
    path.write_text('release = "rc-1.4.0"\nphase = "cutover"\n' + body)
    return path


def _log(run_dir: Path) -> list[dict[str, object]]:
    return [json.loads(x) for x in (run_dir / "execution_log.jsonl").read_text().splitlines()]


@pytest.fixture
def key(tmp_path: Path) -> Path:
    private, _ = generate_keypair(tmp_path / "keys")
    return private


STEPS = f"""
[[step]]
id = "count"
at = "T-60"
title = "Counted once"
kind = "command"
command = "{PY} -c 'open(\\"ran.txt\\", \\"a\\").write(\\"x\\")'"

[[step]]
id = "freeze"
at = "T-45"
title = "Change freeze announced"
kind = "manual"
owner = "Release manager"

[[step]]
id = "canary"
at = "T-0"
title = "Decide"
kind = "command"
command = "{PY} -c 'import sys; sys.exit(0)'"
decision = true

[[step]]
id = "undo"
title = "Roll back"
kind = "command"
branch = "rollback"
command = "{PY} -c 'open(\\"rolled-back.txt\\", \\"w\\")'"
"""


def test_non_interactive_run_with_confirmations_is_go_signed_and_chained(
    tmp_path: Path, key: Path
) -> None:
    book = _write(tmp_path, STEPS)
    conf = tmp_path / "confirmations.json"
    res = golive(
        "runbook",
        "confirm",
        str(book),
        "--step",
        "freeze",
        "--actor",
        "Ada",
        "--note",
        "OPS-1",
        "--key",
        str(key),
        "--file",
        str(conf),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stderr
    res = golive(
        "runbook",
        "run",
        str(book),
        "--non-interactive",
        "--confirmations",
        str(conf),
        "--key",
        str(key),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    [run_dir] = run_dirs(tmp_path / "reports")
    assert verify_run(run_dir).ok, verify_run(run_dir).problems
    manifest = load_manifest(run_dir)
    assert manifest is not None
    assert (manifest["release"], manifest["phase"]) == ("rc-1.4.0", "cutover")
    events = _log(run_dir)
    ends = {e["step"]: e for e in events if e["event"] == "end"}
    assert set(ends) == {"count", "freeze", "canary"}  # the rollback branch did not run
    assert ends["freeze"]["actor"] == "Ada"
    assert "OPS-1" in str(ends["freeze"]["note"])
    assert all(e["result"] == "passed" for e in ends.values())
    assert not (tmp_path / "rolled-back.txt").exists()
    md = (run_dir / "execution_log.md").read_text()
    assert "| freeze | end | Ada |" in md
    assert [a["path"] for a in manifest["artifacts"] if "execution_log" in a["path"]] == [
        "execution_log.jsonl",
        "execution_log.md",
    ]


def test_an_unconfirmed_manual_step_is_inconclusive(tmp_path: Path, key: Path) -> None:
    book = _write(tmp_path, STEPS)
    res = golive("runbook", "run", str(book), "--non-interactive", "--key", str(key), cwd=tmp_path)
    assert res.returncode == 3, res.stdout + res.stderr
    assert "no pre-signed confirmation of 'freeze'" in res.stdout
    [run_dir] = run_dirs(tmp_path / "reports")
    ends = [e["step"] for e in _log(run_dir) if e["event"] == "end"]
    assert ends == ["count", "freeze"]  # stopped there


def test_a_no_go_decision_runs_the_rollback_branch_and_stops(tmp_path: Path, key: Path) -> None:
    book = _write(
        tmp_path,
        STEPS.replace("sys.exit(0)", "sys.exit(1)").replace(
            'kind = "manual"\nowner = "Release manager"', f'kind = "command"\ncommand = "{PY} -V"'
        ),
    )
    res = golive("runbook", "run", str(book), "--non-interactive", "--key", str(key), cwd=tmp_path)
    assert res.returncode == 1, res.stdout + res.stderr
    assert (tmp_path / "rolled-back.txt").exists()
    [run_dir] = run_dirs(tmp_path / "reports")
    events = _log(run_dir)
    assert [e["event"] for e in events if e["event"] == "decision"] == ["decision"]
    assert "Runbook runbook.toml: T-0: Decide" in res.stdout


def test_resume_after_an_interruption_never_repeats_a_step(tmp_path: Path, key: Path) -> None:
    # the second step interrupts the runbook (SIGTERM to it) the first time it runs
    (tmp_path / "interrupt.py").write_text(
        "import os, pathlib, signal, time\n"
        "mark = pathlib.Path('killed')\n"
        "if not mark.exists():\n"
        "    mark.touch()\n"
        "    os.kill(os.getppid(), signal.SIGTERM)\n"
        "    time.sleep(30)\n"
    )
    book = _write(
        tmp_path,
        STEPS.replace(
            'kind = "manual"\nowner = "Release manager"',
            f'kind = "command"\ncommand = "{PY} interrupt.py"',
        ),
    )
    first = golive(
        "runbook", "run", str(book), "--non-interactive", "--key", str(key), cwd=tmp_path
    )
    assert first.returncode == 3, first.stdout + first.stderr
    assert "golive runbook resume" in first.stdout
    [run_dir] = run_dirs(tmp_path / "reports")
    assert (run_dir / "RUNNING").exists()
    assert not verify_run(run_dir).ok  # unfinished evidence never verifies
    again = golive("runbook", "resume", "--non-interactive", "--key", str(key), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert (tmp_path / "ran.txt").read_text() == "x"  # the first step ran once
    events = _log(run_dir)
    assert [e["event"] for e in events].count("interrupted") == 1
    assert [e["step"] for e in events if e["event"] == "end"] == ["count", "freeze", "canary"]
    assert verify_run(run_dir).ok


def test_confirmations_of_another_runbook_are_refused(tmp_path: Path, key: Path) -> None:
    book = _write(tmp_path, STEPS)
    conf = tmp_path / "confirmations.json"
    golive(
        "runbook",
        "confirm",
        str(book),
        "--step",
        "freeze",
        "--actor",
        "Ada",
        "--key",
        str(key),
        "--file",
        str(conf),
        cwd=tmp_path,
    )
    book.write_text(book.read_text().replace("Counted once", "Counted twice"))
    res = golive(
        "runbook", "run", str(book), "--non-interactive", "--confirmations", str(conf), cwd=tmp_path
    )
    assert res.returncode == 2
    assert "confirms another runbook" in res.stderr
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow
def test_a_suite_step_is_a_signed_run_of_its_own_cited_by_the_log(
    tmp_path: Path,
    key: Path,
    pg_instance,  # type: ignore[no-untyped-def]
) -> None:
    body = STEPS.replace(
        'kind = "manual"\nowner = "Release manager"',
        ('kind = "suite"\nsuite = "canary"\nargs = ["-k", "declined"]'),
    )
    book = _write(tmp_path, body)
    res = golive(
        "runbook",
        "run",
        str(book),
        "--non-interactive",
        "--key",
        str(key),
        "--postgres",
        pg_instance.dsn(),
        cwd=tmp_path,
    )
    assert res.returncode == 0, res.stdout + res.stderr
    runs = run_dirs(tmp_path / "reports")
    assert len(runs) == 2
    suite_run, book_run = sorted(runs, key=lambda d: load_manifest(d)["sequence"])  # type: ignore[index]
    suite_manifest = load_manifest(suite_run)
    assert suite_manifest is not None
    assert (suite_manifest["release"], suite_manifest["phase"]) == ("rc-1.4.0", "cutover")
    [cited] = [e["evidence"] for e in _log(book_run) if e.get("evidence")]
    assert cited["run_id"] == suite_run.name  # type: ignore[index]
    chain = verify_chain(tmp_path / "reports")
    assert chain.ok, chain.problems
    order = [n for n in chain.notes if n.startswith("#")]
    assert order == [
        f"#1 {suite_run.name}: GO (rc-1.4.0, cutover)",
        f"#2 {book_run.name}: GO (rc-1.4.0, cutover)",
    ]
    password = urlsplit(pg_instance.dsn()).password
    assert password
    for path in book_run.rglob("*"):  # the log shows the suite's command, never its password
        assert not path.is_file() or password not in path.read_text(errors="replace"), path


def test_an_operation_step_runs_the_targets_operation(tmp_path: Path, key: Path) -> None:
    """The runbook's deploy step is golive.toml's `deploy` operation, run in the
    configuration's folder with the step's values: its evidence is the execution log."""
    (tmp_path / "golive.toml").write_text(
        "[target.operations]\n"
        f'deploy = "{PY} -c \'open(\\"deployed-{{release}}.txt\\", \\"w\\")\'"\n'
    )
    book = _write(
        tmp_path,
        '\n[[step]]\nid = "deploy"\ntitle = "Deploy"\nkind = "operation"\n'
        'operation = "deploy"\nvalues = { release = "1.4.0" }\n',
    )
    res = golive("runbook", "run", str(book), "--non-interactive", "--key", str(key), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert (tmp_path / "deployed-1.4.0.txt").exists()
    [run_dir] = run_dirs(tmp_path / "reports")
    [start] = [e for e in _log(run_dir) if e["event"] == "start"]
    assert start["kind"] == "operation"
    assert start["command"][-1] == 'open("deployed-1.4.0.txt", "w")'
