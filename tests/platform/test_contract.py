"""The served contract is the committed one, and the platform answers in its shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from refbank.api.app import contract_document
from refbank.api.routes import ROUTES
from refbank.currencies import EXPONENTS
from tests.platform.bank import Bank

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "platform-contract.yaml"
BASE = "urn:golive:platform-contract"


def test_served_contract_is_the_committed_file(bank: Bank) -> None:
    resp = bank.http.get("/openapi.yaml")
    assert resp.status_code == 200
    assert resp.content == CONTRACT.read_bytes()


def test_contract_is_valid_openapi_3_1() -> None:
    doc, _ = read_from_filename(str(CONTRACT))
    validate(doc)  # raises OpenAPIValidationError, naming the path, when it is not
    assert doc["info"]["license"]["name"] == "Apache-2.0"


def test_the_package_ships_the_committed_contract() -> None:
    assert contract_document() == CONTRACT.read_bytes()


def test_contract_lists_exactly_the_supported_currencies() -> None:
    doc = yaml.safe_load(CONTRACT.read_text())
    assert doc["components"]["schemas"]["Currency"]["enum"] == sorted(EXPONENTS)


def test_contract_documents_exactly_the_routes_served() -> None:
    doc = yaml.safe_load(CONTRACT.read_text())
    assert doc["openapi"].startswith("3.1")
    documented = {(m.upper(), path) for path, ops in doc["paths"].items() for m in ops}
    served = {(method, path) for method, path, _ in ROUTES}
    assert documented == served
    ids = [op["operationId"] for ops in doc["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


def _problems(doc: dict[str, Any], pointer: str, value: Any, where: str) -> list[str]:
    """What is wrong with ``value`` under the contract's schema at ``pointer`` (JSON Schema
    2020-12, formats checked), its $refs resolved within the contract."""
    registry: Registry[Any] = Registry().with_resource(BASE, DRAFT202012.create_resource(doc))
    check = Draft202012Validator(
        {"$ref": f"{BASE}#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    return [f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in check.iter_errors(value)]  # fmt: skip


def test_responses_match_the_documented_schemas(bank: Bank) -> None:
    doc = yaml.safe_load(CONTRACT.read_text())

    def schema_of(path: str, method: str, status: str) -> str:
        """The JSON pointer to the response's schema."""
        response = doc["paths"][path][method]["responses"][status]
        at = f"/paths/{path.replace('/', '~1')}/{method}/responses/{status}"
        if "$ref" in response:
            at = response["$ref"].removeprefix("#")
        return f"{at}/content/application~1json/schema"

    acct = bank.account()
    dep = bank.fund(acct, 5_000)
    hold = bank.ok(bank.hold(acct, 1_000), 201)
    other = bank.account()
    transfer = bank.ok(
        bank.post(
            "/transfers",
            {"from_account_id": acct, "to_account_id": other, "amount": 10, "currency": "EUR"},
        ),
        201,
    )
    wd = bank.withdraw(acct, 100)
    seen = {
        ("/accounts/{id}", "get", "200"): bank.get(f"/accounts/{acct}"),
        ("/accounts/{id}/balance", "get", "200"): bank.balance(acct),
        ("/deposits/{id}", "get", "200"): bank.get(f"/deposits/{dep['id']}"),
        ("/holds", "post", "201"): hold,
        ("/holds/{id}/burn", "post", "200"): bank.ok(
            bank.post(f"/holds/{hold['id']}/burn", {"amount": 5})
        ),
        ("/transfers", "post", "201"): transfer,
        ("/withdrawals/{id}", "get", "200"): bank.get(f"/withdrawals/{wd['id']}"),
        ("/ledger/entries", "get", "200"): bank.get("/ledger/entries"),
        ("/ledger/totals", "get", "200"): bank.get("/ledger/totals"),
        ("/jobs", "get", "200"): bank.get("/jobs"),
        ("/admin/settings", "get", "200"): bank.get("/admin/settings"),
        ("/version", "get", "200"): bank.get("/version"),
        ("/health", "get", "200"): bank.get("/health"),
        ("/holds", "post", "409"): bank.hold(acct, 10**9).json(),
        ("/holds", "post", "422"): bank.hold(acct, 0).json(),
    }
    problems = [
        p
        for (path, m, s), body in seen.items()
        for p in _problems(doc, schema_of(path, m, s), body, path)
    ]
    assert problems == []
