"""Providers for the postgres tests: one per kind per session, reused by every test.

Docker tests skip when no engine answers, unless GOLIVE_REQUIRE_DOCKER is set (CI), where
they fail. System-binary tests likewise with GOLIVE_REQUIRE_SYSTEM_PG. pgserver is a test
dependency, so its absence fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from golive.postgres import Instance, Provider
from golive.postgres.binaries import pgserver_binaries, system_binaries
from golive.postgres.docker import DockerProvider, engine_status
from golive.postgres.dsn import DsnProvider
from golive.postgres.local import LocalProvider

HERE = Path(__file__).resolve().parent
KINDS = [
    pytest.param("docker", marks=pytest.mark.docker, id="docker"),
    pytest.param("system", id="system"),
    pytest.param("pgserver", id="pgserver"),
    pytest.param("dsn", id="dsn"),
]
SERVER_KINDS = KINDS[:3]  # the ones that own their servers (settings, drills)


def need_docker() -> None:
    status = engine_status()
    if status.reachable:
        return
    msg = f"Docker engine not reachable at {status.address}: {status.detail}"
    if os.environ.get("GOLIVE_REQUIRE_DOCKER"):
        pytest.fail(f"{msg} (GOLIVE_REQUIRE_DOCKER is set, so this fails instead of skipping)")
    pytest.skip(f"{msg} (set GOLIVE_REQUIRE_DOCKER=1 to fail instead)")


def need_system_pg() -> None:
    if system_binaries() is not None:
        return
    msg = "no system Postgres server binaries"
    if os.environ.get("GOLIVE_REQUIRE_SYSTEM_PG"):
        pytest.fail(f"{msg} (GOLIVE_REQUIRE_SYSTEM_PG is set)")
    pytest.skip(f"{msg} (set GOLIVE_REQUIRE_SYSTEM_PG=1 to fail instead)")


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`golive ARGS` in a child process of this interpreter (bounded)."""
    return subprocess.run(
        [sys.executable, "-m", "golive", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200", **(env or {})},
    )


@pytest.fixture(scope="session")
def local_image() -> str:
    """The air-gapped image (built here if CI did not build it; cached otherwise)."""
    need_docker()
    from golive.postgres.image import build

    return build(log=lambda m: None).tag


@pytest.fixture(scope="session")
def docker_provider(local_image: str) -> Iterator[DockerProvider]:
    provider = DockerProvider(image=local_image)
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def system_provider() -> Iterator[LocalProvider]:
    need_system_pg()
    provider = LocalProvider(prefer="system")
    assert provider.binaries.source == "system"
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def pgserver_provider() -> Iterator[LocalProvider]:
    assert pgserver_binaries() is not None, "pgserver is a test dependency: pip install pgserver"
    provider = LocalProvider(prefer="pgserver")
    assert provider.binaries.source == "pgserver"
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def dsn_server(pgserver_provider: LocalProvider) -> Instance:
    """A running server that the DSN provider is pointed at (golive did not make it for it)."""
    return pgserver_provider.start_instance(name="dsn_server")


@pytest.fixture(scope="session")
def dsn_provider(dsn_server: Instance) -> Iterator[DsnProvider]:
    provider = DsnProvider(dsn_server.dsn())
    yield provider
    provider.close()


@pytest.fixture(scope="session")
def shared_instances() -> dict[str, Instance]:
    return {}


@pytest.fixture(scope="session", params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session", params=SERVER_KINDS)
def server_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def instance(
    request: pytest.FixtureRequest, kind: str, shared_instances: dict[str, Instance]
) -> Instance:
    """One running instance per provider kind, shared by the session."""
    if kind not in shared_instances:
        provider: Provider = request.getfixturevalue(f"{kind}_provider")
        shared_instances[kind] = provider.start_instance(name="shared")
    return shared_instances[kind]
