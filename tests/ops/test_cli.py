"""The probes as cron runs them: real processes against a loopback platform, exit codes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from .book import Book
from .cli_runner import Done, as_process, in_process
from .fake_platform import serve, stripe_header

Golive = Callable[..., Done]


@pytest.fixture
def golive(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Golive:
    def run(*args: str | Path) -> Done:
        return in_process(capsys, monkeypatch, "ops", *args)

    return run


def _flat(err: str) -> str:
    return " ".join(err.split())


def _stripe_csv(*rows: str) -> str:
    return stripe_header() + "".join(r + "\n" for r in rows)


# -- stuck-jobs ---------------------------------------------------------------------------
def test_stuck_jobs_exit_codes_as_a_real_process() -> None:
    book = Book()
    book.withdraw("acc-1", 400, psp_ref="po_1")
    book.data.jobs[0]["state"] = "pending"
    with serve(book.data) as url:
        stuck = as_process("ops", "stuck-jobs", "--target", url, "--now", "2025-12-28T11:00:00Z")
    bad = as_process("ops", "stuck-jobs", "--target", "http://127.0.0.1:9")
    assert stuck.returncode == 1, stuck.stderr
    assert stuck.stdout.startswith("STUCK payout ")
    assert bad.returncode == 2
    assert "does not answer" in _flat(bad.stderr)


def test_stuck_jobs_exit_codes_against_the_api(golive: Golive) -> None:
    book = Book()
    book.withdraw("acc-1", 400, psp_ref="po_1")
    book.data.jobs[0]["state"] = "pending"
    with serve(book.data) as url:
        fine = golive("stuck-jobs", "--target", url, "--now", "2025-12-28T09:00:00Z")
        stuck = golive("stuck-jobs", "--target", url, "--now", "2025-12-28T11:00:00Z", "--json")
    assert fine.returncode == 0, fine.stderr
    assert "stuck-jobs: OK" in fine.stdout
    assert stuck.returncode == 1, stuck.stderr
    data = json.loads(stuck.stdout)
    assert [s["kind"] for s in data["stuck"]] == ["payout"]
    assert data["stuck"][0]["reference"] == book.data.jobs[0]["reference"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "give exactly one of --target URL"),
        (("--target", "http://127.0.0.1:9", "--dsn", "x"), "give exactly one of"),
        (("--target", "http://127.0.0.1:9"), "does not answer"),
        (("--target", "http://127.0.0.1:9", "--now", "noon"), "--now: 'noon' is not an ISO 8601"),
    ],
)
def test_stuck_jobs_bad_input_is_exit_2(
    golive: Golive, args: tuple[str, ...], message: str
) -> None:
    done = golive("stuck-jobs", *args)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in _flat(done.stderr)


@pytest.mark.slow
def test_stuck_jobs_from_the_database(golive: Golive, pg_templates) -> None:  # type: ignore[no-untyped-def]
    """--dsn reads the reference platform's finance_jobs, read-only."""
    import psycopg

    from golive.stack import migrate

    db = pg_templates.clone("refbank-schema-2", lambda dsn: migrate(dsn, "2"))
    try:
        with psycopg.connect(db.dsn, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO finance_jobs (id, kind, state, reference, created_at, updated_at) "
                "VALUES (gen_random_uuid(), 'payout', 'pending', gen_random_uuid(), "
                "'2025-12-27T10:00:00Z', '2025-12-27T10:00:00Z'), (gen_random_uuid(), "
                "'payout', 'done', gen_random_uuid(), '2025-12-27T10:00:00Z', "
                "'2025-12-27T12:00:00Z')"
            )
        fine = golive("stuck-jobs", "--dsn", db.dsn, "--now", "2025-12-28T09:00:00Z", "--json")
        stuck = golive("stuck-jobs", "--dsn", db.dsn, "--now", "2025-12-28T11:00:00Z")
    finally:
        db.drop()
    assert fine.returncode == 0, fine.stderr
    assert json.loads(fine.stdout)["checked"] == 2
    assert stuck.returncode == 1, stuck.stderr
    assert stuck.stdout.startswith("STUCK payout ")


# -- reconcile -------------------------------------------------------------------------------
def _book_and_reports() -> Book:
    book = Book()
    book.deposit("acc-1", 1050, psp_ref="pi_1")
    book.withdraw("acc-1", 400, psp_ref="po_1", minutes=1)
    book.data.settlement[("stripe", "2025-12-27")] = _stripe_csv(
        "txn_1,2025-12-27 10:00:02,2025-12-29 10:00:02,eur,10.50,0.60,9.90,charge,ch_1,pi_1,,",
        "txn_2,2025-12-27 10:01:00,2025-12-27 10:01:00,eur,-4.00,0.00,-4.00,payout,po_1,,po_1,",
    )
    return book


def test_reconcile_against_the_api_matches_and_writes_reports(
    golive: Golive, tmp_path: Path
) -> None:
    book = _book_and_reports()
    with serve(book.data) as url:
        done = golive("reconcile", "--date", "2025-12-27", "--target", url, "--psp", url,
                      "--out", tmp_path / "out", "--save-inputs", tmp_path / "in")  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("reconcile 2025-12-27 (UTC): RECONCILED (matched 2)")
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["reconcile-2025-12-27.csv", "reconcile-2025-12-27.html",
                     "reconcile-2025-12-27.md"]  # fmt: skip
    saved = sorted(p.name for p in (tmp_path / "in").iterdir())
    assert saved == ["adyen-2025-12-27.csv", "ledger-lines.csv", "stripe-2025-12-27.csv"]

    # the saved inputs reproduce the same result from files
    saved_in = tmp_path / "in"
    again = golive("reconcile", "--date", "2025-12-27", "--ledger", saved_in / "ledger-lines.csv",
                   "--stripe-report", saved_in / "stripe-2025-12-27.csv", "--json",
                   "--out", tmp_path / "again")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["counts"]["matched"] == 2


def test_reconcile_mismatch_is_exit_1_as_a_real_process(tmp_path: Path) -> None:
    book = _book_and_reports()
    book.deposit("acc-2", 700, psp_ref="pi_2", minutes=2, credits=2)  # double credit
    with serve(book.data) as url:
        done = as_process("ops", "reconcile", "--date", "2025-12-27", "--target", url,
                          "--psp", url, "--out", tmp_path, "--json")  # fmt: skip
    assert done.returncode == 1, done.stderr
    data = json.loads(done.stdout)
    assert data["ok"] is False
    assert [(m["status"], m["psp_reference"]) for m in data["mismatches"]] == [
        ("duplicate", "pi_2")
    ]
    md = (tmp_path / "reconcile-2025-12-27.md").read_text()
    assert "**MISMATCH**" in md


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--target", "U"), "say which day to reconcile"),
        (("--date", "2025-12-27", "--psp", "U"), "give the ledger side once"),
        (("--date", "2025-12-27", "--target", "U"), "give the PSP side once"),
        (("--date", "2025-12-27", "--ledger", "nope.csv", "--psp", "U"),
         "ledger-lines file 'nope.csv' does not exist"),
        (("--date", "2025-12-27", "--target", "U", "--stripe-report", "BAD"),
         "bad.csv:2: column 'gross': 'ten' is not an amount in EUR"),
    ],
)  # fmt: skip
def test_reconcile_bad_input_is_exit_2(
    golive: Golive, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(_stripe_csv("txn_1,2025-12-27 10:00:02,,eur,ten,0,0,charge,ch_1,pi_1,,"))
    book = _book_and_reports()
    with serve(book.data) as url:
        real = [url if a == "U" else str(bad) if a == "BAD" else a for a in args]
        done = golive("reconcile", *real, "--out", tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert message in _flat(done.stderr)
