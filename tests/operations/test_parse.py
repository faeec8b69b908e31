"""[target.operations] is checked before anything runs: names, placeholders, timeouts."""

from __future__ import annotations

import pytest

from golive.errors import ConfigError, ExitCode
from golive.operations import DEFAULT_TIMEOUT_S, parse_operations


def test_a_full_table_parses_with_its_timeouts() -> None:
    ops = parse_operations(
        {
            "deploy": "helm upgrade app chart --set image.tag={release}",
            "migrate": {"argv": "alembic upgrade {schema}", "timeout": 900},
            "stop": "systemctl stop app",
            "set_webhook_secrets": "deploy/secrets.sh '{secrets_file}' {url}",
            "restore_into": "pg_restore --dbname {dsn} {backup}",
        }
    )
    assert ops.names == ("deploy", "migrate", "restore_into", "set_webhook_secrets", "stop")
    assert ops.commands["migrate"].timeout_s == 900
    assert ops.commands["deploy"].timeout_s == DEFAULT_TIMEOUT_S
    assert ops.missing("deploy", "start", "backup") == ("start", "backup")
    assert "deploy" in ops
    assert "start" not in ops


def test_seed_balance_fills_in_the_account_amount_and_currency() -> None:
    ops = parse_operations({"seed_balance": "seed --to {account} {amount} {currency} {url}"})
    values = {"account": "a-1", "amount": 2**63 - 101, "currency": "EUR", "url": "http://x"}
    argv = ops.commands["seed_balance"].argv(values)
    assert argv == ["seed", "--to", "a-1", "9223372036854775707", "EUR", "http://x"]


def test_values_fill_words_without_splitting_them() -> None:
    ops = parse_operations({"restore_into": "tool --from={backup} --into '{dsn}' x{{y}}"})
    argv = ops.commands["restore_into"].argv({"backup": "/b/a b", "dsn": "host=h dbname=d"})
    assert argv == ["tool", "--from=/b/a b", "--into", "host=h dbname=d", "x{y}"]


@pytest.mark.parametrize(
    ("table", "words"),
    [
        (
            {"depoly": "x {release}"},
            ["target.operations.depoly = 'x {release}'", "'depoly' is not an operation", "deploy"],
        ),
        ({"deploy": "x {relase}"}, ["deploy", "{relase}", "offers {release}", "Fix"]),
        ({"stop": "x {release}"}, ["stop", "{release}", "offers {url}"]),
        ({"deploy": "x {release!r}"}, ["{release!r}", "not a placeholder"]),
        ({"deploy": "x {}"}, ["{}", "not a placeholder"]),
        ({"deploy": "helm upgrade app"}, ["'helm upgrade app'", "never uses {release}", "Fix"]),
        ({"restore_into": "r {backup}"}, ["restore_into", "never uses {dsn}"]),
        ({"seed_balance": "s {account} {amount}"}, ["seed_balance", "never uses {currency}"]),
        ({"deploy": "d {release} {account}"}, ["{account} is not a placeholder deploy fills in"]),
        ({"migrate": "m {schema"}, ["target.operations.migrate", "cannot be split", "Fix"]),
        ({"migrate": "m '{schema}"}, ["cannot be split", "close the quote"]),
        ({"start": ""}, ["target.operations.start = ''", "must be a command line"]),
        ({"start": ["a", "b"]}, ["must be a command line"]),
        ({"start": {"argv": "s", "timeout": 0}}, ["start.timeout = 0", "more than 0"]),
        ({"start": {"argv": "s", "timeout": "1m"}}, ["start.timeout = '1m'", "seconds"]),
        ({"start": {"argv": "s", "retries": 2}}, ["start.retries", "not an operation setting"]),
        ("deploy", ["target.operations must be a table"]),
    ],
)
def test_bad_tables_are_refused_in_one_line(table: object, words: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_operations(table)
    message = str(caught.value)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "\n" not in message
    for word in words:
        assert word in message
