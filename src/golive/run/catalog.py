"""The step catalogue: every Given/When/Then a scenario can use, read from the step modules.

A step definition is found the way pytest-bdd finds it: importing a step module registers
each decorated function with its parser, so the catalogue is what the suite really binds.
"""

from __future__ import annotations

import ast
import difflib
import importlib
import inspect
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import typer
from pytest_bdd.steps import step_function_context_registry

from golive.errors import ConfigError


@dataclass(frozen=True)
class StepDef:
    kind: str  # given, when, then (or * for a step of any kind)
    pattern: str
    parser: str  # string, parse, cfparse, re
    params: tuple[str, ...]
    doc: str
    module: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def step_modules(root: Path) -> list[str]:
    """The step modules the suite's conftest.py registers (its ``pytest_plugins``)."""
    conftest = root / "conftest.py"
    try:
        tree = ast.parse(conftest.read_text(), str(conftest))
    except (OSError, SyntaxError) as exc:
        raise ConfigError(f"{conftest}: cannot read the suite's plugin list: {exc}") from None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            names = ast.literal_eval(node.value)
            return [n for n in names if isinstance(n, str) and n.split(".")[0] == "steps"]
    raise ConfigError(f"{conftest} has no pytest_plugins list naming the step modules")


def _params(parser: Any) -> tuple[str, ...]:
    inner = getattr(parser, "parser", None)  # parse / cfparse
    if inner is not None:
        return tuple(inner.named_fields)
    regex = getattr(parser, "regex", None)
    if regex is not None:
        return tuple(regex.groupindex)
    return ()


def step_def(ctx: Any) -> StepDef:
    """The catalogue entry of one pytest-bdd step definition (its StepFunctionContext)."""
    func = inspect.unwrap(ctx.step_func)
    doc = (inspect.getdoc(func) or "").strip().splitlines()
    return StepDef(
        kind=ctx.type or "*",
        pattern=str(ctx.parser.name),
        parser=type(ctx.parser).__name__.lower(),
        params=_params(ctx.parser),
        doc=doc[0] if doc else "",
        module=func.__module__,
        line=inspect.getsourcelines(func)[1],
    )


def catalog(root: Path) -> list[StepDef]:
    """Every step definition of the suite at ``root``, in module then line order."""
    from golive.run.suites import builtin_root

    modules = step_modules(root)
    for folder in (builtin_root(), root):  # a project's conftest names golive's steps
        if str(folder) not in sys.path:
            sys.path.insert(0, str(folder))
    for name in modules:
        importlib.import_module(name)
    found = [
        step_def(ctx)
        for ctx in list(step_function_context_registry.values())
        if inspect.unwrap(ctx.step_func).__module__ in modules
    ]
    order = {"given": 0, "when": 1, "then": 2, "*": 3}
    return sorted(found, key=lambda s: (s.module, s.line, order[s.kind], s.pattern))


def closest(text: str, steps: list[StepDef], n: int = 3) -> list[StepDef]:
    """The step definitions whose pattern reads most like ``text`` (for an undefined step)."""
    by_pattern = {s.pattern: s for s in steps}
    return [by_pattern[p] for p in difflib.get_close_matches(text, by_pattern, n=n, cutoff=0.4)]


def render_text(steps: list[StepDef]) -> str:
    lines = []
    module = None
    for s in steps:
        if s.module != module:
            module = s.module
            lines.append(f"\n{module}")
        params = f"  ({', '.join(s.params)})" if s.params else ""
        lines.append(f"  {s.kind.capitalize():5} {s.pattern}{params}")
        if s.doc:
            lines.append(f"        {s.doc}")
    return "\n".join(lines).lstrip("\n") + "\n"


def steps_command(
    fmt: str = typer.Option("text", "--format", help="text (for people) or json (for editors)."),
    suite_root: Path | None = typer.Option(
        None, "--suite-root", help="The suite folder (default: found as `golive run` finds it)."
    ),
) -> None:
    """Print the step catalogue: every Given/When/Then pattern the scenarios can use, its
    parameters, its one-line description and the module that defines it.

    Example: `golive steps --format json > steps.json`
    """
    from golive.run.suites import suite_root as find_root

    if fmt not in ("text", "json"):
        raise ConfigError(f"--format {fmt!r} is not a format: use text or json")
    steps = catalog(find_root(suite_root))
    if fmt == "json":
        typer.echo(json.dumps([s.to_dict() for s in steps], indent=2))
    else:
        typer.echo(render_text(steps), nl=False)
