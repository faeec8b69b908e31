"""The webhook secrets file handed to set_webhook_secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from golive.errors import ConfigError
from golive.operations import SecretsFile, read_secrets_file, write_secrets_file


def test_written_owner_only_and_read_back(tmp_path: Path) -> None:
    secrets = SecretsFile(("whsec_new12345678", "whsec_old12345678"), "AB" * 32)
    path = write_secrets_file(tmp_path / "s.env", secrets)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_secrets_file(path) == secrets
    assert "whsec_" not in repr(secrets)


def test_a_secret_that_does_not_change_has_no_line(tmp_path: Path) -> None:
    """A Stripe rotation must not hand the platform an empty Adyen key (the wallet example
    took `ADYEN_HMAC_KEY=` as its new key and refused every Adyen webhook after it)."""
    path = write_secrets_file(tmp_path / "s.env", SecretsFile(("whsec_new12345678",)))
    assert path.read_text() == "STRIPE_WEBHOOK_SECRETS=whsec_new12345678\n"
    path = write_secrets_file(tmp_path / "a.env", SecretsFile((), "AB" * 32))
    assert path.read_text() == f"ADYEN_HMAC_KEY={'AB' * 32}\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("STRIPE_WEBHOOK_SECRET=whsec_x\n", ["STRIPE_WEBHOOK_SECRET is not a webhook secret"]),
        ("STRIPE_WEBHOOK_SECRETS=\n", ["holds no webhook secret"]),
    ],
)
def test_a_file_without_secrets_is_refused(tmp_path: Path, text: str, words: list[str]) -> None:
    path = tmp_path / "s.env"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_secrets_file(path)
    for word in words:
        assert word in str(caught.value)


def test_a_comma_in_a_secret_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="comma"):
        write_secrets_file(tmp_path / "s.env", SecretsFile(("a,b",), ""))
    assert not (tmp_path / "s.env").exists()
