"""Binds the canary features to pytest (steps live in steps/)."""

from pytest_bdd import scenarios

scenarios(".")
