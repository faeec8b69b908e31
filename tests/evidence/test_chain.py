"""The hash chain between runs: deleted, rewritten, reordered and killed runs are found."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import pytest

from golive.evidence import dsse
from golive.evidence.fsutil import pretty_json, sha256_bytes, sha256_file
from golive.evidence.keys import SigningKey
from golive.evidence.manifest import RUNNING, create_run_dir
from golive.evidence.verify import verify_chain, verify_run

from .conftest import build_bundle


@pytest.fixture
def reports(tmp_path: Path, signing_key: SigningKey) -> tuple[Path, list[Path]]:
    folder = tmp_path / "reports"
    runs = [build_bundle(folder, signing_key) for _ in range(3)]
    return folder, runs


def _manifest(run: Path) -> dict[str, object]:
    return json.loads((run / "manifest.json").read_text())  # type: ignore[no-any-return]


def test_runs_link_in_order(reports: tuple[Path, list[Path]], signing_key: SigningKey) -> None:
    folder, runs = reports
    assert _manifest(runs[0])["previous"] is None
    for before, after in itertools.pairwise(runs):
        link = _manifest(after)["previous"]
        assert link["sha256"] == sha256_file(before / "manifest.json")  # type: ignore[index]
    assert [_manifest(r)["sequence"] for r in runs] == [1, 2, 3]
    report = verify_chain(folder, signing_key.public)
    assert report.ok, report.problems


def test_deleted_run_is_found(reports: tuple[Path, list[Path]], signing_key: SigningKey) -> None:
    folder, runs = reports
    shutil.rmtree(runs[1])
    report = verify_chain(folder, signing_key.public)
    assert not report.ok
    assert any(runs[2].name in p.text and "deleted or rewritten" in p.text for p in report.problems)


def test_deleted_first_run_is_found(
    reports: tuple[Path, list[Path]], signing_key: SigningKey
) -> None:
    folder, runs = reports
    shutil.rmtree(runs[0])
    assert not verify_chain(folder, signing_key.public).ok
    # unless the auditor says where the chain starts now
    head = _manifest(runs[1])["previous"]["sha256"]  # type: ignore[index]
    assert verify_chain(folder, signing_key.public, chain_head=head).ok


def test_rewritten_and_resigned_run_is_found(
    reports: tuple[Path, list[Path]], signing_key: SigningKey
) -> None:
    """Even someone holding the signing key cannot quietly rewrite a past run."""
    folder, runs = reports
    run = runs[0]
    manifest = _manifest(run)
    manifest["verdict"] = {
        "verdict": "GO",
        "exit_code": 0,
        "in_toto_result": "PASSED",
        "reasons": ["rewritten"],
    }
    data = pretty_json(manifest)
    (run / "manifest.json").write_bytes(data)
    statement = json.loads(
        dsse.verify((run / "attestation.dsse.json").read_bytes(), signing_key.public).payload
    )
    statement["subject"][0]["digest"]["sha256"] = sha256_bytes(data)
    from golive.evidence.fsutil import canonical_json

    (run / "attestation.dsse.json").write_bytes(dsse.sign(canonical_json(statement), signing_key))
    assert verify_run(run, signing_key.public, check_link=False).ok  # valid on its own
    report = verify_chain(folder, signing_key.public)
    assert not report.ok
    assert any(runs[1].name in p.text for p in report.problems)
    assert not verify_run(runs[1], signing_key.public).ok  # the next run's link shows it


def test_swapped_folders_are_found(
    reports: tuple[Path, list[Path]], signing_key: SigningKey
) -> None:
    folder, runs = reports
    tmp = folder / "swap"
    runs[0].rename(tmp)
    runs[1].rename(runs[0])
    tmp.rename(runs[1])
    report = verify_chain(folder, signing_key.public)
    assert not report.ok
    assert any("renamed or swapped" in p.text for p in report.problems)


def test_killed_run_in_the_folder_is_reported(
    reports: tuple[Path, list[Path]], signing_key: SigningKey
) -> None:
    folder, _ = reports
    killed = create_run_dir(folder)
    assert (killed / RUNNING).exists()
    report = verify_chain(folder, signing_key.public)
    assert not report.ok
    assert any(killed.name in p.text and "incomplete run" in p.text for p in report.problems)


def test_empty_folder_is_not_a_valid_chain(tmp_path: Path) -> None:
    assert not verify_chain(tmp_path).ok
