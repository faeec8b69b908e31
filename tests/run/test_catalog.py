"""`golive steps`: the catalogue holds every step definition of the built-in suite."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from golive.run.catalog import catalog, closest

ROOT = Path(__file__).resolve().parents[2]


def _decorated_steps() -> list[tuple[str, str, int]]:
    """(module, kind, line of the function's first decorator) of every step decorator
    written in steps/*.py."""
    found = []
    for path in sorted((ROOT / "steps").glob("*_steps.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef) or not node.decorator_list:
                continue
            first = node.decorator_list[0].lineno
            for deco in node.decorator_list:
                if isinstance(deco, ast.Call) and isinstance(deco.func, ast.Name):
                    found.append((f"steps.{path.stem}", deco.func.id, first))
    return sorted(found)


def test_catalog_lists_every_step_definition_of_the_suite() -> None:
    steps = catalog(ROOT)
    written = _decorated_steps()
    assert len(written) > 100
    assert sorted((s.module, s.kind, s.line) for s in steps) == written


def test_params_are_the_pattern_fields() -> None:
    [wallet] = [s for s in catalog(ROOT) if s.pattern.startswith("a wallet funded with")]
    assert wallet.params == ("amount", "currency", "psp")
    assert wallet.kind == "given"
    assert wallet.module == "steps.money_steps"


def test_closest_steps_for_a_misspelt_one() -> None:
    near = closest("a walet funded with 10 EUR thru stripe", catalog(ROOT))
    assert near
    assert near[0].pattern.startswith("a wallet funded with (?P<amount>")


def test_cli_prints_json_and_text() -> None:
    cmd = [sys.executable, "-m", "golive", "steps", "--suite-root", str(ROOT)]
    out = subprocess.run([*cmd, "--format", "json"], capture_output=True, text=True, check=True)
    rows = json.loads(out.stdout)
    assert {"kind", "pattern", "params", "doc", "module", "line"} <= set(rows[0])
    text = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    assert "Given a wallet funded with (?P<amount>" in text
    assert "through (?P<psp>adyen|braintree|stripe)  (amount, currency, psp)" in text
    bad = subprocess.run([*cmd, "--format", "yaml"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr
