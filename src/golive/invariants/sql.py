"""Read-only SQL invariant checks: named queries that must return zero rows.

Each check is a SELECT that returns the rows breaking an invariant (so "no rows" means it
holds). They run in one READ ONLY, REPEATABLE READ transaction, so every check sees the
same snapshot and none can write. The defaults speak the reference platform's schema
(src/refbank/migrations); another platform configures its own in the ``[invariants]``
section of golive.toml (docs/properties.md shows how). golive never reads which fault the
platform has switched on: these queries only look at the books.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from golive.errors import ConfigError
from golive.invariants.ledger import Violation

if TYPE_CHECKING:
    from golive.config import InvariantQueries

SAMPLE_ROWS = 5  # rows kept as evidence per failing check
COUNT_CAP = 1000  # a check stops counting offending rows here
NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


@dataclass(frozen=True)
class SqlCheck:
    """One invariant: ``query`` returns the rows that break it."""

    name: str
    query: str
    description: str = ""


@dataclass(frozen=True)
class SqlCheckResult:
    check: SqlCheck
    rows: int  # offending rows found (capped at COUNT_CAP)
    sample: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None  # the query could not run (wrong schema, timeout, not read-only)

    @property
    def passed(self) -> bool:
        return self.error is None and self.rows == 0

    @property
    def capped(self) -> bool:
        return self.rows >= COUNT_CAP


# -- the reference platform's invariants (schema 1 and 2) ----------------------------------
def _check(name: str, description: str, query: str) -> SqlCheck:
    return SqlCheck(name, " ".join(query.split()), description)


SIGNED_CREDIT = "CASE e.direction WHEN 'credit' THEN e.amount ELSE -e.amount END"

REFERENCE_CHECKS: tuple[SqlCheck, ...] = (
    _check(
        "transaction_legs_balance",
        "every ledger transaction's legs sum to zero per currency (double entry)",
        f"""SELECT e.transaction_id, e.currency, sum({SIGNED_CREDIT}) AS credits_minus_debits
              FROM ledger_entries e GROUP BY e.transaction_id, e.currency
            HAVING sum({SIGNED_CREDIT}) <> 0""",
    ),
    _check(
        "ledger_sums_to_zero",
        "all ledger accounts of a currency sum to zero (no money made or lost in the books)",
        """SELECT currency, sum(balance) AS total FROM ledger_accounts
            GROUP BY currency HAVING sum(balance) <> 0""",
    ),
    _check(
        "balance_matches_entries",
        "each ledger account's stored balance is what its legs add up to",
        f"""SELECT a.id, a.kind, a.owner, a.balance, coalesce(s.net, 0) AS from_entries
              FROM ledger_accounts a
              LEFT JOIN (SELECT e.account_id, sum({SIGNED_CREDIT}) AS net
                           FROM ledger_entries e GROUP BY e.account_id) s
                ON s.account_id = a.id
             WHERE a.balance <> coalesce(s.net, 0)""",
    ),
    _check(
        "leg_currency_is_account_currency",
        "a ledger leg is in its ledger account's currency",
        """SELECT e.id, e.transaction_id, e.currency, a.currency AS account_currency
              FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
             WHERE e.currency <> a.currency""",
    ),
    _check(
        "no_negative_customer_balance",
        "no customer wallet (available) or held balance is negative",
        """SELECT id, kind, owner, currency, balance FROM ledger_accounts
            WHERE kind IN ('customer_wallet', 'customer_held') AND balance < 0""",
    ),
    _check(
        "held_equals_pending_holds",
        "a customer's held balance is the sum of its pending holds",
        """SELECT la.owner AS account_id, la.balance AS held,
                  coalesce(h.pending, 0) AS pending_holds
              FROM ledger_accounts la
              LEFT JOIN (SELECT account_id::text AS owner, sum(amount) AS pending
                           FROM holds WHERE status = 'pending' GROUP BY account_id) h
                ON h.owner = la.owner
             WHERE la.kind = 'customer_held' AND la.balance <> coalesce(h.pending, 0)""",
    ),
    _check(
        "hold_resolution_adds_up",
        "a resolved hold's burned and released amounts add up to the hold, a pending one's to 0",
        """SELECT id, status, amount, burned_amount, released_amount FROM holds
            WHERE (status = 'pending' AND (burned_amount <> 0 OR released_amount <> 0))
               OR (status = 'burned' AND (burned_amount <= 0
                                          OR burned_amount + released_amount <> amount))
               OR (status IN ('released', 'expired')
                   AND (burned_amount <> 0 OR released_amount <> amount))""",
    ),
    _check(
        "customer_has_wallet_and_held",
        "every customer account has exactly one wallet and one held ledger account",
        """SELECT a.id, count(*) FILTER (WHERE la.kind = 'customer_wallet') AS wallets,
                   count(*) FILTER (WHERE la.kind = 'customer_held') AS held_accounts
              FROM accounts a LEFT JOIN ledger_accounts la ON la.owner = a.id::text
             GROUP BY a.id
            HAVING count(*) FILTER (WHERE la.kind = 'customer_wallet') <> 1
                OR count(*) FILTER (WHERE la.kind = 'customer_held') <> 1""",
    ),
    _check(
        "holds_posted_to_ledger",
        "every hold is backed by the ledger (no reservation kept outside it)",
        "SELECT id, account_id, amount, status FROM holds WHERE NOT ledger_posted",
    ),
    _check(
        "hold_ledger_matches_record",
        "a hold's legs in customer_held add up to its amount while pending, to zero once resolved",
        f"""SELECT h.id, h.status, h.amount, coalesce(l.held, 0) AS held_in_ledger
              FROM holds h
              LEFT JOIN (SELECT t.reference, sum({SIGNED_CREDIT}) AS held
                           FROM ledger_transactions t
                           JOIN ledger_entries e ON e.transaction_id = t.id
                           JOIN ledger_accounts a ON a.id = e.account_id
                          WHERE a.kind = 'customer_held'
                            AND t.kind IN ('hold_place', 'hold_burn', 'hold_release', 'hold_expire')
                          GROUP BY t.reference) l ON l.reference = h.id::text
             WHERE h.ledger_posted
               AND coalesce(l.held, 0)
                   <> CASE WHEN h.status = 'pending' THEN h.amount ELSE 0 END""",
    ),
    _check(
        "hold_resolved_at_most_once",
        "a hold is burned, released or expired by at most one ledger transaction",
        """SELECT reference AS hold_id, count(*) AS resolutions FROM ledger_transactions
            WHERE kind IN ('hold_burn', 'hold_release', 'hold_expire')
            GROUP BY reference HAVING count(*) > 1""",
    ),
    _check(
        "burned_amount_reached_house",
        "what a hold's record says was burned is what its burn paid into house accounts",
        f"""SELECT h.id, h.status, h.burned_amount, coalesce(b.to_house, 0) AS to_house
              FROM holds h
              LEFT JOIN (SELECT t.reference, sum({SIGNED_CREDIT}) AS to_house
                           FROM ledger_transactions t
                           JOIN ledger_entries e ON e.transaction_id = t.id
                           JOIN ledger_accounts a ON a.id = e.account_id
                          WHERE t.kind = 'hold_burn' AND a.kind IN ('house_revenue', 'house_fees')
                          GROUP BY t.reference) b ON b.reference = h.id::text
             WHERE coalesce(b.to_house, 0) <> h.burned_amount""",
    ),
    _check(
        "deposit_credited_once",
        "a succeeded deposit credited its wallet once with its amount; any other, never",
        """SELECT d.id, d.status, d.amount, coalesce(c.credits, 0) AS credits,
                  coalesce(c.credited, 0) AS credited
              FROM deposits d
              LEFT JOIN (SELECT t.reference, count(DISTINCT t.id) AS credits,
                                sum(e.amount) AS credited
                           FROM ledger_transactions t
                           JOIN ledger_entries e ON e.transaction_id = t.id
                           JOIN ledger_accounts a ON a.id = e.account_id
                          WHERE t.kind = 'deposit' AND a.kind = 'customer_wallet'
                            AND e.direction = 'credit'
                          GROUP BY t.reference) c ON c.reference = d.id::text
             WHERE (d.status = 'succeeded'
                    AND (coalesce(c.credits, 0) <> 1 OR coalesce(c.credited, 0) <> d.amount))
                OR (d.status <> 'succeeded' AND coalesce(c.credits, 0) <> 0)""",
    ),
    _check(
        "withdrawal_ledger_matches_status",
        "a withdrawal was debited once; paid ones settled once, failed ones refunded once",
        """SELECT w.id, w.status, w.amount, coalesce(l.debits, 0) AS debits,
                  coalesce(l.settled, 0) AS settled, coalesce(l.refunds, 0) AS refunds
              FROM withdrawals w
              LEFT JOIN (SELECT reference, count(*) FILTER (WHERE kind = 'withdrawal') AS debits,
                                count(*) FILTER (WHERE kind = 'payout_settled') AS settled,
                                count(*) FILTER (WHERE kind = 'payout_refund') AS refunds
                           FROM ledger_transactions
                          WHERE kind IN ('withdrawal', 'payout_settled', 'payout_refund')
                          GROUP BY reference) l ON l.reference = w.id::text
             WHERE coalesce(l.debits, 0) <> 1
                OR (w.status = 'in_transit'
                    AND (coalesce(l.settled, 0) <> 0 OR coalesce(l.refunds, 0) <> 0))
                OR (w.status = 'paid'
                    AND (coalesce(l.settled, 0) <> 1 OR coalesce(l.refunds, 0) <> 0))
                OR (w.status = 'failed' AND coalesce(l.refunds, 0) <> 1)""",
    ),
    _check(
        "payouts_in_transit_match_withdrawals",
        "each PSP's payouts-in-transit account holds exactly its in-transit withdrawals",
        """SELECT a.owner, a.balance, coalesce(w.amount, 0) AS in_transit_withdrawals
              FROM ledger_accounts a
              LEFT JOIN (SELECT 'payouts_in_transit:' || psp || ':' || currency AS owner,
                                sum(amount) AS amount
                           FROM withdrawals WHERE status = 'in_transit'
                          GROUP BY psp, currency) w ON w.owner = a.owner
             WHERE a.kind = 'payouts_in_transit' AND a.balance <> coalesce(w.amount, 0)""",
    ),
    _check(
        "money_in_system",
        "per currency, the money in the system is the deposits credited less the payouts paid",
        """WITH inside AS (SELECT currency, sum(balance) AS amount FROM ledger_accounts
                            WHERE kind <> 'psp_clearing' GROUP BY currency),
                credited AS (SELECT currency, sum(amount) AS amount FROM deposits
                              WHERE status = 'succeeded' GROUP BY currency),
                paid AS (SELECT currency, sum(amount) AS amount FROM withdrawals
                          WHERE status = 'paid' GROUP BY currency),
                currencies AS (SELECT currency FROM inside UNION SELECT currency FROM credited
                               UNION SELECT currency FROM paid)
           SELECT c.currency, coalesce(i.amount, 0) AS in_system,
                  coalesce(d.amount, 0) AS credited, coalesce(p.amount, 0) AS paid_out
             FROM currencies c
             LEFT JOIN inside i USING (currency)
             LEFT JOIN credited d USING (currency)
             LEFT JOIN paid p USING (currency)
            WHERE coalesce(i.amount, 0) <> coalesce(d.amount, 0) - coalesce(p.amount, 0)""",
    ),
    _check(
        "transfer_posted",
        "every transfer points at a ledger transaction moving its amount between wallets",
        """SELECT t.id, t.amount, t.transaction_id FROM transfers t
            WHERE NOT EXISTS (
                SELECT 1 FROM ledger_entries e JOIN ledger_accounts a ON a.id = e.account_id
                 WHERE e.transaction_id = t.transaction_id AND a.kind = 'customer_wallet'
                   AND a.owner = t.to_account_id::text AND e.direction = 'credit'
                   AND e.amount = t.amount)""",
    ),
)


# -- choosing and running -----------------------------------------------------------------
def select_checks(settings: InvariantQueries | None = None) -> list[SqlCheck]:
    """The checks a run uses: the defaults (unless switched off) plus configured ones.

    A configured query with a default's name replaces it; ``disable`` drops checks by name.
    """
    if settings is None:
        return list(REFERENCE_CHECKS)
    chosen = {c.name: c for c in REFERENCE_CHECKS} if settings.use_defaults else {}
    for name, query in settings.queries.items():
        chosen[name] = SqlCheck(name, query, "configured in [invariants.queries]")
    for name in settings.disable:
        if name not in chosen:
            raise ConfigError(
                f"[invariants] disable names {name!r}, which is not a check; the checks are "
                f"{', '.join(sorted(chosen)) or '(none)'}"
            )
        del chosen[name]
    return list(chosen.values())


def validate_query(name: str, query: str) -> None:
    """Refuse what cannot be a single read-only SELECT (the database refuses writes anyway)."""
    if not NAME.match(name):
        raise ConfigError(
            f"[invariants.queries] {name!r} is not a check name: use lower-case letters, "
            "digits and underscores, starting with a letter"
        )
    text = query.strip().rstrip(";").strip()
    if not re.match(r"(?is)^(select|with)\b", text):
        raise ConfigError(
            f"[invariants.queries] {name} = {query[:60]!r} must be one SELECT (or WITH … "
            "SELECT) that returns the rows breaking the invariant"
        )
    if ";" in text:
        raise ConfigError(
            f"[invariants.queries] {name} holds more than one statement; write one SELECT"
        )


def run_checks(
    dsn: str, checks: Sequence[SqlCheck], *, timeout_ms: int = 30_000
) -> list[SqlCheckResult]:
    """Run every check in one read-only snapshot; a check that errors is reported, not raised."""
    import psycopg
    from psycopg.rows import dict_row

    results = []
    with psycopg.connect(
        dsn,
        autocommit=False,
        connect_timeout=10,
        application_name="golive-invariants",
        row_factory=dict_row,
    ) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        with conn.transaction():
            conn.execute(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
            for check in checks:
                results.append(_run_one(conn, check))
        conn.rollback()
    return results


def _run_one(conn: Any, check: SqlCheck) -> SqlCheckResult:
    import psycopg

    sql = f"SELECT * FROM ({check.query.strip().rstrip(';')}) AS golive_check LIMIT {COUNT_CAP}"
    try:
        with conn.transaction():  # a savepoint: one failing query does not end the others
            rows = conn.execute(sql).fetchall()
    except psycopg.Error as exc:
        return SqlCheckResult(check, 0, error=f"{type(exc).__name__}: {exc}".strip()[:500])
    sample = [{k: _plain(v) for k, v in row.items()} for row in rows[:SAMPLE_ROWS]]
    return SqlCheckResult(check, len(rows), sample)


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)  # sums of bigint columns come back as numeric
    return value if value is None or isinstance(value, bool | int | float | str) else str(value)


def violations(results: Iterable[SqlCheckResult]) -> list[Violation]:
    """Every failing check as a ``Violation`` (a query that could not run is one too)."""
    out = []
    for r in results:
        if r.error is not None:
            out.append(Violation(r.check.name, "query", f"could not run: {r.error}"))
        elif r.rows:
            more = "+" if r.capped else ""
            out.append(
                Violation(
                    r.check.name,
                    f"{r.rows}{more} rows",
                    f"{r.check.description or r.check.query[:80]}; first: {r.sample[0]}",
                )
            )
    return out
