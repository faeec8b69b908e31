"""report.html: one self-contained page (inline CSS and SVG, no script, no external request).

A Content-Security-Policy meta tag forbids every fetch except inline styles and data:
images, so even a hostile string in the data cannot make the page call out.
"""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files
from typing import Any

from jinja2 import Environment, StrictUndefined, Template
from markupsafe import Markup

BANNER = {
    "GO": ("go", "GO: the release candidate proved ready"),
    "NO-GO": ("nogo", "NO-GO: do not go live"),
    "INCONCLUSIVE": ("unsure", "INCONCLUSIVE: readiness was not proved"),
    "ABORTED": ("aborted", "ABORTED: the run did not finish"),
}


@lru_cache(maxsize=1)
def _template() -> Template:
    source = files("golive.evidence").joinpath("report.html.j2").read_text("utf-8")
    return _env().from_string(source)


def _env() -> Environment:
    env = Environment(
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["dur"] = lambda s: "" if s is None else f"{float(s):.2f} s"
    return env


def _features(results: dict[str, Any]) -> list[tuple[str, list[dict[str, Any]]]]:
    grouped: dict[str, list[dict[str, Any]]] = {}
    for test in results["tests"]:
        if test["kind"] == "scenario":
            grouped.setdefault(test["feature"] or "(feature)", []).append(test)
    return list(grouped.items())


def render(
    core: dict[str, Any],
    results: dict[str, Any],
    *,
    plots: dict[str, str],
    images: dict[str, str],
    previews: dict[str, str],
) -> str:
    template = _template()
    verdict = core["verdict"]["verdict"]
    css_class, headline = BANNER[verdict]
    attachments = {a["path"]: a for a in results.get("attachments", [])}
    return template.render(
        core=core,
        results=results,
        verdict=verdict,
        verdict_class=css_class,
        headline=headline,
        features=_features(results),
        others=[t for t in results["tests"] if t["kind"] != "scenario"],
        meta_rows=sorted(results.get("metadata", {}).items()),
        plots={k: Markup(v) for k, v in plots.items() if v},
        images=images,
        previews=previews,
        attachments=attachments,
        loose_attachments=[a for a in results.get("attachments", []) if not a.get("test")],
    )
