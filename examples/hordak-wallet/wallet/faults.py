"""The seeded faults of FAULTS.md, switched on by HORDAK_WALLET_FAULTS (off by default)."""

from django.conf import settings

KNOWN = (
    "float-amounts",
    "signal-double-credit",
    "webhook-replay-window",
    "non-atomic-transfer",
    "lossy-downgrade",
)


def on(name: str) -> bool:
    return name in settings.WALLET_FAULTS
