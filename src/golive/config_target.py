"""The [target] and [psp] sections of golive.toml: the platform under test and where the
stub PSP listens (docs/configuration.md). `golive.config` reads them into its Config.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from golive.errors import ConfigError
from golive.operations.table import Operations, parse_operations

if TYPE_CHECKING:
    from golive.config import EnvProfile

CONFIG_ENV = "GOLIVE_CONFIG"  # `golive run --config FILE` hands the file on through this


def _shared() -> tuple[str, ...]:
    from golive.psp.provider import SHARED  # not at the top: golive.psp imports this module

    return SHARED


@dataclass(frozen=True)
class TargetConfig:
    """[target]: the platform under test (docs/configuration.md). Paths are absolute."""

    url: str = ""  # "" = the embedded reference platform
    adapter: str = ""  # package.module:Class of a target adapter
    database: str = ""  # read-only DSN for the SQL invariants
    # a table the new release's migration alters after others: the failed-upgrade drill
    # holds a lock on it so that the migration stops partway
    migration_lock_table: str = ""
    env_file: str = ""  # the deployment's environment to check; "" = the process environment
    waivers: str = ""  # the waiver register for the environment check
    profile: str = ""  # "" = production (refbank for the embedded platform: embedded())
    psps: tuple[str, ...] = field(default_factory=_shared)  # the providers it uses
    operations: Operations = field(default_factory=Operations)  # [target.operations], checked

    def __repr__(self) -> str:  # the DSN may carry a password
        shown = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "database"}
        db = "'***'" if self.database else "''"
        return (
            f"TargetConfig(database={db}, "
            + ", ".join(f"{k}={v!r}" for k, v in shown.items())
            + ")"
        )

    @property
    def env_profile(self) -> str:
        return self.profile or "production"

    def embedded(self) -> TargetConfig:
        """The embedded reference platform as a target: it takes every payment provider golive
        emulates and its environment meets the refbank profile. What sets it apart is said
        here, once, not in the steps."""
        from golive.psp.provider import names

        return replace(self, psps=names(), profile=self.profile or "refbank")


WEBHOOK_SECRET_MODES = ("environment", "generate")
EXTERNAL_PSP_PORT = 12111  # the stub's port for an external target when [psp] port is 0


@dataclass(frozen=True)
class PspSettings:
    """[psp]: where the stub PSP listens and the address the platform calls it at."""

    host: str = "127.0.0.1"  # bind address
    port: int = 0  # 0: a free port (embedded target), 12111 (external target)
    public_url: str = ""  # "" = http://host:port
    webhook_secrets: str = "environment"  # external target: environment | generate


_WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def _mask_dsn(value: str) -> str:
    """A DSN for a message: the password replaced (it may be one)."""
    value = re.sub(r"(://[^:/@]*:)[^@]*@", r"\1***@", value)
    return re.sub(r"(password\s*=\s*)(\'[^\']*\'|\S+)", r"\1***", value)


def _http_url(value: Any, where: str, example: str) -> str:
    from urllib.parse import urlsplit

    problem = ""
    if not isinstance(value, str):
        problem = "is not a string"
    else:
        try:
            parts = urlsplit(value)
            parts.port  # noqa: B018  (raises on a malformed port)
        except ValueError as exc:
            problem = f"cannot be read ({exc})"
        else:
            if parts.scheme not in ("http", "https") or not parts.hostname:
                problem = "is not an http(s) URL with a host"
            elif parts.query or parts.fragment:
                problem = "has a query or fragment"
    if problem:
        raise ConfigError(f"{where} = {value!r} {problem}; write a base URL such as {example!r}")
    return str(value).rstrip("/")


def _string(data: dict[str, Any], key: str, where: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise ConfigError(f"{where}.{key} = {value!r} must be a string")
    return value


def _existing_file(value: str, key: str, base: Path, fix: str) -> str:
    if not value:
        return ""
    path = (base / value).resolve()
    if not path.is_file():
        raise ConfigError(
            f"target.{key} = {value!r} does not exist or is not a file (looked for {str(path)!r}"
            f", relative to the configuration file); {fix}"
        )
    return str(path)


def target_section(data: Any, base: Path, profiles: dict[str, EnvProfile]) -> TargetConfig:
    """[target] and [target.operations] (each operation checked: golive.operations).

    Relative paths are read from ``base`` (the configuration file's folder)."""
    from golive.psp.provider import DEFAULT, SHARED, names

    default = SHARED
    providers = tuple(dict.fromkeys((*default, *names())))  # the default ones first

    if not isinstance(data, dict):
        raise ConfigError(f"target must be a table, not {data!r}; write it as [target]")
    known = {f.name for f in fields(TargetConfig)}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"target.{key} is not a golive setting; known keys: {', '.join(sorted(known))}"
            )
    url = data.get("url", "")
    if url != "":
        url = _http_url(url, "target.url", "https://staging.example.com")
    adapter = _string(data, "adapter", "target")
    if adapter and not re.fullmatch(r"[A-Za-z_][\w.]*:[A-Za-z_]\w*|[A-Za-z_][\w-]*", adapter):
        raise ConfigError(
            f"target.adapter = {adapter!r} is neither package.module:Class nor the name of a "
            "golive.targets entry point; write e.g. 'mywallet.golive:Adapter'"
        )
    if adapter and not url:
        raise ConfigError(
            f"target.adapter = {adapter!r} needs target.url, the base URL the adapter is made "
            "with (its base_url)"
        )
    database = _string(data, "database", "target")
    if database and not (database.startswith(("postgresql://", "postgres://")) or "=" in database):
        raise ConfigError(
            f"target.database = {_mask_dsn(database)!r} is not a PostgreSQL DSN; write "
            "'postgresql://reader@db.example.com/bank' (a read-only role)"
        )
    lock_table = _string(data, "migration_lock_table", "target")
    if lock_table and not re.fullmatch(r"[A-Za-z_][\w$]*", lock_table):
        raise ConfigError(
            f"target.migration_lock_table = {lock_table!r} is not a table name; write the "
            "table (on the DSN's search_path) that the new release's migration alters after "
            "others, e.g. 'settings'"
        )
    env_file = _existing_file(
        _string(data, "env_file", "target"), "env_file", base,
        "point it at the deployment's KEY=value environment file, or leave it out to check "
        "the process environment",
    )  # fmt: skip
    waivers = _existing_file(
        _string(data, "waivers", "target"), "waivers", base,
        "point it at the waiver register (YAML), or leave it out when nothing is waived",
    )  # fmt: skip
    profile = _string(data, "profile", "target")
    if profile and profile not in profiles:
        raise ConfigError(
            f"target.profile = {profile!r} is not a profile; known profiles: "
            f"{', '.join(sorted(profiles))}, or define [profiles.{profile}]"
        )
    psps = data.get("psps", list(default))
    if not isinstance(psps, list) or not psps or not all(isinstance(p, str) for p in psps):
        raise ConfigError(
            f'target.psps = {psps!r} must be a non-empty list of providers, e.g. ["{DEFAULT}"]'
        )
    for name in psps:
        if name not in providers:
            raise ConfigError(
                f"target.psps: {name!r} is not a payment provider golive emulates; use "
                f"{', '.join(providers)}"
            )
    # commands run in the configuration file's folder, as its relative paths are read
    operations = parse_operations(data.get("operations", {}), cwd=base)
    return TargetConfig(
        url=url, adapter=adapter, database=database, migration_lock_table=lock_table,
        env_file=env_file, waivers=waivers,
        profile=profile, psps=tuple(dict.fromkeys(psps)), operations=operations,
    )  # fmt: skip


def psp_section(data: Any) -> PspSettings:
    """[psp]: bind address and port of the stub PSP, and the URL the platform calls it at."""
    if not isinstance(data, dict):
        raise ConfigError(f"psp must be a table, not {data!r}; write it as [psp]")
    known = {f.name for f in fields(PspSettings)}
    for key in data:
        if key not in known:
            raise ConfigError(
                f"psp.{key} is not a golive setting; known keys: {', '.join(sorted(known))}"
            )
    host = data.get("host", "127.0.0.1")
    if not isinstance(host, str) or not re.fullmatch(r"[\w.:-]+", host):
        raise ConfigError(
            f"psp.host = {host!r} is not an address to bind; write an IP address or host name "
            "such as '127.0.0.1' (or '0.0.0.0' for every interface, with psp.public_url)"
        )
    port = data.get("port", 0)
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(
            f"psp.port = {port!r} must be a whole number from 0 to 65535 (0: a free port for "
            f"the embedded target, {EXTERNAL_PSP_PORT} for an external one)"
        )
    public_url = data.get("public_url", "")
    if public_url != "":
        public_url = _http_url(public_url, "psp.public_url", "http://psp.ci.internal:12111")
    elif host in _WILDCARD_HOSTS:
        raise ConfigError(
            f"psp.host = {host!r} listens on every interface, so golive cannot tell the "
            "platform where to call it; set psp.public_url to the address the platform reaches "
            "the stub at, e.g. 'http://ci-runner.internal:12111'"
        )
    mode = data.get("webhook_secrets", "environment")
    if mode not in WEBHOOK_SECRET_MODES:
        raise ConfigError(
            f"psp.webhook_secrets = {mode!r} is not one of {', '.join(WEBHOOK_SECRET_MODES)}; "
            "environment: the platform and golive share secrets from GOLIVE_PSP_* variables; "
            "generate: golive makes fresh ones and hands them over"
        )
    return PspSettings(host=host, port=port, public_url=public_url, webhook_secrets=mode)


def check_hand_over(psp: PspSettings, target: TargetConfig) -> None:
    """Generated webhook secrets need a way to reach the platform golive does not start."""
    if (
        psp.webhook_secrets == "generate"
        and target.url
        and ("set_webhook_secrets" not in target.operations)
    ):
        raise ConfigError(
            "psp.webhook_secrets = 'generate' needs a way to hand the secrets to the platform: "
            "add set_webhook_secrets to [target.operations], or use webhook_secrets = "
            "'environment' and give both sides GOLIVE_PSP_STRIPE_WEBHOOK_SECRET and "
            "GOLIVE_PSP_ADYEN_HMAC_KEY"
        )
