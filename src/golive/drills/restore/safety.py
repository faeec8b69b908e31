"""A drill destroys only what golive created, or a server explicitly marked disposable."""

from __future__ import annotations

from golive.errors import UnsafeTarget
from golive.postgres import Instance, Provider


def _refusal(where: str, action: str) -> UnsafeTarget:
    return UnsafeTarget(
        f"refusing to {action} on {where}: it is not marked disposable, and a restore drill "
        "destroys its primary and loads data into fresh databases. Fix: run the drill with "
        "--postgres local or --postgres docker (golive creates and removes its own servers), "
        "or set GOLIVE_PG_DISPOSABLE=1 only for a server whose loss you accept."
    )


def require_disposable(instance: Instance, action: str) -> None:
    """Raise ``UnsafeTarget`` (exit 2) unless ``instance`` may be damaged by ``action``."""
    if not instance.disposable:
        raise _refusal(f"the {instance.kind} server {instance.host}:{instance.port}", action)


def require_disposable_provider(provider: Provider, action: str) -> None:
    """Refuse before anything is touched: a DSN provider names its one server up front."""
    instance = getattr(provider, "instance", None)
    if isinstance(instance, Instance):
        require_disposable(instance, action)
