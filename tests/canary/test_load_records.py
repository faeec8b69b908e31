"""What the load processes write and golive reads back: each loop's world, each exchange;
and how the engine starts and ends Locust (without starting it: see test_load_engine.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from golive.canary.model import WalletModel
from golive.canary.world import CanaryWorld
from golive.load.engine import GRACE_S, LoadRequest, _kill_group, command, environment, run_locust
from golive.load.records import dump, loop_record, read_exchanges, read_loops, world_of
from golive.target import Deposit, Hold, Withdrawal


def _world() -> CanaryWorld:
    world = CanaryWorld(client=None, psp=None)  # type: ignore[arg-type]
    world.wallet = WalletModel("acc_1", "EUR", deposits={"dep_1": 10_000},
                               credited={"dep_1"}, holds={"hold_2": 2_000}, burned=1_250,
                               withdrawals={"wd_1": 3_333})  # fmt: skip
    world.deposits = [Deposit("dep_1", "acc_1", 10_000, "EUR", "stripe", "pi_1", "succeeded")]
    world.holds = [
        Hold("hold_1", "acc_1", 2_500, "EUR", "burned", 1_250, 0, "2026-01-01T00:00:00Z"),
        Hold("hold_2", "acc_1", 2_000, "EUR", "pending", 0, 0, "2026-01-01T00:00:00Z"),
    ]
    world.withdrawals = [Withdrawal("wd_1", "acc_1", 3_333, "EUR", "stripe", "po_1", "in_transit")]
    return world


def test_a_loops_world_comes_back_with_the_same_figures(tmp_path: Path) -> None:
    world = _world()
    folder = tmp_path / "host-1"
    folder.mkdir()
    (folder / "loops.jsonl").write_text(dump(loop_record(7, world)) + "\n")
    (record,) = read_loops(tmp_path)
    again = world_of(record, client=None, psp=None)  # type: ignore[arg-type]
    assert record.index == 7
    assert record.failure is None
    assert not record.no_answer
    assert again.w == world.w
    assert (again.w.available, again.w.held, again.w.pending) == (3_417, 2_000, 0)
    assert again.deposits == world.deposits
    assert again.holds == world.holds
    assert again.hold == world.holds[-1]
    assert again.withdrawals == world.withdrawals


def test_loops_of_every_process_are_read_in_loop_order(tmp_path: Path) -> None:
    failed = loop_record(2, CanaryWorld(None, None), "NoAnswer: timed out", True)  # type: ignore[arg-type]
    by_process = {"a-1": [loop_record(3, _world()), failed], "b-2": [loop_record(0, _world())]}
    for name, records in by_process.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "loops.jsonl").write_text("".join(dump(r) + "\n" for r in records))
    loops = read_loops(tmp_path)
    assert [r.index for r in loops] == [0, 2, 3]
    assert loops[1].wallet is None
    assert loops[1].no_answer
    assert loops[1].failure == "NoAnswer: timed out"


def test_exchanges_of_every_process_are_read_by_start_time(tmp_path: Path) -> None:
    lines = {
        "a-1": [("GET", 200, 10.5), ("POST", 503, 12.0)],
        "b-2": [("POST", 201, 11.0)],
    }
    for name, rows in lines.items():
        (tmp_path / name / "transcripts").mkdir(parents=True)
        text = "".join(json.dumps({"peer": "platform", "method": m, "url": "http://x/a",
                                   "status": s, "started_at": t, "duration_ms": 3.5}) + "\n"
                       for m, s, t in rows)  # fmt: skip
        # a process that was killed leaves its transcript as .part: it is read all the same
        suffix = ".jsonl" if name == "a-1" else ".jsonl.part"
        (tmp_path / name / "transcripts" / f"platform{suffix}").write_text(text)
    got = read_exchanges(tmp_path)
    assert [(x.method, x.status, x.started_at) for x, _ in got] == [
        ("GET", 200, 10.5), ("POST", 201, 11.0), ("POST", 503, 12.0),
    ]  # fmt: skip
    assert all(json.loads(line)["started_at"] == x.started_at for x, line in got)


def test_one_process_by_default_and_a_master_with_workers_on_request(tmp_path: Path) -> None:
    one = LoadRequest("http://p", "http://psp", loops=10, users=4, seconds=20)
    cmd = command(one, tmp_path)
    assert "--processes" not in cmd
    assert "--headless" in cmd
    assert cmd[cmd.index("--users") + 1] == "4"
    assert cmd[cmd.index("--run-time") + 1] == f"{round(20 + GRACE_S)}s"  # bounded
    three = LoadRequest("http://p", "http://psp", loops=10, users=2, seconds=20, workers=3)
    cmd = command(three, tmp_path)
    assert cmd[cmd.index("--processes") + 1] == "3"
    assert cmd[cmd.index("--users") + 1] == "3"  # every worker gets a user, or never ends
    env = environment(three, tmp_path)
    assert env["GOLIVE_LOAD_LOOPS"] == "10"
    assert env["GOLIVE_LOAD_WORKERS"] == "3"
    assert float(env["GOLIVE_LOAD_DEADLINE"]) == pytest.approx(time.time() + 20, abs=5)


def test_the_whole_process_group_is_killed_even_when_it_ignores_sigterm(tmp_path: Path) -> None:
    child = tmp_path / "child.pid"
    script = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "c = subprocess.Popen([sys.executable, '-c', "
        "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
        f"open({str(child)!r}, 'w').write(str(c.pid))\n"
        "time.sleep(60)\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script], start_new_session=True)
    for _ in range(100):  # bounded: up to 10 s for the child to start
        if child.exists() and child.read_text():
            break
        time.sleep(0.1)
    pid = int(child.read_text())
    _kill_group(proc)
    assert proc.poll() is not None
    for _ in range(50):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


@pytest.mark.slow
def test_a_platform_that_never_answers_gives_loops_that_say_so(tmp_path: Path) -> None:
    dead = "http://127.0.0.1:9"  # nothing listens there
    run = run_locust(LoadRequest(dead, dead, loops=3, users=2, seconds=30))
    assert [r.index for r in run.loops] == [0, 1, 2]
    assert all(r.no_answer for r in run.loops)
    assert all(r.wallet is None for r in run.loops)  # no account was ever opened
    assert run.exchanges == []  # nothing answered, nothing recorded
    assert run.locust_requests == 3
    assert run.locust_failures == 3


@pytest.mark.slow
@pytest.mark.timeout(120)  # it ends by itself, long before its own 330 s bound
def test_an_adapter_that_cannot_be_opened_ends_the_run_without_loops(tmp_path: Path) -> None:
    req = LoadRequest("http://127.0.0.1:9", "http://127.0.0.1:9", loops=3, users=1,
                      seconds=300, adapter="no_such_module:Adapter")  # fmt: skip
    run = run_locust(req)
    assert run.loops == []
    assert "cannot open the target" in run.log
