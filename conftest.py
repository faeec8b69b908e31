"""Thin: registers golive's fixture and step modules. The evidence plugin registers itself."""

pytest_plugins = [
    "golive.drills.restore.options",  # golive drill restore's typed inputs
    "fixtures.postgres",
    "steps.env_steps",
    "steps.hypercare_steps",
    "steps.rollback_steps",
    "fixtures.stack",
    "fixtures.properties",
    "fixtures.invariants",
    "steps.money_steps",
    "steps.psp_steps",
    "steps.platform_steps",
    "steps.slo_steps",
    "steps.restore_steps",
    "steps.contract_steps",
    "golive.promises.plugin",  # @P-… tags: the promise(id) mark
    "golive.markers",  # every marker, registered once
]
