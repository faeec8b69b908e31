"""An adapter's calls are recorded as the HTTP contract's exchanges are: transcripts, the
SLO gates' samples and slis.prom, with secrets redacted (golive.target.recording)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from golive.canary.slo import Judgement, judge_latency, judge_ratio
from golive.evidence import transcript_hooks, transcript_records
from golive.evidence.recorder import Recorder, activate, deactivate
from golive.evidence.redact import Redactor
from golive.monitoring.slis import RunSlis
from golive.stack import Stack
from golive.target import NoAnswer, PlatformError, open_target, protocol_gaps, recorded
from tests.target.toy import ToyAdapter

TOY = "tests.target.toy:ToyAdapter"
TOY_AT_URL = "tests.target.toy:ToyAtUrl"
SECRET = "sk_live_" + "q7" * 12


@pytest.fixture
def run(tmp_path: Path) -> Iterator[Recorder]:
    """An evidence run writing to tmp_path, with one secret registered."""
    recorder = Recorder(tmp_path, Redactor())
    recorder.redactor.register(SECRET)
    activate(recorder)
    try:
        yield recorder
    finally:
        deactivate(recorder)
        recorder.close_transcripts()


def transcript(recorder: Recorder) -> list[dict[str, Any]]:
    recorder.close_transcripts()
    assert recorder.run_dir is not None
    lines = (recorder.run_dir / "transcripts" / "platform.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines]


def test_each_call_of_an_adapter_is_one_exchange_in_the_transcript(run: Recorder) -> None:
    target = open_target(TOY, event_hooks=transcript_hooks("platform"))
    account = target.create_account("owner-1", "EUR", key="k-1")
    target.deposit(account.id, 1_000, "EUR")
    with pytest.raises(PlatformError):
        target.place_hold(account.id, 5_000, "EUR")
    hold = target.place_hold(account.id, 300, "EUR", expires_in_seconds=60)
    target.burn(hold.id)
    target.close()

    lines = transcript(run)
    assert [(x["method"], x["url"], x["status"]) for x in lines] == [
        ("CALL", "adapter://toyadapter/create_account", 200),
        ("CALL", "adapter://toyadapter/deposit", 200),
        ("CALL", "adapter://toyadapter/place_hold", 409),
        ("CALL", "adapter://toyadapter/place_hold", 200),
        ("CALL", "adapter://toyadapter/burn", 200),
    ]  # close() is no call to the platform
    first, refused, placed = lines[0], lines[2], lines[3]
    assert first["request"]["body"]["json"] == {
        "owner_ref": "owner-1", "currency": "EUR", "key": "k-1",
    }  # fmt: skip
    assert first["response"]["body"]["json"] == {"id": account.id, "owner_ref": "owner-1",
                                                 "currency": "EUR", "created_at": ""}  # fmt: skip
    assert ["x-golive-adapter", "tests.target.toy:ToyAdapter"] in first["request"]["headers"]
    assert refused["response"]["body"]["json"]["error"]["code"] == "insufficient_funds"
    assert placed["request"]["body"]["json"]["expires_in_seconds"] == 60
    assert placed["response"]["body"]["json"]["status"] == "pending"
    assert all(x["duration_ms"] >= 0 and x["test"] is None for x in lines)
    assert len(transcript_records("platform")) == 5


def test_a_call_that_gets_no_answer_is_not_an_exchange(run: Recorder) -> None:
    target = open_target(
        TOY_AT_URL,
        options={"base_url": "http://wallet.test"},
        event_hooks=transcript_hooks("platform"),
    )
    with pytest.raises(NoAnswer, match=r"wallet\.test did not answer"):
        target.health()
    assert target.version().app_version == "1"
    assert [x.url for x in transcript_records("platform")] == ["adapter://toyaturl/version"]


def test_secrets_in_an_adapter_call_are_redacted(run: Recorder) -> None:
    target = open_target(TOY, event_hooks=transcript_hooks("platform"))
    target.create_account(SECRET, "EUR")
    assert run.run_dir is not None
    text = transcript(run)
    assert SECRET not in json.dumps(text)
    assert text[0]["request"]["body"]["json"]["currency"] == "EUR"  # the rest is kept


def test_the_slo_gates_and_slis_read_an_adapter_targets_calls(run: Recorder) -> None:
    target = open_target(TOY, event_hooks=transcript_hooks("platform"))
    account = target.create_account("owner-slo", "EUR")
    for _ in range(30):
        target.deposit(account.id, 100, "EUR")
        target.balance(account.id)
    with pytest.raises(PlatformError):
        target.release("a-hold")  # the toy refuses with a 422: answered, so available

    window = transcript_records("platform")
    assert len(window) == 62
    latency = judge_latency([x.duration_ms for x in window], 500.0, 50)
    assert latency.judgement is Judgement.PASS, latency.reason
    assert latency.samples == 62
    good = sum(1 for x in window if x.status < 500)
    # 62 answered of 62 prove 95 % at 95 % confidence (59 would), not 99 % (299 would)
    assert judge_ratio("Availability", good, len(window), 0.95, 50, strict=False).judgement is (
        Judgement.PASS
    )
    slis = RunSlis(latency_target_s=0.5)
    for x in window:
        slis.request(x.method, x.url, x.status, x.duration_ms / 1000)
    assert slis.requests[("CALL /deposit", "success")] == 30
    assert slis.requests[("CALL /release", "client_error")] == 1


def test_without_event_hooks_the_adapter_is_handed_over_as_made() -> None:
    assert type(open_target(TOY)) is ToyAdapter


def test_a_recorded_adapter_still_implements_the_interface_and_keeps_its_own_attributes() -> None:
    target = open_target(TOY, event_hooks=transcript_hooks("platform"))
    assert protocol_gaps(type(target)) == []
    account = target.create_account("owner-3", "USD")
    assert target.api.wallets[account.id]["ccy"] == "USD"  # type: ignore[attr-defined]


class WithHelpers(ToyAdapter):
    """An adapter with helpers of its own, named as golive's recorder might name its own."""

    def call(self, method: str, path: str) -> str:
        return f"{method} {path} by the adapter"

    def inner(self) -> str:
        return "the adapter's"


def test_an_adapters_own_helpers_are_reached_unrecorded(run: Recorder) -> None:
    target: Any = recorded(WithHelpers(), transcript_hooks("platform"))
    assert target.call("GET", "/jobs") == "GET /jobs by the adapter"
    assert target.inner() == "the adapter's"
    assert transcript_records("platform") == []


def test_the_stack_hands_its_event_hooks_to_an_adapter(run: Recorder) -> None:
    wiring: Any = None  # no PSP in this test
    stack = Stack("http://wallet.test", "http://psp.test", wiring, adapter=TOY_AT_URL)
    target = stack.open_target(event_hooks=transcript_hooks("platform"))
    assert target.base_url == "http://wallet.test"  # type: ignore[attr-defined]
    target.settings()
    assert [x.url for x in transcript_records("platform")] == ["adapter://toyaturl/settings"]
