"""Binds the rollback drills to pytest (steps: steps/rollback_steps.py; fixtures: conftest.py)."""

from pytest_bdd import scenarios

scenarios(".")
