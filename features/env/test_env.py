"""Binds the environment-readiness features to pytest (steps live in steps/env_steps.py)."""

from pytest_bdd import scenarios

scenarios(".")
