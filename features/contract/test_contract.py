"""Binds the contract features to pytest (steps live in steps/contract_steps.py)."""

from pytest_bdd import scenarios

scenarios(".")
