"""The double-entry ledger: ledger accounts, locks, and posting balanced transactions.

A customer account has two ledger accounts (customer_wallet, customer_held) whose owner is
the customer account id. System accounts are per currency and named by their owner:
``psp_clearing:<psp>:<CUR>``, ``payouts_in_transit:<psp>:<CUR>``, ``house_revenue:<CUR>``,
``house_fees:<CUR>`` (v2). Balances are credits minus debits, kept by a database trigger.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from refbank.db import Conn, Database


@dataclass(frozen=True)
class Leg:
    account_id: int
    direction: str  # "debit" | "credit"
    amount: int
    currency: str


def debit(account_id: int, amount: int, currency: str) -> Leg:
    return Leg(account_id, "debit", amount, currency)


def credit(account_id: int, amount: int, currency: str) -> Leg:
    return Leg(account_id, "credit", amount, currency)


@dataclass(frozen=True)
class CustomerLedger:
    """A customer account and its two ledger accounts (immutable once created)."""

    account_id: str
    currency: str
    wallet: int
    held: int


def system_owner(kind: str, currency: str, psp: str | None = None) -> str:
    return f"{kind}:{psp}:{currency}" if psp else f"{kind}:{currency}"


class Accounts:
    """Looks up (and caches) ledger account ids; creates system accounts on first use."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._system: dict[tuple[str, str], int] = {}
        self._customers: dict[str, CustomerLedger] = {}
        self._lock = threading.Lock()

    def system(
        self, kind: str, currency: str, psp: str | None = None, *, conn: Conn | None = None
    ) -> int:
        """The id of a system account, read through ``conn`` (the caller's transaction) when
        given; made in its own committed transaction the first time it is needed."""
        owner = system_owner(kind, currency, psp)
        with self._lock:
            found = self._system.get((kind, owner))
        if found is not None:
            return found
        if conn is not None:  # committed earlier (opening an account opens them): no 2nd connection
            row = conn.execute(
                "SELECT id FROM ledger_accounts WHERE kind = %s AND owner = %s AND currency = %s",
                (kind, owner, currency),
            ).fetchone()
            if row is not None:
                with self._lock:
                    self._system[(kind, owner)] = int(row["id"])
                return int(row["id"])
        # its own committed transaction: a rollback of the caller must not undo it
        self.db.autocommit(
            "INSERT INTO ledger_accounts (kind, owner, currency) VALUES (%s, %s, %s) "
            "ON CONFLICT (kind, owner, currency) DO NOTHING",
            (kind, owner, currency),
        )
        row = self.db.autocommit(
            "SELECT id FROM ledger_accounts WHERE kind = %s AND owner = %s AND currency = %s",
            (kind, owner, currency),
        )[0]
        with self._lock:
            self._system[(kind, owner)] = int(row["id"])
        return int(row["id"])

    def customer(self, conn: Conn, account_id: str) -> CustomerLedger | None:
        """The customer account's ledger accounts, or None if there is no such account."""
        with self._lock:
            found = self._customers.get(account_id)
        if found is not None:
            return found
        rows = conn.execute(
            "SELECT la.id, la.kind, la.currency FROM ledger_accounts la "
            "WHERE la.owner = %s AND la.kind IN ('customer_wallet', 'customer_held')",
            (account_id,),
        ).fetchall()
        ids = {r["kind"]: int(r["id"]) for r in rows}
        if len(ids) != 2:
            return None
        ledger = CustomerLedger(
            account_id, rows[0]["currency"], ids["customer_wallet"], ids["customer_held"]
        )
        with self._lock:
            self._customers[account_id] = ledger
        return ledger


def open_customer(conn: Conn, account_id: str, currency: str) -> None:
    """Create a customer account's wallet and held ledger accounts (wallet first: lower id)."""
    conn.execute(
        "INSERT INTO ledger_accounts (kind, owner, currency) "
        "VALUES ('customer_wallet', %s, %s), ('customer_held', %s, %s)",
        (account_id, currency, account_id, currency),
    )


def lock(conn: Conn, ids: Sequence[int]) -> dict[int, int]:
    """Lock ledger accounts in id order (no deadlocks between postings); their balances."""
    rows = conn.execute(
        "SELECT id, balance FROM ledger_accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
        (sorted(set(ids)),),
    ).fetchall()
    return {int(r["id"]): int(r["balance"]) for r in rows}


def lock_spendable(
    conn: Conn, ids: Sequence[int], cust: CustomerLedger
) -> tuple[dict[int, int], int]:
    """Lock ledger accounts like ``lock``; also the customer's available balance: the wallet
    less pending holds kept as bare reservations (never made by the correct service)."""
    rows = conn.execute(
        "SELECT id, balance, (SELECT coalesce(sum(amount), 0) FROM holds WHERE account_id = %s "
        "AND status = 'pending' AND NOT ledger_posted) AS reserved "
        "FROM ledger_accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
        (cust.account_id, sorted(set(ids))),
    ).fetchall()
    balances = {int(r["id"]): int(r["balance"]) for r in rows}
    return balances, balances[cust.wallet] - int(rows[0]["reserved"])


def post(conn: Conn, kind: str, reference: str | None, legs: Sequence[Leg]) -> str:
    """Write one ledger transaction with its legs in one round trip; returns its id.

    Postgres checks at commit that the legs balance per currency, refuses a leg whose
    currency is not its account's, and refuses any overdraft of a customer account.
    """
    txn = str(uuid.uuid4())
    ordered = sorted(legs, key=lambda leg: leg.account_id)
    conn.execute(
        "WITH t AS (INSERT INTO ledger_transactions (id, kind, reference) VALUES (%s, %s, %s)) "
        "INSERT INTO ledger_entries (transaction_id, account_id, currency, direction, amount) "
        "SELECT %s, a, c, d, m FROM unnest(%s::bigint[], %s::text[], %s::text[], %s::bigint[]) "
        "AS u(a, c, d, m)",
        (
            txn,
            kind,
            reference,
            txn,
            [leg.account_id for leg in ordered],
            [leg.currency for leg in ordered],
            [leg.direction for leg in ordered],
            [leg.amount for leg in ordered],
        ),
    )
    return txn
