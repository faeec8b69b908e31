"""The real CLI against a target golive does not start: without the operations a drill
needs it is SKIPPED, naming the operation, and the verdict is INCONCLUSIVE, never GO; an
operation that fails makes the drill fail, NO-GO, with its output in the drill's journal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import pytest

from golive.postgres import Templates
from golive.postgres.base import free_port
from golive.stack import embedded_stack, migrate

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def platform_url(pg_templates: Templates, tmp_path: Path) -> Iterator[str]:
    """A platform golive does not start in the run (the reference one, started here)."""
    db = pg_templates.clone("refbank-schema-2", lambda dsn: migrate(dsn, "2"))
    try:
        with embedded_stack(db.dsn, app_version="2", log_dir=tmp_path) as stack:
            yield stack.platform_url
    finally:
        db.drop()


def test_drills_without_their_operations_are_not_drilled_and_inconclusive(
    platform_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "golive.toml"
    config.write_text(f'[target]\nurl = "{platform_url}"\n')  # no [target.operations]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLIVE_", "REFBANK_"))}
    env |= {
        "GOLIVE_PSP_PORT": str(free_port()),
        "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET": "whsec_" + "ab" * 16,
        "GOLIVE_PSP_ADYEN_HMAC_KEY": "AB" * 32,
    }
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "golive", "run", "--config", str(config), "--suite", "rollback",
           "-k", "release_rollback or webhooks_during_switch", "--out", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 3, proc.stdout[-3000:] + proc.stderr[-2000:]
    [run] = [p for p in out.iterdir() if (p / "manifest.json").exists()]
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["verdict"]["verdict"] == "INCONCLUSIVE"
    assert manifest["counts"]["skipped"] == 2, manifest["counts"]
    suites = ElementTree.parse(run / "junit.xml").getroot().iter("testsuite")
    [tests] = [x for x in suites if x.get("name") == "golive readiness"]  # not gates, verdict
    cases = list(tests.iter("testcase"))
    skipped = [c.find("skipped") for c in cases]
    reasons = [f"{s.get('message', '')} {s.text or ''}" for s in skipped if s is not None]
    assert len(reasons) == len(cases) == 2, reasons
    assert all("not drilled: no `deploy` operation configured" in r for r in reasons), reasons


def test_an_operation_that_fails_is_a_no_go_with_its_output_in_the_journal(
    platform_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "golive.toml"
    config.write_text(
        f'[target]\nurl = "{platform_url}"\n\n[target.operations]\n'
        "deploy = \"sh -c 'echo the cluster is unreachable >&2; exit 4' sh {release}\"\n"
        'migrate = "true {schema}"\n'
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GOLIVE_", "REFBANK_"))}
    env |= {
        "GOLIVE_PSP_PORT": str(free_port()),
        "GOLIVE_PSP_STRIPE_WEBHOOK_SECRET": "whsec_" + "ab" * 16,
        "GOLIVE_PSP_ADYEN_HMAC_KEY": "AB" * 32,
    }
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "golive", "run", "--config", str(config), "--suite", "rollback",
           "-k", "kill_switch", "--out", str(out)]  # fmt: skip
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-2000:]
    [run] = [p for p in out.iterdir() if (p / "manifest.json").exists()]
    assert json.loads((run / "manifest.json").read_text())["verdict"]["verdict"] == "NO-GO"
    [path] = run.glob("attachments/*rollback-journal-*.json")
    [op] = json.loads(path.read_text())["context"]["operations"]
    assert (op["operation"], op["argv"][-1], op["exit_code"]) == ("deploy", "1", 4), op
    assert "the cluster is unreachable" in op["stderr_tail"]
