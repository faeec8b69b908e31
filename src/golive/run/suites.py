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


def builtin_root() -> Path:
    """golive's own readiness suite: the folder of its steps/, fixtures/ and features/."""
    return Path(golive.__file__).resolve().parents[2]


def suite_root(explicit: Path | None = None) -> Path:
    """The folder holding features/ and conftest.py: ``explicit`` (a project of your own,
    as `golive init` writes, or golive's suite), else the working directory when it holds
    golive's suite (steps/ too), else golive's own."""
    if explicit:
        candidates = [explicit]
    else:
        here = Path.cwd()
        candidates = [here] if (here / "steps").is_dir() else []
        candidates.append(builtin_root())
    for c in candidates:
        if (c / "features").is_dir() and (c / "conftest.py").is_file():
            return c
    raise ConfigError(
        f"no readiness suite found in {', '.join(str(c) for c in candidates if c)}: golive needs "
        "the folder with features/, steps/, fixtures/ and conftest.py. Fix: run golive from a "
        "checkout of the golive repository, or pass --suite-root PATH."
    )


def suite_paths(suite: str, root: Path) -> list[Path]:
    if suite not in SUITES:
        raise ConfigError(f"--suite {suite!r} is not a suite: choose one of {', '.join(SUITES)}")
    paths = [root / p for p in SUITES[suite] if (root / p).exists()]
    if not paths:
        raise ConfigError(
            f"suite {suite!r} has no scenarios in this checkout (looked for "
            f"{', '.join(SUITES[suite])} under {root})"
        )
    return paths
