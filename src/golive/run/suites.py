"""The readiness suites and where their scenarios and properties live."""

from __future__ import annotations

from pathlib import Path

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
        raise ConfigError(f"--suite {suite!r} is not a suite: choose one of {', '.join(SUITES)}")
    paths = [root / p for p in SUITES[suite] if (root / p).exists()]
    if not paths:
        raise ConfigError(
            f"suite {suite!r} has no scenarios here (looked for "
            f"{', '.join(SUITES[suite])} under {root})"
        )
    return paths
