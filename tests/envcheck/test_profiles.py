"""Profiles and [ops] in golive.toml (golive.config), as the env check and probes read them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golive.config import BUILTIN_PROFILES, load_config
from golive.errors import ConfigError


def _config(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "golive.toml"
    path.write_text(text)
    return load_config(path)


def test_defaults(tmp_path: Path) -> None:
    cfg = load_config(cwd=tmp_path)
    assert set(cfg.profiles) == {"production", "staging", "development", "refbank"}
    assert cfg.profile("production").stripe_keys == "live"
    assert cfg.profile("production").database_tls is True
    assert cfg.ops.payout_sla_hours == 24.0
    assert cfg.ops.deposit_confirmation_sla_hours == 1.0


def test_a_profile_overrides_its_builtin_key_by_key(tmp_path: Path) -> None:
    cfg = _config(tmp_path, '[profiles.production]\nrequired_secrets = ["A", "B"]\n')
    prod = cfg.profile("production")
    assert prod.required_secrets == ("A", "B")
    assert prod.stripe_keys == "live"


def test_a_new_profile_starts_from_production_or_extends(tmp_path: Path) -> None:
    cfg = _config(
        tmp_path,
        '[profiles.dr]\ndatabase_url_var = "DR_DATABASE_URL"\n'
        '[profiles.sandbox]\nextends = "development"\nstripe_keys = "any"\n',
    )
    assert cfg.profile("dr").stripe_keys == "live"
    assert cfg.profile("dr").database_url_var == "DR_DATABASE_URL"
    assert cfg.profile("sandbox").sqlite_allowed is True
    assert cfg.profile("sandbox").stripe_keys == "any"
    assert BUILTIN_PROFILES["development"].stripe_keys == "test"  # built-ins untouched


def test_ops_section(tmp_path: Path) -> None:
    cfg = _config(tmp_path, "[ops]\npayout_sla_hours = 12\n")
    assert cfg.ops.payout_sla_hours == 12


def test_config_digest_covers_profiles(tmp_path: Path) -> None:
    base = load_config(cwd=tmp_path).digest()
    changed = _config(tmp_path, '[profiles.production]\nstripe_keys = "any"\n').digest()
    assert base != changed


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ('[profiles.production]\nstripe_keys = "sometimes"\n', "stripe_keys = 'sometimes'"),
        ("[profiles.production]\ndatabase_tls = 1\n", "must be true or false"),
        ('[profiles.production]\nrequired_secrets = "A"\n', "must be a list of variable names"),
        ("[profiles.production]\ncolour = 1\n", "colour is not a profile setting"),
        ('[profiles.x]\nextends = "y"\n', "extends = 'y' is not a profile"),
        ("[ops]\npayout_sla_hours = -1\n", "must not be negative"),
        ('[ops]\npayout_sla_hours = "24h"\n', "must be a number"),
        ("[ops]\nstuck_after = 1\n", "ops.stuck_after is not a golive setting"),
    ],
)
def test_bad_settings_are_refused(tmp_path: Path, text: str, pattern: str) -> None:
    with pytest.raises(ConfigError, match=pattern):
        _config(tmp_path, text)


def test_an_unknown_profile_names_the_known_ones(tmp_path: Path) -> None:
    known = "known profiles: development, production, refbank, staging"
    with pytest.raises(ConfigError, match=known):
        load_config(cwd=tmp_path).profile("prod")


DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_the_documented_example_loads(tmp_path: Path) -> None:
    text = DOC.read_text()
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "staging.env").write_text("STRIPE_SECRET_KEY=sk_test_abcdefgh\n")
    (tmp_path / "deploy" / "waivers.yaml").write_text("waivers: []\n")
    cfg = _config(tmp_path, example)
    assert cfg.target.env_file == str(tmp_path / "deploy" / "staging.env")
    assert cfg.target.psps == ("stripe",)
    assert cfg.psp.public_url == "http://ci-runner.internal:12111"
    assert cfg.profile("production").required_secrets[-1] == "PAYOUT_SIGNING_KEY"
    assert cfg.profile("dr").database_url_var == "DR_DATABASE_URL"
    assert cfg.profile("sandbox").stripe_keys == "any"
    assert cfg.slo.latency_p95_ms == 500


def test_every_key_is_documented_with_its_default() -> None:
    from dataclasses import fields

    from golive.config import Config

    text = DOC.read_text()
    defaults = Config()
    for section in ("slo", "drills", "load", "ops", "invariants", "target", "psp"):
        for f in fields(getattr(defaults, section)):
            if f.name in ("queries", "operations"):
                continue
            value = getattr(getattr(defaults, section), f.name)
            shown = (
                {True: "true", False: "false"}.get(value, value)
                if isinstance(value, bool)
                else json.dumps(value)
                if isinstance(value, str)
                else value
            )
            row = (
                f"| `{f.name}` | `{shown}` |" if not isinstance(value, tuple) else f"| `{f.name}` |"
            )
            assert row in text, (
                f"[{section}] {f.name} (default {value!r}) is not in docs/configuration.md"
            )
    for f in fields(BUILTIN_PROFILES["production"]):
        assert f"| `{f.name}` |" in text, f"profile key {f.name} is not documented"
