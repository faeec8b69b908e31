"""`golive init`: scaffold a readiness project (golive.toml, features/, conftest.py,
runbook.toml, README.md) from the templates in this package."""

from __future__ import annotations

from golive.init.scaffold import TEMPLATES, init_command, render, scaffold

__all__ = ["TEMPLATES", "init_command", "render", "scaffold"]
