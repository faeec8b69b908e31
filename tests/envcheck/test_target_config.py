"""[target] in golive.toml: what it accepts, and bad input refused naming key, value and fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from golive.config import load_config
from golive.errors import ConfigError


def _load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "golive.toml"
    path.write_text(text)
    return load_config(path)


def test_defaults_mean_the_embedded_platform(tmp_path: Path) -> None:
    target = load_config(cwd=tmp_path).target
    assert (target.url, target.env_file, target.waivers) == ("", "", "")
    assert target.psps == ("stripe", "adyen")
    assert target.embedded().env_profile == "refbank"
    assert target.env_profile == "production"


def test_paths_are_read_from_the_configuration_files_folder(tmp_path: Path) -> None:
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy" / "prod.env").write_text("A=1\n")
    (tmp_path / "deploy" / "waivers.yaml").write_text("waivers: []\n")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    text = (
        '[target]\nurl = "https://staging.example.com/"\nenv_file = "deploy/prod.env"\n'
        'waivers = "deploy/waivers.yaml"\nprofile = "staging"\npsps = ["adyen"]\n'
        'adapter = "mywallet.golive:Adapter"\n'
        'database = "postgresql://reader@db.example.com/bank"\n'
        'migration_lock_table = "settings"\n'
        '[target.operations]\ndeploy = "helm upgrade bank ./chart --set tag={release}"\n'
    )
    target = _load(tmp_path, text).target
    assert target.url == "https://staging.example.com"
    assert target.env_file == str(tmp_path / "deploy" / "prod.env")
    assert target.waivers == str(tmp_path / "deploy" / "waivers.yaml")
    assert (target.profile, target.psps, target.adapter) == (
        "staging", ("adyen",), "mywallet.golive:Adapter",
    )  # fmt: skip
    assert target.migration_lock_table == "settings"
    assert target.operations.names == ("deploy",)
    assert target.operations.commands["deploy"].template == (
        "helm upgrade bank ./chart --set tag={release}"
    )
    assert target.operations.cwd == tmp_path  # commands run in the configuration's folder


def test_golive_config_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "other.toml"
    path.write_text('[target]\nurl = "http://127.0.0.1:8000"\n')
    monkeypatch.setenv("GOLIVE_CONFIG", str(path))
    assert load_config(cwd=tmp_path / "nowhere").target.url == "http://127.0.0.1:8000"
    monkeypatch.setenv("GOLIVE_CONFIG", str(tmp_path / "missing.toml"))
    with pytest.raises(ConfigError, match=r"missing\.toml' does not exist"):
        load_config()


@pytest.mark.parametrize(
    ("line", "names"),
    [
        ('url = "staging.example.com"', ["target.url", "'staging.example.com'", "https://"]),
        ('url = "http://host:99999"', ["target.url", "base URL"]),
        ('adapter = "mywallet.Adapter"', ["target.adapter", "'mywallet.Adapter'", "Class"]),
        ('env_file = "deploy/nope.env"', ["target.env_file", "'deploy/nope.env'", "leave it out"]),
        ('waivers = "nope.yaml"', ["target.waivers", "'nope.yaml'", "waiver register"]),
        ('psps = ["stripe", "paypal"]', ["target.psps", "'paypal'", "stripe, adyen"]),
        ("psps = []", ["target.psps", "[]", "non-empty list"]),
        ('profile = "prod"', ["target.profile", "'prod'", "[profiles.prod]"]),
        ('databse = "x"', ["target.databse", "known keys"]),
        ('migration_lock_table = "a b"', ["target.migration_lock_table", "'a b'", "'settings'"]),
        ("operations = 3", ["target.operations", "[target.operations]"]),
        ('operations = { release = "x" }', ["target.operations.release", "deploy"]),
        ('operations = { deploy = "helm {tag}" }', ["target.operations.deploy", "{tag}"]),
    ],
)
def test_bad_input_names_key_value_and_fix(tmp_path: Path, line: str, names: list[str]) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, f"[target]\n{line}\n")
    assert int(err.value.exit_code) == 2
    for part in names:
        assert part in str(err.value)


def test_a_bad_database_is_named_without_its_password(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        _load(tmp_path, '[target]\ndatabase = "mysql://app:hunter2secret@db/bank"\n')
    assert "target.database" in str(err.value)
    assert "hunter2secret" not in str(err.value)
    assert "postgresql://" in str(err.value)


def test_the_dsn_password_is_not_in_the_repr(tmp_path: Path) -> None:
    text = '[target]\ndatabase = "postgresql://reader:hunter2secret@db/bank"\n'
    target = _load(tmp_path, text).target
    assert target.database.endswith("@db/bank")
    assert "hunter2secret" not in repr(target)


def test_golive_run_refuses_a_bad_config_file_before_anything_runs(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "bad.toml").write_text('[target]\nenv_file = "missing.env"\n')
    for config, named in (
        ("bad.toml", "target.env_file = 'missing.env'"),
        ("no-such.toml", "no-such.toml"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "golive", "run", "--config", config, "--out", "out"],
            cwd=tmp_path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert done.returncode == 2
        assert named in done.stderr
        assert "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_golive_run_refuses_an_env_file_for_the_embedded_platform(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "app.env").write_text("A=1\n")
    (tmp_path / "golive.toml").write_text('[target]\nenv_file = "app.env"\n')
    done = subprocess.run(
        [sys.executable, "-m", "golive", "run", "--suite", "canary", "--config", "golive.toml",
         "--out", "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 2
    assert "target.env_file is set, but the target is the embedded platform" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_the_recorded_settings_are_plain_data_without_the_password(tmp_path: Path) -> None:
    text = (
        '[target]\nurl = "https://staging.example.com"\n'
        'database = "postgresql://reader:s3cr3t-pw@db.example.com/bank"\n'
        '[target.operations]\ndeploy = "helm upgrade bank ./chart --set tag={release}"\n'
    )
    cfg = _load(tmp_path, text)
    settings = cfg.settings()
    assert settings["target"]["operations"] == {
        "deploy": "helm upgrade bank ./chart --set tag={release}"
    }
    assert "s3cr3t-pw" not in json.dumps(settings)
    assert len(cfg.digest()) == 64
