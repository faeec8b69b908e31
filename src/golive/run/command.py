"""`golive run`: bring up the stack, run a readiness suite with evidence, print the verdict."""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pytest
import typer
from rich.text import Text

from golive.config import CONFIG_DIR_ENV, LOAD_WORKERS_ENV, Config, check_label, load_config
from golive.config_target import CONFIG_ENV
from golive.errors import ConfigError, ExitCode
from golive.evidence import Verdict
from golive.evidence.manifest import PHASES
from golive.evidence.plugin import last_run
from golive.options import check_out_dir, path_value
from golive.run.console import make_console, print_verdict
from golive.run.preflight import (
    StepCheck,
    check_adapter,
    check_features,
    check_key,
    check_keyword,
    check_platform_version,
    check_postgres,
    check_target,
)
from golive.run.progress import Progress
from golive.run.suites import CHOICES, ProjectPlugin, Selection, select


def _preflight(args: list[str], plugins: list[object]) -> None:
    """Collect only: malformed features, undefined steps and bad -k expressions stop here."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        rc = pytest.main(
            [*args, "--collect-only", "-q", "-p", "no:cacheprovider", "--golive-evidence=off"],
            plugins=[StepCheck(), *plugins],
        )
    if rc == pytest.ExitCode.NO_TESTS_COLLECTED:
        raise ConfigError("no scenario or property matches this selection (check -k and --suite)")
    if rc != pytest.ExitCode.OK:
        lines = [line.strip() for line in out.getvalue().splitlines() if line.strip()]
        located = [line for line in lines if re.search(r"\.feature:\d+", line)]
        errors = located or [x for x in lines if "error" in x.lower()] or lines or ["(none)"]
        first = (errors[0] if located else errors[-1]).removeprefix("ERROR:").strip()
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"the suite cannot run as written: {first}{more}")


LABELS = ("release", "environment", "phase")  # recorded as GOLIVE_RELEASE, … (evidence)


def run_labels(cfg: Config, given: dict[str, str | None]) -> dict[str, str]:
    """The run's labels: an option wins over [run] in golive.toml, which wins over the
    GOLIVE_RELEASE, GOLIVE_ENVIRONMENT and GOLIVE_PHASE variables. Each is checked."""
    labels = {}
    for name in LABELS:
        var = f"GOLIVE_{name.upper()}"
        if given.get(name) is not None:
            labels[name] = check_label(name, str(given[name]), f"--{name}")
        elif getattr(cfg.run, name):
            labels[name] = getattr(cfg.run, name)
        elif os.environ.get(var, "").strip():
            labels[name] = check_label(name, os.environ[var], var)
    return labels


@contextlib.contextmanager
def labelled(labels: dict[str, str]) -> Iterator[None]:
    """The evidence plugin reads the labels from the environment; set them for this run."""
    names = [f"GOLIVE_{name.upper()}" for name in LABELS]
    before = {n: os.environ.get(n) for n in names}
    os.environ.update({f"GOLIVE_{k.upper()}": v for k, v in labels.items()})
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run(
    suite: str = typer.Option(
        "full",
        "--suite",
        help=f"Which suite: {', '.join(CHOICES)}. In a project folder (`golive init`) full also "
        "runs the project's features/, local only those.",
    ),
    target: str = typer.Option(
        None,
        "--target",
        help="`embedded` (the reference platform, started here) or the URL of a platform that "
        "implements docs/platform-contract.yaml (default: [target] url, else embedded).",
    ),
    config: Path = typer.Option(
        None, "--config", help="The golive.toml to use (default: ./golive.toml)."
    ),
    postgres: str = typer.Option(
        None,
        "--postgres",
        envvar="GOLIVE_POSTGRES",
        help="Postgres provider: auto (default), docker, local, pgserver, or a DSN.",
    ),
    out: Path = typer.Option(
        Path("reports"), "--out", parser=path_value, help="Folder for run folders."
    ),
    key: Path = typer.Option(
        None,
        "--key",
        parser=path_value,
        envvar="GOLIVE_SIGNING_KEY",
        help="Ed25519 private key (PEM) that signs the evidence; without one an unmanaged key "
        "is generated and the report says so.",
    ),
    seed: int = typer.Option(
        None, "--seed", help="Seed for hypothesis and the load phase (replays a run)."
    ),
    keyword: str = typer.Option(
        None, "-k", help="Only scenarios whose names match this pytest -k expression."
    ),
    platform_version: str = typer.Option(
        "2", "--platform-version", help="App and schema version of the embedded platform."
    ),
    suite_dir: Path = typer.Option(
        None,
        "--suite-root",
        parser=path_value,
        help="Folder with features/ and conftest.py: your project (`golive init`) or golive's "
        "suite (default: golive's own). The configuration (golive.toml) "
        "and a relative --out are still found from the folder golive is started in.",
    ),
    verbose: bool = typer.Option(
        False, "-v", "--verbose", help="Also print the Given/When/Then steps of failures."
    ),
    release: str = typer.Option(
        None,
        "--release",
        help="The release candidate this run is evidence of, e.g. rc-1.4.0 (default: [run] "
        "release in golive.toml, else $GOLIVE_RELEASE).",
    ),
    environment: str = typer.Option(
        None,
        "--environment",
        help="Where the target runs, e.g. staging (default: [run] environment, else "
        "$GOLIVE_ENVIRONMENT).",
    ),
    phase: str = typer.Option(
        None,
        "--phase",
        help=f"The go-live phase: {', '.join(PHASES)} (default: [run] phase, else $GOLIVE_PHASE).",
    ),
    load_workers: int = typer.Option(
        None,
        "--load-workers",
        help="Locust worker processes for the SLO load phase: N > 1 runs a Locust master and N "
        "workers on this machine (default: [load] workers in golive.toml, 1).",
    ),
    drill_args: list[str] = typer.Option(
        None, "--drill-arg", hidden=True, help="A drill's own pytest option (golive drill)."
    ),
) -> None:
    """Run a readiness suite against the target and exit with its verdict.

    Brings up Postgres, the stub PSP and (for `--target embedded`) the reference platform
    on free loopback ports, runs the suite with the evidence plugin, prints the verdict, its
    reasons and the run folder. Exit codes: 0 GO, 1 NO-GO, 2 usage error, 3 INCONCLUSIVE.
    """
    # The caller's folder is where golive.toml and a relative --out are found, whichever
    # folder the suite lives in (the suite runs from its own root, see below).
    caller = Path.cwd()
    os.environ.setdefault(CONFIG_DIR_ENV, str(caller))
    cfg = load_config(config)  # refuses an invalid golive.toml (exit 2) before anything starts
    if config is not None:  # the run's own load_config() calls read it from here
        os.environ[CONFIG_ENV] = str(config.resolve())
    target = target or cfg.target.url or "embedded"
    # `isinstance`: the drill commands call run() as a function, leaving typer's OptionInfo
    given = {"release": release, "environment": environment, "phase": phase}
    labels = run_labels(cfg, {k: v for k, v in given.items() if isinstance(v, str)})
    chosen = select(suite, suite_dir)
    root = chosen.root
    paths = [str(p) for p in chosen.paths]
    out = check_out_dir(out)
    check_key(key)
    key_path = key.absolute() if key else None
    check_keyword(keyword)
    if isinstance(load_workers, int):
        if load_workers < 1:
            raise ConfigError(
                f"--load-workers {load_workers!r} must be at least 1 (1: one Locust process; "
                "N: a Locust master and N worker processes)"
            )
        os.environ[LOAD_WORKERS_ENV] = str(load_workers)
    if target != "embedded" and not target.startswith(("http://", "https://")):
        raise ConfigError(f"--target {target!r} is neither 'embedded' nor an http(s) URL")
    check_platform_version(platform_version, target)
    check_postgres(postgres)
    from golive.drills.restore.pgbackrest import check_engine

    drilled = drill_args if isinstance(drill_args, list) else []
    check_engine(cfg.drills.backup_engine, postgres, suite, drill_args=drilled)
    if target != "embedded" and cfg.target.adapter:  # its own API: asked through the adapter
        check_adapter(cfg.target.adapter, target.rstrip("/"))
    elif target != "embedded":
        contract = resources.files("refbank").joinpath("platform-contract.yaml").read_text()
        check_target(target.rstrip("/"), contract)
    common = [*paths, "--rootdir", str(root)]
    if (root / "pyproject.toml").is_file():  # golive's own; a project may have none
        common += ["-c", str(root / "pyproject.toml")]
    common += _confcut(chosen)
    common += ["--target", target, "--platform-version", platform_version]
    if postgres:
        common += ["--postgres", postgres]
    if keyword:
        common += ["-k", keyword]
    if isinstance(drill_args, list):  # the drill commands' typed options (golive drill)
        common += drill_args
    if seed is not None:
        common += ["--hypothesis-seed", str(seed), "--golive-seed", str(seed)]
    os.chdir(root)  # the suite runs from its root (hypothesis keeps its database there)
    check_features([Path(p) for p in paths])
    with labelled(labels):
        _run(common, chosen, out, key_path, suite, target, labels, verbose is True)


def _confcut(chosen: Selection) -> list[str]:
    """pytest skips a conftest.py above the settings' folder: when golive's suite lives
    inside the project (a virtualenv in the project folder), the project's must still load."""
    project = chosen.project.resolve() if chosen.project else None
    root = chosen.root.resolve()
    if project and project != root and root.is_relative_to(project):
        return ["--confcutdir", str(project)]
    return []


def _run(
    common: list[str],
    chosen: Selection,
    out: Path,
    key_path: Path | None,
    suite: str,
    target: str,
    labels: dict[str, str],
    verbose: bool,
) -> None:
    plugins: list[object] = [ProjectPlugin(chosen)]
    _preflight(common, plugins)

    out.mkdir(parents=True, exist_ok=True)
    args = [
        *common,
        "--tb=short",
        "-p",
        "no:cacheprovider",
        # golive (and anyio) are imported before pytest starts here: that is expected.
        "-W",
        "ignore::pytest.PytestAssertRewriteWarning",
        "--golive-evidence=on",
        "--golive-out",
        str(out),
    ]
    if key_path:
        args += ["--golive-key", str(key_path)]
    console = make_console()
    named = "".join(f" {k}={v}" for k, v in labels.items())
    console.print(Text(f"golive run suite={suite} target={target}{named} out={out}", "bold"))
    progress = Progress(console)
    try:
        rc = pytest.main(args, plugins=[progress, *plugins])
    finally:
        progress.stop()
    run_dir, verdict = last_run(progress.config) if progress.config else (None, None)
    if run_dir is None or verdict is None:
        where = f"; incomplete run folder: {run_dir}" if run_dir else ""
        console.print(
            Text(f"no verdict was recorded (pytest exit {int(rc)}): INCONCLUSIVE{where}", "red")
        )
        raise typer.Exit(int(ExitCode.INCONCLUSIVE))
    print_verdict(console, run_dir, verdict, verbose=verbose)
    raise typer.Exit(int(Verdict(verdict).exit_code))
