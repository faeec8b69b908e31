"""canary_report.md: the go-live canary report, filled from the run's signed data.

Fields follow the closeout pack's canary report template: date, release, environment,
verdict, checks, SLOs, waivers and sign-off lines.
"""

from __future__ import annotations

import json
from typing import Any

OUTCOME_WORD = {
    "passed": "PASS",
    "failed": "FAIL",
    "error": "FAIL (error)",
    "interrupted": "INTERRUPTED",
    "skipped": "NOT RUN (skipped)",
    "xfailed": "NOT RUN (expected failure)",
    "not run": "NOT RUN",
}


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip() or "—"


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def render(core: dict[str, Any], results: dict[str, Any]) -> str:
    verdict = core["verdict"]
    target = core.get("target")
    release = core.get("release")
    if not release and isinstance(target, dict):
        release = target.get("version")
    commit = core["harness"].get("commit")
    run = f"`{core['run_id']}` (golive {core['harness']['version']}" + (
        f", commit `{commit}`)" if commit else ")"
    )
    header = [
        ["Date", f"{core['finished_at'][:10]} (run {core['started_at']} → {core['finished_at']})"],
        ["Release", release or "not recorded"],
        ["Environment", core.get("environment") or "not recorded"],
        ["Phase", core.get("phase") or "not recorded"],
        ["Target", target or "not recorded"],
        ["Run", run],
    ]
    # A table, so that every Markdown renderer shows one field per line.
    lines = ["# Canary Report", "", *_table(["Field", "Value"], header), ""]
    lines += [f"## Verdict: {verdict['verdict']}", ""]
    lines += [f"- {_cell(reason)}" for reason in verdict["reasons"]]
    if not core["signer"]["managed"]:
        lines += [
            "",
            "> **UNMANAGED signing key**: this evidence proves integrity only, "
            "not who produced it.",
        ]
    if not core["signing"]["signed"]:
        lines += ["", f"> **NOT SIGNED**: {_cell(core['signing']['reason'])}"]
    lines += ["", "## Checks", ""]
    rows = []
    for test in results["tests"]:
        name = (
            f"{test['feature']}: {test['name']}" if test["kind"] == "scenario" else test["nodeid"]
        )
        rows.append(
            [
                name,
                OUTCOME_WORD.get(test["outcome"], test["outcome"]),
                f"{test['duration_s']:.2f} s",
                test["message"] or "",
            ]
        )
    lines += _table(["Check", "Result", "Duration", "Notes"], rows) if rows else ["No check ran."]
    lines += ["", "## SLOs and gates", ""]
    gates = [
        [
            g["name"],
            g["status"],
            g["value"],
            g["target"],
            "yes" if g["critical"] else "no",
            g["reason"],
        ]
        for g in results["gates"]
    ]
    lines += (
        _table(["SLO / gate", "Status", "Measured", "Target", "Critical", "Reason"], gates)
        if gates
        else ["No SLO or gate was recorded."]
    )
    lines += ["", "## Waivers", ""]
    waivers = results.get("metadata", {}).get("waivers") or []
    if isinstance(waivers, list) and waivers and all(isinstance(w, dict) for w in waivers):
        columns = []
        for w in waivers:
            columns += [k for k in w if k not in columns]
        lines += _table(columns, [[w.get(c) for c in columns] for w in waivers])
    else:
        lines.append("No waiver was recorded for this run.")
    lines += [
        "",
        "## Evidence",
        "",
        f"- Signer: `{core['signer']['fingerprint']}`"
        + ("" if core["signer"]["managed"] else " (UNMANAGED)"),
        f"- Signed: {'yes (attestation.dsse.json)' if core['signing']['signed'] else 'NO'}",
        f"- Configuration digest: `sha256:{core['configuration']['digest']}`",
        f"- Verify: `golive verify {core['run_id']} --pubkey golive.pub`",
        "",
        "## Sign-off",
        "",
        "| Role | Name | Decision (GO / NO-GO) | Signature | Date |",
        "|---|---|---|---|---|",
    ]
    for role in (
        "Release manager",
        "Operations lead",
        "Security lead",
        "Finance lead",
        "Product owner",
    ):
        lines.append(f"| {role} | | | | |")
    return "\n".join(lines) + "\n"
