"""The env readiness scenarios' library: the target's environment judged against its profile
and waiver register (golive.envcheck.scenario)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from golive.config import load_config
from golive.envcheck import CHECKS
from golive.envcheck.scenario import AREAS, TargetEnvCheck, TargetEnvironment
from golive.errors import ExpectationFailed
from golive.psp.secrets import WebhookSecrets
from golive.stack import EmbeddedPlatform, PspWiring
from tests.envcheck.conftest import GOOD


def test_every_check_belongs_to_exactly_one_area() -> None:
    listed = [check for checks in AREAS.values() for check in checks]
    assert sorted(listed) == sorted(CHECKS)


def _embedded_env_file(tmp_path: Path, stripe_key: str = "sk_test_abcdef0123456789") -> Path:
    """The env file golive writes for the embedded platform, written the same way."""
    hooks = WebhookSecrets.generate()
    wiring = PspWiring(
        "http://127.0.0.1:1/stripe", stripe_key, [hooks.stripe], "http://127.0.0.1:1/adyen",
        "AQE0123456789abcdef", hooks.adyen_hmac,
    )  # fmt: skip
    env_file = tmp_path / "refbank.env"
    dsn = "postgresql://golive:pw0123456789@127.0.0.1:5432/refbank"
    EmbeddedPlatform(dsn=dsn, psp=wiring, env_file=env_file)._settings_as_deployed()
    return env_file


def _config(folder: Path, text: str):  # type: ignore[no-untyped-def]
    (folder / "golive.toml").write_text(text)
    return load_config(folder / "golive.toml")


def _check(
    tmp_path: Path, env_file: Path | None, *, embedded: bool, toml: str = ""
) -> TargetEnvCheck:
    config = _config(tmp_path, toml)
    if embedded:
        config = replace(config, target=config.target.embedded())
    check = TargetEnvCheck(TargetEnvironment.of(config, env_file=env_file), config)
    check.run(now=datetime(2025, 12, 28, 9, tzinfo=UTC))
    return check


def test_the_embedded_platforms_environment_meets_the_refbank_profile(tmp_path: Path) -> None:
    check = _check(tmp_path, _embedded_env_file(tmp_path), embedded=True)
    assert check.where.profile == "refbank"
    for area in AREAS:
        check.expect_area_clear(area)
    check.expect_no_expired_waiver()
    check.expect_no_secret_shown()
    assert check.done().outcomes == ()
    assert any(s.startswith("whsec_") for s in check.secrets)


def test_a_live_key_in_the_embedded_environment_fails_its_area(tmp_path: Path) -> None:
    env_file = _embedded_env_file(tmp_path, stripe_key="sk_live_abcdef0123456789")
    check = _check(tmp_path, env_file, embedded=True)
    check.expect_area_clear("secret")
    check.expect_area_clear("database")
    with pytest.raises(ExpectationFailed, match="stripe-live-key:REFBANK_STRIPE_API_KEY"):
        check.expect_area_clear("payment provider key")


def test_without_an_env_file_the_process_environment_is_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in GOOD.items():
        monkeypatch.setenv(name, value)
    check = _check(tmp_path, None, embedded=False)
    assert (check.where.source, check.where.profile) == ("the process environment", "production")
    for area in AREAS:
        check.expect_area_clear(area)
    monkeypatch.delenv("ADYEN_HMAC_KEY")
    check = _check(tmp_path, None, embedded=False)
    with pytest.raises(ExpectationFailed, match="secret-missing:ADYEN_HMAC_KEY"):
        check.expect_area_clear("secret")


def test_the_targets_env_file_profile_and_waivers_come_from_the_configuration(
    tmp_path: Path,
) -> None:
    (tmp_path / "prod.env").write_text(
        "".join(f"{k}={v}\n" for k, v in {**GOOD, "STRIPE_SECRET_KEY": "sk_test_abcdefgh1"}.items())
    )
    (tmp_path / "waivers.yaml").write_text(
        "waivers:\n  - finding: stripe-test-key:STRIPE_SECRET_KEY\n    risk: high\n"
        "    owner: DevOps\n    deadline: 2025-12-27\n    mitigation: Rotate the key.\n"
    )
    toml = '[target]\nurl = "http://127.0.0.1:9"\nenv_file = "prod.env"\nwaivers = "waivers.yaml"\n'
    config = _config(tmp_path, toml)
    where = TargetEnvironment.of(config, env_file=Path(config.target.env_file))
    check = TargetEnvCheck(where, config)
    check.run(now=datetime(2025, 12, 28, 9, tzinfo=UTC))  # the waiver ended on the 27th
    with pytest.raises(ExpectationFailed, match="past their deadline: stripe-test-key"):
        check.expect_no_expired_waiver()
    with pytest.raises(ExpectationFailed, match="its waiver expired"):
        check.expect_area_clear("payment provider key")
    check.run(now=datetime(2025, 12, 26, 9, tzinfo=UTC))  # still waived
    check.expect_area_clear("payment provider key")
    check.expect_no_expired_waiver()


def test_a_secret_in_the_output_is_caught(tmp_path: Path) -> None:
    check = _check(tmp_path, _embedded_env_file(tmp_path), embedded=True)
    check.outputs.append(f"leaked {check.secrets[0]}")
    with pytest.raises(ExpectationFailed, match="secret value appears"):
        check.expect_no_secret_shown()
