"""The promises of the platform contract each property checks (docs/promises.md).

By property test (properties/*.py), then by the part of it that checks them: a rule or
invariant of ``LedgerMachine``, a burst of ``OPERATIONS``, an anomaly kind of the bank
workload's checker. tests/test_promises.py holds every name here to the code it names.
"""

from __future__ import annotations

PROMISES: dict[str, dict[str, tuple[str, ...]]] = {
    "test_ledger_machine": {
        # deposits in EUR, USD, JPY and BHD (exponents 2, 2, 0, 3), float-fragile amounts,
        # credited by their webhook, delivered up to three times, through stripe or adyen
        "funded_account": ("P-money-1", "P-deposit-1"),
        "deposit": ("P-deposit-1", "P-deposit-3", "P-webhook-4", "P-webhook-8"),
        "place_hold": ("P-hold-2", "P-hold-3", "P-money-2", "P-error-3"),
        "place_hold_at_limit": ("P-hold-3",),
        "burn": ("P-hold-4", "P-hold-5", "P-hold-7"),
        "burn_at_a_half": ("P-hold-5",),
        "change_fee": ("P-hold-5", "P-settings-1"),
        "release": ("P-hold-9",),
        "expire": ("P-hold-10",),
        "resolve_again": ("P-hold-1", "P-hold-6"),
        "transfer": ("P-transfer-1", "P-transfer-2", "P-error-5"),
        "transfer_to_nowhere": ("P-transfer-1",),
        "withdraw": ("P-withdraw-1",),
        "settle_payouts": ("P-withdraw-2",),
        "retry_same_key": ("P-idem-1", "P-idem-3", "P-error-3"),
        # after every step: each transaction's legs sum to zero, balances are the ledger's
        # and the model's, none negative, and a refused request changed nothing
        "books_agree": ("P-ledger-1", "P-ledger-2", "P-ledger-3", "P-ledger-4", "P-error-4"),
    },
    "test_bank_workload": {
        "total-not-conserved": ("P-transfer-1",),
        "negative-balance": ("P-ledger-4",),
        "hold-resolved-twice": ("P-hold-1",),
        "invalid-op-accepted": ("P-hold-3",),
        "same-key-double-effect": ("P-idem-1",),
        "same-key-wrong-refusal": ("P-idem-4",),
    },
    "test_same_key_at_once": {
        "create_account": ("P-idem-1", "P-idem-4"),
        "deposit": ("P-idem-1", "P-idem-4"),
        "place_hold": ("P-idem-1", "P-idem-4"),
        "burn": ("P-idem-1", "P-idem-4"),
        "release": ("P-idem-1", "P-idem-4"),
        "expire_holds": ("P-idem-1", "P-idem-4"),
        "transfer": ("P-idem-1", "P-idem-4"),
        "withdraw": ("P-idem-1", "P-idem-4"),
        "other_body": ("P-idem-3",),
        "webhook": ("P-deposit-1", "P-webhook-4"),
    },
}
