"""`golive doctor` tells the truth with the Docker engine running and not reachable.

"Stopped" is simulated by pointing DOCKER_HOST at a dead socket: stopping the shared engine
would break everyone else's containers on this machine.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from golive.postgres.binaries import pgserver_binaries, system_binaries
from tests.postgres.conftest import need_docker, run_cli

DEAD_DOCKER = "unix:///tmp/golive-test-no-such-docker.sock"


def doctor_json(env: dict[str, str] | None = None) -> dict[str, Any]:
    res = run_cli("doctor", "--json", env=env)
    assert res.returncode == 0, res.stderr
    return dict(json.loads(res.stdout))


def check(report: dict[str, Any], prefix: str) -> dict[str, Any]:
    found = [c for c in report["checks"] if c["name"].startswith(prefix)]
    assert len(found) == 1, (prefix, report["checks"])
    return dict(found[0])


@pytest.mark.docker
def test_doctor_with_the_engine_running(local_image: str) -> None:
    need_docker()
    report = doctor_json(env={"GOLIVE_PG_IMAGE": ""})
    engine = check(report, "Docker engine")
    assert engine["ok"] is True
    assert engine["fix"] == ""
    built = check(report, "locally built image")
    assert built["ok"] is True
    assert local_image in built["detail"]
    assert report["auto"].startswith("docker")
    assert report["auto_ok"] is True


def test_doctor_with_the_engine_not_reachable() -> None:
    report = doctor_json(env={"DOCKER_HOST": DEAD_DOCKER, "GOLIVE_PG_DSN": ""})
    engine = check(report, "Docker engine")
    assert engine["ok"] is False
    assert DEAD_DOCKER in engine["detail"]
    assert "dockerd" in engine["fix"]
    assert check(report, "locally built image")["detail"].startswith("unknown")
    assert "docker skipped: engine not reachable" in report["auto"]
    assert report["auto"].startswith("local")


def test_doctor_reports_server_binaries_and_pgserver() -> None:
    report = doctor_json(env={"DOCKER_HOST": DEAD_DOCKER})
    system = check(report, "system server binaries")
    found = system_binaries()
    assert system["ok"] is (found is not None)
    if found:
        assert found.version in system["detail"]
        assert str(found.bin_dir) in system["detail"]
    else:
        assert "apt-get install postgresql" in system["fix"]
    pgs = check(report, "pgserver wheel")
    pgb = pgserver_binaries()
    assert pgs["ok"] is (pgb is not None)
    if pgb:
        assert pgb.version in pgs["detail"]


@pytest.mark.docker
def test_doctor_names_the_fix_for_a_missing_configured_image() -> None:
    need_docker()
    report = doctor_json(env={"GOLIVE_PG_IMAGE": "golive/no-such-image:0"})
    image = check(report, "image golive/no-such-image:0")
    assert image["ok"] is False
    assert "golive postgres build-image" in image["fix"]
    assert "docker skipped: image golive/no-such-image:0 not present" in report["auto"]


def test_doctor_table_exits_zero() -> None:
    res = run_cli("doctor", env={"DOCKER_HOST": DEAD_DOCKER})
    assert res.returncode == 0, res.stderr
    assert "golive doctor" in res.stdout
    assert "--postgres auto would use:" in res.stdout
    assert "missing" in res.stdout  # the unreachable engine is shown as missing
