"""Schema v1: accounts, the double-entry ledger and its invariants, holds, deposits, payouts."""

from __future__ import annotations

from refbank.migrations import faults, run_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_sql("0001_v1.up")
    if faults().on("unlogged-table"):
        run_sql("unlogged_table")
    if faults().on("balance-numeric"):
        run_sql("balance_numeric")


def downgrade() -> None:
    run_sql("0001_v1.down")
