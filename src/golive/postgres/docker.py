"""Postgres in Docker through testcontainers: engine and image checks, and ``DockerProvider``.

Image choice (``image_name``): ``$GOLIVE_PG_IMAGE`` when set (used as given, never swapped);
otherwise the official ``postgres:16`` when present, else the locally built air-gapped image
(``golive postgres build-image``) when present, else ``postgres:16`` (pulled on first use).
Containers carry the label ``golive.run=<run id>`` and are removed by golive itself at exit
and on SIGINT/SIGTERM, so the Ryuk reaper is not needed (it is disabled when its image is
not present locally).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.errors import ProviderUnavailable
from golive.postgres import cleanup
from golive.postgres.base import Instance, InstanceSpec, Provider, unique_name

if TYPE_CHECKING:
    import docker as docker_sdk

    from golive.postgres.docker_instance import DockerInstance

DEFAULT_IMAGE = "postgres:16"
LOCAL_REPO = "golive/postgres"
LABEL_RUN = "golive.run"
LABEL_PID = "golive.pid"
LABEL_HOST = "golive.host"
LABEL_INSTANCE = "golive.instance"
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
        return EngineStatus(False, address, short_error(exc))
    try:
        version = str(client.version().get("Version", "?"))
    except Exception as exc:
        return EngineStatus(False, address, short_error(exc))
    finally:
        client.close()
    return EngineStatus(True, address, version)


def engine_reachable(timeout: float = ENGINE_TIMEOUT) -> bool:
    return engine_status(timeout).reachable


def short_error(exc: BaseException) -> str:
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
    return str(tags[0])


def image_name() -> str:
    """The image DockerProvider will use (see the module docstring for the rules)."""
    configured = os.environ.get("GOLIVE_PG_IMAGE", "").strip()
    if configured:
        return configured
    if image_present(DEFAULT_IMAGE):
        return DEFAULT_IMAGE
    return local_image() or DEFAULT_IMAGE


def resolve_image(explicit: str | None = None) -> tuple[str, str]:
    """(image, note): the image to run and, when it is not the one asked for, why."""
    configured = (explicit or os.environ.get("GOLIVE_PG_IMAGE", "")).strip()
    if configured:
        if not image_present(configured):
            _pull(configured, fallback_hint=True)
        return configured, ""
    if image_present(DEFAULT_IMAGE):
        return DEFAULT_IMAGE, ""
    local = local_image()
    if local:
        return local, f"{DEFAULT_IMAGE} is not present; using the locally built {local}"
    _pull(DEFAULT_IMAGE, fallback_hint=False)
    return DEFAULT_IMAGE, ""


def _pull(name: str, *, fallback_hint: bool) -> None:
    repo, _, tag = name.rpartition(":") if ":" in name.split("/")[-1] else (name, "", "latest")
    try:
        client = sdk_client(timeout=300)
        try:
            client.images.pull(repo, tag=tag)
        finally:
            client.close()
    except Exception as exc:
        hint = (
            "or unset GOLIVE_PG_IMAGE to use the locally built image"
            if fallback_hint
            else "then run again (golive uses the local image when postgres:16 is absent)"
        )
        raise ProviderUnavailable(
            f"the Postgres image {name!r} is not present and could not be pulled "
            f"({short_error(exc)}). Fix: `golive postgres build-image` (no registry needed), "
            f"{hint}; or use --postgres local."
        ) from None


def ensure_no_reaper() -> None:
    """Ryuk cannot be pulled air-gapped: run without it (golive removes its own containers)."""
    from testcontainers.core.config import testcontainers_config as tc

    if not tc.ryuk_disabled and not image_present(tc.ryuk_image):
        os.environ["TESTCONTAINERS_RYUK_DISABLED"] = "true"
        tc.ryuk_disabled = True


def remove_stale(*, run: str | None = None, everything: bool = False) -> list[str]:
    """Remove golive containers of ``run``, of dead processes on this host, or all of them."""
    client = sdk_client()
    removed = []
    try:
        for c in client.containers.list(all=True, filters={"label": LABEL_RUN}):
            labels = c.labels or {}
            mine = labels.get(LABEL_HOST) == socket.gethostname()
            dead = mine and not _alive(int(labels.get(LABEL_PID, "0") or 0))
            if everything or dead or (run and labels.get(LABEL_RUN) == run):
                c.remove(force=True, v=True)
                removed.append(str(c.name))
    finally:
        client.close()
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class DockerProvider(Provider):
    """Postgres containers through testcontainers, removed by golive itself."""

    kind = "docker"

    def __init__(self, *, image: str | None = None) -> None:
        status = engine_status()
        if not status.reachable:
            raise ProviderUnavailable(
                f"--postgres docker: the Docker engine at {status.address} is not reachable "
                f"({status.detail}). Fix: start it (`dockerd > /tmp/dockerd.log 2>&1 &` or "
                "`systemctl start docker`), install it (`apt-get install docker.io`), or use "
                "--postgres local."
            )
        self.engine = status.detail
        self.image, self.note = resolve_image(image)
        if self.note:
            print(f"golive: {self.note}", file=sys.stderr)
        ensure_no_reaper()
        # containers and folders of golive runs that were killed (owner process gone)
        with contextlib.suppress(Exception):  # clean-up of others never stops this run
            remove_stale()
        cleanup.remove_orphaned(("golive-docker-*",))
        self.run_id = secrets.token_hex(6)
        self.user = "golive"
        self.password = secrets.token_urlsafe(16)  # one per provider: base backups carry it
        self.instances: list[DockerInstance] = []
        self.work_root = Path(tempfile.mkdtemp(prefix=f"golive-docker-{self.run_id}-"))
        os.chmod(self.work_root, 0o755)
        cleanup.write_owner(self.work_root)
        self._archive_root: Path | None = None
        self._token = cleanup.register(self.close)

    def labels(self, instance: str) -> dict[str, str]:
        return {
            LABEL_RUN: self.run_id,
            LABEL_PID: str(os.getpid()),
            LABEL_HOST: socket.gethostname(),
            LABEL_INSTANCE: instance,
        }

    def archive_folder(self, name: str) -> Path:
        """A WAL archive folder that outlives its instance (until the provider closes)."""
        if self._archive_root is None:
            self._archive_root = Path(tempfile.mkdtemp(prefix=f"golive-archive-{self.run_id}-"))
            os.chmod(self._archive_root, 0o755)
        folder = self._archive_root / name
        folder.mkdir()
        os.chmod(folder, 0o777)  # written by the server's uid inside the container
        return folder

    def start_instance(
        self, spec: InstanceSpec | None = None, *, name: str | None = None
    ) -> Instance:
        from golive.postgres.docker_instance import DockerInstance

        inst = DockerInstance(self, name or unique_name("pg"), spec or InstanceSpec())
        self.instances.append(inst)
        return inst

    def forget(self, inst: DockerInstance) -> None:
        if inst in self.instances:
            self.instances.remove(inst)

    def sweep(self, instance: str | None = None) -> None:
        """Remove this run's containers (of one instance, or all), however they were left."""
        wanted = [f"{LABEL_RUN}={self.run_id}"]
        if instance:
            wanted.append(f"{LABEL_INSTANCE}={instance}")
        try:
            client = sdk_client(timeout=30)
        except Exception:
            return
        try:
            for c in client.containers.list(all=True, filters={"label": wanted}):
                with contextlib.suppress(docker_errors().NotFound):
                    c.remove(force=True, v=True)
        finally:
            client.close()

    def close(self) -> None:
        for inst in list(self.instances):
            inst.destroy()
        self.sweep()
        shutil.rmtree(self.work_root, ignore_errors=True)
        if self._archive_root is not None:
            shutil.rmtree(self._archive_root, ignore_errors=True)
            self._archive_root = None
        cleanup.unregister(self._token)

    def describe(self) -> str:
        extra = f"; {self.note}" if self.note else ""
        return f"docker (image {self.image}, engine {self.engine}{extra})"


def docker_errors() -> Any:
    import docker.errors

    return docker.errors
