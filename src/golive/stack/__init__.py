"""The running stack a readiness suite drives: Postgres, the stub PSP, the target platform."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from golive.config_target import EXTERNAL_PSP_PORT, PspSettings
from golive.evidence.redact import mask_dsn
from golive.operations import Operations
from golive.postgres.base import free_port
from golive.stack.embedded import EmbeddedPlatform, PspWiring, migrate
from golive.stack.operations import REFBANK_LOCK_TABLE, refbank_operations
from golive.target import Target, open_target

__all__ = [
    "PLATFORM_DATABASE",
    "EmbeddedPlatform",
    "PspWiring",
    "Stack",
    "embedded_stack",
    "external_stack",
    "free_port",
    "migrate",
    "refbank_operations",
]


# the pytest option naming a disposable database for the embedded platform (fixtures/stack.py)
PLATFORM_DATABASE = "--platform-database"


@dataclass
class Stack:
    """Everything a scenario needs to reach: the platform URL, the PSP, and (embedded) the rest."""

    platform_url: str
    psp_url: str
    wiring: PspWiring
    platform: EmbeddedPlatform | None = None
    database_dsn: str | None = None
    psp: Any = None  # the in-process stub (golive.psp), when it runs here
    env_file: Path | None = None  # the platform's environment; None: the process environment
    adapter: str = ""  # package.module:Class that speaks to the platform; "": the HTTP contract
    # what only the platform's own tooling can do: [target.operations], or golive's own
    # for the embedded platform (golive.stack.operations)
    operations: Operations = field(default_factory=Operations)
    # a table the new release's migration alters after others ([target] migration_lock_table)
    lock_table: str = ""

    @property
    def embedded(self) -> bool:
        return self.platform is not None

    def open_target(self, **kw: Any) -> Target:
        """A client of the platform: its adapter (made with ``base_url``; its calls seen by
        ``event_hooks``), else the contract."""
        if self.adapter:
            return open_target(
                self.adapter,
                options={"base_url": self.platform_url},
                event_hooks=kw.get("event_hooks"),
            )
        return open_target(self.platform_url, **kw)

    def __repr__(self) -> str:  # fixture values end up in Allure: never the DSN's password
        return (
            f"Stack(platform_url={self.platform_url!r}, psp_url={self.psp_url!r}, "
            f"wiring={self.wiring!r}, platform={self.platform!r}, "
            f"database_dsn={mask_dsn(self.database_dsn)!r})"
        )


def _register_secrets(*values: str) -> None:
    from golive.evidence import register_secret

    for v in values:
        if v:
            register_secret(v)


@contextlib.contextmanager
def embedded_stack(
    dsn: str, *, app_version: str = "2", log_dir: Path | None = None, psp_speed: float = 0.0,
    psp: PspSettings | None = None,
) -> Iterator[Stack]:  # fmt: skip
    """The stub PSP (where ``psp`` says, else a free loopback port) and the reference platform
    on a free loopback port, wired to each other with webhook secrets fresh for this run.

    The platform runs in a state folder of golive's operations for it, and the stack's
    ``operations`` are those commands: drills and steps drive it as any external target."""
    from golive.psp.binding import serve_stub
    from golive.psp.secrets import WebhookSecrets, private_folder, wire_others

    port = free_port()
    hooks = WebhookSecrets.generate()
    with serve_stub(psp or PspSettings(), speed=psp_speed) as served, private_folder() as folder:
        hooks.register_at(served.stub.control, f"http://127.0.0.1:{port}")
        wiring = PspWiring(
            stripe_api_base=served.stripe_base, stripe_api_key=f"sk_test_{secrets.token_hex(12)}",
            stripe_webhook_secrets=[hooks.stripe], adyen_api_base=served.adyen_base,
            adyen_api_key=f"AQE{secrets.token_hex(20)}", adyen_hmac_key=hooks.adyen_hmac,
            others=wire_others(served.stub.control, f"http://127.0.0.1:{port}", served.public_url),
        )  # fmt: skip
        _register_secrets(wiring.stripe_api_key, wiring.adyen_api_key, *hooks.values())
        log = (log_dir / "platform.log") if log_dir else None
        env_file = Path(folder) / "refbank.env"
        state = Path(folder) / "platform"
        platform = EmbeddedPlatform(
            dsn=dsn, psp=wiring, app_version=app_version, port=port, log_path=log,
            env_file=env_file, state=state,
        )  # fmt: skip
        platform.start()
        try:
            yield Stack(
                platform.url, served.stub.base_url, wiring, platform, dsn, served.stub, env_file,
                operations=refbank_operations(state), lock_table=REFBANK_LOCK_TABLE,
            )  # fmt: skip
        finally:
            platform.stop()


@contextlib.contextmanager
def external_stack(
    url: str, *, psp: PspSettings | None = None, database: str | None = None,
    env_file: Path | None = None, hand_over: Callable[[Path], None] | None = None,
    operations: Operations | None = None,
) -> Iterator[Stack]:  # fmt: skip
    """An external platform; the stub PSP runs here where ``psp`` says (port 0: 12111, or
    GOLIVE_PSP_PORT).

    Webhook secrets: with ``psp.webhook_secrets = "environment"`` the platform and the stub
    share GOLIVE_PSP_STRIPE_WEBHOOK_SECRET and GOLIVE_PSP_ADYEN_HMAC_KEY; with "generate"
    golive makes fresh ones and calls ``hand_over`` with the file holding them (the target's
    `set_webhook_secrets` operation). docs/psp.md says how to point a platform at the stub.
    """
    from golive.errors import ConfigError
    from golive.psp.binding import serve_stub
    from golive.psp.secrets import WebhookSecrets, private_folder

    settings = psp or PspSettings()
    env = os.environ
    with contextlib.ExitStack() as stack:
        if settings.webhook_secrets == "generate":
            if hand_over is None:
                raise ConfigError(
                    "psp.webhook_secrets = 'generate' needs a way to hand the secrets to the "
                    "platform: configure the set_webhook_secrets operation in "
                    "[target.operations], or use webhook_secrets = 'environment'"
                )
            hooks = WebhookSecrets.generate()
        else:
            hooks = WebhookSecrets.from_environment(env)
        _register_secrets(*hooks.values())
        port = int(env.get("GOLIVE_PSP_PORT") or EXTERNAL_PSP_PORT)
        served = stack.enter_context(serve_stub(settings, default_port=port))
        hooks.register_at(served.stub.control, url)
        if hand_over is not None and settings.webhook_secrets == "generate":
            folder = stack.enter_context(private_folder())
            hand_over(hooks.write(Path(folder)))
        wiring = PspWiring(
            served.stripe_base, "", [hooks.stripe], served.adyen_base, "", hooks.adyen_hmac
        )
        dsn = database or env.get("GOLIVE_TARGET_DB")
        yield Stack(
            url, served.stub.base_url, wiring, None, dsn, served.stub, env_file,
            operations=operations or Operations(),
        )  # fmt: skip
