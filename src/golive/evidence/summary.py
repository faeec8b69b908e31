"""A short Markdown summary of a run folder, for terminals, CI logs and chat."""

from __future__ import annotations

from pathlib import Path

from golive.evidence.verify import verify_run


def summarize(run_dir: Path) -> str:
    rep = verify_run(run_dir)
    manifest = rep.manifest
    if manifest is None:
        return (
            f"**golive run `{run_dir.name}`: INCOMPLETE**\n\n"
            + "\n".join(f"- {p}" for p in rep.problems)
            + "\n"
        )
    verdict = manifest["verdict"]
    counts = manifest.get("counts", {})
    lines = [
        f"**golive run `{manifest['run_id']}`: {verdict['verdict']}** "
        f"(exit {verdict['exit_code']})",
        "",
    ]
    lines += [f"- {reason}" for reason in verdict["reasons"]]
    shown = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()) if k != "total")
    lines += ["", f"Tests: {counts.get('total', 0)} ({shown or 'none'})"]
    lines.append(
        f"Target: {manifest.get('target') or 'not recorded'}; release: "
        f"{manifest.get('release') or 'not recorded'}"
    )
    signer = manifest.get("signer", {})
    managed = "" if signer.get("managed") else " — UNMANAGED key: integrity only"
    lines.append(f"Signer: `{signer.get('fingerprint')}`{managed}")
    integrity = "intact" if rep.ok else "NOT VALID: " + "; ".join(map(str, rep.problems))
    lines.append(
        f"Evidence: {integrity} (checked with the key in the bundle; "
        f"`golive verify {run_dir} --pubkey KEY` to check origin)"
    )
    return "\n".join(lines) + "\n"
