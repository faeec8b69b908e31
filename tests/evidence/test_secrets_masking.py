"""Objects that hold credentials mask them in their repr (pytest and Allure print fixture
values), and the manifest's copy of the command line carries no password."""

from __future__ import annotations

from golive.evidence.manifest import mask_args
from golive.evidence.redact import Redactor
from golive.postgres.base import Instance, Provider
from golive.stack import EmbeddedPlatform, PspWiring, Stack

PASSWORD = "Repr-planted-pw-1"
DSN = f"postgresql://golive:{PASSWORD}@127.0.0.1:5432/golive_abc"
STRIPE = "sk_test_reprplanted0123456789"
WHSEC = "whsec_reprplanted0123456789"
ADYEN = "AQEreprplanted0123456789abcdefghij"
HMAC = "A" * 64


def _wiring() -> PspWiring:
    return PspWiring("http://127.0.0.1:1/stripe", STRIPE, [WHSEC], "http://127.0.0.1:1/adyen",
                     ADYEN, HMAC)  # fmt: skip


def test_stack_repr_masks_the_dsn_and_the_psp_secrets() -> None:
    wiring = _wiring()
    platform = EmbeddedPlatform(dsn=DSN, psp=wiring, port=9)
    text = repr(Stack("http://127.0.0.1:9", "http://127.0.0.1:1", wiring, platform, DSN))
    for secret in (PASSWORD, STRIPE, WHSEC, ADYEN, HMAC):
        assert secret not in text
    assert "postgresql://golive:[REDACTED:url-password]@127.0.0.1:5432/golive_abc" in text
    assert "http://127.0.0.1:1/stripe" in text  # what it says is still useful
    assert "EmbeddedPlatform app v2 at http://127.0.0.1:9" in text
    assert Redactor().scan(text.encode()) == []


def test_external_stack_without_a_database_says_so() -> None:
    text = repr(Stack("https://staging.example", "http://127.0.0.1:1", _wiring()))
    assert "database_dsn=None" in text


class _Server(Instance):
    kind = "test"

    def __init__(self) -> None:
        self.name, self.host, self.port = "shared", "127.0.0.1", 5432
        self.user, self.password, self.major = "golive", PASSWORD, 15

    def client(self, tool: str) -> list[str]:
        return [tool]

    def stop(self) -> None: ...

    def start(self) -> None: ...

    def kill(self) -> None: ...

    def destroy(self) -> None: ...

    @property
    def running(self) -> bool:
        return True


class _Provider(Provider):
    kind = "test"
    password = PASSWORD

    def start_instance(self, spec: object = None, *, name: str | None = None) -> Instance:
        return _Server()

    def close(self) -> None: ...


def test_postgres_instances_and_providers_never_show_the_password() -> None:
    server = _Server()
    assert PASSWORD in server.dsn()  # the DSN itself works as before …
    assert PASSWORD not in repr(server)  # … but neither repr shows it
    assert PASSWORD not in repr(_Provider())
    assert repr(server) == "<_Server shared 127.0.0.1:5432 pg15>"


def test_building_a_dsn_registers_its_password_as_a_secret() -> None:
    from golive.evidence.recorder import current

    _Server().dsn()
    assert PASSWORD not in current().redactor.redact_text(f"a log line with {PASSWORD}")


def test_manifest_args_mask_dsns_and_secret_options() -> None:
    redactor = Redactor()
    args = [
        "features",
        "--postgres",
        DSN,
        "--db-password",
        "plain-option-secret",
        "--psp-api-key=another-option-secret",
        "--target-db=host=db user=ro password=kv-password-1",
        "-k",
        "money_loop",
    ]
    masked = mask_args(args, redactor)
    text = " ".join(masked)
    for secret in (PASSWORD, "plain-option-secret", "another-option-secret", "kv-password-1"):
        assert secret not in text
    assert masked[0] == "features"
    assert masked[1:3] == [
        "--postgres",
        "postgresql://golive:[REDACTED:known-secret]@127.0.0.1:5432/golive_abc",
    ]
    assert masked[3:5] == ["--db-password", "[REDACTED:argument]"]
    assert masked[-2:] == ["-k", "money_loop"]
    # the DSN's password is now a known secret everywhere, not just next to a DSN
    assert PASSWORD not in redactor.redact_text(f"bare {PASSWORD}")


def test_rollback_drill_objects_do_not_print_their_dsn() -> None:
    from golive.drills.rollback.case import DrillCase

    case = DrillCase(None, None, None, None, None, None, DSN)  # type: ignore[arg-type]
    assert case.dsn == DSN
    assert PASSWORD not in repr(case)
    assert "dsn=" not in repr(case)
