"""Following the platform's ledger: only the legs written since the last look.

The target pages the ledger with an opaque cursor and gives no next cursor on the last
page. The tail keeps the last cursor it was given and the ids it has already seen
after it, so a poll re-reads at most one page of old legs (after the first), whatever the
ledger's size.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from golive.target import Entry, Target

PAGE = 200


class EntryTail:
    def __init__(self, client: Target, *, page: int = PAGE) -> None:
        self.client = client
        self.page = page
        self.cursor: str | None = None
        self.seen: set[str] = set()  # ids read after ``cursor``

    def poll(self) -> list[Entry]:
        """Every leg written since the previous poll, in ledger order."""
        new: list[Entry] = []
        while True:
            got = self.client.entries_page(self.cursor, limit=self.page)
            page = got.entries
            for entry in page:
                if entry.id not in self.seen:
                    self.seen.add(entry.id)
                    new.append(entry)
            if not got.next_cursor:
                return new
            # this page now lies before the cursor; what was seen after it stays seen
            self.cursor = got.next_cursor
            self.seen -= {entry.id for entry in page}

    def skip_to_end(self) -> int:
        """Start following from now; returns how many existing legs were skipped."""
        page, self.page = self.page, 1000
        try:
            return len(self.poll())
        finally:
            self.page = page


@dataclass
class LedgerView:
    """What the legs seen so far say: per-transaction sums and per-account balances."""

    tx_sums: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    balances: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))

    def add(self, entries: list[Entry]) -> set[tuple[str, str]]:
        """Fold in new legs; returns the (transaction, currency) pairs they touched."""
        touched = set()
        for e in entries:
            key = (e.transaction_id, e.currency)
            self.tx_sums[key] += e.signed
            touched.add(key)
            # credit-normal: what a customer or house account holds
            self.balances[(e.account_id, e.account_kind)] -= e.signed
        return touched

    def balance(self, account_id: str, kind: str) -> int:
        return self.balances.get((account_id, kind), 0)
