"""Binds the hypercare features to pytest (steps live in steps/hypercare_steps.py and the canary
step modules they reuse)."""

from pytest_bdd import scenarios

scenarios(".")
