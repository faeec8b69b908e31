"""Bad input: ProviderUnavailable in the library, exit 2 from the CLI, a message that names
what was tried and the fix; and no secret in it."""

from __future__ import annotations

import socket
import sys

import pytest

from golive.errors import ExitCode, ProviderUnavailable
from golive.postgres import Instance, open_provider
from golive.postgres import binaries as binaries_mod
from golive.postgres.docker import DockerProvider
from golive.postgres.dsn import DsnProvider
from golive.postgres.local import LocalProvider
from tests.postgres.conftest import need_docker, run_cli

DEAD_DOCKER = "unix:///tmp/golive-test-no-such-docker.sock"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again when we return


def test_unreachable_dsn() -> None:
    dsn = f"postgresql://golive:pw@127.0.0.1:{closed_port()}/postgres"
    with pytest.raises(ProviderUnavailable, match=r"cannot connect .* Fix: check host, port"):
        DsnProvider(dsn)
    res = run_cli("postgres", "probe", "--postgres", dsn)
    assert res.returncode == ExitCode.USAGE == 2, res.stdout + res.stderr
    assert "cannot connect" in res.stderr
    assert "Fix:" in res.stderr


def test_wrong_credentials(dsn_server: Instance) -> None:
    secret = "not-the-password-5f1c"
    bad = dsn_server.dsn().replace(f":{dsn_server.password}@", f":{secret}@")
    assert bad != dsn_server.dsn()
    with pytest.raises(ProviderUnavailable, match="password authentication failed"):
        open_provider(bad)
    res = run_cli("postgres", "probe", "--postgres", bad)
    assert res.returncode == 2
    assert "password authentication failed" in res.stderr
    assert secret not in res.stderr + res.stdout, "the password must not be printed"


def test_docker_not_reachable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", DEAD_DOCKER)
    with pytest.raises(ProviderUnavailable) as info:
        DockerProvider()
    msg = str(info.value)
    assert DEAD_DOCKER in msg
    assert "not reachable" in msg
    assert "dockerd" in msg
    assert "--postgres local" in msg
    res = run_cli("postgres", "probe", "--postgres", "docker", env={"DOCKER_HOST": DEAD_DOCKER})
    assert res.returncode == 2
    assert "not reachable" in res.stderr


def test_auto_falls_back_to_local_when_docker_is_not_reachable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DOCKER_HOST", DEAD_DOCKER)
    monkeypatch.delenv("GOLIVE_PG_DSN", raising=False)
    provider = open_provider("auto")
    try:
        assert isinstance(provider, LocalProvider)
    finally:
        provider.close()


@pytest.mark.docker
def test_image_missing(local_image: str) -> None:
    need_docker()
    missing = "golive/no-such-image:0"
    with pytest.raises(ProviderUnavailable, match="golive postgres build-image"):
        DockerProvider(image=missing)
    res = run_cli("postgres", "probe", "--postgres", "docker", env={"GOLIVE_PG_IMAGE": missing})
    assert res.returncode == 2
    assert missing in res.stderr
    assert "build-image" in res.stderr


def test_pg_bin_pointing_nowhere() -> None:
    res = run_cli(
        "postgres", "probe", "--postgres", "local",
        env={"GOLIVE_PG_BIN": "/nonexistent/golive/bin", "PATH": "/nonexistent"},
    )  # fmt: skip
    assert res.returncode == 2
    assert "GOLIVE_PG_BIN='/nonexistent/golive/bin'" in res.stderr.replace("\n", "")


def test_no_server_binaries_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOLIVE_PG_BIN", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.setattr(binaries_mod, "SEARCH_GLOBS", ())
    monkeypatch.setitem(sys.modules, "pgserver", None)  # hidden: find_spec fails
    for prefer in ("system", "pgserver"):
        with pytest.raises(ProviderUnavailable) as info:
            LocalProvider(prefer=prefer)
        msg = str(info.value)
        assert "no Postgres server binaries found" in msg
        assert "pip install 'golive[pgserver]'" in msg
        assert "apt-get install postgresql" in msg


def test_no_server_binaries_and_no_docker_from_the_cli() -> None:
    hide = (
        "import sys; sys.modules['pgserver'] = None; "
        "import golive.postgres.binaries as b; b.SEARCH_GLOBS = (); "
        "from golive.cli import main; sys.argv = ['golive', 'postgres', 'probe']; main()"
    )
    import os
    import subprocess

    env = {**os.environ, "PATH": "/nonexistent", "DOCKER_HOST": DEAD_DOCKER, "COLUMNS": "200"}
    for var in ("GOLIVE_PG_BIN", "GOLIVE_PG_DSN", "GOLIVE_POSTGRES"):
        env.pop(var, None)
    res = subprocess.run(
        [sys.executable, "-c", hide], capture_output=True, text=True, timeout=120, env=env
    )
    assert res.returncode == 2, res.stderr
    err = res.stderr.replace("\n", " ")
    assert "no Postgres server binaries found" in err
    assert "--postgres auto tried" in err
    assert DEAD_DOCKER in err


def test_unknown_provider_name() -> None:
    res = run_cli("postgres", "probe", "--postgres", "mysql")
    assert res.returncode == 2
    assert "'mysql' is not a provider" in res.stderr
