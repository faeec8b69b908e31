from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from golive.envcheck import parse_deadline, parse_instant, read_register
from golive.envcheck.dates import DateError
from golive.errors import ConfigError

ENTRY = """\
  - finding: stripe-test-key:STRIPE_SECRET_KEY
    risk: medium
    owner: DevOps
    deadline: {deadline}
    mitigation: Rotate to the live key.
"""


def test_a_register_mirroring_the_closeout_pack(write_register) -> None:  # type: ignore[no-untyped-def]
    reg = read_register(write_register(
        "go_live: 2025-12-26T12:00:00Z\nenvironment: production\nwaivers:\n"
        + ENTRY.format(deadline="T+72h")
        + "  - finding: database-sqlite:DATABASE_URL\n    risk: Low\n    owner: DevOps\n"
        "    deadline: 2026-01-31\n    mitigation: Accepted for the simulation.\n"
        "    status: closed\n    ticket: OPS-9\n"
    ))  # fmt: skip
    assert reg.go_live == datetime(2025, 12, 26, 12, tzinfo=UTC)
    assert reg.environment == "production"
    first, second = reg.waivers
    assert (first.finding, first.risk, first.owner, first.line) == (
        "stripe-test-key:STRIPE_SECRET_KEY", "medium", "DevOps", 4,
    )  # fmt: skip
    assert first.deadline == datetime(2025, 12, 29, 12, tzinfo=UTC)
    assert first.deadline_text == "T+72h"
    assert (second.risk, second.status, second.ticket, second.line) == ("low", "closed", "OPS-9", 9)
    assert second.deadline == datetime(2026, 2, 1, tzinfo=UTC)  # the whole of Jan 31 counts
    assert reg.open == (first,)


def test_an_empty_list_is_a_valid_register(write_register) -> None:  # type: ignore[no-untyped-def]
    assert read_register(write_register("waivers: []\n")).waivers == ()
    assert read_register(write_register("waivers:\n")).waivers == ()


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", r":1: the register is empty"),
        ("- a\n", r":1: field '\(top level\)': must be a mapping"),
        ("waiver: []\n", r":1: field 'waiver': is not a register field"),
        ("go_live: 2025-12-26\n", r":1: field 'waivers': is missing"),
        ("waivers: {}\n", r":1: field 'waivers': must be a list"),
        ("waivers:\n  - finding: x\n   risk: high\n", r":3: not valid YAML"),
        ("waivers:\n  - [a, b]\n", r":2: field 'waivers\[\]': must be a mapping"),
        (
            "waivers:\n  - finding: a:B\n    risk: high\n    deadline: 2026-01-01\n"
            "    mitigation: m\n",
            r":2: field 'owner': is missing",
        ),
        (
            "waivers:\n  - finding: a:B\n    risk: high\n    owner: Ops\n    mitigation: m\n",
            r":2: field 'deadline': is missing",
        ),
        (
            "waivers:\n  - finding: a:B\n    risk: high\n    owner:\n    deadline: 2026-01-01\n"
            "    mitigation: m\n",
            r":4: field 'owner': is empty",
        ),
        (
            "waivers:\n  - finding: a:B\n    risk: high\n    owner: '-'\n    deadline: 2026-01-01\n"
            "    mitigation: m\n",
            r":4: field 'owner': '-' names nobody",
        ),
        (
            "waivers:\n  - finding: a:B\n    risk: Low (Sim)\n    owner: Ops\n"
            "    deadline: 2026-01-01\n    mitigation: m\n",
            r":3: field 'risk': 'Low \(Sim\)' is not one of low, medium, high, critical",
        ),
        (
            "waivers:\n" + ENTRY.format(deadline="'-'"),
            r":5: field 'deadline': '-' is not a deadline",
        ),
        ("waivers:\n" + ENTRY.format(deadline="-"), r":5: not valid YAML"),
        (
            "waivers:\n" + ENTRY.format(deadline="2026-02-30"),
            r":5: field 'deadline': '2026-02-30' is not a calendar date",
        ),
        (
            "waivers:\n" + ENTRY.format(deadline="2026-01-05T10:00:00"),
            r":5: field 'deadline': .*not a deadline",
        ),
        (
            "waivers:\n" + ENTRY.format(deadline="T+72h"),
            r":5: field 'deadline': 'T\+72h' is relative to the go-live time, but the register "
            r"has no go_live",
        ),
        ("go_live: soon\nwaivers: []\n", r":1: field 'go_live': 'soon' is not an ISO 8601 time"),
        (
            "waivers:\n" + ENTRY.format(deadline="2026-01-01") + "    colour: red\n",
            r":7: field 'colour': is not a register field",
        ),
        (
            "waivers:\n" + ENTRY.format(deadline="2026-01-01") + "    risk: high\n",
            r":7: field 'risk': appears twice",
        ),
        (
            "waivers:\n"
            + ENTRY.format(deadline="2026-01-01")
            + ENTRY.format(deadline="2026-02-01"),
            r":7: field 'finding': 'stripe-test-key:STRIPE_SECRET_KEY' already has an open waiver "
            r"on line 2",
        ),
        (
            "waivers:\n"
            + ENTRY.format(deadline="2026-01-01").replace("owner: DevOps", "owner: [a]"),
            r":4: field 'owner': must be a single value",
        ),
    ],
)
def test_bad_registers_name_file_line_and_field(write_register, text: str, pattern: str) -> None:  # type: ignore[no-untyped-def]
    path = write_register(text)
    with pytest.raises(ConfigError, match="^" + re.escape(str(path)) + pattern):
        read_register(path)


def test_a_closed_duplicate_is_history_not_a_conflict(write_register) -> None:  # type: ignore[no-untyped-def]
    closed = ENTRY.format(deadline="2025-01-01") + "    status: closed\n"
    reg = read_register(write_register("waivers:\n" + closed + ENTRY.format(deadline="2026-01-01")))
    assert [w.status for w in reg.waivers] == ["closed", "open"]


def test_a_missing_register_is_bad_input(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match=r"waiver register .*does not exist"):
        read_register(tmp_path / "nope.yaml")


def test_deadline_forms() -> None:
    go_live = datetime(2025, 12, 26, 12, tzinfo=UTC)
    assert parse_deadline("2025-12-29") == datetime(2025, 12, 30, tzinfo=UTC)
    assert parse_deadline("2025-12-29T18:00:00+01:00") == datetime(2025, 12, 29, 17, tzinfo=UTC)
    assert parse_deadline("T+24h", go_live) == datetime(2025, 12, 27, 12, tzinfo=UTC)
    assert parse_deadline("T+3d", go_live) == datetime(2025, 12, 29, 12, tzinfo=UTC)
    assert parse_deadline("T+90m", go_live) == datetime(2025, 12, 26, 13, 30, tzinfo=UTC)


def test_instants() -> None:
    assert parse_instant("2025-12-27T10:00:00Z") == datetime(2025, 12, 27, 10, tzinfo=UTC)
    assert parse_instant("2025-12-27") == datetime(2025, 12, 27, tzinfo=UTC)
    with pytest.raises(DateError, match="has no time zone"):
        parse_instant("2025-12-27T10:00:00")
    with pytest.raises(DateError, match="not an ISO 8601 time"):
        parse_instant("yesterday")


def test_the_documented_register_reads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
    example = doc.read_text().split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "register.yaml"
    path.write_text(example)
    reg = read_register(path)
    assert len(reg.waivers) == 5
    assert reg.open[0].finding == "stripe-test-key:STRIPE_SECRET_KEY"
    assert reg.open[0].deadline == datetime(2025, 12, 29, 12, tzinfo=UTC)
    assert [w.status for w in reg.waivers].count("closed") == 1
