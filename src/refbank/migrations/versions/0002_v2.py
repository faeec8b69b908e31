"""Schema v2: a fee on every burn into a house_fees account; the downgrade keeps every cent."""

from __future__ import annotations

from refbank.migrations import faults, run_sql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0002_v2.up")
    if faults().on("unlogged-table"):
        run_sql("unlogged_table")
    if faults().on("balance-numeric"):
        run_sql("balance_numeric")


def downgrade() -> None:
    if faults().on("downgrade-drops-data"):
        run_sql("0002_v2.down_careless")
    else:
        run_sql("0002_v2.down")
    if faults().on("downgrade-forgets-keys"):
        run_sql("0002_v2.down_forgets_keys")
