"""Thin: registers golive's fixture and step modules. The evidence plugin registers itself."""

pytest_plugins = [
    "fixtures.postgres",
    "steps.env_steps",
]
