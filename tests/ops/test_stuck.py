from __future__ import annotations

from datetime import UTC, datetime, timedelta

from golive.config import Config
from golive.ops.stuck import JobRecord, find_stuck, slas_from

T0 = datetime(2025, 12, 27, 10, 0, tzinfo=UTC)
SLAS = slas_from(Config())


def job(kind: str, state: str, created_h: float, done_after_h: float | None = None,
        jid: str | None = None) -> JobRecord:  # fmt: skip
    created = T0 + timedelta(hours=created_h)
    updated = created + timedelta(hours=done_after_h or 0)
    return JobRecord(jid or f"{kind}-{state}-{created_h}", kind, state, "ref", created, updated)


def judge(jobs: list[JobRecord], now_h: float, since_h: float | None = None):  # type: ignore[no-untyped-def]
    since = None if since_h is None else T0 + timedelta(hours=since_h)
    return find_stuck(jobs, now=T0 + timedelta(hours=now_h), slas=SLAS, payout_target=0.95,
                      since=since)  # fmt: skip


def test_a_pending_payout_past_24h_is_stuck() -> None:
    report = judge([job("payout", "pending", 0)], now_h=24.01)
    assert [s.job.kind for s in report.stuck] == ["payout"]
    assert not report.ok
    assert int(report.exit_code) == 1
    assert report.stuck[0].age > timedelta(hours=24)


def test_exactly_at_the_sla_is_not_yet_stuck() -> None:
    assert judge([job("payout", "pending", 0)], now_h=24).ok


def test_finished_jobs_are_never_stuck() -> None:
    report = judge([job("payout", "done", 0, 30), job("payout", "failed", 0, 2)], now_h=100)
    assert report.ok
    assert int(report.exit_code) == 0


def test_deposit_confirmations_have_their_own_sla() -> None:
    report = judge([job("deposit_confirmation", "pending", 0)], now_h=1.5)
    assert [s.job.kind for s in report.stuck] == ["deposit_confirmation"]
    assert judge([job("deposit_confirmation", "pending", 0)], now_h=0.5).ok


def test_since_leaves_older_jobs_out() -> None:
    report = judge([job("payout", "pending", 0), job("payout", "pending", 5)], now_h=40, since_h=1)
    assert [s.job.id for s in report.stuck] == ["payout-pending-5"]
    assert report.checked == 1


def test_unknown_kinds_are_named_not_judged() -> None:
    report = judge([job("refund", "pending", 0)], now_h=100)
    assert report.ok
    assert report.unknown_kinds == ("refund",)


def test_payout_slo_share() -> None:
    jobs = [job("payout", "done", 0, 1, jid=f"p{n}") for n in range(18)]
    jobs += [job("payout", "done", 0, 25, jid="late"), job("payout", "pending", 0, jid="stuck")]
    jobs += [job("payout", "pending", 30, jid="young")]  # not judged yet
    report = judge(jobs, now_h=31)
    slo = report.payout_slo
    assert (slo.within, slo.judged) == (18, 20)
    assert slo.share == 0.9
    assert slo.met is False
    assert [s.job.id for s in report.stuck] == ["stuck"]


def test_payout_slo_without_data() -> None:
    report = judge([], now_h=1)
    assert report.payout_slo.share is None
    assert report.payout_slo.met is None
    assert "no payout old enough to judge" in report.to_text()


def test_text_and_json_for_alerting() -> None:
    report = judge(
        [job("payout", "pending", 0, jid="p-1"), job("payout", "done", 0, 2)], now_h=25.5
    )
    text = report.to_text()
    assert text.splitlines()[0].startswith(
        "STUCK payout p-1 reference ref pending 25h30m (SLA 24h)"
    )
    assert "stuck-jobs: 1 STUCK: 2 job(s) checked" in text
    assert "payout SLO: 1/2 (50.0%) finished within 24h, target 95.0%: MISSED" in text
    data = report.to_json()
    assert data["ok"] is False
    assert data["exit_code"] == 1
    assert data["stuck"][0]["id"] == "p-1"
    assert data["stuck"][0]["age_hours"] == 25.5
    assert data["sla_hours"] == {"payout": 24.0, "deposit_confirmation": 1.0}
