"""The pack as Markdown and as one self-contained HTML page, both from the pack's data."""

from __future__ import annotations

from typing import Any

import jinja2

SECTIONS = (
    "1. Status Summary",
    "2. Artifact & Evidence Index",
    "3. Open Risks & Waivers",
    "4. SLO/SLI Targets",
    "5. First 14 Days Action Plan",
    "6. Formal Closure Statement",
)


def state(data: dict[str, Any]) -> str:
    if not data["valid"]:
        return "NOT VALID"
    return "CLOSED" if data["closed"] else "NOT CLOSED"


def _cell(value: object) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def _table(head: list[str], rows: list[list[object]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out if rows else [*out, "| " + " | ".join(["—"] * len(head)) + " |"]


def _measured(cell: dict[str, Any] | None) -> str:
    if not cell:
        return "not measured"
    return f"{cell.get('value') or '—'} ({cell.get('status')})"


def to_markdown(data: dict[str, Any]) -> str:
    s = SECTIONS
    lines = [
        f"# Executive Closeout Pack — release {data['release']}",
        "",
        "| | |",
        "|---|---|",
        f"| **Generated** | {data['generated_at']} |",
        f"| **Release** | {_cell(data['release'])} |",
        f"| **Status** | {state(data)} |",
        f"| **Runs cited** | {len(data['index'])} |",
        "",
    ]
    if data["chain_problems"]:
        lines += ["**The chain of runs does not verify:**", ""]
        lines += [f"- {p}" for p in data["chain_problems"]] + [""]
    lines += [f"## {s[0]}", ""]
    lines += _table(
        ["Phase", "Status", "Backed by"],
        [
            [p["phase"], p["status"],
             ", ".join(f"{r['run_id']} ({r['verdict']})" for r in p["runs"]) or "no run"]
            for p in data["phases"]
        ],
    )  # fmt: skip
    lines += ["", f"## {s[1]}", ""]
    lines += _table(
        ["Run", "Phase", "Verdict", "Finished", "Manifest sha256", "Signer"],
        [
            [r["run_id"], r["phase"] or "—", r["verdict"], r["finished_at"],
             r["manifest_sha256"], f"{r['signer']}{'' if r['managed'] else ' (unmanaged)'}"]
            for r in data["index"]
        ],
    )  # fmt: skip
    lines += ["", f"## {s[2]}", ""]
    lines += _table(
        ["Finding", "Risk", "Owner", "Deadline", "Days left", "Mitigation"],
        [
            [w["finding"], w["risk"], w["owner"], w["deadline"],
             "**EXPIRED**" if w["expired"] else w["days_left"], w["mitigation"]]
            for w in data["waivers"]
        ],
    )  # fmt: skip
    lines += ["", f"## {s[3]}", ""]
    lines += _table(
        ["SLO / gate", "Target", "Cutover", "Hypercare"],
        [
            [r["gate"], r.get("target"), _measured(r.get("cutover")),
             _measured(r.get("hypercare"))]
            for r in data["slos"]
        ],
    )  # fmt: skip
    lines += ["", f"## {s[4]}", ""]
    lines += _table(
        ["Action item", "Owner", "Deadline", "Acceptance criteria", "Urgency"],
        [[a["action"], a["owner"], a["deadline"], a["acceptance"], a["urgency"]]
         for a in data["actions"]],
    )  # fmt: skip
    lines += ["", f"## {s[5]}", ""]
    if data["closure_statement"]:
        lines.append(f'**"{data["closure_statement"]}"**')
    else:
        lines += ["**Closure is blocked:**", ""] + [f"- {b}" for b in data["blockers"]]
    return "\n".join(lines) + "\n"


_HTML = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>Executive Closeout Pack — {{ d.release }}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:72em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}
th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#f3f3f3} .bad{background:#fde2e2;color:#900;font-weight:bold}
.good{background:#e3f6e3} code{font-size:12px;word-break:break-all}
.state{font-size:1.3em;font-weight:bold}
</style></head><body>
<h1>Executive Closeout Pack — release {{ d.release }}</h1>
<p>Generated {{ d.generated_at }} from {{ d.index|length }} signed run(s).
<span class="state {{ 'good' if d.closed else 'bad' }}">{{ state }}</span></p>
{% if d.chain_problems %}<p class="bad">The chain of runs does not verify:</p><ul>
{% for p in d.chain_problems %}<li>{{ p }}</li>{% endfor %}</ul>{% endif %}
<h2>{{ s[0] }}</h2>
<table><tr><th>Phase</th><th>Status</th><th>Backed by</th></tr>
{% for p in d.phases %}<tr><td>{{ p.phase }}</td>
<td class="{{ 'good' if p.status == 'GO' else 'bad' }}">{{ p.status }}</td>
<td>{% for r in p.runs %}{{ r.run_id }} ({{ r.verdict }}){% if not loop.last %}, {% endif %}
{% else %}no run{% endfor %}</td></tr>{% endfor %}</table>
<h2>{{ s[1] }}</h2>
<table><tr><th>Run</th><th>Phase</th><th>Verdict</th><th>Finished</th>
<th>Manifest sha256</th><th>Signer</th></tr>
{% for r in d.index %}<tr{% if r.problems %} class="bad"{% endif %}><td>{{ r.run_id }}</td>
<td>{{ r.phase or '—' }}</td><td>{{ r.verdict }}</td><td>{{ r.finished_at }}</td>
<td><code>{{ r.manifest_sha256 }}</code></td>
<td><code>{{ r.signer }}</code>{% if not r.managed %} (unmanaged){% endif %}</td></tr>
{% endfor %}</table>
<h2>{{ s[2] }}</h2>
<table><tr><th>Finding</th><th>Risk</th><th>Owner</th><th>Deadline</th><th>Days left</th>
<th>Mitigation</th></tr>
{% for w in d.waivers %}<tr{% if w.expired %} class="bad"{% endif %}><td>{{ w.finding }}</td>
<td>{{ w.risk }}</td><td>{{ w.owner }}</td><td>{{ w.deadline }}</td>
<td>{{ 'EXPIRED' if w.expired else w.days_left }}</td><td>{{ w.mitigation }}</td></tr>
{% else %}<tr><td colspan="6">no open waiver</td></tr>{% endfor %}</table>
<h2>{{ s[3] }}</h2>
<table><tr><th>SLO / gate</th><th>Target</th><th>Cutover</th><th>Hypercare</th></tr>
{% for r in d.slos %}<tr><td>{{ r.gate }}</td><td>{{ r.target }}</td>
{% for ph in ('cutover', 'hypercare') %}{% set c = r.get(ph) %}
<td class="{{ 'good' if c and c.status == 'PASS' else 'bad' }}">
{{ (c.value or '—') ~ ' (' ~ c.status ~ ')' if c else 'not measured' }}</td>{% endfor %}</tr>
{% endfor %}</table>
<h2>{{ s[4] }}</h2>
<table><tr><th>Action item</th><th>Owner</th><th>Deadline</th><th>Acceptance criteria</th>
<th>Urgency</th></tr>
{% for a in d.actions %}<tr><td>{{ a.action }}</td><td>{{ a.owner }}</td><td>{{ a.deadline }}</td>
<td>{{ a.acceptance }}</td><td>{{ a.urgency }}</td></tr>
{% else %}<tr><td colspan="5">nothing open</td></tr>{% endfor %}</table>
<h2>{{ s[5] }}</h2>
{% if d.closure_statement %}<p class="good"><strong>"{{ d.closure_statement }}"</strong></p>
{% else %}<p class="bad">Closure is blocked:</p><ul>
{% for b in d.blockers %}<li>{{ b }}</li>{% endfor %}</ul>{% endif %}
</body></html>
"""
)


def to_html(data: dict[str, Any]) -> str:
    return _HTML.render(d=data, s=SECTIONS, state=state(data))
