"""Every option of every command, given a wrong value: exit 2, no traceback, nothing written.

The options come from the typer/click command tree, so a new option without a probe here
fails `test_every_option_has_a_probe`. Each probe runs in a fresh temporary folder and the
folder's tree is compared before and after. The probes run in this process (fast); a
probe that would start a server or a suite is stopped by its timeout and fails.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer

from golive import cli

# Placeholders in probe arguments, made in the temporary folder before each probe.
FILE = "{file}"  # an existing file that is not what the option wants
MISSING = "{missing}"  # a path that does not exist
DIR = "{dir}"  # an existing, empty folder
ENV = "{env}"  # a valid environment file (for options other than --env-file)
BUSY = "{busy_port}"  # a loopback port something already listens on
LEDGER = "{ledger}"  # a valid (empty) ledger-lines CSV
RUNBOOK = "{runbook}"  # a valid runbook with one manual step, "freeze"
BAD_PORT_DSN = "postgresql://golive@127.0.0.1:abc/postgres"
DEAD_DSN = "postgresql://golive@127.0.0.1:9/postgres"
PSP = "http://127.0.0.1:9"  # a well-formed URL nothing answers at
# `golive platform seed-balance` with every value right (a later one of a probe wins)
SEED = ["--state", DIR, "--account", "0b7c5a4e-9a52-4d1e-8f3e-2f0a3c4d5e6f", "--amount", "1",
        "--currency", "EUR"]  # fmt: skip
# golive.toml files with one wrong SLO or load value each: placeholder -> (file, content)
BAD_TOML = {
    "{confidence}": ("confidence.toml", "[slo]\nconfidence = 1.5\n"),
    "{certainty}": ("certainty.toml", "[slo]\navailability = 1.0\n"),  # 100 %: unprovable
    "{max_seconds}": ("max-seconds.toml", "[load]\nmax_seconds = 0\n"),
}

# (command, option) -> argument lists, each with exactly one wrong value. Flags (options
# that take no value) get `--flag=x` automatically.
PROBES: dict[tuple[str, str], list[list[str]]] = {
    ("run", "--suite"): [
        ["--suite", "nightly"],
        ["--suite", "local"],  # no features/ here: the folder and `golive init` are named
        ["--suite", "local", "--suite-root", DIR],
    ],
    ("run", "--target"): [["--target", "ftp://x"], ["--target", "staging"]],
    ("run", "--postgres"): [
        ["--postgres", BAD_PORT_DSN],
        ["--postgres", DEAD_DSN],
        ["--postgres", "nosuch"],
    ],
    ("run", "--out"): [["--out", ""], ["--out", f"{FILE}/sub"], ["--out", FILE]],
    ("run", "--key"): [["--key", MISSING], ["--key", FILE], ["--key", ""]],
    ("run", "--seed"): [["--seed", "abc"]],
    ("run", "-k"): [["-k", "("]],
    ("run", "--platform-version"): [["--platform-version", "99"]],
    ("run", "--suite-root"): [["--suite-root", MISSING], ["--suite-root", DIR]],
    ("run", "--release"): [["--release", ""], ["--release", "rc-1\nrc-2"]],
    ("run", "--environment"): [["--environment", " "], ["--environment", "x" * 101]],
    ("run", "--phase"): [["--phase", "launch"], ["--phase", ""]],
    ("run", "--load-workers"): [["--load-workers", "0"], ["--load-workers", "-2"]],
    ("verify", "run_dir"): [[MISSING], [FILE]],
    ("verify", "--chain"): [["--chain", MISSING]],
    ("verify", "--pubkey"): [[DIR, "--pubkey", FILE], [DIR, "--pubkey", MISSING]],
    ("verify", "--chain-head"): [["--chain", DIR, "--chain-head", "xyz"]],
    ("report", "run_dir"): [[MISSING], [FILE], []],
    ("postgres build-image", "--tag"): [["--tag", "Bad Tag!"]],
    ("postgres build-image", "--from"): [["--from", "bogus"]],
    ("postgres probe", "--postgres"): [["--postgres", "nosuch"], ["--postgres", BAD_PORT_DSN]],
    ("postgres cleanup", "--run"): [["--run", "not-a-run-id"]],
    ("env check", "--profile"): [["--profile", "nosuch", "--env-file", ENV], ["--env-file", ENV]],
    ("env check", "--env-file"): [
        ["--profile", "production", "--env-file", MISSING],
        ["--profile", "production"],
    ],
    ("env check", "--waivers"): [
        ["--profile", "production", "--env-file", ENV, "--waivers", MISSING]
    ],
    ("env check", "--now"): [["--profile", "production", "--env-file", ENV, "--now", "bogus"]],
    ("env check", "--config"): [
        ["--profile", "production", "--env-file", ENV, "--config", MISSING]
    ],
    ("ops stuck-jobs", "--target"): [["--target", "ftp://x"], ["--target", "http://127.0.0.1:9"]],
    ("ops stuck-jobs", "--dsn"): [["--dsn", BAD_PORT_DSN], ["--dsn", DEAD_DSN]],
    ("ops stuck-jobs", "--now"): [["--target", "http://127.0.0.1:9", "--now", "bogus"]],
    ("ops stuck-jobs", "--since"): [["--target", "http://127.0.0.1:9", "--since", "bogus"]],
    ("ops stuck-jobs", "--config"): [["--target", "http://127.0.0.1:9", "--config", MISSING]],
    ("ops reconcile", "--date"): [["--date", "bogus"]],
    ("ops reconcile", "--from"): [["--from", "bogus", "--to", "2026-01-02T00:00:00Z"]],
    ("ops reconcile", "--to"): [["--from", "2026-01-01T00:00:00Z", "--to", "bogus"]],
    ("ops reconcile", "--target"): [["--date", "2026-01-01", "--target", "ftp://x"]],
    ("ops reconcile", "--ledger"): [["--date", "2026-01-01", "--ledger", MISSING, "--psp", PSP]],
    ("ops reconcile", "--psp"): [["--date", "2026-01-01", "--psp", "ftp://x"]],
    ("ops reconcile", "--stripe-report"): [
        ["--date", "2026-01-01", "--ledger", LEDGER, "--stripe-report", MISSING]
    ],
    ("ops reconcile", "--adyen-report"): [
        ["--date", "2026-01-01", "--ledger", LEDGER, "--adyen-report", MISSING]
    ],
    ("ops reconcile", "--out"): [["--date", "2026-01-01", "--out", f"{FILE}/sub"]],
    ("ops reconcile", "--save-inputs"): [["--date", "2026-01-01", "--save-inputs", f"{FILE}/x"]],
    ("ops reconcile", "--config"): [
        ["--date", "2026-01-01", "--target", "http://127.0.0.1:9", "--config", MISSING]
    ],
    ("psp serve", "--port"): [["--port", "abc"], ["--port", "70000"], ["--port", BUSY]],
    ("psp serve", "--host"): [["--host", "not a host"], ["--host", "8.8.8.8"]],
    ("psp serve", "--speed"): [["--speed", "abc"], ["--speed", "-1"]],
    ("psp serve", "--stripe-webhook-url"): [["--stripe-webhook-url", "ftp://x"]],
    ("psp serve", "--stripe-webhook-secret"): [["--stripe-webhook-secret", ""]],
    ("psp serve", "--adyen-webhook-url"): [["--adyen-webhook-url", "http://10.1.2.3/hook"]],
    ("psp serve", "--adyen-hmac-key"): [["--adyen-hmac-key", "zz"]],
    ("psp serve", "--stripe-api-key"): [["--stripe-api-key", "sk_live_x"]],
    ("psp serve", "--adyen-api-key"): [["--adyen-api-key", ""]],
    ("psp serve", "--secrets-out"): [
        ["--secrets-out", f"{FILE}/sub"],
        ["--secrets-out", DIR],
        ["--secrets-out", f"{MISSING}/secrets.json"],
    ],
    ("psp serve", "--seed"): [["--seed", "abc"]],
    ("psp serve", "--delivery-timeout"): [["--delivery-timeout", "-1"]],
    ("keys generate", "--out"): [["--out", ""], ["--out", FILE], ["--out", f"{FILE}/sub"], []],
    ("drill rollback", "--from"): [["--from", "99"]],
    ("drill rollback", "--to"): [["--to", "99"]],
    ("drill rollback", "--schema"): [["--schema", "99"]],
    ("drill rollback", "--database"): [["--database", BAD_PORT_DSN]],
    ("drill rollback", "--postgres"): [["--postgres", BAD_PORT_DSN]],
    ("drill rollback", "--out"): [["--out", ""]],
    ("drill rollback", "--key"): [["--key", MISSING]],
    ("drill rollback", "-k"): [["-k", "("]],
    ("drill rollback", "--suite-root"): [["--suite-root", MISSING]],
    ("drill restore", "--dump"): [["--dump", MISSING]],
    ("drill restore", "--basebackup"): [["--basebackup", FILE]],
    ("drill restore", "--wal-archive"): [["--dump", FILE, "--wal-archive", MISSING]],
    ("drill restore", "--postgres"): [["--dump", FILE, "--postgres", BAD_PORT_DSN]],
    ("drill restore", "--app-version"): [["--dump", FILE, "--app-version", "99"]],
    ("drill restore", "--out"): [["--dump", FILE, "--out", ""]],
    ("drill restore", "--key"): [["--dump", FILE, "--key", MISSING]],
    ("drill restore", "--suite-root"): [["--dump", FILE, "--suite-root", MISSING]],
    ("drill restore", "--pgbackrest-config"): [["--pgbackrest-config", MISSING, "--stanza", "x"]],
    ("drill restore", "--stanza"): [["--dump", FILE, "--stanza", "x"]],
    ("drill restore", "--target-time"): [
        ["--pgbackrest-config", FILE, "--stanza", "x", "--target-time", "yesterday"]
    ],
    ("run", "--config"): [["--config", MISSING], ["--config", FILE]]
    + [["--config", bad] for bad in BAD_TOML],
    ("run", "--drill-arg"): [["--suite", "rollback", "--drill-arg", "--no-such-drill-option=1"]],
    ("steps", "--format"): [["--format", "yaml"]],
    ("steps", "--suite-root"): [["--suite-root", MISSING], ["--suite-root", DIR]],
    ("init", "folder"): [[FILE], [f"{FILE}/sub"], [""], ["."]],  # .: runbook.toml is there
    ("promises", "--suite-root"): [["--suite-root", MISSING], ["--suite-root", DIR]],
    ("closeout", "reports"): [[MISSING, "--release", "rc-1"], [FILE, "--release", "rc-1"]],
    ("closeout", "--release"): [[DIR, "--release", ""], [DIR, "--release", "rc-1"]],
    ("closeout", "--waivers"): [[DIR, "--release", "rc-1", "--waivers", MISSING]],
    ("closeout", "--out"): [[DIR, "--release", "rc-1", "--out", ""]],
    ("closeout", "--key"): [[DIR, "--release", "rc-1", "--key", MISSING]],
    ("runbook run", "runbook"): [[MISSING], [FILE]],
    ("runbook run", "--release"): [[RUNBOOK, "--release", ""]],
    ("runbook run", "--reports"): [[RUNBOOK, "--reports", ""]],
    ("runbook run", "--key"): [[RUNBOOK, "--non-interactive", "--key", MISSING]],
    ("runbook run", "--confirmations"): [
        [RUNBOOK, "--non-interactive", "--confirmations", FILE],
        [RUNBOOK, "--confirmations", FILE],
    ],
    ("runbook run", "--target"): [[RUNBOOK, "--target", "ftp://x"]],
    ("runbook run", "--postgres"): [[RUNBOOK, "--postgres", BAD_PORT_DSN]],
    ("runbook resume", "--reports"): [["--reports", MISSING], ["--reports", DIR]],
    ("runbook resume", "--key"): [["--reports", DIR, "--key", MISSING]],
    ("runbook resume", "--confirmations"): [["--reports", DIR, "--confirmations", FILE]],
    ("runbook resume", "--target"): [["--reports", DIR, "--target", "ftp://x"]],
    ("runbook resume", "--postgres"): [["--reports", DIR, "--postgres", BAD_PORT_DSN]],
    ("runbook confirm", "runbook"): [
        [MISSING, "--step", "freeze", "--actor", "Ada", "--key", FILE, "--file", "c.json"]
    ],
    ("runbook confirm", "--step"): [
        [RUNBOOK, "--step", "deploy", "--actor", "Ada", "--key", FILE, "--file", "c.json"]
    ],
    ("runbook confirm", "--actor"): [
        [RUNBOOK, "--step", "freeze", "--actor", " ", "--key", FILE, "--file", "c.json"]
    ],
    ("runbook confirm", "--note"): [
        [
            RUNBOOK,
            "--step",
            "freeze",
            "--actor",
            "Ada",
            "--note",
            "a\nb",
            "--key",
            FILE,
            "--file",
            "c",
        ]
    ],
    ("runbook confirm", "--key"): [
        [RUNBOOK, "--step", "freeze", "--actor", "Ada", "--key", FILE, "--file", "c.json"]
    ],
    ("runbook confirm", "--file"): [
        [RUNBOOK, "--step", "freeze", "--actor", "Ada", "--key", FILE, "--file", FILE]
    ],
    ("runbook init", "path"): [[FILE]],
    ("slo export", "--out"): [["--out", ""], ["--out", FILE]],
    ("slo export", "--config"): [["--out", "x", "--config", MISSING]]
    + [["--out", "x", "--config", bad] for bad in BAD_TOML],
    ("slo export", "--requests-metric"): [["--out", "x", "--requests-metric", "a b"]],
    ("slo export", "--duration-metric"): [["--out", "x", "--duration-metric", "a b"]],
    ("slo export", "--webhooks-metric"): [["--out", "x", "--webhooks-metric", "a b"]],
    ("slo export", "--payouts-metric"): [["--out", "x", "--payouts-metric", "a b"]],
    ("platform start", "--state"): [["--state", FILE]],
    ("platform start", "--dsn"): [["--state", DIR, "--dsn", BAD_PORT_DSN]],
    ("platform start", "--host"): [["--state", DIR, "--host", "not a host"]],
    ("platform start", "--port"): [["--state", DIR, "--port", "abc"], ["--port", "70000"]],
    ("platform start", "--release"): [["--state", DIR, "--release", "99"]],
    ("platform start", "--timeout"): [["--state", DIR, "--timeout", "-1"]],
    ("platform stop", "--state"): [["--state", FILE]],
    ("platform deploy", "--release"): [["--state", DIR, "--release", "99"]],
    ("platform deploy", "--state"): [["--release", "1", "--state", FILE]],
    ("platform deploy", "--timeout"): [["--release", "1", "--state", DIR, "--timeout", "0"]],
    ("platform migrate", "--schema"): [["--state", DIR, "--schema", "99"]],
    ("platform migrate", "--state"): [["--schema", "1", "--state", FILE]],
    ("platform migrate", "--dsn"): [["--schema", "1", "--state", DIR, "--dsn", BAD_PORT_DSN]],
    ("platform migrate", "--lock-timeout-ms"): [
        ["--schema", "1", "--state", DIR, "--lock-timeout-ms", "0"]
    ],
    ("platform set-webhook-secrets", "--file"): [["--state", DIR, "--file", MISSING]],
    ("platform set-webhook-secrets", "--state"): [["--file", ENV, "--state", FILE]],
    ("platform backup", "--to"): [["--state", DIR, "--to", f"{FILE}/sub"]],
    ("platform backup", "--state"): [["--to", "b.dump", "--state", FILE]],
    ("platform restore-into", "--dsn"): [["--dsn", BAD_PORT_DSN, "--from", FILE]],
    ("platform restore-into", "--from"): [["--dsn", DEAD_DSN, "--from", MISSING]],
    ("platform seed-balance", "--account"): [[*SEED, "--account", "acct_1"]],
    ("platform seed-balance", "--amount"): [
        [*SEED, "--amount", "0"],
        [*SEED, "--amount", str(2**63)],
        [*SEED, "--amount", "1.5"],
    ],
    ("platform seed-balance", "--currency"): [[*SEED, "--currency", "eur"]],
    ("platform seed-balance", "--state"): [[*SEED, "--state", FILE]],
    ("drill restore", "--target-name"): [
        ["--pgbackrest-config", FILE, "--stanza", "x", "--target-name", ""],
        ["--pgbackrest-config", FILE, "--stanza", "x", "--target-name", "x" * 64],
        ["--pgbackrest-config", FILE, "--stanza", "x", "--target-name", "a'b"],
        ["--pgbackrest-config", FILE, "--stanza", "x", "--target-name", "x", "--target-time", "1"],
        ["--dump", FILE, "--target-name", "x"],
    ],
}
# Commands whose arguments go on to another program: probed with values only.
PASS_THROUGH: dict[str, list[list[str]]] = {
    "platform serve": [["--port", "abc"], ["--app-version", "99"], ["--bogus"]],
}


def _tree() -> dict[str, Any]:
    """Every leaf command of `golive`, by its path ("ops reconcile")."""
    cli._register()
    leaves: dict[str, Any] = {}

    def walk(command: Any, path: list[str]) -> None:
        subs = getattr(command, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            leaves[" ".join(path)] = command

    walk(typer.main.get_command(cli.app), [])
    return leaves


def _options(command: Any) -> dict[str, Any]:
    return {
        (p.opts[0] if p.opts and p.opts[0].startswith("-") else p.name): p for p in command.params
    }


TREE = _tree()


def _cases() -> Iterator[Any]:
    for path, command in TREE.items():
        yield pytest.param(path, "--bogus", ["--bogus-option", "1"], id=f"{path} --bogus")
        for name, param in _options(command).items():
            if getattr(param, "is_flag", False):
                yield pytest.param(path, name, [f"{name}=x"], id=f"{path} {name}=x")
            for i, args in enumerate(PROBES.get((path, name), [])):
                yield pytest.param(path, name, args, id=f"{path} {name} #{i}")
    for path, probes in PASS_THROUGH.items():
        for i, args in enumerate(probes):
            yield pytest.param(path, args[0], args, id=f"{path} {args[0]} #{i}")


def test_every_option_has_a_probe() -> None:
    """A new option (or a renamed one) must get a wrong-value probe here."""
    missing = [
        f"golive {path} {name}"
        for path, command in TREE.items()
        if path not in PASS_THROUGH
        for name, param in _options(command).items()
        if not getattr(param, "is_flag", False) and (path, name) not in PROBES
    ]
    stale = [f"golive {p} {n}" for p, n in PROBES if p not in TREE or n not in _options(TREE[p])]
    assert not missing, f"options without a wrong-value probe: {missing}"
    assert not stale, f"probes of options that do not exist: {stale}"
    assert set(PASS_THROUGH) <= set(TREE)


def _snapshot(root: Path) -> dict[str, tuple[bool, int]]:
    return {
        str(p.relative_to(root)): (p.is_dir(), 0 if p.is_dir() else p.stat().st_size)
        for p in sorted(root.rglob("*"))
    }


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A temporary working folder with the placeholder files, and a clean environment."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not what any option wants\n")
    (tmp_path / "empty").mkdir()
    (tmp_path / "deploy.env").write_text("STRIPE_SECRET_KEY=sk_test_x\n")
    (tmp_path / "runbook.toml").write_text(
        'release = "rc-1"\n[[step]]\nid = "freeze"\nkind = "manual"\nowner = "Ops"\n'
    )
    (tmp_path / "ledger.csv").write_text(
        "psp,kind,reference,amount,currency,booked_at,transaction_id,platform_id\n"
    )
    for name, text in BAD_TOML.values():
        (tmp_path / name).write_text(text)
    for var in [v for v in os.environ if v.startswith(("GOLIVE_", "REFBANK_"))]:
        monkeypatch.delenv(var)
    environ = dict(os.environ)
    handler = signal.getsignal(signal.SIGTERM)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield {
            FILE: "notes.txt",
            MISSING: "no/such/path",
            DIR: "empty",
            ENV: "deploy.env",
            LEDGER: "ledger.csv",
            RUNBOOK: "runbook.toml",
            BUSY: str(busy.getsockname()[1]),
            **{placeholder: name for placeholder, (name, _) in BAD_TOML.items()},
        }
    signal.signal(signal.SIGTERM, handler)
    os.environ.clear()
    os.environ.update(environ)


def _golive(
    args: list[str], capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["golive", *args])
    capfd.readouterr()
    try:
        cli.main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    out, err = capfd.readouterr()
    return (code if isinstance(code, int) else 0), out, err


@pytest.mark.timeout(120)  # a guard against a probe that starts a server, not a speed check
@pytest.mark.parametrize(("path", "option", "args"), list(_cases()))
def test_wrong_value_is_a_usage_error(
    path: str,
    option: str,
    args: list[str],
    workdir: dict[str, str],
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def fill(arg: str) -> str:
        for placeholder, value in workdir.items():
            arg = arg.replace(placeholder, value)
        return arg

    argv = [*path.split(), *map(fill, args)]
    before = _snapshot(tmp_path)
    code, out, err = _golive(argv, capfd, monkeypatch)
    shown = out + err
    assert code == 2, f"golive {' '.join(argv)} exited {code}:\n{shown}"
    assert "Traceback" not in shown, shown
    assert "INTERNALERROR" not in shown, shown
    assert _snapshot(tmp_path) == before, f"golive {' '.join(argv)} wrote files"
    if path in PASS_THROUGH:  # the program's own parser answers (usage, then the error)
        assert "error" in err.lower(), err
        return
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, f"not one line:\n{err}"
    assert lines[0].lower().startswith("error:"), err
    given = [fill(a) for i, a in enumerate(args) if i and args[i - 1] == option]
    if not option.startswith("-"):  # an argument: its values are the arguments
        given = [fill(a) for a in args]
    named = [option.lower(), option.lstrip("-").lower(), *(g.lower() for g in given if g)]
    assert any(n in lines[0].lower() for n in named) or "missing" in lines[0].lower(), (
        f"the message names neither {option} nor its value: {lines[0]}"
    )
