"""The fault catalog: realistic bugs, each off by default and switched on by name.

The platform reads the faults to switch on from ``--fault NAME`` (repeatable) and from the
environment variable ``GOLIVE_PLATFORM_FAULTS`` (comma-separated). docs/faults.md says what
real-world bug each one models and where in the code it lives.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

ENV_VAR = "GOLIVE_PLATFORM_FAULTS"

CATALOG: dict[str, str] = {
    "balance-numeric": "balances are NUMERIC columns: nothing stops one passing 2^63-1",
    "braintree-signature-unchecked": "a Braintree webhook's bt_signature is never verified",
    "currency-mismatch-accepted": "a request's currency is never compared with the account's",
    "downgrade-drops-data": "the v2 → v1 downgrade deletes the fee accounts and their legs",
    "downgrade-forgets-keys": "the v2 → v1 downgrade empties the Idempotency-Key store",
    "fee-half-even": "the burn fee is rounded half to even (Python's round), not half up",
    "float-rounding": "PSP amounts pass through float major units and lose a cent",
    "hold-double-burn": "a second burn of a burned hold moves the money again",
    "hold-overdraft": "a hold above the available balance becomes an unfunded reservation",
    "hold-race": "the hold limit is checked on a balance read without a lock",
    "idempotency-check-then-act": "an Idempotency-Key is looked up, then stored after the work",
    "idempotency-ignored": "the Idempotency-Key header is ignored",
    "job-stuck-on-late-webhook": "a webhook after the job's deadline never finishes the job",
    "payout-failure-not-refunded": "a failed payout is marked failed but never refunded",
    "release-leak": "released and expired holds (and burn remainders) stay held",
    "slow-endpoint": "placing a hold waits on a slow inline check while holding the lock",
    "transfer-not-atomic": "a transfer commits its debit before it checks the destination",
    "unlogged-table": "the ledger_entries table is UNLOGGED (empty after a crash or restore)",
    "webhook-double-credit": "a repeated deposit webhook credits the wallet again",
    "webhook-signature-unchecked": "webhook signatures are not verified",
    "webhook-stale-accepted": "the Stripe-Signature timestamp tolerance is not checked",
}


class UnknownFault(ValueError):
    """A fault name that is not in the catalog."""


@dataclass(frozen=True)
class Faults:
    """The set of faults switched on; ``faults.on("hold-race")`` asks about one."""

    names: frozenset[str] = frozenset()

    def on(self, name: str) -> bool:
        if name not in CATALOG:  # a typo in the code must not silently read as "off"
            raise UnknownFault(name)
        return name in self.names

    @classmethod
    def parse(cls, names: Iterable[str]) -> Faults:
        chosen = {n.strip() for n in names if n.strip()}
        unknown = sorted(chosen - CATALOG.keys())
        if unknown:
            raise UnknownFault(
                f"unknown fault {', '.join(map(repr, unknown))}: the catalog has "
                f"{', '.join(sorted(CATALOG))} (see docs/faults.md)"
            )
        return cls(frozenset(chosen))

    @classmethod
    def from_config(cls, flags: Iterable[str] = (), env: Mapping[str, str] | None = None) -> Faults:
        """``--fault`` flags plus ``GOLIVE_PLATFORM_FAULTS`` (comma-separated)."""
        env = os.environ if env is None else env
        return cls.parse([*flags, *env.get(ENV_VAR, "").split(",")])


NO_FAULTS = Faults()
