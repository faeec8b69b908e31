"""report.html and canary_report.md: content, self-containment, re-rendering."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from golive.evidence.keys import SigningKey
from golive.evidence.verify import verify_run

from .conftest import build_bundle, only_run


@pytest.fixture
def run(tmp_path: Path, signing_key: SigningKey) -> Path:
    return build_bundle(tmp_path / "reports", signing_key)


def test_report_has_every_section(run: Path, signing_key: SigningKey) -> None:
    html = (run / "report.html").read_text()
    assert 'class="banner go"' in html
    assert "GO: the release candidate proved ready" in html
    assert "Scenario: Deposit" in html
    assert "a funded wallet" in html
    assert "p95 latency" in html
    assert "&lt; 500 ms" in html
    assert "Money flow" not in html  # nothing records it: no section that is always empty
    assert 'aria-label="latency distribution"' in html
    assert 'aria-label="run timeline"' in html
    assert signing_key.fingerprint in html
    assert "golive verify" in html
    assert "cosign verify-blob-attestation" in html
    assert "data:image/svg+xml;base64," in html  # the svg attachment is inline


def test_report_makes_no_external_request(run: Path) -> None:
    html = (run / "report.html").read_text()
    assert "default-src 'none'" in html
    assert "<script" not in html.lower()
    for attr in re.findall(r'(?:src|href|action|poster|data)\s*=\s*"([^"]*)"', html, re.I):
        assert attr.startswith(("data:", "#")) or not re.match(r"[a-z][a-z0-9+.-]*:", attr), attr
    assert "@import" not in html
    assert "url(" not in html


def test_unmanaged_key_is_stated_plainly(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{"properties/test_ok": "def test_ok():\n    assert True\n"})
    assert pytester.runpytest("-p", "no:cacheprovider").ret == 0
    bundle = only_run(pytester.path)
    assert "UNMANAGED signing key" in (bundle / "report.html").read_text()
    assert "UNMANAGED signing key" in (bundle / "canary_report.md").read_text()


def test_canary_report_fields(run: Path) -> None:
    md = (run / "canary_report.md").read_text()
    for field in (
        "| Date |",
        "| Release |",
        "| Environment |",
        "| Target |",
        "| Run |",
        "## Verdict: GO",
        "## Checks",
        "## SLOs and gates",
        "## Waivers",
        "## Sign-off",
        "| Release manager |",
    ):
        assert field in md, field
    assert "| Canary: Deposit | PASS |" in md


def _cli() -> CliRunner:
    return CliRunner()


def test_golive_report_rerenders_without_touching_signed_data(run: Path, tmp_path: Path) -> None:
    import typer

    from golive.evidence.cli import report

    app = typer.Typer()
    app.command()(report)
    before = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    (run / "report.html").unlink()
    (run / "canary_report.md").write_text("edited\n")
    assert not verify_run(run).ok
    result = _cli().invoke(app, [str(run)])
    assert result.exit_code == 0, result.output
    assert "report.html: re-rendered" in result.output
    after = {p.name: p.read_bytes() for p in run.iterdir() if p.is_file()}
    assert after == before  # deterministic rendering: byte-identical to the signed views
    assert verify_run(run).ok


def test_rerender_with_a_newer_renderer_still_verifies(
    run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import golive.evidence.report_html as report_html

    original = report_html.render
    monkeypatch.setattr(
        report_html,
        "render",
        lambda *a, **k: original(*a, **k).replace("<main>", "<main><!-- v2 -->"),
    )
    import typer

    from golive.evidence.cli import report

    app = typer.Typer()
    app.command()(report)
    assert _cli().invoke(app, [str(run)]).exit_code == 0
    assert "<!-- v2 -->" in (run / "report.html").read_text()
    rep = verify_run(run)
    assert rep.ok, rep.problems
    assert any("re-rendered" in n for n in rep.notes)


def test_golive_report_refuses_tampered_data(run: Path) -> None:
    import typer

    from golive.evidence.cli import report

    app = typer.Typer()
    app.command()(report)
    results = json.loads((run / "results.json").read_text())
    results["tests"][0]["outcome"] = "passed!"
    (run / "results.json").write_text(json.dumps(results))
    result = _cli().invoke(app, [str(run)])
    assert result.exit_code == 1
    assert "results.json" in result.output


def test_summary(run: Path, tmp_path: Path) -> None:
    from golive.evidence import summarize

    text = summarize(run)
    assert text.startswith(f"**golive run `{run.name}`: GO** (exit 0)")
    assert "Evidence: intact" in text
    broken = tmp_path / "copy" / run.name
    shutil.copytree(run, broken)
    (broken / "results.json").write_text("{}")
    assert "NOT VALID" in summarize(broken)
