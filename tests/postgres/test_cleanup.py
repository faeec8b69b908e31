"""Nothing is left behind: a child process holding each provider exits normally or gets
SIGINT/SIGTERM; afterwards no container with its run label, no server process, no folder
and no database it created remains, and what it did not create is untouched."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from golive.postgres import Instance, create_database, drop_database
from tests.postgres.conftest import HERE, KINDS, need_docker, need_system_pg

HOLDER = HERE / "holder.py"
HOW = ["exit", "SIGINT", "SIGTERM"]


def containers_of(run: str) -> list[str]:
    import docker

    client = docker.from_env()
    try:
        found = client.containers.list(all=True, filters={"label": f"golive.run={run}"})
        return [str(c.name) for c in found]
    finally:
        client.close()


def alive(pid: int) -> bool:
    """True for a live process; a zombie (killed, not yet reaped by init) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pid: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not alive(pid)


def read_ready(proc: subprocess.Popen[str], timeout: float = 180.0) -> dict[str, Any]:
    """The child's READY line (bounded); fails with its stderr if it dies first."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            line = proc.stdout.readline()
            if line.startswith("READY "):
                return dict(json.loads(line[6:]))
            if not line and proc.poll() is not None:
                break
    proc.kill()
    _, err = proc.communicate(timeout=30)
    raise AssertionError(f"holder never got ready (exit {proc.returncode}): {err[-2000:]}")


def spec_for(kind: str, request: pytest.FixtureRequest) -> str:
    if kind == "docker":
        need_docker()
        request.getfixturevalue("local_image")
        return "docker"
    if kind == "system":
        need_system_pg()
        return "local"
    if kind == "pgserver":
        return "pgserver"
    server: Instance = request.getfixturevalue("dsn_server")
    return server.dsn()


@pytest.mark.parametrize("how", HOW)
@pytest.mark.parametrize("kind", KINDS)
def test_nothing_left_behind(kind: str, how: str, request: pytest.FixtureRequest) -> None:
    spec = spec_for(kind, request)
    dsn_server: Instance | None = request.getfixturevalue("dsn_server") if kind == "dsn" else None
    bystander = create_database(dsn_server) if dsn_server else None  # not the child's
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    if kind == "docker":
        env["GOLIVE_PG_IMAGE"] = request.getfixturevalue("local_image")
    proc = subprocess.Popen(
        [sys.executable, str(HOLDER), spec, "exit" if how == "exit" else "wait"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=HERE.parent.parent,
    )
    try:
        info = read_ready(proc)
        # everything the child made exists while it runs (so the checks below can fail)
        if how != "exit":
            assert all(Path(f).is_dir() for f in info["folders"])
            if info["pid"]:
                assert alive(info["pid"])
            if info["run"]:
                assert containers_of(info["run"])
            if dsn_server:
                assert set(info["databases"]) <= databases(dsn_server)
            proc.send_signal(getattr(signal, how))
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    try:
        if info["run"]:
            assert containers_of(info["run"]) == []
        if info["pid"]:
            assert wait_gone(info["pid"]), f"server process {info['pid']} still running"
        assert [f for f in info["folders"] if Path(f).exists()] == []
        if dsn_server:
            left = databases(dsn_server)
            assert not set(info["databases"]) & left
            assert bystander is not None
            assert bystander.name in left
            assert "postgres" in left
    finally:
        if dsn_server and bystander:
            drop_database(dsn_server, bystander.name)


def databases(inst: Instance) -> set[str]:
    return {str(r[0]) for r in inst.execute("SELECT datname FROM pg_database")}


def test_failed_start_leaves_nothing(request: pytest.FixtureRequest, server_kind: str) -> None:
    """A server that cannot start (bad setting) is cleaned up before the error is raised."""
    from golive.errors import ProviderUnavailable
    from golive.postgres import InstanceSpec

    provider = request.getfixturevalue(f"{server_kind}_provider")
    before = list(provider.instances)
    root = getattr(provider, "work_root", None)
    with pytest.raises(ProviderUnavailable):
        provider.start_instance(InstanceSpec(settings={"shared_buffers": "lots"}), name="broken")
    assert provider.instances == before
    if root is not None:  # docker: no container and no work folder for the broken one
        assert not (root / "broken").exists()
        assert not any("broken" in name for name in containers_of(provider.run_id))
    else:
        import glob
        import tempfile

        assert glob.glob(os.path.join(tempfile.gettempdir(), "golive-pg-broken-*")) == []


@pytest.mark.docker
def test_cleanup_command_removes_containers_of_dead_runs(local_image: str) -> None:
    """After a SIGKILL nothing can clean up in-process: `golive postgres cleanup` finds the
    containers whose golive process is gone, and leaves live runs' containers alone."""
    import docker

    from golive.postgres.docker import LABEL_HOST, LABEL_PID, LABEL_RUN
    from tests.postgres.conftest import run_cli

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    client = docker.from_env()
    made = []
    try:
        for run, pid in (("test-dead-run", dead.pid), ("test-live-run", os.getpid())):
            made.append(
                client.containers.create(
                    local_image,
                    ["true"],
                    entrypoint=[],
                    labels={LABEL_RUN: run, LABEL_PID: str(pid), LABEL_HOST: socket.gethostname()},
                )
            )
        res = run_cli("postgres", "cleanup")
        assert res.returncode == 0, res.stderr
        assert containers_of("test-dead-run") == []
        assert len(containers_of("test-live-run")) == 1
        res = run_cli("postgres", "cleanup", "--run", "test-live-run")
        assert res.returncode == 0, res.stderr
        assert containers_of("test-live-run") == []
    finally:
        for c in made:
            with contextlib.suppress(docker.errors.NotFound):
                c.remove(force=True)
        client.close()
