"""Writing the pack as a signed folder, and verifying it with every run it cites.

closeout.json        the pack's data: every cited run with its manifest sha256
closeout.md          Markdown, rendered from closeout.json
closeout.html        self-contained HTML, rendered from closeout.json
closeout.dsse.json   DSSE envelope (Ed25519): an in-toto Statement naming the three files
signer.pub           the signing public key (trust your own copy)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from golive.closeout.collect import Pack
from golive.closeout.render import to_html, to_markdown
from golive.evidence import dsse
from golive.evidence.fsutil import atomic_write, canonical_json, pretty_json, sha256_bytes
from golive.evidence.keys import SigningKey, load_public_key
from golive.evidence.manifest import MANIFEST, SIGNER_PUB
from golive.evidence.verify import Kind, Report, verify_run

DATA, MARKDOWN, HTML, ENVELOPE = (
    "closeout.json",
    "closeout.md",
    "closeout.html",
    "closeout.dsse.json",
)
PREDICATE = "urn:golive:closeout:v1"


def write_pack(pack: Pack, out: Path, key: SigningKey) -> dict[str, Any]:
    """Render, write and sign the pack in ``out``; returns the pack's data."""
    out.mkdir(parents=True, exist_ok=True)
    data = pack.to_dict()
    data["reports"] = os.path.relpath(Path(pack.reports).resolve(), out.resolve())
    files = {
        DATA: pretty_json(data),
        MARKDOWN: to_markdown(data).encode(),
        HTML: to_html(data).encode(),
    }
    for name, body in files.items():
        atomic_write(out / name, body)
    atomic_write(out / SIGNER_PUB, key.public_pem())
    statement = {
        "_type": dsse.STATEMENT_TYPE,
        "subject": [{"name": n, "digest": {"sha256": sha256_bytes(b)}} for n, b in files.items()],
        "predicateType": PREDICATE,
        "predicate": {
            "release": data["release"],
            "valid": data["valid"],
            "closed": data["closed"],
            "runs": [{"run_id": r["run_id"], "manifest_sha256": r["manifest_sha256"]}
                     for r in data["index"]],
        },
    }  # fmt: skip
    atomic_write(out / ENVELOPE, dsse.sign(canonical_json(statement), key))
    return data


def is_pack(folder: Path) -> bool:
    return (folder / DATA).is_file() or (folder / ENVELOPE).is_file()


def verify_pack(folder: Path, pubkey: Path | Ed25519PublicKey | None = None) -> Report:
    """The pack's signature and files, then every cited run: present, unaltered, valid."""
    rep = Report(f"closeout pack {folder.name or folder}")
    try:
        key = (
            load_public_key(pubkey or folder / SIGNER_PUB)
            if not isinstance(pubkey, Ed25519PublicKey)
            else pubkey
        )
        opened = dsse.verify((folder / ENVELOPE).read_bytes(), key)
    except (OSError, ValueError) as exc:
        rep.add(Kind.SIGNATURE, f"the pack's signature does not verify: {exc}")
        return rep
    if opened.statement.get("predicateType") != PREDICATE:
        rep.add(Kind.SIGNATURE, "the signed statement is not a golive closeout pack")
        return rep
    for subject in opened.statement.get("subject") or []:
        path = folder / str(subject.get("name"))
        if not path.is_file():
            rep.add(Kind.FILE, f"{subject.get('name')} is missing", str(subject.get("name")))
        elif sha256_bytes(path.read_bytes()) != (subject.get("digest") or {}).get("sha256"):
            rep.add(
                Kind.FILE,
                f"{subject.get('name')} was altered after signing",
                str(subject.get("name")),
            )
    if rep.problems:
        return rep
    data = json.loads((folder / DATA).read_bytes())
    reports = folder / str(data["reports"])
    for cited in data["index"]:
        _check_cited(reports / cited["run_id"], cited, rep)
    status = "CLOSED" if data["closed"] else ("NOT CLOSED" if data["valid"] else "NOT VALID")
    rep.notes.append(f"the pack says: {status}")
    rep.notes.append(f"{len(data['index'])} cited run(s) of release {data['release']} checked")
    return rep


def _check_cited(run_dir: Path, cited: dict[str, Any], rep: Report) -> None:
    run_id = cited["run_id"]
    if not (run_dir / MANIFEST).is_file():
        rep.add(Kind.RUN, f"cited run {run_id} is missing from {run_dir.parent}")
        return
    if sha256_bytes((run_dir / MANIFEST).read_bytes()) != cited["manifest_sha256"]:
        rep.add(Kind.RUN, f"cited run {run_id} was altered: its manifest is not the one cited")
        return
    one = verify_run(run_dir, check_link=False)
    rep.problems += [p.within(f"cited run {run_id}") for p in one.problems]
