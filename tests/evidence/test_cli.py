"""`golive verify`, `golive keys generate` (commands driven through a Typer app)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from golive.evidence.cli import keys_app, verify
from golive.evidence.keys import SigningKey, public_pem

from .conftest import build_bundle

app = typer.Typer()
app.command("verify")(verify)
app.add_typer(keys_app, name="keys")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


@pytest.fixture
def run(tmp_path: Path, signing_key: SigningKey) -> Path:
    return build_bundle(tmp_path / "reports", signing_key)


def test_verify_valid_run_with_trusted_key(
    run: Path, signing_key: SigningKey, tmp_path: Path
) -> None:
    pub = tmp_path / "golive.pub"
    pub.write_bytes(public_pem(signing_key.public))
    code, out = invoke("verify", str(run), "--pubkey", str(pub))
    assert code == 0, out
    assert f"{run.name}: VALID (run verdict GO)" in out
    assert "inside the bundle" not in out


def test_verify_without_pubkey_says_what_it_proves(run: Path) -> None:
    code, out = invoke("verify", str(run))
    assert code == 0
    assert "not who made it" in out


def test_verify_names_each_problem(run: Path) -> None:
    (run / "transcripts" / "psp.jsonl").write_text("{}\n")
    (run / "extra.txt").write_text("x")
    code, out = invoke("verify", str(run))
    assert code == 1
    assert "NOT VALID" in out
    assert "file 'transcripts/psp.jsonl' was changed after signing" in out
    assert "extra file 'extra.txt'" in out


def test_verify_chain(run: Path) -> None:
    code, out = invoke("verify", "--chain", str(run.parent))
    assert code == 0, out
    assert "1 finished run(s) checked" in out


def test_verify_needs_exactly_one_target(run: Path) -> None:
    from golive.errors import ConfigError

    with pytest.raises(ConfigError, match="exactly one"):
        invoke("verify")
    with pytest.raises(ConfigError, match="exactly one"):
        invoke("verify", str(run), "--chain", str(run.parent))


def test_keys_generate(tmp_path: Path) -> None:
    code, out = invoke("keys", "generate", "--out", str(tmp_path / "k"))
    assert code == 0, out
    assert stat.S_IMODE(os.stat(tmp_path / "k" / "golive.key").st_mode) == 0o600
    assert (tmp_path / "k" / "golive.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    assert "fingerprint: SHA256:" in out
    assert "BEGIN PRIVATE KEY" not in out
