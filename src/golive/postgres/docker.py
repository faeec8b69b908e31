"""Postgres in Docker through testcontainers: engine and image checks, and ``DockerProvider``.

Image choice (``image_name``): ``$GOLIVE_PG_IMAGE`` when set (used as given, never swapped);
otherwise the official ``postgres:16`` when present, else the locally built air-gapped image
(``golive postgres build-image``) when present, else ``postgres:16`` (pulled on first use).
Containers carry the label ``golive.run=<run id>`` and are removed by golive itself at exit
and on SIGINT/SIGTERM, so the Ryuk reaper is not needed (it is disabled when its image is
not present locally).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import docker as docker_sdk

DEFAULT_IMAGE = "postgres:16"
LOCAL_REPO = "golive/postgres"
LABEL_RUN = "golive.run"
LABEL_PID = "golive.pid"
LABEL_LOCAL_IMAGE = "golive.image"  # value "postgres-local" on images built by build-image
LABEL_MAJOR = "golive.pg.major"
ENGINE_TIMEOUT = 5.0


def local_tag(major: int) -> str:
    """The tag ``golive postgres build-image`` gives an image of server ``major``."""
    return f"{LOCAL_REPO}:{major}-local"


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or "unix:///var/run/docker.sock"


def sdk_client(timeout: float = ENGINE_TIMEOUT) -> docker_sdk.DockerClient:
    """A docker SDK client for the engine named by the environment (raises if unreachable)."""
    import docker

    client = docker.from_env(timeout=int(max(1, timeout)))
    client.ping()
    return client


@dataclass(frozen=True)
class EngineStatus:
    reachable: bool
    address: str
    detail: str  # "20.10.24" when reachable, else the error


def engine_status(timeout: float = ENGINE_TIMEOUT) -> EngineStatus:
    """Whether a Docker engine answers, its version, or why not."""
    address = engine_address()
    try:
        client = sdk_client(timeout)
    except Exception as exc:
        return EngineStatus(False, address, _short_error(exc))
    try:
        version = str(client.version().get("Version", "?"))
    except Exception as exc:
        return EngineStatus(False, address, _short_error(exc))
    finally:
        client.close()
    return EngineStatus(True, address, version)


def engine_reachable(timeout: float = ENGINE_TIMEOUT) -> bool:
    return engine_status(timeout).reachable


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:300]


def image_info(name: str) -> dict[str, Any] | None:
    """``docker image inspect`` of ``name`` if present locally (None if absent or no engine)."""
    try:
        client = sdk_client()
    except Exception:
        return None
    try:
        return dict(client.api.inspect_image(name))
    except Exception:
        return None
    finally:
        client.close()


def image_present(name: str) -> bool:
    return image_info(name) is not None


def local_image() -> str | None:
    """The tag of a locally built golive image, preferring the host's server major."""
    try:
        client = sdk_client()
    except Exception:
        return None
    try:
        images = client.images.list(filters={"label": f"{LABEL_LOCAL_IMAGE}=postgres-local"})
    except Exception:
        return None
    finally:
        client.close()
    tags = sorted((t for img in images for t in img.tags), reverse=True)
    if not tags:
        return None
    from golive.postgres.binaries import system_binaries

    host = system_binaries()
    if host and local_tag(host.major) in tags:
        return local_tag(host.major)
    return tags[0]


def image_name() -> str:
    """The image DockerProvider will use (see the module docstring for the rules)."""
    configured = os.environ.get("GOLIVE_PG_IMAGE", "").strip()
    if configured:
        return configured
    if image_present(DEFAULT_IMAGE):
        return DEFAULT_IMAGE
    return local_image() or DEFAULT_IMAGE
