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
from collections.abc import Iterator
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
        for run, pid in (("deadc0ffee01", dead.pid), ("a11ec0ffee10", os.getpid())):
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
        assert containers_of("deadc0ffee01") == []
        assert len(containers_of("a11ec0ffee10")) == 1
        res = run_cli("postgres", "cleanup", "--run", "a11ec0ffee10")
        assert res.returncode == 0, res.stderr
        assert containers_of("a11ec0ffee10") == []
    finally:
        for c in made:
            with contextlib.suppress(docker.errors.NotFound):
                c.remove(force=True)
        client.close()


@pytest.mark.docker
def test_the_next_docker_provider_removes_containers_of_dead_runs(local_image: str) -> None:
    """A run killed with SIGKILL leaves its container; the next Docker provider removes it
    (its golive process is provably gone) and leaves a live run's alone."""
    import docker

    from golive.postgres.docker import LABEL_HOST, LABEL_PID, LABEL_RUN, DockerProvider

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait(timeout=60)
    client = docker.from_env()
    made = []
    try:
        for run, pid in (("test-next-dead", dead.pid), ("test-next-live", os.getpid())):
            made.append(
                client.containers.create(
                    local_image,
                    ["true"],
                    entrypoint=[],
                    labels={LABEL_RUN: run, LABEL_PID: str(pid), LABEL_HOST: socket.gethostname()},
                )
            )
        DockerProvider(image=local_image).close()
        assert containers_of("test-next-dead") == []
        assert len(containers_of("test-next-live")) == 1
    finally:
        for c in made:
            with contextlib.suppress(docker.errors.NotFound):
                c.remove(force=True)
        client.close()


# -- SIGKILL: no handler runs; the watchdog and the next run clean up -------------------------
LOCAL_KINDS = [pytest.param("system", id="system"), pytest.param("pgserver", id="pgserver")]


@pytest.mark.parametrize("kind", LOCAL_KINDS)
def test_sigkill_leaves_no_cluster(kind: str, request: pytest.FixtureRequest) -> None:
    """The watchdog stops the server and removes its folder and WAL archive."""
    spec = spec_for(kind, request)
    proc = subprocess.Popen(
        [sys.executable, str(HOLDER), spec, "wait"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=HERE.parent.parent,
    )  # fmt: skip
    try:
        info = read_ready(proc)
        assert alive(info["pid"])
        assert all(Path(f).is_dir() for f in info["folders"])
        proc.kill()
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)
    assert wait_gone(info["pid"]), f"server process {info['pid']} still running"
    deadline = time.monotonic() + 30
    while [f for f in info["folders"] if Path(f).exists()] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [f for f in info["folders"] if Path(f).exists()] == []


def test_watchdog_keeps_what_was_unregistered(tmp_path: Path) -> None:
    """Only what is still registered when the process dies is ended and removed."""
    code = """if True:
        import os, pathlib, signal, subprocess, sys
        from golive.postgres import cleanup
        base = pathlib.Path(sys.argv[1])
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
        (base / "kept").mkdir(); (base / "removed").mkdir()
        token = cleanup.register(lambda: None, cleanup.Orphans(folders=(str(base / "kept"),)))
        orphans = cleanup.Orphans(pids=(cleanup.process(child.pid),),
                                  folders=(str(base / "removed"),))
        cleanup.register(lambda: None, orphans)
        cleanup.unregister(token)
        print(child.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    """
    res = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert res.returncode == -signal.SIGKILL, res.stderr
    child = int(res.stdout.split()[0])
    assert wait_gone(child), f"the registered child {child} still runs"
    deadline = time.monotonic() + 30
    while (tmp_path / "removed").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (tmp_path / "removed").exists()
    assert (tmp_path / "kept").is_dir()


@pytest.fixture
def own_tmpdir(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary folder of this test's own (reachable by the server's account as root)."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="golive-test-tmp-"))
    folder.chmod(0o1777)
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_next_provider_removes_clusters_of_dead_runs(own_tmpdir: Path) -> None:
    """A cluster whose owner file names a process that is gone is stopped and removed when
    the next provider starts; a live owner's cluster and a folder without owner stay."""
    from golive.postgres import cleanup
    from golive.postgres.local import LocalInstance, LocalProvider

    need_system_pg()
    foreign = own_tmpdir / "golive-pg-foreign"
    foreign.mkdir()
    provider = LocalProvider()
    second: LocalProvider | None = None
    try:
        orphan = provider.start_instance(name="orphan")
        live = provider.start_instance(name="live")
        assert isinstance(orphan, LocalInstance)
        assert isinstance(live, LocalInstance)
        pid = orphan._pid
        assert pid is not None
        gone = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        owner_pid, started = cleanup.process(gone.pid)  # a golive run that was then killed
        gone.kill()
        gone.wait(timeout=30)
        owner = {"pid": owner_pid, "started": started}
        (orphan.folder / cleanup.OWNER).write_text(json.dumps(owner))
        second = LocalProvider()
        assert wait_gone(pid), f"orphaned server {pid} still running"
        assert not orphan.folder.exists()
        assert live.running
        assert live.folder.is_dir()
        assert foreign.is_dir()
    finally:
        for p in (second, provider):
            if p is not None:
                p.close()


def _children(pid: int) -> dict[int, str]:
    """pid → command line of the live processes whose parent is ``pid``."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found[int(stat.parent.name)] = cmdline
    return found


def _servers(folder: Path) -> list[int]:
    pids = []
    for pidfile in folder.glob("golive-pg-*/data/postmaster.pid"):
        with contextlib.suppress(OSError, ValueError):
            pids.append(int(pidfile.read_text().split("\n", 1)[0]))
    return pids


def _serving(pid: int) -> bool:
    """The platform answers /health: it is past start-up and would keep running on its own.
    Its port is read from the sockets it listens on (its settings come from an env file)."""
    import re

    import httpx

    listening = subprocess.run(["ss", "-ltnpH"], capture_output=True, text=True).stdout
    ports = [m.group(1) for line in listening.splitlines() if f"pid={pid}," in line
             for m in [re.search(r":(\d+)\s", line)] if m]  # fmt: skip
    for port in ports:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return True
        except httpx.HTTPError:
            continue
    return False


def test_sigkill_of_a_run_leaves_nothing_running(own_tmpdir: Path, tmp_path: Path) -> None:
    """`golive run` killed mid-run: its platform, Postgres, watchdog and folders all go."""
    need_system_pg()
    env = {k: v for k, v in os.environ.items() if k != "GOLIVE_PLATFORM_FAULTS"}
    env["TMPDIR"] = str(own_tmpdir)
    argv = [sys.executable, "-m", "golive", "run", "--suite", "canary", "--postgres", "local"]
    argv += ["-k", "the_money_loop_through", "--out", str(tmp_path / "reports")]
    with (tmp_path / "console.txt").open("w") as console:
        run = subprocess.Popen(
            argv, stdout=console, stderr=console, env=env, cwd=HERE.parent.parent
        )
    platform, watchdog, servers = None, None, []
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and run.poll() is None:
            children = _children(run.pid)
            platform = next((p for p, c in children.items() if "refbank serve" in c), None)
            watchdog = next((p for p, c in children.items() if "cleanup.py watch" in c), None)
            servers = [p for p in _servers(own_tmpdir) if alive(p)]
            if platform and watchdog and servers and _serving(platform):
                break
            time.sleep(0.1)
        output = (tmp_path / "console.txt").read_text()
        assert platform, output
        assert watchdog, output
        assert servers, output
        run.kill()
        run.wait(timeout=60)
        for pid in (platform, watchdog, *servers):
            assert wait_gone(pid), f"{pid} still running after golive was killed"
        left = [p.name for p in own_tmpdir.glob("golive-*")]
        assert left == []
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
        for pid in (platform, *servers):  # never leave the test's own leftovers running
            if pid and alive(pid):
                os.kill(pid, signal.SIGKILL)
