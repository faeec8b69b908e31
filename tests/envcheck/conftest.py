from __future__ import annotations

from pathlib import Path

import pytest

# Fake but well-formed values. Never real secrets.
GOOD = {
    "STRIPE_SECRET_KEY": "sk_live_" + "A1b2C3d4" * 3,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "Zx9Yw8Vu" * 4,
    "ADYEN_API_KEY": "AQEyhmfxL4_fake_adyen_api_key_value",
    "ADYEN_HMAC_KEY": "44782DEF547AAA06C910C43932B1EB0C71FC68D9D0C057550C48EC2ACF6BA056",
    "DATABASE_URL": "postgresql://app@db.internal:5432/bank?sslmode=verify-full",
}


@pytest.fixture
def write_env(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(overrides: dict[str, str | None] | None = None, name: str = "app.env") -> Path:
        values: dict[str, str | None] = {**GOOD, **(overrides or {})}
        lines = [f"{k}={v}" for k, v in values.items() if v is not None]
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n")
        return path

    return write


@pytest.fixture
def write_register(tmp_path: Path):  # type: ignore[no-untyped-def]
    def write(text: str, name: str = "waivers.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text)
        return path

    return write
