"""The webhook secrets golive and a platform share: the Stripe endpoint signing secret and
the Adyen HMAC key the stub PSP signs with and the platform verifies with (`wire_others`
wires every further provider into the embedded platform).

Either golive generates fresh ones for the run and hands them to the platform (the embedded
platform gets them in the environment it starts with; an external one through its
`set_webhook_secrets` operation, given the file written by `write`), or the platform's
operator picks them and gives both sides the same values (`from_environment`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from golive.errors import ConfigError
from golive.psp.client import StubControl
from golive.psp.provider import SHARED, providers
from golive.psp.signing import is_hex_key, new_adyen_key, new_stripe_secret

STRIPE_VAR = "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET"
ADYEN_VAR = "GOLIVE_PSP_ADYEN_HMAC_KEY"


@dataclass(frozen=True)
class WebhookSecrets:
    """The secrets of the SHARED providers, in their order."""

    stripe: str = field(repr=False)  # whsec_…
    adyen_hmac: str = field(repr=False)  # hex

    @classmethod
    def generate(cls) -> WebhookSecrets:
        """Fresh secrets for one run."""
        return cls(new_stripe_secret(), new_adyen_key())

    @classmethod
    def from_environment(cls, env: Mapping[str, str]) -> WebhookSecrets:
        """The secrets an operator shares with the platform through GOLIVE_PSP_* variables."""
        stripe, adyen = env.get(STRIPE_VAR, ""), env.get(ADYEN_VAR, "")
        if not stripe or not adyen:
            raise ConfigError(
                f"an external target needs the webhook secrets it shares with the stub PSP: set "
                f"{STRIPE_VAR} (whsec_…) and {ADYEN_VAR} (hex) to the values the platform is "
                "configured with, or set [psp] webhook_secrets = 'generate' with a "
                "set_webhook_secrets operation (docs/psp.md)"
            )
        if not is_hex_key(adyen):
            raise ConfigError(
                f"{ADYEN_VAR} is not a hexadecimal HMAC key (its value is not shown); Adyen HMAC "
                "keys are 64 hex characters: generate one with `openssl rand -hex 32`"
            )
        return cls(stripe, adyen)

    def values(self) -> tuple[str, str]:
        return (self.stripe, self.adyen_hmac)

    def env(self) -> dict[str, str]:
        return {STRIPE_VAR: self.stripe, ADYEN_VAR: self.adyen_hmac}

    def write(self, folder: Path) -> Path:
        """`folder`/webhook-secrets.env (mode 0600): the file `set_webhook_secrets` is given
        as {secrets_file} (golive.operations.secrets)."""
        from golive.operations.secrets import SecretsFile, write_secrets_file

        return write_secrets_file(
            folder / "webhook-secrets.env", SecretsFile((self.stripe,), self.adyen_hmac)
        )

    def register_at(self, control: StubControl, platform_url: str) -> None:
        """Make the stub deliver to the platform's webhook endpoints, signed with these."""
        for name, secret in zip(SHARED, self.values(), strict=True):
            control.add_webhook_endpoint(name, f"{platform_url}/webhooks/{name}", secret=secret)


def wire_others(control: StubControl, platform_url: str, stub_url: str) -> dict[str, str]:
    """Every other registered provider, for the embedded platform: a fresh webhook secret,
    the platform's endpoint registered at the stub, and the platform's settings (env)."""
    from golive.evidence import register_secret

    env: dict[str, str] = {}
    for provider in providers():
        if provider.name in SHARED:
            continue
        secret = provider.new_secret()
        url = f"{platform_url}/webhooks/{provider.name}"
        control.add_webhook_endpoint(provider.name, url, secret=secret)
        settings = provider.platform_env(f"{stub_url}/{provider.name}", secret)
        register_secret(secret)
        for value in settings.values():
            if value in secret:  # a part of it (Braintree's public and private key)
                register_secret(value)
        env.update(settings)
    return env


@contextlib.contextmanager
def private_folder() -> Iterator[str]:
    """A folder only this user can read (mode 0700), removed when the context ends, and by
    the clean-up watchdog if golive is killed first (it holds webhook secrets)."""
    from golive.postgres import cleanup

    with tempfile.TemporaryDirectory(prefix="golive-secrets-") as name:
        os.chmod(name, 0o700)
        token = cleanup.register(lambda: None, cleanup.Orphans(folders=(name,)))
        try:
            yield name
        finally:
            cleanup.unregister(token)
