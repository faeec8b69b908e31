"""One evidence run inside a pytest session: activation, recording, finalisation.

The pytest plugin (plugin.py) creates an `EvidenceSession` unless the mode is "off" and
forwards hooks to it. In "auto" mode it stays dormant until collection shows tests from
the readiness suite (features/ through pytest-bdd, or properties/); otherwise it does
nothing at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import pytest

import golive
from golive.errors import ConfigError, Inconclusive
from golive.evidence import recorder as recorder_mod
from golive.evidence.fsutil import canonical_json, sha256_bytes, sha256_file
from golive.evidence.manifest import create_run_dir, mask_args
from golive.evidence.recorder import Recorder
from golive.evidence.results import (
    TestRecord,
    apply_report,
    new_record,
    now,
    render_scenario,
    scenario_of,
)
from golive.evidence.verdict import VerdictResult

if TYPE_CHECKING:  # signing and rendering are imported only by sessions that record
    from golive.config import Config
    from golive.evidence.finalize import RunContext
    from golive.evidence.keys import SigningKey

READINESS_FOLDERS = ("features", "properties")
RUN_LABELS = ("release", "environment", "phase")  # from GOLIVE_RELEASE, … when set
_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _git(cwd: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(cwd), *args], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip()


def harness_identity() -> dict[str, Any]:
    source = Path(golive.__file__).resolve().parent
    commit = _git(source, "rev-parse", "HEAD")
    dirty = bool(_git(source, "status", "--porcelain", "--untracked-files=no")) if commit else None
    return {"name": "golive", "version": golive.__version__, "commit": commit, "dirty": dirty}


def project_identity(folder: Path) -> dict[str, Any]:
    """The git commit of the project folder (where golive was started, its golive.toml),
    when it is in a git repository; None when it is not or git is missing."""
    commit = _git(folder, "rev-parse", "HEAD")
    dirty = bool(_git(folder, "status", "--porcelain", "--untracked-files=no")) if commit else None
    return {"commit": commit, "dirty": dirty}


def _is_hypothesis(item: pytest.Item | None) -> bool:
    # Hypothesis marks its tests with this attribute; importing hypothesis to ask costs seconds.
    obj = getattr(item, "obj", None)
    return bool(getattr(obj, "is_hypothesis_test", False))


def _stack_setup_error(item: pytest.Item, exc: BaseException) -> bool:
    """``exc`` is the failure of a session-scoped fixture (Postgres, the stub PSP, the
    platform): the stack could not be set up, so the scenario never judged the platform.

    pytest-bdd steps ask for fixtures while the scenario runs, so this looks at every
    session-scoped fixture that failed, not only those of the test's signature."""
    manager = item.session._fixturemanager
    names = (
        getattr(manager, "_arg2node2fixturedefs", None)
        or getattr(manager, "_arg2fixturedefs", None)
        or {}
    )
    for name in list(names):
        for fixture in manager.getfixturedefs(name, item) or ():
            cached = fixture.cached_result
            failed = cached[2] if fixture.scope == "session" and cached is not None else None
            if failed is not None and any(part is exc for part in failed):
                return True
    return False


class EvidenceSession:
    """Hook implementations for one pytest session (registered by plugin.py)."""

    def __init__(self, config: pytest.Config, mode: str) -> None:
        self.config = config
        self.mode = mode
        self.active = False
        self.started_at = now()
        self.items: dict[str, pytest.Item] = {}
        self.records: dict[str, TestRecord] = {}
        self.collection_errors: list[dict[str, str]] = []
        self.config_problems: set[str] = set()
        self.interrupted: str | None = None
        self.signal_name: str | None = None
        self.result: VerdictResult | None = None
        self.error: str | None = None
        self.run_dir: Path | None = None
        self.key: SigningKey | None = None
        self.settings: Config | None = None  # golive.toml as it applies to this run
        self.recorder: Recorder | None = None
        self._old_handlers: dict[int, Any] = {}

    # activation ----------------------------------------------------------------------------
    def _is_readiness(self, path: Path, item: pytest.Item | None = None) -> bool:
        root = self.config.rootpath
        paths = [path]
        template = scenario_of(item) if item is not None else None
        if template is not None:
            paths.append(Path(template.feature.filename))
        for p in paths:
            try:
                rel = p.resolve().relative_to(root.resolve())
            except ValueError:
                continue
            if rel.parts and rel.parts[0] in READINESS_FOLDERS:
                return True
        return False

    def activate(self) -> None:
        from golive.config import CONFIG_DIR_ENV, load_config
        from golive.evidence.keys import resolve_signing_key

        opt = self.config.option
        try:
            self.key = resolve_signing_key(opt.golive_key)
            self.settings = load_config()
        except ConfigError as exc:  # a usage error (pytest exit 4), not a harness crash
            raise pytest.UsageError(str(exc)) from None
        out = Path(opt.golive_out or self.config.getini("golive_out") or "reports")
        self.reports_dir = out if out.is_absolute() else self.config.invocation_params.dir / out
        self.run_dir = create_run_dir(self.reports_dir)
        self.recorder = Recorder(self.run_dir)
        self.recorder.redactor.register_environment()
        for arg in self.config.invocation_params.args:  # --postgres DSN and the like
            self.recorder.redactor.register_dsn(str(arg))
        for name in RUN_LABELS:  # what the run is evidence of, set by CI or `golive runbook`
            value = os.environ.get(f"GOLIVE_{name.upper()}", "").strip()
            if value:
                self.recorder.metadata[name] = value
        project = os.environ.get(CONFIG_DIR_ENV) or self.config.invocation_params.dir
        self.recorder.metadata["project"] = project_identity(Path(project))
        recorder_mod.activate(self.recorder)
        self.active = True
        self._wire_reporters()
        self._install_signals()

    def _wire_reporters(self) -> None:
        """Point junitxml, pytest-bdd's cucumber JSON and allure-pytest-bdd into the bundle."""
        assert self.run_dir is not None
        config, opt = self.config, self.config.option
        if not getattr(opt, "xmlpath", None):
            from _pytest import junitxml

            opt.xmlpath = str(self.run_dir / "junit.xml")
            junitxml.pytest_configure(config)
            xml = config.stash.get(junitxml.xml_key, None)
            if xml is not None:
                xml.pytest_sessionstart()
        if config.pluginmanager.hasplugin("pytest-bdd") and not getattr(
            opt, "cucumber_json_path", None
        ):
            from pytest_bdd import cucumber_json

            opt.cucumber_json_path = str(self.run_dir / "cucumber.json")
            cucumber_json.configure(config)
            getattr(config, "_bddcucumberjson").pytest_sessionstart()  # noqa: B009
        if (
            config.pluginmanager.hasplugin("allure_pytest_bdd")
            and not config.pluginmanager.hasplugin("allure_pytest")
            and not getattr(opt, "allure_report_dir", None)
        ):
            from allure_pytest_bdd import plugin as allure_plugin

            opt.allure_report_dir = str(self.run_dir / "allure-results")
            allure_plugin.pytest_configure(config)

    def _install_signals(self) -> None:
        def on_signal(signum: int, frame: FrameType | None) -> None:
            self.signal_name = signal.Signals(signum).name
            raise KeyboardInterrupt(self.signal_name)

        try:
            for sig in _SIGNALS:
                self._old_handlers[sig] = signal.signal(sig, on_signal)
        except ValueError:  # not the main thread: pytest's own SIGINT handling still applies
            self._old_handlers.clear()

    def _restore_signals(self, *, ignore: bool) -> None:
        for sig, old in self._old_handlers.items():
            signal.signal(sig, signal.SIG_IGN if ignore else old)

    # hooks (forwarded by plugin.py) -------------------------------------------------------
    def sessionstart(self) -> None:
        self.started_at = now()
        if self.mode == "on":
            self.activate()

    def collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            self.collection_errors.append(
                {"nodeid": report.nodeid or ".", "message": str(report.longrepr)[-4000:]}
            )

    def collection_finish(self, session: pytest.Session) -> None:
        self.items = {item.nodeid: item for item in session.items}
        if self.mode == "auto" and not self.active:
            hits = [i for i in session.items if self._is_readiness(i.path, i)]
            errors = [
                e
                for e in self.collection_errors
                if self._is_readiness(self.config.rootpath / e["nodeid"].split("::")[0])
            ]
            if hits or errors:
                self.activate()
        if self.active and self.recorder is not None:
            redactor = self.recorder.redactor
            for error in self.collection_errors:
                error["message"] = redactor.redact_text(error["message"])

    def runtest_logstart(self, nodeid: str) -> None:
        if not self.active or self.recorder is None:
            return
        item = self.items.get(nodeid)
        if nodeid not in self.records and item is not None:
            self.records[nodeid] = new_record(item, self.config.rootpath)
        if nodeid in self.records:
            self.records[nodeid].started_at = now()
        self.recorder.current_test = nodeid

    def note_exception(self, item: pytest.Item, call: pytest.CallInfo[None]) -> None:
        if not self.active or call.excinfo is None:
            return
        if call.excinfo.errisinstance((ConfigError, Inconclusive)) or _stack_setup_error(
            item, call.excinfo.value
        ):
            self.config_problems.add(f"{item.nodeid}::{call.when}")

    def runtest_logreport(self, report: pytest.TestReport) -> None:
        if not self.active or self.recorder is None or report.nodeid not in self.records:
            return
        record = self.records[report.nodeid]
        problem = f"{report.nodeid}::{report.when}" in self.config_problems
        sections = apply_report(record, report, self.recorder.redactor, config_problem=problem)
        if record.kind == "scenario" and report.when == "call":
            render_scenario(record, self.items.get(report.nodeid))
        if report.failed and (sections or _is_hypothesis(self.items.get(report.nodeid))):
            text = "\n\n".join(
                [
                    f"Failing Hypothesis example of {report.nodeid}",
                    f"seed: {self._seeds()['hypothesis']}",
                    sections or "",
                    record.detail,
                ]
            )
            path = self.recorder.attach(report.nodeid, text, "text", folder="hypothesis")
            if path is not None and self.run_dir is not None:
                record.hypothesis = path.relative_to(self.run_dir).as_posix()

    def runtest_logfinish(self, nodeid: str) -> None:
        if self.active and self.recorder is not None:
            if nodeid in self.records:
                self.records[nodeid].finished_at = now()
            self.recorder.current_test = None

    def keyboard_interrupt(self) -> None:
        if self.active:
            where = self.recorder.current_test if self.recorder else None
            cause = f"interrupted by {self.signal_name or 'SIGINT (KeyboardInterrupt)'}"
            self.interrupted = cause + (f" while running {where}" if where else "")

    def internalerror(self, text: str) -> None:
        if self.active:
            self.interrupted = f"the harness crashed (pytest internal error): {text[-300:]}"

    def sessionfinish(self, session: pytest.Session) -> None:
        if not self.active or self.recorder is None or self.key is None or self.run_dir is None:
            return
        self._restore_signals(ignore=True)  # finalising must not be cut short by a 2nd Ctrl-C
        try:
            status = int(session.exitstatus)
            if self.interrupted is None and status == int(pytest.ExitCode.INTERRUPTED):
                self.interrupted = "pytest stopped the session early"
                if self.collection_errors:
                    self.interrupted += f" ({len(self.collection_errors)} collection error(s))"
            elif self.interrupted is None and status == int(pytest.ExitCode.INTERNAL_ERROR):
                self.interrupted = "the harness crashed (pytest internal error)"
            from golive.evidence.finalize import finalize

            self.result = finalize(self._context())
            session.exitstatus = self.result.exit_code
        except Exception as exc:  # leave RUNNING in place: verify will call it incomplete
            self.error = f"{type(exc).__name__}: {exc}"
            session.exitstatus = int(pytest.ExitCode.INTERNAL_ERROR)
        finally:
            self._restore_signals(ignore=False)
            recorder_mod.deactivate(self.recorder)

    def _context(self) -> RunContext:
        from golive.evidence.finalize import RunContext

        assert self.recorder is not None
        assert self.key is not None
        assert self.run_dir is not None
        inputs: dict[str, str] = {}
        root = self.config.rootpath
        for record in self.records.values():
            item = self.items.get(record.nodeid)
            paths = [item.path] if item is not None else []
            if record.feature_file:
                paths.append(root / record.feature_file)
            for path in paths:
                try:
                    name = path.resolve().relative_to(root.resolve()).as_posix()
                except ValueError:
                    name = path.as_posix()
                if name not in inputs and path.is_file():
                    inputs[name] = sha256_file(path)
        return RunContext(
            run_dir=self.run_dir,
            reports_dir=self.reports_dir,
            key=self.key,
            recorder=self.recorder,
            started_at=self.started_at,
            harness=harness_identity(),
            configuration=self._configuration(),
            inputs=[{"name": k, "sha256": v} for k, v in sorted(inputs.items())],
            seeds=self._seeds(),
            chain_head=self.config.option.golive_chain_head,
            # every collected test, so the outputs also list what never started
            records=[self.records.get(n) or new_record(i, root) for n, i in self.items.items()],
            collection_errors=self.collection_errors,
            interrupted=self.interrupted,
        )

    def _configuration(self) -> dict[str, Any]:
        assert self.recorder is not None
        assert self.key is not None
        plugins = sorted(
            {
                f"{dist.project_name}=={dist.version}"
                for _, dist in self.config.pluginmanager.list_plugin_distinfo()
            }
        )
        redact = self.recorder.redactor.redact_text
        items = {
            "args": mask_args(self.config.invocation_params.args, self.recorder.redactor),
            "mode": self.mode,
            "signing_key_source": self.key.source,
            "chain_head": self.config.option.golive_chain_head,
            "pytest": pytest.__version__,
            "plugins": plugins,
            "golive_env": sorted(k for k in os.environ if k.startswith("GOLIVE_")),
        }
        if self.settings is not None:  # the targets the verdict is judged against
            values = self.recorder.redactor.redact_json(self.settings.settings())
            items["settings"] = {  # the digest of what is recorded, so anyone can check it
                "source": redact(self.settings.source),
                "values": values,
                "digest": hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest(),
            }
        return {**items, "digest": sha256_bytes(canonical_json(items))}

    def _seeds(self) -> dict[str, Any]:
        seed = getattr(self.config.option, "hypothesis_seed", None)
        seeds: dict[str, Any] = {"hypothesis": seed if seed is not None else "random per test"}
        if os.environ.get("PYTHONHASHSEED"):
            seeds["PYTHONHASHSEED"] = os.environ["PYTHONHASHSEED"]
        return seeds
