"""Disposable Postgres behind one interface: Docker (testcontainers), local binaries, or a DSN.

``open_provider("auto")`` picks a DSN if one is given, else Docker if reachable, else local.
"""

from __future__ import annotations

import os

from golive.errors import ConfigError, ProviderUnavailable
from golive.postgres.base import Instance, InstanceSpec, Provider, unique_name, wait_ready
from golive.postgres.template import Database, Templates, create_database, drop_database

PROVIDER_NAMES = ("auto", "docker", "local", "pgserver")


def _is_dsn(spec: str) -> bool:
    return spec.startswith(("postgresql://", "postgres://")) or "host=" in spec


def open_provider(spec: str | None = None) -> Provider:
    """The provider named by ``spec``, ``$GOLIVE_POSTGRES``, else ``auto``."""
    spec = (spec or os.environ.get("GOLIVE_POSTGRES") or "auto").strip()
    if _is_dsn(spec):
        from golive.postgres.dsn import DsnProvider

        return DsnProvider(spec, disposable=os.environ.get("GOLIVE_PG_DISPOSABLE") == "1")
    if spec == "auto":
        dsn = os.environ.get("GOLIVE_PG_DSN")
        if dsn:
            return open_provider(dsn)
        from golive.postgres import docker as docker_mod

        reachable = docker_mod.engine_reachable()
        image = docker_mod.image_name() if reachable else ""
        if reachable and docker_mod.image_present(image):
            return docker_mod.DockerProvider()
        try:
            return open_provider("local")
        except ProviderUnavailable as exc:
            why = (
                f"image {image!r} not present; fix: golive postgres build-image"
                if reachable
                else f"engine at {docker_mod.engine_address()} not reachable; fix: start dockerd"
            )
            exc.add_note(f"--postgres auto tried: GOLIVE_PG_DSN (not set), Docker ({why}), local.")
            raise
    if spec == "docker":
        from golive.postgres.docker import DockerProvider

        return DockerProvider()
    if spec in ("local", "pgserver"):
        from golive.postgres.local import LocalProvider

        return LocalProvider(prefer="pgserver" if spec == "pgserver" else "system")
    raise ConfigError(
        f"--postgres {spec!r} is not a provider: use one of {', '.join(PROVIDER_NAMES)} "
        "or a DSN such as postgresql://user:password@127.0.0.1:5432/postgres"
    )


__all__ = [
    "PROVIDER_NAMES",
    "Database",
    "Instance",
    "InstanceSpec",
    "Provider",
    "Templates",
    "create_database",
    "drop_database",
    "open_provider",
    "unique_name",
    "wait_ready",
]
