"""[psp] in golive.toml: bind address, port, public URL, webhook secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from golive.config import load_config
from golive.errors import ConfigError


def _psp(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "golive.toml"
    path.write_text(f"[psp]\n{text}\n")
    return load_config(path).psp


def test_defaults_bind_loopback_on_a_free_port(tmp_path: Path) -> None:
    psp = load_config(cwd=tmp_path).psp
    assert (psp.host, psp.port, psp.public_url, psp.webhook_secrets) == (
        "127.0.0.1", 0, "", "environment",
    )  # fmt: skip


def test_all_keys(tmp_path: Path) -> None:
    text = (
        'host = "0.0.0.0"\nport = 12111\npublic_url = "http://ci.internal:12111/"\n'
        'webhook_secrets = "generate"'
    )
    psp = _psp(tmp_path, text)
    assert (psp.host, psp.port, psp.public_url, psp.webhook_secrets) == (
        "0.0.0.0", 12111, "http://ci.internal:12111", "generate",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("port = 70000", ["psp.port", "70000", "0 to 65535"]),
        ("port = -1", ["psp.port", "-1"]),
        ('port = "12111"', ["psp.port", "'12111'"]),
        ("port = true", ["psp.port", "True"]),
        ('host = "my host"', ["psp.host", "'my host'", "127.0.0.1"]),
        ('host = "0.0.0.0"', ["psp.host", "'0.0.0.0'", "psp.public_url"]),
        ('public_url = "ci.internal:12111"', ["psp.public_url", "'ci.internal:12111'", "http"]),
        ('public_url = "http://x/?a=1"', ["psp.public_url", "query"]),
        ('webhook_secrets = "shared"', ["psp.webhook_secrets", "'shared'", "generate"]),
        ('bind = "x"', ["psp.bind", "known keys"]),
    ],
)
def test_bad_input_names_key_value_and_fix(tmp_path: Path, text: str, names: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        _psp(tmp_path, text)
    assert int(err.value.exit_code) == 2
    for part in names:
        assert part in str(err.value)


def test_generated_secrets_for_another_target_need_the_hand_over_operation(
    tmp_path: Path,
) -> None:
    path = tmp_path / "golive.toml"
    text = '[target]\nurl = "http://127.0.0.1:8000"\n[psp]\nwebhook_secrets = "generate"\n'
    path.write_text(text)
    with pytest.raises(ConfigError, match="add set_webhook_secrets to"):
        load_config(path)
    path.write_text(text + '[target.operations]\nset_webhook_secrets = "true {secrets_file}"\n')
    assert load_config(path).psp.webhook_secrets == "generate"
