"""The readiness suites and where their scenarios and properties live."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

import golive
from golive.errors import ConfigError

SUITES: dict[str, tuple[str, ...]] = {
    "canary": ("features/canary", "features/webhooks"),
    "webhooks": ("features/webhooks",),
    "rollback": ("features/rollback",),
    "restore": ("features/restore",),
    "properties": ("properties",),
    "ops": ("features/env", "features/hypercare"),
    "full": ("features", "properties"),
}
LOCAL = "local"  # a project's own features/ only (the project: --suite-root, else here)
CHOICES = (*SUITES, LOCAL)


def _is_suite(folder: Path) -> bool:
    return (folder / "features").is_dir() and (folder / "conftest.py").is_file()


def installed_suite() -> Path:
    """Where the wheel puts the suite: beside the package (see pyproject.toml)."""
    return Path(golive.__file__).resolve().parent / "_suite"


def builtin_root() -> Path:
    """golive's own readiness suite: the checkout golive runs from (an editable install),
    else the suite installed with the wheel."""
    checkout = Path(golive.__file__).resolve().parents[2]
    return checkout if _is_suite(checkout) else installed_suite()


def suite_root(explicit: Path | None = None) -> Path:
    """The folder holding features/ and conftest.py: ``explicit`` (a project of your own,
    as `golive init` writes, or golive's suite), else the working directory when it holds
    golive's suite (steps/ too), else golive's own (a checkout's, or the installed one)."""
    if explicit:
        candidates = [explicit]
    else:
        here = Path.cwd()
        candidates = [here] if (here / "steps").is_dir() else []
        candidates.append(builtin_root())
    for c in candidates:
        if _is_suite(c):
            return c
    raise ConfigError(
        f"no readiness suite found in {', '.join(str(c) for c in candidates)}: golive needs "
        "the folder with features/, steps/, fixtures/ and conftest.py. Fix: reinstall golive "
        "(its wheel carries the suite), run golive from a checkout of the golive repository, "
        "or pass --suite-root PATH."
    )


def suite_paths(suite: str, root: Path) -> list[Path]:
    if suite not in SUITES:
        raise ConfigError(f"--suite {suite!r} is not a suite: choose one of {', '.join(CHOICES)}")
    paths = [root / p for p in SUITES[suite] if (root / p).exists()]
    if not paths:
        raise ConfigError(
            f"suite {suite!r} has no scenarios here (looked for "
            f"{', '.join(SUITES[suite])} under {root})"
        )
    return paths


@dataclass(frozen=True)
class Selection:
    """What one pytest session runs: ``paths``, from ``root`` (its rootdir and settings);
    ``project`` is the project folder whose own features/ are among the paths."""

    root: Path
    paths: list[Path]
    project: Path | None = None
    tags: list[str] = field(default_factory=list)  # the project's Gherkin tags


def _features(folder: Path) -> list[Path]:
    return sorted((folder / "features").rglob("*.feature"))


def _project(folder: Path, suite: str) -> Path:
    """``folder`` as a project whose features/ can run (else a usage error with the fix)."""
    if not _features(folder):
        raise ConfigError(
            f"--suite {suite}: no .feature file in {folder / 'features'}. Fix: run `golive init` "
            "there (it writes features/ with an example scenario), add your .feature files to "
            "its features/, or pass --suite-root with your project's folder"
        )
    if not (folder / "conftest.py").is_file():
        raise ConfigError(
            f"--suite {suite}: {folder / 'conftest.py'} is missing (it loads golive's steps for "
            "your features). Fix: run `golive init` in an empty folder and copy its conftest.py "
            "and features/test_features.py into your project"
        )
    return folder


def project_tags(folder: Path) -> list[str]:
    """The Gherkin tags of a project's features (pytest-bdd turns them into marks); a
    feature that does not parse has none here (the preflight names it)."""
    from pytest_bdd.exceptions import GherkinParseError
    from pytest_bdd.parser import FeatureParser

    found: set[str] = set()
    for path in _features(folder):
        try:
            feature = FeatureParser(str(path.parent), path.name).parse()
        except (GherkinParseError, OSError, UnicodeDecodeError):
            continue
        found |= feature.tags
        for scenario in feature.scenarios.values():
            found |= scenario.tags | (scenario.rule.tags if scenario.rule else set())
            for examples in scenario.examples:
                found |= examples.tags
    return sorted(found)


def select(suite: str, explicit: Path | None = None) -> Selection:
    """The paths of ``--suite``: golive's suites, a project's own features (local), or both
    (full, started in a project folder that `golive init` made). ``--suite-root`` names the
    suite folder and runs only what it holds, as before."""
    if suite == LOCAL:
        folder = _project((explicit or Path.cwd()).absolute(), suite)
        return Selection(folder, [folder / "features"], folder, project_tags(folder))
    root = suite_root(explicit)
    paths = suite_paths(suite, root)
    here = Path.cwd().absolute()
    mine = _is_suite(here) and _features(here) and here.resolve() != root.resolve()
    if suite != "full" or explicit or not mine:
        return Selection(root, paths)
    project = _project(here, suite)
    return Selection(root, [*paths, here / "features"], project, project_tags(project))


class ProjectPlugin:
    """What a project's features need beside golive's suite: their tags registered as
    markers (golive's settings refuse unknown marks) and Allure placing features that lie
    outside pytest's rootdir."""

    def __init__(self, selection: Selection) -> None:
        self.selection = selection

    @pytest.hookimpl(tryfirst=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        from golive.evidence.allure_results import title_paths_beyond_rootdir

        for tag in self.selection.tags:
            config.addinivalue_line("markers", f"{tag}: a tag of the project's features")
        if self.selection.project and self.selection.project != self.selection.root:
            title_paths_beyond_rootdir()
