"""`golive init [DIR]`: scaffold a readiness project for a team's own repository.

It writes golive.toml (every section commented and explained), features/ with one example
scenario in golive's step vocabulary, the conftest.py that loads golive's steps and
fixtures, runbook.toml (the default go-live runbook) and a three-line README. It never
overwrites a file unless asked (--force); every check is made before anything is written.
"""

from __future__ import annotations

import ast
import json
import shlex
from importlib.resources import files
from pathlib import Path

import jinja2
import typer

import golive
from golive.errors import ConfigError
from golive.options import check_out_dir, one_line, path_value
from golive.psp.provider import SHARED

# What init writes (path in the project -> template in golive/init/templates).
TEMPLATES = {
    "golive.toml": "golive.toml.j2",
    "conftest.py": "conftest.py.j2",
    "features/first_readiness.feature": "first_readiness.feature.j2",
    "features/test_features.py": "test_features.py.j2",
    "runbook.toml": "",  # the default runbook, as `golive runbook init` writes it
    "README.md": "README.md.j2",
}


def golive_plugins() -> list[str]:
    """The step and fixture modules golive's own conftest.py registers, in its order."""
    from golive.run.suites import builtin_root

    conftest = builtin_root() / "conftest.py"
    tree = ast.parse(conftest.read_text(), str(conftest))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "pytest_plugins" for t in node.targets
        ):
            return [str(name) for name in ast.literal_eval(node.value)]
    raise ConfigError(f"{conftest} has no pytest_plugins list: golive's suite is incomplete")


def render(project: str) -> dict[str, str]:
    """The text of every file init writes, by its path in the project."""
    env = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    values = {
        "project": project,
        "version": golive.__version__,
        "plugins": golive_plugins(),
        "psps": json.dumps(list(SHARED)),
    }
    templates = files("golive.init").joinpath("templates")
    out = {}
    for path, name in TEMPLATES.items():
        if not name:
            out[path] = files("golive.runbook").joinpath("default.toml").read_text()
        else:
            out[path] = env.from_string(templates.joinpath(name).read_text()).render(values)
    return out


def check_folder(folder: Path) -> Path:
    """``folder`` as an absolute path: a folder that exists or can be created, writable."""
    return check_out_dir(folder, "DIR", "name the folder of your readiness project")


def clashes(folder: Path, texts: dict[str, str], *, force: bool) -> list[str]:
    """The files init would overwrite (refused unless ``force``); a file where init needs a
    folder, or a folder where it writes a file, is refused outright."""
    found = []
    for rel in texts:
        path = folder / rel
        in_way = [folder / p for p in Path(rel).parents[:-1] if (folder / p).is_file()]
        if path.is_dir() or in_way:
            what = in_way[0] if in_way else path
            kind = "file" if in_way else "folder"
            raise ConfigError(
                f"{what} is a {kind}, in the way of {rel}. Fix: move it away, or init into "
                "another folder"
            )
        if path.exists():
            found.append(rel)
    if found and not force:
        raise ConfigError(
            f"{folder}: {', '.join(found)} already {'exists' if len(found) == 1 else 'exist'}; "
            "golive init never overwrites a file. "
            "Fix: move them away, init into another folder, or pass --force to overwrite them"
        )
    return found


def scaffold(folder: Path, *, force: bool = False) -> tuple[list[Path], list[str]]:
    """Write the project into ``folder``; returns the files written and those overwritten."""
    folder = check_folder(folder)
    texts = render(folder.name or "the platform")
    overwritten = clashes(folder, texts, force=force)
    written = []
    try:
        for rel, text in texts.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
    except OSError as exc:
        raise ConfigError(f"{folder}: cannot write the project: {one_line(exc)}") from None
    return written, overwritten


def init_command(
    folder: Path = typer.Argument(
        Path("."),
        parser=path_value,
        metavar="DIR",
        help="The project folder, made if missing (default: this folder).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite files init would write."),
) -> None:
    """Scaffold a readiness project: golive.toml, features/ with an example scenario in
    golive's step vocabulary, the conftest.py that loads golive's steps, runbook.toml and a
    README. Refuses to overwrite existing files (exit 2 naming them) unless --force.

    Example: `golive init readiness && cd readiness && golive run --suite local`
    """
    written, overwritten = scaffold(folder, force=force)
    here = Path.cwd()
    root = written[0].parent
    for path in written:
        shown = path.relative_to(here) if path.is_relative_to(here) else path
        verb = "overwrote" if str(path.relative_to(root)) in overwritten else "wrote"
        typer.echo(f"{verb} {shown}")
    shown_root = root.relative_to(here) if root.is_relative_to(here) else root
    cd = "" if root == here else f"cd {shlex.quote(str(shown_root))} && "
    typer.echo(
        f"next: {cd}golive run --suite local  (your scenarios on the embedded platform; "
        "--suite full adds golive's built-in suites; set [target] in golive.toml for yours)"
    )
