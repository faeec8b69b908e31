"""Loading and checking target adapters (golive.target.loader)."""

from __future__ import annotations

from importlib.metadata import EntryPoint, EntryPoints

import pytest

import golive.target.loader as loader
from golive.driver import PlatformClient
from golive.errors import ConfigError, ExitCode
from golive.target import (
    Balance,
    Hold,
    PlatformError,
    load_target,
    open_target,
    protocol_gaps,
)
from tests.target.toy import ToyAdapter

TOY = "tests.target.toy:ToyAdapter"


def test_the_http_contract_implements_the_protocol() -> None:
    assert protocol_gaps(PlatformClient) == []


def test_an_adapter_for_a_toy_api_passes_the_check_and_drives_it() -> None:
    assert load_target(TOY) is ToyAdapter
    target = open_target(TOY)
    acc = target.create_account("owner-1", "EUR")
    target.deposit(acc.id, 1_000, "EUR")
    hold = target.place_hold(acc.id, 300, "EUR")
    assert isinstance(hold, Hold)
    assert hold.status == "pending"
    assert target.balance(acc.id) == Balance(acc.id, "EUR", 700, 300, 0)
    assert target.burn(hold.id).status == "burned"
    assert target.balance(acc.id) == Balance(acc.id, "EUR", 700, 0, 0)


def test_a_refusal_through_an_adapter_is_a_platform_error_with_status_and_code() -> None:
    target = open_target(TOY)
    acc = target.create_account("owner-2", "EUR")
    with pytest.raises(PlatformError) as got:
        target.place_hold(acc.id, 1, "EUR")
    assert (got.value.status, got.value.code) == (409, "insufficient_funds")


@pytest.mark.parametrize(
    ("spec", "says"),
    [
        ("tests.target.toy:NoBurn", "no method burn()"),
        ("tests.target.toy:OldDeposit", "deposit() does not take 'psp', 'key'"),
        ("tests.target.toy:not_a_class", "not a class"),
        ("tests.target.toy:Missing", "has no 'Missing'"),
        ("tests.target.nowhere:Adapter", "module 'tests.target.nowhere' cannot be imported"),
        ("tests.target.toy:", "is not 'package.module:Class'"),
        ("no-such-adapter", "is not a registered target adapter"),
    ],
)
def test_a_bad_adapter_is_refused_in_one_line_naming_it(spec: str, says: str) -> None:
    with pytest.raises(ConfigError) as got:
        load_target(spec)
    message = str(got.value)
    assert says in message
    assert repr(spec) in message
    assert "\n" not in message
    assert got.value.exit_code == ExitCode.USAGE


def test_an_adapter_registered_as_an_entry_point_is_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    registered = EntryPoints(
        [
            EntryPoint("toy", TOY, loader.GROUP),
            EntryPoint("broken", "tests.target.toy:NoBurn", loader.GROUP),
        ]
    )
    monkeypatch.setattr(
        loader, "entry_points", lambda group, name: registered.select(group=group, name=name)
    )
    assert load_target("toy") is ToyAdapter
    with pytest.raises(ConfigError, match=r"'broken' does not implement .* no method burn\(\)"):
        load_target("broken")


def test_an_adapter_that_refuses_its_options_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match=r"cannot be made with options \['colour'\]"):
        open_target(TOY, options={"colour": "blue"})


def test_a_url_opens_the_http_contract() -> None:
    target = open_target("http://127.0.0.1:9", timeout=1)
    try:
        assert isinstance(target, PlatformClient)
        assert target.base_url == "http://127.0.0.1:9"
    finally:
        target.close()


def test_the_package_exports_exactly_its_public_names() -> None:
    import golive.target

    names = (n for n in vars(golive.target) if n.isidentifier() and not n.startswith("_"))
    public = sorted(n for n in names if n != "annotations")  # pytest adds "@py_builtins"
    modules = {"errors", "loader", "models", "protocol", "recording"}
    assert len(golive.target.__all__) == len(set(golive.target.__all__))
    assert set(golive.target.__all__) == set(public) - modules


def test_a_stack_with_an_adapter_opens_it_with_the_targets_url() -> None:
    from golive.stack import PspWiring, Stack

    wiring = PspWiring("http://127.0.0.1:1/stripe", "sk", [], "http://127.0.0.1:1/adyen", "k", "h")
    stack = Stack("http://127.0.0.1:8000", "http://127.0.0.1:1", wiring)
    assert isinstance(stack.open_target(), PlatformClient)
    stack.adapter = "golive.driver.client:PlatformClient"  # an adapter taking base_url
    client = stack.open_target()
    assert isinstance(client, PlatformClient)
    assert client.base_url == "http://127.0.0.1:8000"
