"""Following the ledger: each poll returns only new legs and re-reads at most one page."""

from __future__ import annotations

import httpx

from golive.driver import PlatformClient
from golive.properties.tail import EntryTail, LedgerView


class Ledger:
    """GET /ledger/entries with an opaque cursor (here: a token the client cannot parse)."""

    def __init__(self) -> None:
        self.entries: list[dict[str, object]] = []
        self.served = 0

    def add(self, tx: str, legs: list[tuple[str, str, str, int]]) -> None:
        for account, kind, direction, amount in legs:
            n = len(self.entries) + 1
            self.entries.append({"id": str(n), "transaction_id": tx, "account_id": account,
                                 "account_kind": kind, "direction": direction, "amount": amount,
                                 "currency": "EUR", "created_at": ""})  # fmt: skip

    def handle(self, request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        start = int(cursor.removeprefix("c-")) if cursor else 0
        limit = int(request.url.params["limit"])
        page = self.entries[start : start + limit]
        self.served += len(page)
        more = start + limit < len(self.entries)
        return httpx.Response(
            200, json={"entries": page, "next_cursor": f"c-{start + limit}" if more else None}
        )


def tail_of(ledger: Ledger, page: int = 3) -> EntryTail:
    client = PlatformClient("http://ledger.test")
    client.http = httpx.Client(
        base_url="http://ledger.test", transport=httpx.MockTransport(ledger.handle)
    )
    return EntryTail(client, page=page)


def deposit(ledger: Ledger, tx: str, account: str, amount: int) -> None:
    ledger.add(tx, [("psp_clearing:stripe:EUR", "psp_clearing", "debit", amount),
                    (account, "customer_wallet", "credit", amount)])  # fmt: skip


def test_polls_return_each_leg_once_across_pages() -> None:
    ledger = Ledger()
    for i in range(4):
        deposit(ledger, f"t{i}", "a", 10)
    tail = tail_of(ledger)
    assert tail.skip_to_end() == 8
    assert tail.poll() == []
    deposit(ledger, "t4", "a", 5)
    assert [e.id for e in tail.poll()] == ["9", "10"]
    for i in range(5, 9):
        deposit(ledger, f"t{i}", "b", 1)
    assert [e.id for e in tail.poll()] == [str(n) for n in range(11, 19)]
    assert tail.poll() == []


def test_a_poll_rereads_at_most_one_page_of_old_legs() -> None:
    ledger = Ledger()
    for i in range(50):
        deposit(ledger, f"t{i}", "a", 1)
    tail = tail_of(ledger, page=10)
    tail.skip_to_end()
    tail.poll()  # the first poll may re-read what skipping read in one big page
    deposit(ledger, "t50", "a", 1)
    before = ledger.served
    assert [e.id for e in tail.poll()] == ["101", "102"]
    assert ledger.served - before - 2 <= 10  # the new legs, and at most a page of old ones


def test_the_view_sums_transactions_and_balances() -> None:
    ledger = Ledger()
    deposit(ledger, "t1", "a", 10)
    ledger.add("t2", [("a", "customer_wallet", "debit", 4), ("a", "customer_held", "credit", 4)])
    ledger.add("bad", [("a", "customer_wallet", "credit", 1)])
    view = LedgerView()
    touched = view.add(tail_of(ledger).poll())
    assert touched == {("t1", "EUR"), ("t2", "EUR"), ("bad", "EUR")}
    assert view.tx_sums[("t1", "EUR")] == 0
    assert view.tx_sums[("bad", "EUR")] == -1
    assert view.balance("a", "customer_wallet") == 7
    assert view.balance("a", "customer_held") == 4
