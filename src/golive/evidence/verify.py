"""Offline verification of run folders and of the hash chain between them.

`verify_run` checks, in plain words: the run finished; the DSSE signature over the in-toto
Statement; that the Statement names this manifest.json; every listed file's sha256 and
size; no missing, extra or renamed file; the rendered views; the link to the previous run.
`verify_chain` does that for every run of a reports folder and follows the links.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path, PurePosixPath
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from golive.evidence import dsse
from golive.evidence.fsutil import bundle_files, hash_files, sha256_bytes
from golive.evidence.keys import fingerprint, load_public_key
from golive.evidence.manifest import (
    ATTESTATION,
    MANIFEST,
    RESULTS,
    RUNNING,
    SCHEMA,
    SIGNER_PUB,
    run_dirs,
)
from golive.evidence.verdict import Verdict


class Kind(Enum):
    """What a problem is about."""

    RUN = "run"  # the run folder and its manifest: there, finished, this run's
    SIGNATURE = "signature"  # the signature, the key and what they sign
    FILE = "file"  # a file of the bundle: unsafe, extra, missing or changed
    CHAIN = "chain"  # the links between runs


@dataclass(frozen=True)
class Problem:
    """One reason a bundle does not verify, as `golive verify` words it."""

    kind: Kind
    text: str
    path: str | None = None  # the file of the run it is about (posix, relative), if one

    def __str__(self) -> str:
        return self.text

    def within(self, where: str) -> Problem:
        """The same problem, found in `where` (a run of a chain, a cited run)."""
        return replace(self, text=f"{where}: {self.text}")


@dataclass
class Report:
    """The outcome of a verification: valid only when there is no problem."""

    subject: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    verdict: str | None = None
    manifest: dict[str, Any] | None = None
    manifest_sha256: str | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: Kind, text: str, path: str | None = None) -> None:
        self.problems.append(Problem(kind, text, path))

    def lines(self) -> list[str]:
        head = f"{self.subject}: {'VALID' if self.ok else 'NOT VALID'}"
        if self.verdict:
            head += f" (run verdict {self.verdict})"
        return (
            [head]
            + [f"  problem: {p}" for p in self.problems]
            + [f"  note: {n}" for n in self.notes]
        )


def _safe(rel: str) -> bool:
    path = PurePosixPath(rel)
    return bool(rel) and not path.is_absolute() and ".." not in path.parts


def _key(
    run_dir: Path, pubkey: Path | Ed25519PublicKey | None, rep: Report
) -> Ed25519PublicKey | None:
    if isinstance(pubkey, Ed25519PublicKey):
        return pubkey
    if pubkey is not None:
        return load_public_key(pubkey)
    try:
        key = load_public_key(run_dir / SIGNER_PUB)
    except Exception:
        rep.add(
            Kind.SIGNATURE,
            f"{SIGNER_PUB} is missing or unreadable and no --pubkey was given",
            SIGNER_PUB,
        )
        return None
    rep.notes.append(
        f"checked with the public key inside the bundle ({fingerprint(key)}): this proves the "
        "bundle is intact, not who made it; pass --pubkey with the key you trust"
    )
    return key


def _check_signature(
    run_dir: Path,
    manifest: dict[str, Any],
    manifest_bytes: bytes,
    key: Ed25519PublicKey,
    rep: Report,
) -> None:
    envelope_path = run_dir / ATTESTATION
    if not envelope_path.is_file():
        signing = manifest.get("signing") or {}
        if signing.get("signed") is False:
            findings = "; ".join(signing.get("findings", []))
            rep.add(Kind.SIGNATURE, f"the run was NOT signed: {signing.get('reason')} ({findings})")
        else:
            rep.add(
                Kind.SIGNATURE,
                f"{ATTESTATION} is missing: the run is unsigned or incomplete",
                ATTESTATION,
            )
        return
    try:
        opened = dsse.verify(envelope_path.read_bytes(), key)
    except dsse.EnvelopeError as exc:
        rep.add(Kind.SIGNATURE, str(exc))
        return
    statement = opened.statement
    if statement.get("_type") != dsse.STATEMENT_TYPE:
        rep.add(Kind.SIGNATURE, "the signed payload is not an in-toto Statement v1")
    if statement.get("predicateType") != dsse.TEST_RESULT_PREDICATE:
        rep.add(Kind.SIGNATURE, "the signed Statement is not a test-result attestation")
    digest = sha256_bytes(manifest_bytes)
    subjects = statement.get("subject") or []
    if not any(
        s.get("name") == MANIFEST and (s.get("digest") or {}).get("sha256") == digest
        for s in subjects
        if isinstance(s, dict)
    ):
        rep.add(
            Kind.SIGNATURE,
            "manifest.json was changed after signing (its sha256 is not the "
            "one the attestation signs)",
            MANIFEST,
        )
    try:
        expected = Verdict(manifest["verdict"]["verdict"]).in_toto_result
    except (KeyError, TypeError, ValueError):
        rep.add(Kind.SIGNATURE, "the manifest holds no valid verdict")
        return
    if (statement.get("predicate") or {}).get("result") != expected:
        rep.add(Kind.SIGNATURE, "the signed result does not match the manifest's verdict")
    signer = (manifest.get("signer") or {}).get("fingerprint")
    if signer and signer != fingerprint(key):
        rep.add(Kind.SIGNATURE, f"the manifest names signer {signer}, not {fingerprint(key)}")


def _check_files(run_dir: Path, manifest: dict[str, Any], rep: Report) -> None:
    listed: dict[str, dict[str, Any]] = {}
    for entry in list(manifest.get("artifacts") or []) + list(manifest.get("views") or []):
        rel = str(entry.get("path", ""))
        if not _safe(rel) or rel in listed:
            rep.add(Kind.FILE, f"the manifest lists an unsafe or repeated path {rel!r}", rel)
            continue
        listed[rel] = entry
    on_disk = set(bundle_files(run_dir)) - {MANIFEST, ATTESTATION}
    folders = {str(PurePosixPath(rel).parent) for rel in listed}
    for path in sorted(p for p in run_dir.rglob("*") if p.is_dir() and not p.is_symlink()):
        rel = path.relative_to(run_dir).as_posix()
        if not any(f == rel or f.startswith(rel + "/") for f in folders):
            rep.add(Kind.FILE, f"extra folder {rel!r} is not in the manifest", rel)
    for rel in sorted(on_disk - set(listed)):
        rep.add(Kind.FILE, f"extra file {rel!r} is not in the manifest (added or renamed)", rel)
    present = []
    for rel in sorted(listed):
        path = run_dir / rel
        if path.is_symlink():
            rep.add(
                Kind.FILE, f"{rel!r} is a symbolic link; evidence holds only regular files", rel
            )
        elif not path.is_file():
            rep.add(
                Kind.FILE,
                f"file {rel!r} listed in the manifest is missing (deleted or renamed)",
                rel,
            )
        else:
            present.append(rel)
    digests = hash_files([run_dir / rel for rel in present])
    views = {str(v.get("path")) for v in manifest.get("views") or []}
    rendered: dict[str, bytes] | None = None
    for rel in present:
        entry, actual = listed[rel], digests[run_dir / rel]
        if actual == entry.get("sha256") and (run_dir / rel).stat().st_size == entry.get("size"):
            continue
        if rel in views:
            if rendered is None:
                rendered = _rerender(run_dir, manifest)
            if rendered is not None and sha256_bytes(rendered.get(rel, b"")) == actual:
                rep.notes.append(
                    f"{rel} was re-rendered (golive report) and matches the signed data"
                )
                continue
            rep.add(
                Kind.FILE,
                f"{rel} was changed: it matches neither its signed digest nor "
                "a fresh rendering of the signed data",
                rel,
            )
        else:
            rep.add(Kind.FILE, f"file {rel!r} was changed after signing (sha256 differs)", rel)


def _rerender(run_dir: Path, manifest: dict[str, Any]) -> dict[str, bytes] | None:
    from golive.evidence.views import render_views

    try:
        results = json.loads((run_dir / RESULTS).read_bytes())
        return render_views(manifest, results, run_dir)
    except Exception:
        return None


def _check_link(run_dir: Path, manifest: dict[str, Any], rep: Report) -> None:
    previous = manifest.get("previous")
    if not previous:
        rep.notes.append("this run starts its chain (no previous run)")
        return
    run_id = previous.get("run_id")
    if not run_id:
        rep.notes.append(f"previous run given as chain head sha256:{previous.get('sha256')}")
        return
    prev_manifest = run_dir.parent / str(run_id) / MANIFEST
    if not prev_manifest.is_file():
        rep.notes.append(f"previous run {run_id} is not beside this one; chain link not checked")
        return
    if sha256_bytes(prev_manifest.read_bytes()) != previous.get("sha256"):
        rep.add(
            Kind.CHAIN,
            f"chain link broken: previous run {run_id} no longer has the "
            "manifest this run recorded (it was rewritten)",
        )


def verify_run(
    run_dir: Path, pubkey: Path | Ed25519PublicKey | None = None, *, check_link: bool = True
) -> Report:
    rep = Report(run_dir.name or str(run_dir))
    if not run_dir.is_dir():
        rep.add(Kind.RUN, f"{str(run_dir)!r} is not a folder")
        return rep
    if (run_dir / RUNNING).exists():
        rep.add(
            Kind.RUN,
            "incomplete run: the RUNNING marker is still there, so the run was "
            "killed (or is still going) before its evidence was finalised",
        )
    try:
        manifest_bytes = (run_dir / MANIFEST).read_bytes()
        manifest = json.loads(manifest_bytes)
        if not isinstance(manifest, dict) or manifest.get("schema") != SCHEMA:
            raise ValueError("unknown schema")
    except (OSError, ValueError) as exc:
        reason = "missing" if isinstance(exc, OSError) else "not a golive manifest"
        rep.add(Kind.RUN, f"incomplete or damaged run: manifest.json is {reason}", MANIFEST)
        return rep
    rep.manifest, rep.manifest_sha256 = manifest, sha256_bytes(manifest_bytes)
    rep.verdict = (manifest.get("verdict") or {}).get("verdict")
    if manifest.get("run_id") != run_dir.name:
        rep.add(
            Kind.RUN,
            f"folder {run_dir.name!r} holds run {manifest.get('run_id')!r} (renamed or swapped)",
        )
    key = _key(run_dir, pubkey, rep)
    try:
        if key is not None:
            _check_signature(run_dir, manifest, manifest_bytes, key, rep)
        _check_files(run_dir, manifest, rep)
        if check_link:
            _check_link(run_dir, manifest, rep)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        rep.add(Kind.RUN, f"the manifest is malformed ({type(exc).__name__}: {exc})")
    if not (manifest.get("signer") or {}).get("managed", False):
        rep.notes.append("signed with an UNMANAGED key generated for that run: integrity only")
    return rep


def verify_chain(
    reports: Path, pubkey: Path | Ed25519PublicKey | None = None, *, chain_head: str | None = None
) -> Report:
    rep = Report(f"chain {reports}")
    key = load_public_key(pubkey) if isinstance(pubkey, Path) else pubkey
    runs: dict[str, Report] = {}
    for run_dir in run_dirs(reports):
        one = verify_run(run_dir, key, check_link=False)
        rep.problems += [p.within(run_dir.name) for p in one.problems]
        if one.manifest is not None and one.manifest_sha256 is not None:
            runs[one.manifest_sha256] = one
    if not runs:
        rep.add(Kind.CHAIN, "no finished run in this folder")
        return rep
    head = chain_head.lower().removeprefix("sha256:") if chain_head else None
    followers: dict[str | None, list[Report]] = {}
    for one in runs.values():
        prev = ((one.manifest or {}).get("previous") or {}).get("sha256")
        followers.setdefault(prev, []).append(one)
    roots = [r for prev, rs in followers.items() if prev is None or prev not in runs for r in rs]
    for root in roots:
        prev = ((root.manifest or {}).get("previous") or {}).get("sha256")
        if prev is None or (head is not None and prev == head):
            continue
        rep.add(
            Kind.CHAIN,
            f"{root.subject} links to manifest sha256:{prev}, which is not in this "
            "folder: the run before it was deleted or rewritten",
        )
    if len(roots) > 1:
        rep.add(
            Kind.CHAIN,
            "the chain has "
            + str(len(roots))
            + " starts ("
            + ", ".join(r.subject for r in roots)
            + "); a run is missing",
        )
    for prev, rs in followers.items():
        if len(rs) > 1:
            rep.add(
                Kind.CHAIN,
                "runs " + ", ".join(r.subject for r in rs) + " all claim to follow "
                f"the same run (sha256:{prev}): the chain forked",
            )
    _check_order(roots, followers, rep)
    rep.notes.append(f"{len(runs)} finished run(s) checked")
    rep.notes += _sequence(roots, followers)
    return rep


def _sequence(roots: list[Report], followers: dict[str | None, list[Report]]) -> list[str]:
    """The runs in chain order with their release, phase and verdict (what an auditor reads
    to tell the RC proofs from the dry run, the cutover and hypercare)."""
    lines: list[str] = []
    for root in roots:
        current: Report | None = root
        while current is not None and len(lines) < 100_000:
            m = current.manifest or {}
            labels = [str(m[k]) for k in ("release", "phase") if m.get(k)]
            lines.append(
                f"#{m.get('sequence')} {current.subject}: {current.verdict}"
                + (f" ({', '.join(labels)})" if labels else "")
            )
            nxt = followers.get(current.manifest_sha256, [])
            current = nxt[0] if nxt else None
    return lines


def _check_order(
    roots: list[Report], followers: dict[str | None, list[Report]], rep: Report
) -> None:
    for root in roots:
        current, seen = root, 0
        while True:
            seen += 1
            nxt = followers.get(current.manifest_sha256, [])
            if not nxt or seen > 100_000:
                break
            after = nxt[0]
            m1, m2 = current.manifest or {}, after.manifest or {}
            if str(m2.get("finished_at", "")) < str(m1.get("finished_at", "")):
                rep.add(
                    Kind.CHAIN,
                    f"{after.subject} finished before {current.subject}, which it "
                    "follows: runs were reordered",
                )
            if m1.get("sequence") is not None and m2.get("sequence") != m1["sequence"] + 1:
                rep.add(
                    Kind.CHAIN,
                    f"{after.subject} has sequence {m2.get('sequence')}, expected "
                    f"{m1['sequence'] + 1}: runs were reordered or renumbered",
                )
            current = after
