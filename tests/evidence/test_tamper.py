"""Any tampering with a signed bundle makes `verify` fail: flipped byte, deleted, added or
renamed file (Hypothesis, 500 examples over a small bundle copied per example)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from golive.evidence.fsutil import bundle_files
from golive.evidence.keys import SigningKey
from golive.evidence.verify import Kind, Problem, verify_run

from .conftest import build_bundle

# Copies live in memory when the machine has /dev/shm: 500 copies on a disk are the slow part.
SCRATCH = "/dev/shm" if Path("/dev/shm").is_dir() else None
NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789._-", min_size=1, max_size=12).filter(
    lambda n: n not in (".", "..")
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, signing_key: SigningKey) -> Path:
    run_dir = build_bundle(tmp_path_factory.mktemp("reports"), signing_key)
    assert verify_run(run_dir, signing_key.public).ok
    return run_dir


def test_bundle_layout(bundle: Path) -> None:
    files = bundle_files(bundle)
    for required in (
        "manifest.json",
        "attestation.dsse.json",
        "report.html",
        "canary_report.md",
        "results.json",
        "signer.pub",
        "transcripts/psp.jsonl",
    ):
        assert required in files
    assert "RUNNING" not in files
    assert all((bundle / f).stat().st_size > 0 for f in files)


def _tamper(run_dir: Path, op: tuple[object, ...]) -> str:
    files = bundle_files(run_dir)
    kind = op[0]
    if kind == "flip":
        _, index, offset, mask = op
        rel = files[int(index) % len(files)]  # type: ignore[call-overload]
        path = run_dir / rel
        data = bytearray(path.read_bytes())
        pos = int(offset) % len(data)  # type: ignore[call-overload]
        data[pos] ^= int(mask)  # type: ignore[call-overload]
        path.write_bytes(bytes(data))
        return f"flipped byte {pos} of {rel}"
    if kind == "delete":
        rel = files[int(op[1]) % len(files)]  # type: ignore[call-overload]
        (run_dir / rel).unlink()
        return f"deleted {rel}"
    if kind == "add":
        _, folder, name, content = op
        target = run_dir / str(folder) / str(name)
        if target.exists():
            target = target.with_name(target.name + ".new")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(bytes(content))  # type: ignore[arg-type]
        return f"added {target.relative_to(run_dir)}"
    _, index, folder, name = op
    rel = files[int(index) % len(files)]  # type: ignore[call-overload]
    target = run_dir / str(folder) / str(name)
    if target.exists():
        target = target.with_name(target.name + ".moved")
    target.parent.mkdir(parents=True, exist_ok=True)
    (run_dir / rel).rename(target)
    return f"renamed {rel} to {target.relative_to(run_dir)}"


FOLDERS = st.sampled_from(["", "attachments", "transcripts", "allure-results", "new"])
OPERATIONS = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 1000), st.integers(0, 10**9), st.integers(1, 255)),
    st.tuples(st.just("delete"), st.integers(0, 1000)),
    st.tuples(st.just("add"), FOLDERS, NAMES, st.binary(max_size=16)),
    st.tuples(st.just("rename"), st.integers(0, 1000), FOLDERS, NAMES),
)


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
@given(op=OPERATIONS)
def test_any_tampering_fails_verification(
    bundle: Path, signing_key: SigningKey, op: tuple[object, ...]
) -> None:
    with tempfile.TemporaryDirectory(dir=SCRATCH) as tmp:
        copy = Path(tmp) / bundle.name
        shutil.copytree(bundle, copy)
        what = _tamper(copy, op)
        trusted = verify_run(copy, signing_key.public)
        assert not trusted.ok, f"verify with the trusted key accepted a bundle after: {what}"
        assert trusted.problems
        # also without --pubkey (the key inside the bundle): still caught
        assert not verify_run(copy).ok, f"verify with the bundle's key accepted: {what}"


def test_untouched_copy_still_verifies(
    bundle: Path, signing_key: SigningKey, tmp_path: Path
) -> None:
    copy = tmp_path / bundle.name
    shutil.copytree(bundle, copy)
    assert verify_run(copy, signing_key.public).ok


def test_problems_name_their_kind_and_file(
    bundle: Path, signing_key: SigningKey, tmp_path: Path
) -> None:
    copy = tmp_path / bundle.name
    shutil.copytree(bundle, copy)
    with (copy / "transcripts/psp.jsonl").open("ab") as fh:
        fh.write(b"{}\n")
    (copy / "signer.pub").unlink()
    (copy / "extra.txt").write_text("added")
    trusted = verify_run(copy, signing_key.public)
    assert set(trusted.problems) == {
        Problem(Kind.FILE, "file 'signer.pub' listed in the manifest is missing (deleted or "
                "renamed)", "signer.pub"),
        Problem(Kind.FILE, "file 'transcripts/psp.jsonl' was changed after signing (sha256 "
                "differs)", "transcripts/psp.jsonl"),
        Problem(Kind.FILE, "extra file 'extra.txt' is not in the manifest (added or renamed)",
                "extra.txt"),
    }  # fmt: skip
    keyless = verify_run(copy)
    assert (
        Problem(
            Kind.SIGNATURE,
            "signer.pub is missing or unreadable and no --pubkey was given",
            "signer.pub",
        )
        in keyless.problems
    )
    assert keyless.lines()[1] == f"  problem: {keyless.problems[0].text}"
