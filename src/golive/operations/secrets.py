"""The webhook secrets file handed to ``set_webhook_secrets`` as ``{secrets_file}``.

A dotenv file, readable by the owner only, that a platform's tooling can source::

    STRIPE_WEBHOOK_SECRETS=whsec_new,whsec_old   # every secret to accept, comma-separated
    ADYEN_HMAC_KEY=0A1B…                         # the notification HMAC key, hex
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from golive.errors import ConfigError

STRIPE = "STRIPE_WEBHOOK_SECRETS"
ADYEN = "ADYEN_HMAC_KEY"


@dataclass(frozen=True)
class SecretsFile:
    stripe: tuple[str, ...] = ()  # accepted Stripe signing secrets, newest first
    adyen_hmac_key: str = ""

    def __repr__(self) -> str:  # never shows a secret
        return f"SecretsFile(stripe=<{len(self.stripe)} secrets>, adyen_hmac_key=<hidden>)"


def write_secrets_file(path: Path, secrets: SecretsFile) -> Path:
    """Write ``secrets`` to ``path`` with mode 0600 (created that way, never wider)."""
    if any("," in s or "\n" in s for s in secrets.stripe) or "\n" in secrets.adyen_hmac_key:
        raise ValueError("a webhook secret must not hold a comma or a line break")
    # a provider whose secret does not change has no line: its secret stays as it is
    lines = [f"{STRIPE}={','.join(secrets.stripe)}"] if secrets.stripe else []
    lines += [f"{ADYEN}={secrets.adyen_hmac_key}"] if secrets.adyen_hmac_key else []
    text = "".join(f"{line}\n" for line in lines)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    return path


def read_secrets_file(path: Path) -> SecretsFile:
    """The secrets in ``path``; ConfigError naming the file when it holds neither."""
    # imported here: envcheck reads golive.config, which reads [target.operations] with this
    # package
    from golive.envcheck.envfile import read_env_file

    env = read_env_file(path)
    unknown = sorted(set(env.vars) - {STRIPE, ADYEN})
    if unknown:
        raise ConfigError(f"{path}: {unknown[0]} is not a webhook secret; write {STRIPE}, {ADYEN}")
    stripe = tuple(s.strip() for s in (env.get(STRIPE) or "").split(",") if s.strip())
    adyen = (env.get(ADYEN) or "").strip()
    if not stripe and not adyen:
        raise ConfigError(f"{path} holds no webhook secret; write {STRIPE}=… and/or {ADYEN}=…")
    return SecretsFile(stripe, adyen)
