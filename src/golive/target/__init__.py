"""The target interface: what golive does to a platform, whichever way it is reached.

``Target`` is the protocol; the HTTP contract (golive.driver.PlatformClient) is the default
implementation, and a platform team's adapter class is the other kind (docs/adopting.md).
``recorded`` gives an adapter's calls to golive's transcript hooks as HTTP exchanges.
"""

from __future__ import annotations

from golive.driver.models import Balance, Entry, Job
from golive.target.errors import NoAnswer, PlatformError
from golive.target.loader import GROUP, load_target, open_target, protocol_gaps
from golive.target.models import (
    Account,
    Deposit,
    EntryPage,
    Health,
    Hold,
    Settings,
    Total,
    Transfer,
    Version,
    Withdrawal,
)
from golive.target.protocol import METHODS, Target, iter_entries
from golive.target.recording import recorded

__all__ = [
    "GROUP",
    "METHODS",
    "Account",
    "Balance",
    "Deposit",
    "Entry",
    "EntryPage",
    "Health",
    "Hold",
    "Job",
    "NoAnswer",
    "PlatformError",
    "Settings",
    "Target",
    "Total",
    "Transfer",
    "Version",
    "Withdrawal",
    "iter_entries",
    "load_target",
    "open_target",
    "protocol_gaps",
    "recorded",
]
