"""The OpenAPI document against the NL GOV API Design Rules linter, in Python.

Logius publishes the rules as a Spectral ruleset (``linter/spectral.yml`` of the public
repository Logius-standaarden/API-Design-Rules), which extends Spectral's own ``spectral:oas``
rules. The suite must run where only Python is, so each rule of that ruleset, and the
``spectral:oas`` rules that apply to this document, is a test here named for it. Every
``error`` rule is here; so are the warnings. The document is read as a partner reads it, from
``/api/v1/openapi.json`` of a site served over HTTPS.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from django.test import Client, override_settings

SITE_URL = "https://ketendashboard.example"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# /core/http-methods: the methods the rules call standard, and the other members of a path item.
STANDARD_METHODS = {"get", "post", "put", "patch", "delete"}
PATH_ITEM_MEMBERS = {"parameters", "summary", "description", "servers"}
VERSION_HEADERS = {"API-Version", "Api-Version", "Api-version", "api-version", "API-version"}
PROBLEM_MEDIA_TYPES = {"application/problem+json", "application/problem+xml"}
# The JSON Schema that ``nlgov:problem-schema-members`` applies to a problem's schema.
PROBLEM_MEMBERS = {
    "type": "object",
    "properties": {
        "properties": {
            "type": "object",
            "properties": {"status": {}, "title": {}, "detail": {}, "type": {}, "instance": {}},
            "required": ["status", "title", "detail"],
            "additionalProperties": False,
        }
    },
}
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
KEBAB_PATH = re.compile(
    r"^(\/|(\/_[a-z0-9]+|\/(([a-z0-9\-]+|{[^}]+})(\/([a-z0-9\-\.]+|{[^}]+}))*)(\/_[a-z]+)?)\/?)$"
)
PASCAL_CASE = re.compile(r"^[A-Z][a-zA-Z0-9]*$")
CAMEL_CASE = re.compile(r"^[a-z][a-zA-Z0-9]*$")
JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


@pytest.fixture(scope="module")
def raw_document() -> dict[str, Any]:
    with override_settings(SITE_URL=SITE_URL):
        answer = Client().get("/api/v1/openapi.json")
    assert answer.status_code == 200
    document: dict[str, Any] = answer.json()
    return document


@pytest.fixture(scope="module")
def document(raw_document: dict[str, Any]) -> dict[str, Any]:
    """The document with every local ``$ref`` replaced by its target, as Spectral reads it."""
    return _resolved(raw_document, raw_document)


def _resolved(node: Any, root: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolved(target, root)
        return {key: _resolved(value, root) for key, value in node.items()}
    if isinstance(node, list):
        return [_resolved(value, root) for value in node]
    return node


def operations(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every operation as ``("METHOD /path", operation)``."""
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield f"{method.upper()} {path}", item[method]


def responses(document: dict[str, Any], first_digits: str) -> Iterator[tuple[str, Any]]:
    """Every response whose status starts with one of ``first_digits``, with where it is."""
    for where, operation in operations(document):
        for status, response in operation["responses"].items():
            if status[0] in first_digits:
                yield f"{where} {status}", response


def test_oas3_api_servers_the_document_names_its_servers(document: dict[str, Any]) -> None:
    assert document.get("servers"), "no servers"
    assert all(server.get("url") for server in document["servers"])


def test_nlgov_openapi3_the_document_is_openapi_3(document: dict[str, Any]) -> None:
    assert re.fullmatch(r"3(.\d+){1,2}", document["openapi"])


def test_nlgov_openapi_root_exists_the_root_has_openapi(document: dict[str, Any]) -> None:
    assert document.get("openapi")


def test_nlgov_missing_header_every_success_answer_declares_headers(
    document: dict[str, Any],
) -> None:
    assert [
        where for where, response in responses(document, "23") if not response.get("headers")
    ] == []


def test_nlgov_missing_version_header_every_success_answer_declares_api_version(
    document: dict[str, Any],
) -> None:
    missing = [
        where for where, response in responses(document, "23")
        if not VERSION_HEADERS & set(response.get("headers", {}))
    ]  # fmt: skip
    assert missing == []


def test_nlgov_include_major_version_in_uri_every_server_has_the_major_version(
    document: dict[str, Any],
) -> None:
    assert all(re.search(r"/v[\d+]", server["url"]) for server in document["servers"])


def test_nlgov_paths_no_trailing_slash_no_path_ends_in_a_slash(document: dict[str, Any]) -> None:
    assert [path for path in document["paths"] if path != "/" and path.endswith("/")] == []


def test_info_contact_the_document_has_a_contact(document: dict[str, Any]) -> None:
    assert isinstance(document["info"].get("contact"), dict)


def test_nlgov_info_contact_fields_exist_name_email_and_url(document: dict[str, Any]) -> None:
    contact = document["info"]["contact"]
    assert {"name", "email", "url"} <= set(contact)
    assert "@" in contact["email"] and contact["url"].startswith(SITE_URL)


def test_nlgov_http_methods_only_standard_methods(document: dict[str, Any]) -> None:
    allowed = STANDARD_METHODS | PATH_ITEM_MEMBERS
    assert {path: set(item) - allowed for path, item in document["paths"].items()} == {
        path: set() for path in document["paths"]
    }


def test_nlgov_use_problem_schema_every_error_answer_is_a_problem(
    document: dict[str, Any],
) -> None:
    wrong = [
        where for where, response in responses(document, "45")
        if "content" in response and not PROBLEM_MEDIA_TYPES & set(response["content"])
    ]  # fmt: skip
    assert wrong == []


def test_nlgov_problem_schema_members_only_the_allowed_members(document: dict[str, Any]) -> None:
    schemas = [
        (where, content["schema"])
        for where, response in responses(document, "45")
        for media_type, content in response.get("content", {}).items()
        if media_type in PROBLEM_MEDIA_TYPES
    ]
    assert schemas
    for where, schema in schemas:
        errors = [
            e.message for e in jsonschema.Draft7Validator(PROBLEM_MEMBERS).iter_errors(schema)
        ]
        assert errors == [], where


def test_nlgov_semver_the_version_is_semantic(document: dict[str, Any]) -> None:
    assert SEMVER.match(document["info"]["version"])


def test_nlgov_paths_kebab_case_paths_are_kebab_case(document: dict[str, Any]) -> None:
    paths = [path for path in document["paths"] if "/openapi.json" not in path]
    assert [path for path in paths if not KEBAB_PATH.match(path)] == []


def test_nlgov_schema_camel_case_schema_names_are_upper_camel_case(
    document: dict[str, Any],
) -> None:
    names = document["components"]["schemas"]
    assert [name for name in names if not PASCAL_CASE.match(name)] == []


def test_nlgov_servers_use_https_every_server_is_https(document: dict[str, Any]) -> None:
    assert all(server["url"].startswith("https://") for server in document["servers"])


def test_nlgov_property_casing_links_are_lower_camel_case(document: dict[str, Any]) -> None:
    links = [
        name for schema in document["components"]["schemas"].values()
        for name in schema.get("properties", {}) if re.search("_links", name, re.IGNORECASE)
    ]  # fmt: skip
    assert [name for name in links if not CAMEL_CASE.match(name)] == []


def test_operation_description_every_operation_is_described(document: dict[str, Any]) -> None:
    assert [where for where, op in operations(document) if not op.get("description")] == []


def test_operation_tags_every_operation_has_a_tag(document: dict[str, Any]) -> None:
    assert [where for where, op in operations(document) if not op.get("tags")] == []


def test_operation_tag_defined_every_tag_is_defined_globally(document: dict[str, Any]) -> None:
    defined = {tag["name"] for tag in document.get("tags", [])}
    used = {tag for _, op in operations(document) for tag in op.get("tags", [])}
    assert used - defined == set()


def test_operation_operation_id_unique_no_two_operations_share_an_id(
    document: dict[str, Any],
) -> None:
    ids = [op["operationId"] for _, op in operations(document)]
    assert len(ids) == len(set(ids))


def test_operation_success_response_every_operation_can_succeed(
    document: dict[str, Any],
) -> None:
    assert [
        where for where, op in operations(document)
        if not any(status[0] in "23" for status in op["responses"])
    ] == []  # fmt: skip


def test_path_params_every_path_parameter_is_declared(document: dict[str, Any]) -> None:
    for path, item in document["paths"].items():
        in_path = set(re.findall(r"{([^}]+)}", path))
        for method in METHODS:
            if method in item:
                parameters = item.get("parameters", []) + item[method].get("parameters", [])
                declared = {p["name"] for p in parameters if p["in"] == "path"}
                assert declared == in_path, f"{method.upper()} {path}"
                assert all(p["required"] for p in parameters if p["in"] == "path")


def test_oas3_valid_media_example_every_example_fits_its_schema(
    document: dict[str, Any],
) -> None:
    contents = [
        content
        for _, op in operations(document)
        for content in op.get("requestBody", {}).get("content", {}).values()
    ] + [
        content
        for _, response in responses(document, "12345")
        for content in response.get("content", {}).values()
    ]
    examples = [
        (content["schema"], example["value"])
        for content in contents
        for example in content.get("examples", {}).values()
    ]
    assert examples
    for schema, value in examples:
        jsonschema.validate(value, _json_schema(schema))


def _json_schema(schema: Any) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: ``nullable`` becomes a ``null`` type."""
    if isinstance(schema, list):
        return [_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: _json_schema(value) for key, value in schema.items() if key != "nullable"}
    if schema.get("nullable") and "type" in schema:
        out["type"] = [schema["type"], "null"]
        if "enum" in schema and None not in schema["enum"]:
            out["enum"] = [*schema["enum"], None]
    return out


def test_info_description_the_api_is_described(document: dict[str, Any]) -> None:
    assert document["info"].get("description")


def test_oas3_unused_component_every_schema_is_used(raw_document: dict[str, Any]) -> None:
    refs = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(raw_document)))
    assert set(raw_document["components"]["schemas"]) - refs == set()


def test_typed_enum_enum_values_have_their_type(document: dict[str, Any]) -> None:
    def enums(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "enum" in node and node.get("type") in JSON_TYPES:
                yield node
            for value in node.values():
                yield from enums(value)
        elif isinstance(node, list):
            for value in node:
                yield from enums(value)

    for schema in enums(document):
        expected = JSON_TYPES[schema["type"]]
        assert all(
            isinstance(value, expected) or (value is None and schema.get("nullable"))
            for value in schema["enum"]
        ), schema
