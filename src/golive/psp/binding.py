"""The stub PSP served where [psp] says: its bind address and port, and the public base URL a
platform calls it at (which differs from the bind address behind NAT, a container network or
a proxy)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from golive.config_target import PspSettings
from golive.errors import ConfigError
from golive.psp.server import RunningStub, serve_in_thread


@dataclass(frozen=True)
class ServedStub:
    stub: RunningStub
    public_url: str  # what the platform is told: its Stripe API base is public_url + /stripe

    @property
    def stripe_base(self) -> str:
        return f"{self.public_url}/stripe"

    @property
    def adyen_base(self) -> str:
        return f"{self.public_url}/adyen"


@contextmanager
def serve_stub(
    settings: PspSettings, *, default_port: int = 0, speed: float = 0.0
) -> Iterator[ServedStub]:
    """The stub on ``settings.host``:``settings.port`` (``default_port`` when it is 0)."""
    port = settings.port or default_port
    try:
        stub = serve_in_thread(host=settings.host, port=port, speed=speed)
    except OSError as exc:
        raise ConfigError(
            f"the stub PSP cannot listen on {settings.host}:{port} ({exc.strerror}); set "
            "[psp] host and port to a free local address (port 0: any free port)"
        ) from None
    try:
        yield ServedStub(stub, settings.public_url or stub.base_url)
    finally:
        stub.stop()
