"""Checks made before anything runs: the inputs of a run, the Gherkin, the target.

Every input a run depends on is checked here, cheapest first: the output folder, the
signing key, the -k expression, the platform version, Postgres (reachable with the DSN's
user), the target (answers and speaks the contract), then the features (parse, every step
defined). A problem found here is a usage error (exit 2) in one line: nothing has run, no
run folder exists and nothing is chained.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pytest_bdd.scenario import scenario_wrapper_template_registry

from golive.errors import ConfigError, TargetUnreachable
from golive.options import check_dsn, is_dsn, one_line
from golive.run.catalog import closest, step_def
from golive.tls import tls_context


@dataclass(frozen=True)
class UndefinedStep:
    feature: str
    line: int
    keyword: str
    text: str
    near: tuple[str, ...] = ()  # the closest step patterns of the catalogue

    def __str__(self) -> str:
        hint = f"; closest steps: {', '.join(repr(p) for p in self.near)}" if self.near else ""
        return (
            f"{self.feature}:{self.line}: no step definition matches {self.keyword} "
            f"{self.text!r}{hint}"
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
                known = [step_def(c) for c in contexts if c.type in (None, step.type)]
                near = tuple(s.pattern for s in closest(step.name, known))
                missing.append(
                    UndefinedStep(
                        scenario.feature.rel_filename,
                        step.line_number,
                        step.keyword.strip(),
                        step.name,
                        near,
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
                "there (`golive steps` shows them all)."
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


def check_key(key: Path | None) -> None:
    """The signing key (--key or GOLIVE_SIGNING_KEY) is readable and an Ed25519 PEM key."""
    from golive.evidence.keys import resolve_signing_key

    resolve_signing_key(str(key) if key else None)


def check_keyword(keyword: str | None) -> None:
    """``-k`` is a valid pytest expression (whether it matches anything is checked later)."""
    if not keyword:
        return
    try:
        from _pytest.mark.expression import Expression
    except ImportError:  # pragma: no cover - collection still refuses it, a little later
        return
    try:
        Expression.compile(keyword)
    except Exception as exc:  # SyntaxError on pytest 9, ParseError before
        reason = getattr(exc, "msg", None) or getattr(exc, "message", None) or one_line(exc)
        raise ConfigError(
            f"-k {keyword!r} is not a pytest -k expression ({reason}). "
            "Fix: e.g. -k 'stripe and not refund'"
        ) from None


def check_platform_version(version: str, target: str, flag: str = "--platform-version") -> None:
    """The embedded platform has this release (an external target reports its own)."""
    from golive.drills.rollback.plan import EMBEDDED_RELEASES

    if target == "embedded" and version not in EMBEDDED_RELEASES:
        raise ConfigError(
            f"{flag} {version!r} is not a release of the embedded platform; it has "
            f"{', '.join(EMBEDDED_RELEASES)}. Fix: choose one of them"
        )


def check_postgres(spec: str | None, flag: str = "--postgres") -> None:
    """The Postgres provider can be used here: a DSN answers, Docker or binaries are there."""
    from golive.errors import ProviderUnavailable
    from golive.postgres import PROVIDER_NAMES

    spec = (spec or os.environ.get("GOLIVE_POSTGRES") or "auto").strip()
    if spec == "auto" and os.environ.get("GOLIVE_PG_DSN"):
        spec, flag = os.environ["GOLIVE_PG_DSN"], "GOLIVE_PG_DSN"
    if is_dsn(spec):
        check_dsn(spec, flag)
        return
    if spec not in PROVIDER_NAMES:
        raise ConfigError(
            f"{flag} {spec!r} is not a provider: use one of {', '.join(PROVIDER_NAMES)} or a "
            "DSN such as postgresql://user:password@127.0.0.1:5432/postgres"
        )
    from golive.postgres import docker as dk
    from golive.postgres.binaries import find_binaries

    if spec in ("docker", "auto"):
        status = dk.engine_status()
        if spec == "docker" and not status.reachable:
            raise ProviderUnavailable(
                f"{flag} docker: the Docker engine at {status.address} is not reachable "
                f"({status.detail}). Fix: start it, or use --postgres local"
            )
        if status.reachable and (spec == "docker" or dk.image_present(dk.image_name())):
            return  # docker: an absent image is pulled by the provider itself
    find_binaries("pgserver" if spec == "pgserver" else "system")


def check_adapter(spec: str, url: str) -> None:
    """A target behind an adapter: the adapter loads, implements the interface and the
    platform answers its health check through it."""
    from golive.target import NoAnswer, PlatformError, load_target, open_target

    load_target(spec)  # ConfigError (exit 2) when it cannot drive a platform
    target = open_target(spec, options={"base_url": url})
    try:
        health = target.health()
    except (NoAnswer, PlatformError) as exc:
        raise TargetUnreachable(
            f"target {url!r} does not answer through adapter {spec!r} ({exc}). Fix: start the "
            "platform, check [target] url, or fix the adapter's health()."
        ) from None
    finally:
        target.close()
    if not health.ok:
        raise TargetUnreachable(
            f"target {url!r} is not healthy through adapter {spec!r}: status {health.status!r}"
        )
