"""The HTTP contract itself (features/contract): requests golive's own client never sends (an
amount written as a float or a string, a body that is not a JSON object, a malformed
Idempotency-Key, null in an optional field), the Idempotent-Replayed header, and a webhook's
effect at the moment the platform acknowledges it.

These scenarios speak HTTP to the platform, so they apply only to a target that implements the
HTTP contract: with an adapter target they are deselected and recorded in the run's manifest
as not applicable (`not_applicable_contract`), never counted as passed. A scenario tagged with
an operation (`@seed_balance`: wallets booked near the largest balance by the platform's own
tooling) needs it: on a target that does not configure it, it is deselected and recorded as
not checked on this target (`not_checked_on_target`).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from pytest_bdd import given, parsers, then, when

from golive.canary.amounts import parse_amount
from golive.canary.world import CanaryWorld
from golive.config import load_config
from golive.driver.client import PlatformClient, error_code
from golive.errors import ExpectationFailed
from golive.evidence import attach, record_metadata
from golive.operations import CATALOG, OperationNotConfigured
from golive.psp.stripe import PROVIDER as STRIPE
from golive.stack import Stack
from golive.target import Hold

NOT_HTTP = pytest.StashKey[list[str]]()
NOT_CHECKED = pytest.StashKey[dict[str, list[str]]]()
LARGEST = 2**63 - 1  # the largest balance of the contract, in minor units (2^63-1)
REASON = (
    "the target is driven through an adapter ([target] adapter), not the HTTP contract "
    "these scenarios check"
)

# The status each refusal of the contract answers with (docs/platform-contract.yaml).
STATUS = {
    "invalid_json": 400,
    "invalid_idempotency_key": 400,
    "invalid_field": 422,
    "unknown_currency": 422,
    "hold_account_mismatch": 409,
    "amount_out_of_range": 409,
}
# Bodies that are not a JSON object, by the words a feature uses for them.
NOT_AN_OBJECT: dict[str, bytes | None] = {
    "a JSON array": b"[]",
    "a JSON string": b'"a hold, please"',
    "a JSON number": b"1000",
    "JSON null": b"null",
    "broken JSON": b'{"amount": 1000,',
    "empty": None,
}
# Idempotency-Key headers that are not 1 to 255 printable ASCII characters. (A key with a
# leading or trailing space cannot be sent: HTTP itself strips spaces around a header value.)
BAD_KEYS: dict[str, bytes] = {
    "an empty idempotency key": b"",
    "an idempotency key of 256 characters": b"k" * 256,
    "an idempotency key holding a tab": b"hold\tkey",
    "an idempotency key holding a non-ASCII letter": "clé-1".encode(),
}


def _unconfigured(config: pytest.Config) -> set[str]:
    """The operations, among those that are markers (golive.markers), the target does not
    configure (golive gives the embedded platform every one): a scenario tagged with one of
    them is not run."""
    if config.getoption("--target") == "embedded":
        return set()
    markers = {line.partition(":")[0] for line in config.getini("markers")}
    return (set(CATALOG) & markers) - set(load_config().target.operations.names)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """An adapter target does not speak the HTTP contract: its @contract scenarios are
    deselected and recorded as not applicable. A scenario tagged with an operation the target
    does not configure is deselected and recorded as not checked on this target."""
    adapter = bool(load_config().target.adapter)  # (the embedded platform speaks the contract)
    missing = _unconfigured(config)
    not_http, not_checked, keep = [], [], []
    for item in items:
        if adapter and item.get_closest_marker("contract"):
            not_http.append(item)
        elif any(item.get_closest_marker(name) for name in missing):
            not_checked.append(item)
        else:
            keep.append(item)
    if not_http or not_checked:
        config.hook.pytest_deselected(items=not_http + not_checked)
        items[:] = keep
    if not_http:
        config.stash[NOT_HTTP] = [i.nodeid for i in not_http]
    if not_checked:
        needed = {n for i in not_checked for n in missing if i.get_closest_marker(n)}
        config.stash[NOT_CHECKED] = {"operations": sorted(needed),
                                     "scenarios": [i.nodeid for i in not_checked]}  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def contract_not_applicable(request: pytest.FixtureRequest) -> None:
    dropped = request.config.stash.get(NOT_HTTP, [])
    if dropped:
        record_metadata("not_applicable_contract", {"reason": REASON, "scenarios": dropped})
    unchecked = request.config.stash.get(NOT_CHECKED, None)
    if unchecked:
        reason = (f"the target configures no {', '.join(unchecked['operations'])} operation "
                  "([target.operations], docs/operations-hooks.md)")  # fmt: skip
        record_metadata("not_checked_on_target", {"reason": reason, **unchecked})


@dataclass
class Answer:
    status: int
    body: Any
    headers: httpx.Headers

    @property
    def code(self) -> str | None:
        code = error_code(self.body)
        return None if code is None else str(code)


@dataclass
class Exchanges:
    """The raw answers of one scenario, over the platform client's own HTTP connection (its
    exchanges land in the run's transcripts)."""

    http: httpx.Client
    answers: list[Answer] = field(default_factory=list)

    def send(
        self, path: str, body: bytes | None, *, key: bytes | None = None, headers: Any = None
    ) -> Answer:
        """POST ``body`` as it is, with ``key`` (else a fresh one) as Idempotency-Key; a webhook
        (``headers`` given) goes without one, as a PSP sends it."""
        sent: dict[str, Any] = {"content-type": "application/json"}
        if headers is None:
            sent["idempotency-key"] = key if key is not None else uuid.uuid4().hex.encode()
        sent |= dict(headers or {})
        resp = self.http.post(path, content=body or b"", headers=sent)
        try:
            decoded: Any = resp.json()
        except ValueError:
            decoded = resp.text
        answer = Answer(resp.status_code, decoded, resp.headers)
        self.answers.append(answer)
        return answer

    @property
    def last(self) -> Answer:
        if not self.answers:
            raise ExpectationFailed("the scenario has sent no request of its own yet")
        return self.answers[-1]


@pytest.fixture
def exchanges(world: CanaryWorld) -> Exchanges:
    if not isinstance(world.client, PlatformClient):
        pytest.skip(REASON)
    return Exchanges(world.client.http)


PATHS = {"hold": "/holds", "deposit": "/deposits", "withdrawal": "/withdrawals"}
AMOUNT = "<amount>"  # where the amount's JSON text goes


def placed_hold(world: CanaryWorld) -> Hold:
    if world.hold is None:
        raise ExpectationFailed("no hold has been placed: add 'Given a hold of … is placed'")
    return world.hold


def _other_wallet(world: CanaryWorld) -> str:
    acc = world.client.create_account(f"contract-{uuid.uuid4().hex[:12]}", world.w.currency)
    return str(acc.id)


def request_with(
    world: CanaryWorld, request: str, *, amount: str = "1000", currency: str | None = None
) -> tuple[str, bytes]:
    """The path and raw JSON body of ``request`` on the scenario's wallet, the amount written
    as the JSON text ``amount`` (``1e3``, ``"1000"``), in ``currency`` (else the wallet's)."""
    cur, acc = currency or world.w.currency, world.w.account_id
    body: dict[str, Any]
    if request == "wallet":
        path, body = "/accounts", {"owner_ref": f"contract-{uuid.uuid4().hex[:8]}", "currency": cur}
    elif request in PATHS:
        path, body = PATHS[request], {"account_id": acc, "amount": AMOUNT, "currency": cur}
    elif request == "transfer":
        to = _other_wallet(world)
        body = {"from_account_id": acc, "to_account_id": to, "amount": AMOUNT, "currency": cur}
        path = "/transfers"
    elif request == "burn":
        if world.hold is None:
            raise ExpectationFailed("a burn needs a placed hold: add 'Given a hold of … is placed'")
        path, body = f"/holds/{world.hold.id}/burn", {"amount": AMOUNT}
    else:
        raise ValueError(f"unknown request {request!r}: use wallet, {', '.join(PATHS)}, "
                         "transfer or burn")  # fmt: skip
    return path, json.dumps(body).replace(json.dumps(AMOUNT), amount).encode()


# -- refusals of requests golive's client never sends --------------------------------------
@when(parsers.re(r"an? (?P<request>\w+) is sent with the amount written as (?P<amount>.+)"))
def when_amount_written_as(
    exchanges: Exchanges, world: CanaryWorld, request: str, amount: str
) -> None:
    exchanges.send(*request_with(world, request, amount=amount))


@when(parsers.re(r"an? (?P<request>\w+) is sent in the currency (?P<code>\S+)"))
def when_sent_in_currency(
    exchanges: Exchanges, world: CanaryWorld, request: str, code: str
) -> None:
    exchanges.send(*request_with(world, request, currency=code))


@when(parsers.re(r"an? (?P<request>\w+) is sent whose body is (?P<body>.+)"))
def when_sent_with_body(exchanges: Exchanges, world: CanaryWorld, request: str, body: str) -> None:
    if body not in NOT_AN_OBJECT:
        raise ValueError(f"unknown body {body!r}: use one of {', '.join(NOT_AN_OBJECT)}")
    path, _ = request_with(world, request)
    exchanges.send(path, NOT_AN_OBJECT[body])


@when(parsers.re(r"a hold is sent with (?P<shape>an? .*idempotency key.*)"))
def when_sent_with_bad_key(exchanges: Exchanges, world: CanaryWorld, shape: str) -> None:
    if shape not in BAD_KEYS:
        raise ValueError(f"unknown key shape {shape!r}: use one of {', '.join(BAD_KEYS)}")
    exchanges.send(*request_with(world, "hold"), key=BAD_KEYS[shape])


@when("the hold is burned naming another wallet")
def when_burn_names_other_wallet(exchanges: Exchanges, world: CanaryWorld) -> None:
    hold = placed_hold(world)
    body = json.dumps({"account_id": _other_wallet(world)}).encode()
    exchanges.send(f"/holds/{hold.id}/burn", body)


@then(parsers.re(r"the platform refuses it with (?P<code>\w+)(?:, naming (?P<field>\S+))?"))
def then_refused_with(exchanges: Exchanges, code: str, field: str | None) -> None:
    last = exchanges.last
    if code not in STATUS:
        raise ValueError(f"unknown refusal {code!r}: use one of {', '.join(STATUS)}")
    if (last.status, last.code) != (STATUS[code], code):
        raise ExpectationFailed(
            f"the platform answered {last.status} {last.code!r}, the contract says "
            f"{STATUS[code]} {code!r}: {str(last.body)[:300]}"
        )
    err = last.body.get("error") if isinstance(last.body, dict) else None
    named = err.get("field") if isinstance(err, dict) else None
    if field is not None and named != field:
        raise ExpectationFailed(f"the refusal names the field {named!r}, not {field!r}")


# -- the Idempotent-Replayed header ------------------------------------------------------
@when(parsers.parse("the same hold of {amount} is sent twice with one idempotency key"))
def when_same_hold_twice(exchanges: Exchanges, world: CanaryWorld, amount: str) -> None:
    minor = parse_amount(amount, world.w.currency).amount_minor
    path, body = request_with(world, "hold", amount=str(minor))
    key = f"contract-replay-{uuid.uuid4().hex}".encode()
    first = exchanges.send(path, body, key=key)
    exchanges.send(path, body, key=key)
    if isinstance(first.body, dict) and first.status < 300 and "id" in first.body:
        world.w.holds[str(first.body["id"])] = minor


@then("the second answer is the first one, marked as replayed")
def then_second_is_replay(exchanges: Exchanges) -> None:
    if len(exchanges.answers) < 2:
        raise ExpectationFailed("the scenario sent fewer than two requests")
    first, second = exchanges.answers[-2:]
    if not first.status < 300:
        raise ExpectationFailed(f"the first request was refused: {first.status} {first.body}")
    if (second.status, second.body) != (first.status, first.body):
        raise ExpectationFailed(
            f"the replay answered {second.status} {second.body}, not the first answer "
            f"{first.status} {first.body}"
        )
    if second.headers.get("idempotent-replayed") != "true":
        raise ExpectationFailed(
            "the replay carries Idempotent-Replayed: "
            f"{second.headers.get('idempotent-replayed')!r}, the contract says 'true'"
        )
    if first.headers.get("idempotent-replayed") is not None:
        raise ExpectationFailed("the first answer says it is a replay (Idempotent-Replayed)")


# -- null in an optional field -------------------------------------------------------------
@when("the hold is burned with its amount and its account given as null")
def when_burn_with_nulls(exchanges: Exchanges, world: CanaryWorld) -> None:
    hold = placed_hold(world)
    answer = exchanges.send(f"/holds/{hold.id}/burn", b'{"amount": null, "account_id": null}')
    if answer.status < 300 and isinstance(answer.body, dict):
        world.w.burn(hold.id, int(answer.body.get("burned_amount") or 0))


@then("the whole hold was burned")
def then_whole_hold_burned(exchanges: Exchanges, world: CanaryWorld) -> None:
    last, hold = exchanges.last, placed_hold(world)
    body = last.body if isinstance(last.body, dict) else {}
    seen = (last.status, body.get("status"), body.get("burned_amount"))
    if seen != (200, "burned", hold.amount):
        raise ExpectationFailed(
            f"the burn answered {seen}, expected (200, 'burned', {hold.amount}): {last.body}"
        )


@when(parsers.parse("the customer deposits {amount} naming no payment provider, then as null"))
def when_deposit_psp_null(exchanges: Exchanges, world: CanaryWorld, amount: str) -> None:
    minor = parse_amount(amount, world.w.currency).amount_minor
    base = {"account_id": world.w.account_id, "amount": minor, "currency": world.w.currency}
    for body in (base, base | {"psp": None}):
        answer = exchanges.send("/deposits", json.dumps(body).encode())
        if answer.status < 300 and isinstance(answer.body, dict):
            dep = world.client.get_deposit(str(answer.body["id"]))
            world.w.deposits[dep.id] = minor
            world.deposits.append(dep)


@then("both deposits went to the same payment provider")
def then_same_psp(exchanges: Exchanges) -> None:
    answers = exchanges.answers[-2:]
    if len(answers) < 2 or any(a.status >= 300 for a in answers):
        raise ExpectationFailed(f"the deposits were not both made: {[a.body for a in answers]}")
    psps = [a.body.get("psp") for a in answers]
    if psps[0] != psps[1]:
        raise ExpectationFailed(
            f"a deposit naming no payment provider went to {psps[0]!r}, one naming it as "
            f"null to {psps[1]!r}"
        )


# -- webhooks --------------------------------------------------------------------------------
@when("the payment provider delivers the deposit's notification")
def when_psp_delivers(world: CanaryWorld) -> None:
    world.psp.deliver_due()


@then("the deposit was credited by the time the platform acknowledged its notification")
def then_credited_at_ack(world: CanaryWorld) -> None:
    """The PSP holds the platform's 2xx when golive reads: a platform that answers first and
    commits later is caught whenever its commit has not landed by this read (a few ms)."""
    dep = world.deposits[-1]
    # read at once, before anything else: the acknowledgement has arrived at the PSP
    status = world.client.get_deposit(dep.id).status
    available = world.client.balance(world.w.account_id).available
    acked = [a for a in world.deposit_attempts() if 200 <= (a.get("status_code") or 0) < 300]
    if not acked:
        raise ExpectationFailed("the platform did not acknowledge the deposit's notification")
    if status != "succeeded" or available < world.w.deposits[dep.id]:
        raise ExpectationFailed(
            f"the platform acknowledged the notification of deposit {dep.id}, but at that "
            f"moment the deposit is {status!r} and {available} is available"
        )
    world.w.credited.add(dep.id)


def stripe_keys(stack: Stack) -> list[str]:
    """The secrets the stub PSP signs Stripe webhooks with now (a rotation's too)."""
    stub = stack.psp.psp if stack.psp is not None else None
    if stub is None:
        raise ExpectationFailed("the stub PSP does not run in this process")
    with stub.lock:
        now = stub.clock.now()
        return [k for e in stub.endpoints.values() if e.provider == STRIPE.name
                for k in e.active_keys(now)]  # fmt: skip


def not_an_event(world: CanaryWorld, shape: str) -> Any:
    """A body that is not a Stripe event, built around the deposit's payment (succeeded)."""
    dep = world.deposits[-1]
    kind = STRIPE.object_kinds["payments"]
    found = [
        o for o in world.psp.state()["objects"].get(kind, []) if o.get("id") == dep.psp_reference
    ]
    if not found:
        raise ExpectationFailed(f"the PSP holds no payment {dep.psp_reference!r} for the deposit")
    payment = found[0] | {"status": "succeeded"}
    event = {"id": f"evt_golive_{uuid.uuid4().hex[:16]}", "object": "event",
             "type": "payment_intent.succeeded", "data": {"object": payment}}  # fmt: skip
    shapes = {
        "the payment itself, not an event": payment,
        "an event without its data": {k: v for k, v in event.items() if k != "data"},
        "an event without an id": {k: v for k, v in event.items() if k != "id"},
        "a list holding the deposit's event": [event],
    }
    if shape not in shapes:
        raise ValueError(f"unknown body {shape!r}: use one of {', '.join(shapes)}")
    return shapes[shape]


@when(parsers.re(r"a correctly signed Stripe body that is (?P<shape>.+) is sent for the deposit"))
def when_signed_non_event(
    exchanges: Exchanges, world: CanaryWorld, stack: Stack, shape: str
) -> None:
    payload = json.dumps(not_an_event(world, shape)).encode()
    body, headers = STRIPE.sign(payload, stripe_keys(stack), int(time.time()))
    exchanges.send("/webhooks/stripe", body, headers=headers)


@then("the platform refuses it as a bad request")
def then_bad_request(exchanges: Exchanges) -> None:
    last = exchanges.last
    if last.status != 400 or last.code is None:
        raise ExpectationFailed(
            f"the platform answered {last.status} {str(last.body)[:300]}, the contract says "
            "400 with an error code"
        )


# -- balances near the largest one, booked by the platform's own tooling (seed_balance) ----
Booked = dict[str, tuple[str, int]]  # the wallets a scenario booked: name → (id, amount)


@pytest.fixture
def booked() -> Booked:
    return {}


def _money_of(text: str) -> tuple[int, str]:  # "1.00 EUR" → (100, "EUR")
    currency = text.split()[-1]
    return parse_amount(text, currency).amount_minor, currency


def book_wallet(stack: Stack, world: CanaryWorld, booked: Booked, name: str, amount: int,
                currency: str) -> None:  # fmt: skip
    """A new wallet with ``amount`` booked onto it by the target's seed_balance operation."""
    account = world.client.create_account(f"contract-booked-{uuid.uuid4().hex[:12]}", currency)
    values = {"account": account.id, "amount": amount, "currency": currency}
    try:
        result = stack.operations.run("seed_balance", values | {"url": stack.platform_url})
    except OperationNotConfigured as exc:
        pytest.skip(str(exc))
    attach(f"seed_balance-{name}", json.dumps(result.to_dict(), indent=1), "json")
    seen = world.client.balance(account.id).available
    if seen != amount:
        raise ExpectationFailed(
            f"the seed_balance operation booked {amount} onto {account.id}, which shows {seen}"
        )
    booked[name] = (account.id, amount)


@given(parsers.parse("a wallet booked up to {amount} short of the largest balance"))
def given_wallet_near_largest(
    stack: Stack, world: CanaryWorld, booked: Booked, amount: str
) -> None:
    minor, currency = _money_of(amount)
    book_wallet(stack, world, booked, "first", LARGEST - minor, currency)


@given(parsers.parse("{amount} booked onto another wallet"))
def given_other_wallet(stack: Stack, world: CanaryWorld, booked: Booked, amount: str) -> None:
    book_wallet(stack, world, booked, "other", *_money_of(amount))


@when(parsers.parse("{amount} is transferred from the other wallet to the first"))
def when_transfer_to_first(exchanges: Exchanges, booked: Booked, amount: str) -> None:
    minor, currency = _money_of(amount)
    (src, _), (dst, _) = booked["other"], booked["first"]
    body = {"from_account_id": src, "to_account_id": dst, "amount": minor, "currency": currency}
    exchanges.send("/transfers", json.dumps(body).encode())


def _expect_balances(world: CanaryWorld, booked: Booked, want: dict[str, int]) -> None:
    for name, available in want.items():
        bal = world.client.balance(booked[name][0])
        if (bal.available, bal.held, bal.pending) != (available, 0, 0):
            raise ExpectationFailed(
                f"the {name} wallet shows available/held/pending {bal.available}/{bal.held}/"
                f"{bal.pending}, expected {available}/0/0"
            )


@then("both wallets still hold what they were booked with")
def then_booked_unmoved(world: CanaryWorld, booked: Booked) -> None:
    _expect_balances(world, booked, {n: w[1] for n, w in booked.items()})


@then(parsers.parse("the first wallet holds the largest balance and the other one {amount}"))
def then_first_at_largest(
    exchanges: Exchanges, world: CanaryWorld, booked: Booked, amount: str
) -> None:
    last = exchanges.last
    if last.status != 201:
        raise ExpectationFailed(
            f"a transfer up to the largest balance answered {last.status} "
            f"{str(last.body)[:300]}, the contract says 201"
        )
    _expect_balances(world, booked, {"first": LARGEST, "other": _money_of(amount)[0]})
