"""The air-gapped image: no base image, cached by content, and the official image's
POSTGRES_* contract so stock testcontainers works with it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from golive.postgres.docker import LABEL_RUN
from golive.postgres.image import build
from tests.postgres.conftest import run_cli

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def client(local_image: str) -> Iterator[Any]:
    import docker

    c = docker.from_env()
    yield c
    c.close()


def test_image_has_no_base_and_says_what_it_is(local_image: str, client: Any) -> None:
    info = client.api.inspect_image(local_image)
    assert info["Parent"] == ""
    assert len(info["RootFS"]["Layers"]) == 1, "one imported layer: no FROM of a pulled image"
    cfg = info["Config"]
    assert cfg["User"] == "postgres"
    assert cfg["Entrypoint"] == ["/usr/local/bin/docker-entrypoint.sh"]
    assert cfg["Labels"]["golive.image"] == "postgres-local"
    assert local_image.endswith(f":{cfg['Labels']['golive.pg.major']}-local")


def test_second_build_is_cached(local_image: str, client: Any) -> None:
    labels = client.api.inspect_image(local_image)["Config"]["Labels"]
    again = build(tag=local_image, log=lambda m: None)
    assert again.cached
    assert again.digest == labels["golive.content-digest"]
    res = run_cli("postgres", "build-image", "--tag", local_image)
    assert res.returncode == 0, res.stderr
    assert "up to date" in res.stdout
    assert "cached" in res.stdout


def test_force_builds_under_another_tag(local_image: str, client: Any) -> None:
    tag = "golive/postgres:test-force"
    try:
        result = build(tag=tag, force=True, log=lambda m: None)
        assert not result.cached
        assert client.api.inspect_image(tag)["Config"]["Labels"]["golive.content-digest"] == (
            result.digest
        )
    finally:
        import contextlib

        import docker.errors

        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.remove(tag)


def test_stock_testcontainers_with_custom_user_password_and_db(local_image: str) -> None:
    from testcontainers.community.postgres import PostgresContainer

    from golive.postgres.docker import ensure_no_reaper

    ensure_no_reaper()  # the Ryuk image cannot be pulled here, as for golive's own provider
    c = PostgresContainer(local_image, username="alice", password="s3cr'et", dbname="appdb")
    c.ports = {"5432/tcp": ("127.0.0.1", None)}  # type: ignore[dict-item]
    c.with_command(["-c", "work_mem=9MB"])  # flags go through the entrypoint to postgres
    c.with_kwargs(labels={LABEL_RUN: "test-image"})
    with c:  # the stock readiness check (psql inside the container) must pass
        port = c.get_exposed_port(5432)
        dsn = f"postgresql://alice:s3cr%27et@127.0.0.1:{port}/appdb"
        with psycopg.connect(dsn) as conn:
            row = conn.execute("SELECT current_user, current_database()").fetchone()
            work_mem = conn.execute("SHOW work_mem").fetchone()
        assert row == ("alice", "appdb")
        assert work_mem == ("9MB",)
        with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
            psycopg.connect(dsn.replace("s3cr%27et", "wrong"), connect_timeout=5)


def test_entrypoint_refuses_to_init_without_a_password(local_image: str, client: Any) -> None:
    container = client.containers.run(
        local_image, detach=True, labels={LABEL_RUN: "test-image"}, environment={}
    )
    try:
        status = container.wait(timeout=60)
        logs = container.logs().decode()
    finally:
        container.remove(force=True)
    assert status["StatusCode"] != 0
    assert "POSTGRES_PASSWORD is not set" in logs
