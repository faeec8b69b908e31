"""Binds the restore drills to pytest (steps: steps/restore_steps.py; fixtures: conftest.py)."""

from pytest_bdd import scenarios

scenarios(".")
