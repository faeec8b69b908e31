"""`python -m refbank seed` (golive's seed_balance operation for refbank): a wallet booked
near 2^63-1 keeps every invariant of the books, and the contract's limit holds on it."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from golive.invariants.sql import REFERENCE_CHECKS, run_checks
from refbank.errors import ConfigError
from refbank.seed import SeedRefused, seed
from tests.platform.bank import Bank

LARGEST = 2**63 - 1


def test_a_booked_wallet_keeps_every_invariant_and_the_limit(bank: Bank) -> None:
    src, dst, other = bank.account(), bank.account(), bank.account()
    bank.fund(src, 1_000)
    assert seed(bank.dsn, dst, LARGEST - 100, "EUR") == LARGEST - 100
    assert seed(bank.dsn, other, LARGEST - 5, "EUR") == LARGEST - 5  # its own clearing account
    body = {"from_account_id": src, "to_account_id": dst, "amount": 101, "currency": "EUR"}
    refused = bank.post("/transfers", body)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "amount_out_of_range"
    assert bank.balance(dst)["available"] == LARGEST - 100
    assert bank.balance(src)["available"] == 1_000
    bank.ok(bank.post("/transfers", body | {"amount": 100}), 201)
    assert bank.balance(dst)["available"] == LARGEST
    assert bank.problems() == []  # legs balance, totals sum to zero (exactly, past int64)
    failed = [(r.check.name, r.sample, r.error) for r in run_checks(bank.dsn, REFERENCE_CHECKS)]
    assert [f for f in failed if f[1] or f[2]] == []


def test_what_cannot_be_booked_is_refused_and_nothing_is_written(bank: Bank) -> None:
    acct = bank.account()
    assert seed(bank.dsn, acct, LARGEST, "EUR") == LARGEST
    with pytest.raises(SeedRefused, match=r"past 2\^63-1"):
        seed(bank.dsn, acct, 1, "EUR")
    with pytest.raises(SeedRefused, match="holds EUR, not USD"):
        seed(bank.dsn, acct, 1, "USD")
    with pytest.raises(SeedRefused, match="there is no account"):
        seed(bank.dsn, str(uuid.uuid4()), 1, "EUR")
    with pytest.raises(ConfigError, match="not an account id"):
        seed(bank.dsn, "acct_1", 1, "EUR")
    assert bank.balance(acct)["available"] == LARGEST
    assert bank.problems() == []


def test_the_command_says_what_it_did_and_refuses_in_one_line(bank: Bank) -> None:
    acct = bank.account()

    def cli(amount: int) -> subprocess.CompletedProcess[str]:
        argv = [sys.executable, "-m", "refbank", "seed", "--dsn", bank.dsn, "--account", acct,
                "--amount", str(amount), "--currency", "EUR"]  # fmt: skip
        return subprocess.run(argv, capture_output=True, text=True, timeout=60)

    done = cli(LARGEST - 1)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"its balance is {LARGEST - 1}")
    refused = cli(2)
    assert refused.returncode == 1
    assert refused.stderr.strip().splitlines() == [
        f"refbank: seed refused: 2 more would take account {acct}'s balance past 2^63-1"
    ]
