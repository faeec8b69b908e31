"""The golive evidence pytest plugin (entry point `golive_evidence`).

Only connects pytest hooks to session.py, where the work is done. Activation:
`--golive-evidence=auto|on|off` or the ini option `golive_evidence` (default auto).
In auto mode it records only sessions that collect readiness-suite tests
(features/ through pytest-bdd, or properties/); otherwise it does nothing.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from golive.evidence.manifest import PHASES
from golive.evidence.session import EvidenceSession

MODES = ("auto", "on", "off")
_KEY = pytest.StashKey[EvidenceSession]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("golive-evidence", "golive signed evidence")
    group.addoption(
        "--golive-evidence",
        dest="golive_evidence",
        default=None,
        choices=MODES,
        help="write signed evidence: auto (readiness suite only; default), on, off",
    )
    group.addoption(
        "--golive-out",
        dest="golive_out",
        default=None,
        metavar="DIR",
        help="folder for run folders (default: reports/)",
    )
    group.addoption(
        "--golive-key",
        dest="golive_key",
        default=None,
        metavar="PATH",
        help="Ed25519 PEM private key (default: $GOLIVE_SIGNING_KEY, else an "
        "UNMANAGED key generated for this run)",
    )
    group.addoption(
        "--golive-chain-head",
        dest="golive_chain_head",
        default=os.environ.get("GOLIVE_CHAIN_HEAD") or None,
        metavar="SHA256",
        help="sha256 of the previous run's manifest.json, when it is not in the output folder "
        "(a fresh CI workspace; default: $GOLIVE_CHAIN_HEAD)",
    )
    parser.addini("golive_evidence", "write signed evidence: auto, on or off", default="auto")
    parser.addini("golive_out", "folder for evidence run folders", default="reports")


CHAIN_HEAD = re.compile(r"(sha256:)?[0-9a-f]{64}")


def _mode(config: pytest.Config) -> str:
    mode = config.option.golive_evidence or str(config.getini("golive_evidence")).strip() or "auto"
    if mode not in MODES:
        raise pytest.UsageError(
            f"golive_evidence = {mode!r} is not a mode; use one of {', '.join(MODES)}"
        )
    return mode


def _keep_hypothesis_examples() -> None:
    """schemathesis (when installed, its plugin loads) swaps Hypothesis' printer for one that
    prints nothing, for its own speed: failing examples would lose their values ("n=,"),
    which the evidence keeps and the properties replay. Put Hypothesis' own printer back."""
    core = sys.modules.get("hypothesis.core")
    if core is None:
        return
    from hypothesis.vendor import pretty

    if getattr(core, "RepresentationPrinter", None) is not pretty.RepresentationPrinter:
        core.RepresentationPrinter = pretty.RepresentationPrinter  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    _keep_hypothesis_examples()
    mode = _mode(config)
    head = config.option.golive_chain_head
    if head is not None and not CHAIN_HEAD.fullmatch(head.strip().lower()):
        raise pytest.UsageError(
            f"chain head {head!r} is not a sha256 (64 hex digits, optionally after 'sha256:'); "
            "give the previous run's manifest digest, as `golive run` prints it"
        )
    phase = os.environ.get("GOLIVE_PHASE", "").strip()
    if phase and phase not in PHASES:
        raise pytest.UsageError(
            f"GOLIVE_PHASE={phase!r} is not a phase of a go-live; use one of {', '.join(PHASES)}"
        )
    # Nothing runs with --collect-only, and xdist workers leave evidence to their controller.
    if mode == "off" or config.option.collectonly or hasattr(config, "workerinput"):
        return
    session = EvidenceSession(config, mode)
    config.stash[_KEY] = session
    config.pluginmanager.register(_Hooks(session), "golive-evidence-session")


def last_run(config: pytest.Config) -> tuple[Path | None, str | None]:
    """(run folder, verdict) of this config's evidence run, for callers of pytest.main."""
    session = config.stash.get(_KEY, None)
    if session is None or session.run_dir is None:
        return None, None
    return session.run_dir, session.result.verdict.value if session.result else None


class _Hooks:
    def __init__(self, session: EvidenceSession) -> None:
        self.s = session

    def pytest_sessionstart(self) -> None:
        self.s.sessionstart()

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        self.s.collectreport(report)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        self.s.collection_finish(session)

    def pytest_runtest_logstart(self, nodeid: str) -> None:
        self.s.runtest_logstart(nodeid)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo[None]
    ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        report = yield
        self.s.note_exception(item, call)
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.s.runtest_logreport(report)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        self.s.runtest_logfinish(nodeid)

    def pytest_keyboard_interrupt(self) -> None:
        self.s.keyboard_interrupt()

    def pytest_internalerror(self, excrepr: object) -> None:
        self.s.internalerror(str(excrepr))

    @pytest.hookimpl(trylast=True)
    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        self.s.sessionfinish(session)

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        s = self.s
        if not s.active:
            return
        tr = terminalreporter
        tr.section("golive evidence")
        if s.error is not None or s.result is None:
            tr.write_line(f"evidence could NOT be finalised: {s.error}", red=True, bold=True)
            tr.write_line(f"incomplete run folder: {s.run_dir}")
            return
        verdict = s.result.verdict.value
        colour = {"GO": {"green": True}, "NO-GO": {"red": True}}.get(verdict, {"yellow": True})
        tr.write_line(f"VERDICT: {verdict} (exit {s.result.exit_code})", bold=True, **colour)
        for reason in s.result.reasons:
            tr.write_line(f"  - {reason}")
        if s.key is not None and not s.key.managed:
            tr.write_line(
                "signed with an UNMANAGED key (generated for this run, then discarded):"
                " integrity only, not origin; set --golive-key or GOLIVE_SIGNING_KEY",
                yellow=True,
            )
        tr.write_line(f"evidence: {s.run_dir}")
        if s.run_dir is not None and (s.run_dir / "manifest.json").is_file():
            from golive.evidence.fsutil import sha256_file

            digest = sha256_file(s.run_dir / "manifest.json")
            tr.write_line(f"manifest sha256: {digest} (the next run's chain head)")
