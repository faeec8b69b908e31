"""The bank workload's checker: hand-made histories with one known anomaly each, and
simulated histories of a correct bank, which must show none."""

from __future__ import annotations

from dataclasses import replace
from xml.etree import ElementTree

from hypothesis import given, settings
from hypothesis import strategies as st

from golive.properties.checker import check_history
from golive.properties.evidence import format_report
from golive.properties.history import (
    FAIL,
    INFO,
    OK,
    AccountRead,
    History,
    HoldRecord,
    Op,
    Snapshot,
)
from golive.properties.plot import total_over_time_svg

A, B = "acc-a", "acc-b"


def snap(t0: float, t1: float, a: tuple[int, int], b: tuple[int, int], *, final: bool = False):
    return Snapshot(
        9, (AccountRead(9, A, t0, t0 + 0.01, *a), AccountRead(9, B, t1, t1 + 0.01, *b)), final
    )


def transfer(invoked: float, completed: float, amount: int, outcome: str = OK, **kw: object) -> Op:
    return Op(0, "transfer", invoked, completed, outcome, A, amount, to_account=B, **kw)


def history(ops: list[Op], snapshots: list[Snapshot], **kw: object) -> History:
    return History("EUR", {A: 100, B: 100}, ops, snapshots, **kw)


def kinds(h: History) -> list[str]:
    return [a.kind for a in check_history(h).anomalies]


def test_a_clean_history_has_no_anomalies() -> None:
    h = history(
        [transfer(1.0, 1.1, 30)],
        [snap(0.5, 0.6, (100, 0), (100, 0)), snap(2.0, 2.1, (70, 0), (130, 0), final=True)],
    )
    report = check_history(h)
    assert report.ok
    assert [p.total for p in report.totals] == [200, 200]


def test_a_read_during_a_transfer_may_see_either_side() -> None:
    h = history(
        [transfer(1.0, 3.0, 30)],
        [snap(1.5, 2.5, (70, 0), (100, 0)), snap(1.5, 2.5, (100, 0), (130, 0)),
         snap(4.0, 4.1, (70, 0), (130, 0), final=True)],
    )  # fmt: skip
    assert kinds(h) == []


def test_a_read_after_a_transfer_completed_must_see_it() -> None:
    h = history(
        [transfer(1.0, 1.1, 30)],
        [snap(2.0, 2.1, (100, 0), (130, 0)), snap(3.0, 3.1, (70, 0), (130, 0), final=True)],
    )
    report = check_history(h)
    assert [a.kind for a in report.anomalies] == ["inconsistent-read"]
    assert report.anomalies[0].magnitude == 30
    assert report.totals[0].anomalous


def test_money_lost_by_a_refused_transfer_is_not_conserved() -> None:
    """transfer-not-atomic: refused, yet the sender was debited."""
    h = history(
        [replace(transfer(1.0, 1.1, 30, FAIL, status=404), kind="bad-transfer", to_account="x")],
        [snap(2.0, 2.1, (70, 0), (100, 0)), snap(3.0, 3.1, (70, 0), (100, 0), final=True)],
    )
    assert sorted(kinds(h)) == ["inconsistent-read", "total-not-conserved", "wrong-final-balance"]


def test_negative_balances_are_reported() -> None:
    h = history(
        [], [snap(1.0, 1.1, (-5, 105), (100, 0)), snap(2, 2.1, (100, 0), (100, 0), final=True)]
    )
    found = check_history(h).anomalies
    assert [a.kind for a in found][:1] == ["negative-balance"]
    assert found[0].magnitude == -5


def test_holds_accepted_at_once_past_the_balance_are_an_overdraft_without_a_read() -> None:
    holds = [Op(i, "hold", 1.0, 1.1 + i / 10, OK, A, 60, hold_id=f"h{i}") for i in range(2)]
    release = Op(0, "release", 1.25, 2.0, OK, A, 60, hold_id="h0", hold_amount=60)
    final = snap(3.0, 3.1, (40, 60), (100, 0), final=True)
    records = {
        "h0": HoldRecord("h0", A, 60, "released", 0, 60),
        "h1": HoldRecord("h1", A, 60, "pending", 0, 0),
    }
    found = check_history(history([*holds, release], [final], holds=records)).anomalies
    assert [(a.kind, a.magnitude) for a in found] == [("negative-balance", -20)]


def test_a_credit_in_flight_may_cover_a_debit() -> None:
    hold = Op(0, "hold", 1.0, 1.1, OK, A, 60, hold_id="h0")
    holds = [hold, replace(hold, process=1, invoked=1.2, completed=1.3, hold_id="h1")]
    release = Op(0, "release", 1.25, 1.4, OK, A, 60, hold_id="h0", hold_amount=60)
    final = snap(3.0, 3.1, (40, 60), (100, 0), final=True)
    records = {
        "h0": HoldRecord("h0", A, 60, "released", 0, 60),
        "h1": HoldRecord("h1", A, 60, "pending", 0, 0),
    }
    assert kinds(history([*holds, release], [final], holds=records)) == []


def test_an_unanswered_operation_may_or_may_not_have_happened() -> None:
    for a, b in (((70, 0), (130, 0)), ((100, 0), (100, 0))):
        h = history([transfer(1.0, 1.1, 30, INFO, status=None)], [snap(5, 5.1, a, b, final=True)])
        assert kinds(h) == []


def test_two_successful_burns_of_one_hold_are_a_double_resolution() -> None:
    hold = Op(0, "hold", 0.1, 0.2, OK, A, 50, hold_id="h1")
    burn1 = Op(1, "burn", 1.0, 1.1, OK, A, 50, hold_id="h1", hold_amount=50)
    burn2 = Op(2, "burn", 1.0, 1.2, OK, A, 50, hold_id="h1", hold_amount=50)
    h = history(
        [hold, burn1, burn2],
        [snap(2, 2.1, (50, -50), (100, 0), final=True)],
        holds={"h1": HoldRecord("h1", A, 50, "burned", 50, 0)},
    )
    report = check_history(h)
    assert "hold-resolved-twice" in [a.kind for a in report.anomalies]
    assert "negative-balance" in [a.kind for a in report.anomalies]


def test_a_released_hold_whose_money_stays_held_is_a_wrong_final_balance() -> None:
    """release-leak: the hold is released, the balance still shows it held."""
    hold = Op(0, "hold", 0.1, 0.2, OK, A, 40, hold_id="h1")
    release = Op(0, "release", 1.0, 1.1, OK, A, 40, hold_id="h1", hold_amount=40)
    h = history(
        [hold, release],
        [snap(2, 2.1, (60, 40), (100, 0), final=True)],
        holds={"h1": HoldRecord("h1", A, 40, "released", 0, 40)},
    )
    assert kinds(h) == ["wrong-final-balance"]


def test_a_hold_record_that_disagrees_with_the_accepted_operations() -> None:
    hold = Op(0, "hold", 0.1, 0.2, OK, A, 40, hold_id="h1")
    burn = Op(0, "burn", 1.0, 1.1, OK, A, 10, hold_id="h1", hold_amount=40)
    h = history(
        [hold, burn],
        [snap(2, 2.1, (90, 0), (100, 0), final=True)],
        holds={"h1": HoldRecord("h1", A, 40, "burned", 40, 0)},
    )
    assert kinds(h) == ["hold-record-mismatch"]


def test_a_resolved_hold_refused_for_another_reason_is_a_wrong_refusal() -> None:
    """hold-double-burn with no other hold to take from: 409 insufficient_funds."""
    hold = Op(0, "hold", 0.1, 0.2, OK, A, 40, hold_id="h1")
    burn = Op(0, "burn", 1.0, 1.1, OK, A, 40, hold_id="h1", hold_amount=40)
    again = Op(1, "burn", 1.5, 1.6, FAIL, A, 40, hold_id="h1", hold_amount=40, status=409,
               code="insufficient_funds")  # fmt: skip
    racing = replace(again, invoked=1.05)  # overlaps the first burn
    right = replace(again, kind="release", code="hold_not_pending")
    h = history(
        [hold, burn, again, racing, right],
        [snap(2, 2.1, (60, 0), (100, 0), final=True)],
        holds={"h1": HoldRecord("h1", A, 40, "burned", 40, 0)},
    )
    report = check_history(h)
    assert [a.kind for a in report.anomalies] == ["wrong-refusal"]
    assert "insufficient_funds" in report.anomalies[0].detail


def test_an_accepted_transfer_to_nowhere_and_server_errors() -> None:
    bad = Op(0, "bad-transfer", 1.0, 1.1, OK, A, 5, to_account="nobody", status=201)
    err = transfer(1.5, 1.6, 5, INFO, status=500, error="boom")
    h = history([bad, err], [snap(2, 2.1, (95, 0), (100, 0), final=True)])
    assert sorted(kinds(h)) == ["invalid-op-accepted", "server-error"]


def test_deposits_credited_short_are_not_conserved() -> None:
    h = History("EUR", {A: 99}, [], [Snapshot(9, (AccountRead(9, A, 1, 1.1, 99, 0),), True)],
                funded={A: 100})  # fmt: skip
    assert kinds(h) == ["total-not-conserved"]


def test_summary_has_count_first_worst_last_and_a_report() -> None:
    h = history(
        [transfer(1.0, 1.1, 30)],
        [snap(2.0, 2.1, (100, 0), (130, 0)), snap(3.0, 3.1, (70, 0), (230, 0)),
         snap(4.0, 4.1, (90, 0), (130, 0)), snap(5, 5.1, (70, 0), (130, 0), final=True)],
    )  # fmt: skip
    summary = check_history(h).summary()["inconsistent-read"]
    assert summary.count == 3
    assert (summary.first.magnitude, summary.worst.magnitude, summary.last.magnitude) == (
        30,
        100,
        20,
    )
    assert summary.first.at < summary.worst.at < summary.last.at
    text = format_report(check_history(h), "EUR")
    assert "| inconsistent-read | 3 |" in text


def test_history_round_trips_through_json() -> None:
    h = history([transfer(1.0, 1.1, 30)], [snap(2.0, 2.1, (70, 0), (130, 0), final=True)],
                holds={"h": HoldRecord("h", A, 1, "pending", 0, 0)}, seed=7)  # fmt: skip
    assert History.from_dict(h.to_dict()) == h


def test_plot_is_self_contained_svg_with_one_mark_per_snapshot() -> None:
    h = history(
        [transfer(1.0, 1.1, 30)],
        [snap(2.0, 2.1, (100, 0), (130, 0)), snap(2.5, 2.6, (70, 0), (130, 0)),
         snap(3.0, 3.1, (70, 0), (130, 0), final=True)],
    )  # fmt: skip
    svg = total_over_time_svg(check_history(h).totals, currency="EUR")
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    circles = root.findall(f"{ns}circle")
    assert len(circles) == 2
    assert [c.get("fill") for c in circles] == ["#c62828", "#1565c0"]
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "no snapshots" in total_over_time_svg([], currency="EUR")


# -- simulated correct banks: the checker must not cry wolf -------------------------------
@st.composite
def correct_histories(draw: st.DrawFn) -> History:
    """A bank that applies each operation atomically at a point inside its interval, and
    reads each account atomically at a point inside the read's interval."""
    accounts = ["a0", "a1", "a2"]
    balance = {a: [100, 0] for a in accounts}  # available, held
    holds: dict[str, list] = {}  # id -> [account, amount, status, burned]
    events = []  # (linearization point, kind, payload)
    n_ops = draw(st.integers(0, 25))
    for i in range(n_ops):
        start = draw(st.floats(0, 10))
        length = draw(st.floats(0.01, 2))
        point = start + length * draw(st.floats(0.01, 0.99))
        kind = draw(st.sampled_from(["transfer", "hold", "burn", "release", "bad-transfer"]))
        src, dst = draw(st.permutations(accounts))[:2]
        events.append((point, "op", (i, kind, src, dst, draw(st.integers(1, 80)), start, length,
                                     draw(st.integers(0, 5)), draw(st.booleans()))))  # fmt: skip
    for r in range(draw(st.integers(0, 12))):
        for acc in accounts:
            start = draw(st.floats(0, 12))
            length = draw(st.floats(0.01, 1))
            events.append((start + length * 0.5, "read", (r, acc, start, length)))
    ops: list[Op] = []
    reads: dict[int, list[AccountRead]] = {}
    placed: list[str] = []
    for _point, what, payload in sorted(events, key=lambda e: e[0]):
        if what == "read":
            r, acc, start, length = payload
            av, held = balance[acc]
            reads.setdefault(r, []).append(AccountRead(9, acc, start, start + length, av, held))
            continue
        i, kind, src, dst, amount, start, length, pick, full = payload
        done = start + length
        if kind in ("burn", "release") and placed:
            hid = placed[pick % len(placed)]
            acc, whole, status, _ = holds[hid]
            take = whole if (full or kind == "release") else 1 + amount % whole
            ok = status == "pending"
            if ok:
                holds[hid][2:] = ["burned" if kind == "burn" else "released", take]
                balance[acc][1] -= whole
                balance[acc][0] += whole - (take if kind == "burn" else 0)
            ops.append(Op(0, kind, start, done, OK if ok else FAIL, acc, take, hold_id=hid,
                          hold_amount=whole, code=None if ok else "hold_not_pending"))  # fmt: skip
        elif kind == "hold" or kind in ("burn", "release"):
            ok = balance[src][0] >= amount
            hid = f"h{i}"
            if ok:
                balance[src][0] -= amount
                balance[src][1] += amount
                holds[hid] = [src, amount, "pending", 0]
                placed.append(hid)
            ops.append(Op(0, "hold", start, done, OK if ok else FAIL, src, amount,
                          hold_id=hid if ok else None))  # fmt: skip
        elif kind == "transfer":
            ok = balance[src][0] >= amount
            if ok:
                balance[src][0] -= amount
                balance[dst][0] += amount
            ops.append(Op(0, kind, start, done, OK if ok else FAIL, src, amount, to_account=dst))
        else:
            ops.append(Op(0, kind, start, done, FAIL, src, amount, to_account="nobody"))
    snaps = [Snapshot(9, tuple(rs)) for rs in reads.values()]
    end = 20.0
    snaps.append(
        Snapshot(-1, tuple(AccountRead(-1, a, end, end + 0.1, *balance[a]) for a in accounts), True)
    )
    records = {}
    for hid, (acc, whole, status, burned) in holds.items():
        burned = burned if status == "burned" else 0
        released = 0 if status == "pending" else whole - burned
        records[hid] = HoldRecord(hid, acc, whole, status, burned, released)
    return History("EUR", {a: 100 for a in accounts}, ops, snaps, records, duration=end)


@settings(max_examples=150, deadline=None)
@given(h=correct_histories())
def test_a_correct_bank_never_shows_an_anomaly(h: History) -> None:
    report = check_history(h)
    assert report.anomalies == []


@settings(max_examples=100, deadline=None)
@given(h=correct_histories(), data=st.data())
def test_an_accepted_transfer_reported_as_refused_is_caught(
    h: History, data: st.DataObject
) -> None:
    moved = [i for i, op in enumerate(h.ops) if op.kind == "transfer" and op.outcome == OK]
    if not moved:
        return
    i = data.draw(st.sampled_from(moved))
    h.ops[i] = replace(h.ops[i], outcome=FAIL)
    assert "wrong-final-balance" in [a.kind for a in check_history(h).anomalies]


def keyed_hold(invoked: float, hold_id: str, key: str = "k1", outcome: str = OK) -> Op:
    return Op(0, "hold", invoked, invoked + 0.5, outcome, A, 40, hold_id=hold_id, key=key)


def test_holds_sent_at_once_with_one_key_count_once_when_they_name_one_hold() -> None:
    ops = [keyed_hold(1.0, "h1"), keyed_hold(1.0, "h1"), keyed_hold(1.0, "h1")]
    h = history(
        ops,
        [snap(2.0, 2.1, (60, 40), (100, 0), final=True)],
        holds={"h1": HoldRecord("h1", A, 40, "pending", 0, 0)},
    )
    assert kinds(h) == []


def test_holds_sent_at_once_with_one_key_that_made_two_holds_are_a_double_effect() -> None:
    ops = [keyed_hold(1.0, "h1"), keyed_hold(1.0, "h2"), keyed_hold(1.0, "h1")]
    h = history(
        ops,
        [snap(2.0, 2.1, (20, 80), (100, 0), final=True)],
        holds={
            "h1": HoldRecord("h1", A, 40, "pending", 0, 0),
            "h2": HoldRecord("h2", A, 40, "pending", 0, 0),
        },
    )
    assert kinds(h) == ["same-key-double-effect"]
