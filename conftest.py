"""Thin: registers golive's fixture modules. The evidence plugin registers itself (entry point)."""

pytest_plugins = [
    "fixtures.postgres",
]
