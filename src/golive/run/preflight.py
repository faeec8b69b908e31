"""Checks made before anything runs: every Gherkin step is defined, the target speaks the contract.

A problem found here is a usage error (exit 2): nothing has run and no evidence is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from golive.errors import ConfigError, TargetUnreachable
from golive.tls import tls_context


@dataclass(frozen=True)
class UndefinedStep:
    feature: str
    line: int
    keyword: str
    text: str

    def __str__(self) -> str:
        return (
            f"{self.feature}:{self.line}: no step definition matches {self.keyword} {self.text!r}"
        )


def _step_contexts(session: pytest.Session, item: pytest.Item) -> list[Any]:
    """Every step definition visible from ``item`` (pytest-bdd keeps them as fixtures)."""
    fm = session._fixturemanager
    names = (
        getattr(fm, "_arg2node2fixturedefs", None)
        or getattr(fm, "_arg2nodeid2fixturedefs", None)
        or getattr(fm, "_arg2fixturedefs", {})
    )
    contexts: list[Any] = []
    for name in list(names):
        if name.startswith("pytestbdd_stepdef_"):
            contexts.extend(d.func() for d in fm.getfixturedefs(name, item) or ())
    return contexts


def undefined_steps(session: pytest.Session, items: list[pytest.Item]) -> list[UndefinedStep]:
    """Steps of collected scenarios that no step definition matches."""
    contexts: list[Any] = []
    seen: set[tuple[str, int]] = set()
    missing = []
    for item in items:
        func = getattr(item, "obj", None)
        template = scenario_wrapper_template_registry.get(func) if callable(func) else None
        if template is None:
            continue
        callspec = getattr(item, "callspec", None)
        example = callspec.params.get("_pytest_bdd_example", {}) if callspec else {}
        scenario = template.render(example)
        contexts = contexts or _step_contexts(session, item)
        for step in scenario.steps:
            key = (scenario.feature.filename, step.line_number)
            if key in seen:
                continue
            seen.add(key)
            if not any(
                (ctx.type in (None, step.type)) and ctx.parser.is_matching(step.name)
                for ctx in contexts
            ):
                missing.append(
                    UndefinedStep(
                        scenario.feature.rel_filename,
                        step.line_number,
                        step.keyword.strip(),
                        step.name,
                    )
                )
    return missing


def check_features(paths: list[Path]) -> None:
    """Every feature file under ``paths`` parses as Gherkin (else a usage error naming it)."""
    from pytest_bdd.exceptions import GherkinParseError
    from pytest_bdd.gherkin_parser import get_gherkin_document

    files = [f for p in paths for f in ([p] if p.is_file() else sorted(p.rglob("*.feature")))]
    for f in files:
        if f.suffix != ".feature":
            continue
        try:
            get_gherkin_document(str(f))
        except GherkinParseError as exc:
            reason = exc.message.replace("\n", " ").replace("Unknown parsing error: ", "")
            raise ConfigError(
                f"{f}:{exc.line}: not valid Gherkin: {reason} "
                f"(line: {exc.line_content.strip()!r}). Fix the feature file's syntax."
            ) from None


class StepCheck:
    """A pytest plugin that refuses to run a suite with undefined steps (UsageError, exit 4)."""

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(
        self, session: pytest.Session, items: list[pytest.Item]
    ) -> None:
        missing = undefined_steps(session, items)
        if missing:
            lines = "\n".join(f"  {m}" for m in missing)
            raise pytest.UsageError(
                f"{len(missing)} Gherkin step(s) have no step definition:\n{lines}\n"
                "Fix: correct the wording to match a step in steps/, or add a step definition "
                "there (`golive run --list-steps` shows them all)."
            )


def check_target(url: str, contract_text: str) -> dict[str, Any]:
    """The target answers /health and /version and serves a contract compatible with ours."""
    import yaml

    try:
        health = httpx.get(f"{url}/health", timeout=5, verify=tls_context())
        version = httpx.get(f"{url}/version", timeout=5, verify=tls_context())
        served = httpx.get(f"{url}/openapi.yaml", timeout=5, verify=tls_context())
    except httpx.TransportError as exc:
        raise TargetUnreachable(
            f"target {url!r} does not answer ({exc.__class__.__name__}: {exc}). Fix: start the "
            "platform, check the URL and port, or use --target embedded."
        ) from None
    if health.status_code != 200 or served.status_code != 200 or version.status_code != 200:
        raise TargetUnreachable(
            f"target {url!r} does not speak the platform contract: /health → {health.status_code}, "
            f"/version → {version.status_code}, /openapi.yaml → {served.status_code}. "
            "Fix: point --target at a platform implementing docs/platform-contract.yaml."
        )
    ours = yaml.safe_load(contract_text)
    try:
        theirs = yaml.safe_load(served.text)
    except yaml.YAMLError:
        theirs = None
    if not isinstance(theirs, dict):
        raise TargetUnreachable(
            f"target {url!r} serves /openapi.yaml that is not an OpenAPI document"
        )
    missing = [
        f"{method.upper()} {path}"
        for path, ops in ours.get("paths", {}).items()
        for method in ops
        if method in ("get", "post", "put", "delete", "patch")
        and method not in (theirs.get("paths", {}).get(path) or {})
    ]
    if missing:
        raise TargetUnreachable(
            f"target {url!r} lacks {len(missing)} operation(s) of the contract: "
            + ", ".join(missing[:10])
            + ". Fix: implement them, or adapt the platform with a driver."
        )
    return dict(version.json())
