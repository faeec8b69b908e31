"""Each provider brought up and queried: docker (local image), local system, pgserver, DSN."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from golive.errors import ProviderUnavailable, UnsafeTarget
from golive.postgres import Instance, InstanceSpec, create_database, drop_database
from golive.postgres.docker import DockerProvider
from golive.postgres.dsn import DsnProvider
from golive.postgres.local import LocalProvider

TOOLS = ("pg_dump", "pg_restore", "pg_basebackup", "pg_verifybackup", "pg_amcheck", "psql")


def run_tool(inst: Instance, argv: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **inst.client_env()}
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, env=env)


def test_instance_answers_queries(kind: str, instance: Instance) -> None:
    version = str(instance.execute("SELECT version()")[0][0])
    num = int(str(instance.execute("SHOW server_version_num")[0][0]))
    assert version.startswith("PostgreSQL ")
    assert num // 10000 == instance.major
    assert instance.execute("SELECT current_user")[0][0] == instance.user
    assert instance.running
    if kind != "dsn":  # golive's own servers listen on loopback only
        assert instance.host == "127.0.0.1"


def test_which_server_each_provider_runs(request: pytest.FixtureRequest, kind: str) -> None:
    provider = request.getfixturevalue(f"{kind}_provider")
    expected = {
        "docker": DockerProvider,
        "system": LocalProvider,
        "pgserver": LocalProvider,
        "dsn": DsnProvider,
    }[kind]
    assert isinstance(provider, expected)
    if kind in ("system", "pgserver"):
        assert provider.describe().startswith(f"local ({kind} binaries")


@pytest.mark.parametrize("tool", TOOLS)
def test_client_tools_match_the_server_major(instance: Instance, tool: str) -> None:
    res = run_tool(instance, [*instance.client(tool), "--version"])
    assert res.returncode == 0, res.stderr
    m = re.search(r"\) (\d+)\.", res.stdout)
    assert m, res.stdout
    assert int(m.group(1)) == instance.major


def test_dump_and_restore_round_trip(instance: Instance, tmp_path: Path) -> None:
    src = create_database(instance)
    dst = create_database(instance)
    try:
        instance.execute(
            "CREATE TABLE acct(id int PRIMARY KEY, minor bigint NOT NULL);"
            "INSERT INTO acct SELECT g, g * 100 FROM generate_series(1, 50) g",
            src.name,
        )
        dump = tmp_path / "src.dump"
        res = run_tool(instance, [*instance.client("pg_dump"), "-Fc", "-f", str(dump), src.name])
        assert res.returncode == 0, res.stderr
        res = run_tool(instance, [*instance.client("pg_restore"), "-d", dst.name, str(dump)])
        assert res.returncode == 0, res.stderr
        rows = instance.execute("SELECT count(*), sum(minor) FROM acct", dst.name)
        assert rows == [(50, 127500)]
    finally:
        drop_database(instance, src.name)
        drop_database(instance, dst.name)


@pytest.mark.docker
def test_docker_ports_are_published_on_loopback_only(docker_provider: DockerProvider) -> None:
    import docker

    inst = docker_provider.instances[0] if docker_provider.instances else None
    inst = inst or docker_provider.start_instance(name="shared")
    client = docker.from_env()
    try:
        ports = client.api.inspect_container(inst.container_name)["HostConfig"]["PortBindings"]
    finally:
        client.close()
    bindings = [b for v in ports.values() for b in v]
    assert bindings, ports
    assert {b["HostIp"] for b in bindings} == {"127.0.0.1"}


@pytest.mark.docker
def test_docker_tools_run_inside_the_container(docker_provider: DockerProvider) -> None:
    from golive.postgres.docker_instance import DockerInstance

    inst = docker_provider.instances[0] if docker_provider.instances else None
    inst = inst or docker_provider.start_instance(name="shared")
    assert isinstance(inst, DockerInstance)
    db = create_database(inst)
    try:
        inst.execute("CREATE TABLE t(x int); INSERT INTO t VALUES (42)", db.name)
        dump = inst.work_dir / "inside.sql"
        res = run_tool(inst, [*inst.exec_client("pg_dump"), "-f", str(dump), db.name])
        assert res.returncode == 0, res.stderr
        assert "COPY public.t (x) FROM stdin;\n42\n" in dump.read_text()
        res = run_tool(inst, [*inst.exec_client("psql"), "-d", inst.dsn(db.name), "-Atc",
                              "SELECT x FROM t"])  # fmt: skip
        assert (res.returncode, res.stdout.strip()) == (0, "42"), res.stderr
    finally:
        db.drop()


def test_dsn_server_refuses_what_it_cannot_do(dsn_provider: DsnProvider) -> None:
    inst = dsn_provider.instance
    with pytest.raises(ProviderUnavailable, match="server settings"):
        dsn_provider.start_instance(InstanceSpec(settings={"work_mem": "7MB"}))
    with pytest.raises(UnsafeTarget, match="did not create it"):
        inst.stop()
    with pytest.raises(UnsafeTarget):
        inst.kill()
    assert inst.running  # and nothing was done to it


def test_dsn_databases_are_uniquely_named(dsn_provider: DsnProvider) -> None:
    from golive.postgres import Templates

    inst = dsn_provider.instance
    templates = Templates(inst)
    try:
        names = {templates.clone("empty", lambda dsn: None).name for _ in range(5)}
        assert len(names) == 5
        assert all(n.startswith("golive_") for n in names)
        present = {str(r[0]) for r in inst.execute("SELECT datname FROM pg_database")}
        assert names <= present
    finally:
        templates.close()
    present = {str(r[0]) for r in inst.execute("SELECT datname FROM pg_database")}
    assert not names & present
