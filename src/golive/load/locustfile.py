"""The money loop as a Locust user: golive's load engine (docs/load.md).

Run by Locust in its own processes (importing locust patches the process with gevent, so
golive never imports this module itself); golive.load.engine starts it headless and reads
back what each process writes under GOLIVE_LOAD_DIR:

    <dir>/<host>-<pid>/loops.jsonl                   one record per money loop (its world)
    <dir>/<host>-<pid>/transcripts/platform.jsonl    every platform exchange (golive.evidence)

Each process runs its share of GOLIVE_LOAD_LOOPS loops (by its Locust worker index), starts
none after GOLIVE_LOAD_DEADLINE, and quits when its share is done; Locust's master stops
when its last worker quits.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gevent
import httpx
from locust import User, constant, events, task
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import MasterRunner, WorkerRunner

from golive.canary.load import PLAN, one_loop
from golive.canary.psp_ops import PspOps
from golive.canary.world import CanaryWorld
from golive.evidence import transcript_hooks
from golive.evidence.recorder import Recorder, activate
from golive.load.records import STATS, dump, loop_record
from golive.target import NoAnswer, open_target

DONE = "golive_done"  # a worker's message to the master: its share of loops is done
_ID = re.compile(r"^(?=.*\d)[A-Za-z0-9_-]{8,}$")  # a path segment that is an id


@dataclass(frozen=True)
class Settings:
    folder: Path
    url: str
    adapter: str
    psp_url: str
    loops: int
    first: int
    workers: int
    deadline: float

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        return cls(
            folder=Path(env["GOLIVE_LOAD_DIR"]),
            url=env["GOLIVE_LOAD_URL"],
            adapter=env.get("GOLIVE_LOAD_ADAPTER", ""),
            psp_url=env["GOLIVE_LOAD_PSP"],
            loops=int(env["GOLIVE_LOAD_LOOPS"]),
            first=int(env.get("GOLIVE_LOAD_FIRST", "0")),
            workers=max(1, int(env.get("GOLIVE_LOAD_WORKERS", "1"))),
            deadline=float(env["GOLIVE_LOAD_DEADLINE"]),
        )


class Share:
    """This process's loops: which index comes next, how many run, when it is done."""

    def __init__(self, settings: Settings, worker_index: int) -> None:
        w, k = settings.workers, max(0, worker_index)
        self.indices = list(range(settings.first + k, settings.first + settings.loops, w))
        self.deadline = settings.deadline
        self.running = 0
        self.finished = False
        self.lock = threading.Lock()
        self.folder = settings.folder / f"{socket.gethostname()}-{os.getpid()}"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.out = open(self.folder / "loops.jsonl", "a", encoding="utf-8")  # noqa: SIM115
        activate(Recorder(run_dir=self.folder))  # transcripts/ of this process

    def claim(self) -> int | None:
        with self.lock:
            if not self.indices or time.time() > self.deadline:
                self.indices.clear()
                return None
            self.running += 1
            return self.indices.pop(0)

    def done(self, line: str | None) -> bool:
        """Record a finished loop; True (once) when nothing is left to run or running."""
        with self.lock:
            if line is not None:
                self.running -= 1
                self.out.write(line + "\n")
                self.out.flush()
            if self.finished or self.indices or self.running:
                return False
            self.finished = True
            return True


SETTINGS = Settings.from_env()
_share: Share | None = None


def share(environment: Environment) -> Share:
    global _share
    if _share is None:
        runner = environment.runner
        _share = Share(SETTINGS, getattr(runner, "worker_index", 0) if runner else 0)
    return _share


def _route(url: httpx.URL) -> str:
    return "/".join("{id}" if _ID.match(part) else part for part in url.path.split("/"))


def locust_hooks(environment: Environment) -> dict[str, list[Any]]:
    """httpx hooks that report each platform exchange to Locust's statistics."""

    def on_request(request: httpx.Request) -> None:
        request.extensions["golive_locust"] = time.perf_counter()

    request_event: Any = environment.events.request  # locust's EventHook is untyped

    def on_response(response: httpx.Response) -> None:
        request = response.request
        began = request.extensions.get("golive_locust", time.perf_counter())
        failed = response.status_code >= 500
        request_event.fire(
            request_type=request.method,
            name=_route(request.url),
            response_time=(time.perf_counter() - began) * 1000,
            response_length=len(response.content),
            exception=RuntimeError(f"{response.status_code}") if failed else None,
            context={},
        )

    return {"request": [on_request], "response": [on_response]}


class MoneyLoop(User):
    """One customer after another: deposit, hold + burn, hold + release, withdraw."""

    wait_time = constant(0)

    def on_start(self) -> None:
        try:
            self._open()
        except Exception as exc:  # no loop can run here: say why, and let the run end
            print(f"golive load: cannot open the target: {type(exc).__name__}: {exc}",
                  file=sys.stderr)  # fmt: skip
            mine = share(self.environment)
            with mine.lock:
                mine.indices.clear()
            self._finish(mine, None)
            raise StopUser() from None

    def _open(self) -> None:
        recording, counting = transcript_hooks("platform"), locust_hooks(self.environment)
        hooks = {
            "request": [*counting["request"], *recording["request"]],
            "response": [*recording["response"], *counting["response"]],  # after it is read
        }
        if SETTINGS.adapter:
            opts = {"base_url": SETTINGS.url}
            self.target = open_target(SETTINGS.adapter, options=opts, event_hooks=hooks)
        else:
            self.target = open_target(SETTINGS.url, event_hooks=hooks)
        self.psp = PspOps(SETTINGS.psp_url)

    def on_stop(self) -> None:
        for client in (getattr(self, "target", None), getattr(self, "psp", None)):
            close = getattr(client, "close", None)
            if close is not None:
                close()

    @task
    def money_loop(self) -> None:
        mine = share(self.environment)
        i = mine.claim()
        if i is None:
            self._finish(mine, None)
            raise StopUser()
        world = CanaryWorld(self.target, self.psp)
        failure, no_answer = None, False
        try:
            one_loop(world, *PLAN[i % len(PLAN)], under_load=True)
        except NoAnswer as exc:
            failure, no_answer = f"{type(exc).__name__}: {exc}"[:400], True
            self.environment.events.request.fire(
                request_type="ANY", name="no answer", response_time=0, response_length=0,
                exception=exc, context={},
            )  # fmt: skip
        except Exception as exc:  # a failed loop is a finding, reported with the others
            failure = f"{type(exc).__name__}: {exc}"[:400]
        self._finish(mine, dump(loop_record(i, world, failure, no_answer)))

    def _finish(self, mine: Share, line: str | None) -> None:
        runner = self.environment.runner
        if not mine.done(line) or runner is None:
            return
        if isinstance(runner, WorkerRunner):  # the master quits when every worker is done
            runner.send_message(DONE)
        else:
            gevent.spawn(runner.quit)  # not from inside a user's greenlet


def _on_init(environment: Environment, **_: Any) -> None:
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        done: set[str] = set()

        def on_done(msg: Any, **__: Any) -> None:
            done.add(str(msg.node_id))
            if len(done) >= SETTINGS.workers:  # quit asks the workers for their last stats
                gevent.spawn(runner.quit)

        runner.register_message(DONE, on_done)


def _close(environment: Environment, **_: Any) -> None:
    """This process's loops are written; Locust's statistics too, where they add up (in
    the master, or the only process)."""
    if _share is not None:
        _share.out.close()
    if environment.runner is not None and not isinstance(environment.runner, WorkerRunner):
        stats = environment.runner.stats.serialize_stats()
        (SETTINGS.folder / STATS).write_text(json.dumps(stats), encoding="utf-8")


hooks: Any = events  # locust's event hooks are untyped
hooks.init.add_listener(_on_init)
hooks.quitting.add_listener(_close)
