"""The served contract is the committed one, and the platform answers in its shapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from refbank.api.app import contract_document
from refbank.api.routes import ROUTES
from refbank.currencies import EXPONENTS
from tests.platform.bank import Bank

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "platform-contract.yaml"


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


def _check(doc: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """A small JSON-schema check (type, required, properties, enum, const, items, $ref)."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return _check(doc, doc["components"]["schemas"][name], value, where)
    found: list[str] = []
    types = schema.get("type")
    py = {
        "string": str,
        "integer": int,
        "object": dict,
        "array": list,
        "boolean": bool,
        "null": type(None),
    }
    if types:
        allowed = tuple(py[t] for t in ([types] if isinstance(types, str) else types))
        if not isinstance(value, allowed) or (isinstance(value, bool) and bool not in allowed):
            return [f"{where}: {value!r} is not {types}"]
    if "enum" in schema and value not in schema["enum"]:
        found.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        found.append(f"{where}: {value!r} is not {schema['const']!r}")
    if isinstance(value, dict):
        found += [f"{where}: missing {r}" for r in schema.get("required", []) if r not in value]
        for name, sub in schema.get("properties", {}).items():
            if name in value:
                found += _check(doc, sub, value[name], f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            found += _check(doc, schema["items"], item, f"{where}[{i}]")
    return found


def test_responses_match_the_documented_schemas(bank: Bank) -> None:
    doc = yaml.safe_load(CONTRACT.read_text())

    def schema_of(path: str, method: str, status: str) -> dict[str, Any]:
        content = doc["paths"][path][method]["responses"][status]
        if "$ref" in content:
            content = doc["components"]["responses"][content["$ref"].rsplit("/", 1)[-1]]
        return content["content"]["application/json"]["schema"]  # type: ignore[no-any-return]

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
        for p in _check(doc, schema_of(path, m, s), body, path)
    ]
    assert problems == []
