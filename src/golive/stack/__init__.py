"""The running stack a readiness suite drives: Postgres, the stub PSP, the target platform."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from golive.evidence.redact import mask_dsn
from golive.postgres.base import free_port
from golive.stack.embedded import EmbeddedPlatform, PspWiring, migrate

__all__ = [
    "EmbeddedPlatform",
    "PspWiring",
    "Stack",
    "embedded_stack",
    "external_stack",
    "free_port",
    "migrate",
]


@dataclass
class Stack:
    """Everything a scenario needs to reach: the platform URL, the PSP, and (embedded) the rest."""

    platform_url: str
    psp_url: str
    wiring: PspWiring
    platform: EmbeddedPlatform | None = None
    database_dsn: str | None = None
    psp: Any = None  # the in-process stub (golive.psp), when it runs here

    @property
    def embedded(self) -> bool:
        return self.platform is not None

    def __repr__(self) -> str:  # fixture values end up in Allure: never the DSN's password
        return (
            f"Stack(platform_url={self.platform_url!r}, psp_url={self.psp_url!r}, "
            f"wiring={self.wiring!r}, platform={self.platform!r}, "
            f"database_dsn={mask_dsn(self.database_dsn)!r})"
        )


def _register_endpoint(stub: Any, provider: str, url: str, secret: str | None = None) -> str:
    return str(stub.control.add_webhook_endpoint(provider, url, secret=secret).secret)


def _register_secrets(*values: str) -> None:
    from golive.evidence import register_secret

    for v in values:
        register_secret(v)


@contextlib.contextmanager
def _stub(port: int = 0, speed: float = 0.0) -> Iterator[Any]:
    """The stub PSP; its clock is frozen by default (speed 0): the harness moves PSP time."""
    from golive.psp import running_stub

    with running_stub(host="127.0.0.1", port=port, speed=speed) as stub:
        yield stub


@contextlib.contextmanager
def embedded_stack(
    dsn: str, *, app_version: str = "2", log_dir: Path | None = None, psp_speed: float = 0.0,
) -> Iterator[Stack]:  # fmt: skip
    """The stub PSP and the reference platform on free loopback ports, wired to each other."""
    port = free_port()
    with _stub(speed=psp_speed) as stub:
        base = stub.base_url.rstrip("/")
        stripe_secret = _register_endpoint(
            stub, "stripe", f"http://127.0.0.1:{port}/webhooks/stripe"
        )
        adyen_key = _register_endpoint(stub, "adyen", f"http://127.0.0.1:{port}/webhooks/adyen")
        wiring = PspWiring(
            stripe_api_base=f"{base}/stripe", stripe_api_key=f"sk_test_{secrets.token_hex(12)}",
            stripe_webhook_secrets=[stripe_secret], adyen_api_base=f"{base}/adyen",
            adyen_api_key=f"AQE{secrets.token_hex(20)}", adyen_hmac_key=adyen_key,
        )  # fmt: skip
        _register_secrets(wiring.stripe_api_key, stripe_secret, wiring.adyen_api_key, adyen_key)
        log = (log_dir / "platform.log") if log_dir else None
        platform = EmbeddedPlatform(
            dsn=dsn, psp=wiring, app_version=app_version, port=port, log_path=log
        )
        platform.start()
        try:
            yield Stack(platform.url, base, wiring, platform, dsn, stub)
        finally:
            platform.stop()


@contextlib.contextmanager
def external_stack(url: str, *, psp_port: int | None = None) -> Iterator[Stack]:
    """An external platform: the stub PSP runs here on a fixed port (GOLIVE_PSP_PORT).

    The platform and the stub share the webhook secrets GOLIVE_PSP_STRIPE_WEBHOOK_SECRET and
    GOLIVE_PSP_ADYEN_HMAC_KEY; both must be set (docs/operator-guide.md says how).
    """
    from golive.errors import ConfigError

    env = os.environ
    stripe_secret = env.get("GOLIVE_PSP_STRIPE_WEBHOOK_SECRET")
    adyen_key = env.get("GOLIVE_PSP_ADYEN_HMAC_KEY")
    if not stripe_secret or not adyen_key:
        raise ConfigError(
            "an external --target needs the webhook secrets it shares with the stub PSP: set "
            "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET (whsec_…) and GOLIVE_PSP_ADYEN_HMAC_KEY (hex) to the "
            "values the platform is configured with"
        )
    port = psp_port or int(env.get("GOLIVE_PSP_PORT", "12111"))
    with _stub(port=port) as stub:
        base = stub.base_url.rstrip("/")
        _register_endpoint(stub, "stripe", f"{url}/webhooks/stripe", stripe_secret)
        _register_endpoint(stub, "adyen", f"{url}/webhooks/adyen", adyen_key)
        _register_secrets(stripe_secret, adyen_key)
        wiring = PspWiring(f"{base}/stripe", "", [stripe_secret], f"{base}/adyen", "", adyen_key)
        yield Stack(url, base, wiring, None, env.get("GOLIVE_TARGET_DB"), stub)
