"""The vendored vendor specs, prepared for one Prism process per vendor and mode.

Prism serves one document per process, while HubSpot publishes one document per CRM object. A
connector stream needs several of them behind one base URL (an object stream reads the properties
API and the object API; associations read three object APIs and the v4 batch read), so the HubSpot
documents are merged into one: their paths never overlap, and a component defined differently by
two documents (``NextPage``, ``SimplePublicObject``, ...) is renamed ``<Document>_<Name>`` in the
second one, with every ``$ref`` of that document rewritten, so no document sees another's variant.
OAuth scopes of the shared ``oauth2`` scheme are united (Prism only checks the header's presence).

The Xero accounting document (~1 MB, 250+ operations) takes Prism close to a minute of CPU to load,
so it is cut to the GET operations the connector reads plus the components they reach, and the
identity document's ``/Connections`` is added: one small document, one process per mode, seconds
to start. The operations kept are byte-for-byte the vendor's.

The merged document also answers ``/crm/v3/objects/deals/...``: the deals document publishes only
the type id ``0-3``, and HubSpot accepts names and ids interchangeably (see docs/contracts.md).

The ConnectWise PSA subset (a third-party reconstruction, see ``specs/PROVENANCE.md``) is already
one small document holding only the GET lists the connector reads: it is served as it is.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import yaml

SPECS = Path(__file__).resolve().parent / "specs"

HUBSPOT_DOCUMENTS: tuple[str, ...] = (
    "crmOwners.v3.json",
    "pipelines.v3.json",
    "properties.v3.json",
    "contacts.v3.json",
    "companies.v3.json",
    "deals.v3.json",
    "calls.v3.json",
    "emails.v3.json",
    "meetings.v3.json",
    "tasks.v3.json",
    "associations.v4.json",
)
"""Every HubSpot document a connector stream touches (owners, pipelines, properties, objects, v4)."""

XERO_ACCOUNTING = SPECS / "xero" / "xero_accounting.yaml"
XERO_IDENTITY = SPECS / "xero" / "xero-identity.yaml"
CONNECTWISE = SPECS / "connectwise" / "connectwise_psa_subset.json"

DEALS_TYPE_ID_PATH = "/crm/v3/objects/0-3"
DEALS_NAME_PATH = "/crm/v3/objects/deals"


class _TextTimestampLoader(yaml.CSafeLoader):
    """YAML loading that keeps timestamps as the text written (examples stay what the vendor wrote)."""


_TextTimestampLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def load(path: Path) -> dict[str, Any]:
    """A JSON or YAML spec as plain data (the C loader: the Xero YAML is ~1 MB)."""
    text = path.read_text()
    if path.suffix == ".json":
        return json.loads(text)
    return yaml.load(text, Loader=_TextTimestampLoader)


def _rewrite_refs(node: Any, renames: dict[str, str]) -> Any:
    """``node`` with every ``$ref`` in ``renames`` replaced (a fresh structure; input untouched)."""
    if isinstance(node, dict):
        return {
            key: (renames.get(value, value) if key == "$ref" else _rewrite_refs(value, renames))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item, renames) for item in node]
    return node


def _merge_scopes(existing: dict[str, Any], scheme: dict[str, Any]) -> None:
    """Unite the scopes of two OAuth2 flows of the same name (documents list only their own)."""
    for flow_name, flow in scheme.get("flows", {}).items():
        target = existing.setdefault("flows", {}).setdefault(flow_name, copy.deepcopy(flow))
        target.setdefault("scopes", {}).update(flow.get("scopes", {}))


def merge_hubspot(directory: Path = SPECS / "hubspot") -> dict[str, Any]:
    """One OpenAPI document holding every path of ``HUBSPOT_DOCUMENTS`` (see the module docstring)."""
    merged: dict[str, Any] = {
        "openapi": "3.0.1",
        "info": {"title": "HubSpot CRM (merged for contract tests)", "version": "v3"},
        "servers": [{"url": "https://api.hubapi.com"}],
        "paths": {},
        "components": {},
    }
    for name in HUBSPOT_DOCUMENTS:
        document = load(directory / name)
        prefix = name.split(".")[0]
        renames: dict[str, str] = {}
        for kind, entries in document.get("components", {}).items():
            if kind == "securitySchemes":
                continue
            target = merged["components"].setdefault(kind, {})
            for entry, value in entries.items():
                if entry in target and target[entry] != value:
                    renames[f"#/components/{kind}/{entry}"] = f"#/components/{kind}/{prefix}_{entry}"
        components = _rewrite_refs(document.get("components", {}), renames)
        for kind, entries in components.items():
            target = merged["components"].setdefault(kind, {})
            for entry, value in entries.items():
                if kind == "securitySchemes":
                    if entry in target:
                        _merge_scopes(target[entry], value)
                    else:
                        target[entry] = value
                    continue
                renamed = renames.get(f"#/components/{kind}/{entry}", "").rsplit("/", 1)[-1] or entry
                target[renamed] = value
        for path, item in _rewrite_refs(document["paths"], renames).items():
            if path in merged["paths"]:
                raise ValueError(f"HubSpot path {path} is published by two documents")
            merged["paths"][path] = item
    for path in [p for p in merged["paths"] if p.startswith(DEALS_TYPE_ID_PATH)]:
        alias = DEALS_NAME_PATH + path.removeprefix(DEALS_TYPE_ID_PATH)
        item = copy.deepcopy(merged["paths"][path])
        for operation in item.values():
            if isinstance(operation, dict) and "operationId" in operation:
                operation["operationId"] += "-by-name"
        merged["paths"][alias] = item
    return merged


def _refs(node: Any) -> set[str]:
    """Every ``$ref`` target under ``node``."""
    if isinstance(node, dict):
        found = {node["$ref"]} if isinstance(node.get("$ref"), str) else set()
        for value in node.values():
            found |= _refs(value)
        return found
    if isinstance(node, list):
        return set().union(*(_refs(item) for item in node)) if node else set()
    return set()


def _reachable(document: dict[str, Any], roots: Any) -> dict[str, Any]:
    """The components ``roots`` refer to, transitively (``#/components/<kind>/<name>`` refs only)."""
    kept: dict[str, Any] = {}
    pending = list(_refs(roots))
    while pending:
        ref = pending.pop()
        _, _, kind, name = ref.split("/", 3)
        if name in kept.setdefault(kind, {}):
            continue
        value = document["components"][kind][name]
        kept[kind][name] = value
        pending.extend(_refs(value))
    return kept


def trim_xero(collections: list[str]) -> dict[str, Any]:
    """The accounting document cut to ``GET /<collection>`` for each collection, plus ``/Connections``.

    Security schemes and the components the kept operations reach stay; nothing inside an
    operation or schema is changed.
    """
    accounting = load(XERO_ACCOUNTING)
    identity = load(XERO_IDENTITY)
    paths: dict[str, Any] = {}
    for collection in collections:
        item = accounting["paths"][f"/{collection}"]
        paths[f"/{collection}"] = {key: value for key, value in item.items() if key in ("get", "parameters")}
    components = _reachable(accounting, paths)
    components["securitySchemes"] = accounting["components"]["securitySchemes"]
    identity_components = _reachable(identity, identity["paths"]["/Connections"])
    for kind, entries in identity_components.items():
        for name, value in entries.items():
            if components.setdefault(kind, {}).get(name, value) != value:
                raise ValueError(f"Xero component {kind}/{name} differs between the two documents")
            components[kind][name] = value
    paths["/Connections"] = identity["paths"]["/Connections"]
    return {
        "openapi": accounting["openapi"],
        "info": accounting["info"],
        "servers": [{"url": "https://api.xero.com/api.xro/2.0"}],
        "paths": paths,
        "components": components,
    }


def connectwise() -> dict[str, Any]:
    """The ConnectWise PSA subset, unchanged: 22 GET paths (lists and counts), 75 schemas, 166 KB."""
    return load(CONNECTWISE)


def write_hubspot(target: Path) -> Path:
    """Write the merged HubSpot document as JSON to ``target`` and return it."""
    target.write_text(json.dumps(merge_hubspot()))
    return target


def write_xero(target: Path, collections: list[str]) -> Path:
    """Write the trimmed Xero document (accounting subset + ``/Connections``) to ``target``."""
    target.write_text(json.dumps(trim_xero(collections)))
    return target


def cut_cycles(document: dict[str, Any]) -> list[str]:
    """Replace every ``$ref`` that closes a cycle of schemas by an empty object schema, in place.

    Prism dereferences a document and turns each cycle into a pointer its faker cannot follow
    ("Prop not found: paths (#/paths/~1Payments/...)"), and on Xero's Invoice <-> Payment <->
    CreditNote cycles the faker either fails that way or runs for minutes, blocking the process.
    Cutting the back edges of a depth-first walk that starts from the paths (``Payment -> Invoice``
    inside an invoice's payments, ``ContactGroup -> Contact`` inside a contact) leaves a DAG and
    keeps every collection's records with their direct children. Returns the edges cut as
    ``Schema -> Schema`` for the report.
    """
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"
    cut: list[str] = []
    done: set[str] = set()

    def visit(node: Any, stack: list[str], where: str) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(prefix):
                name = ref.removeprefix(prefix)
                if name in stack:
                    cut.append(f"{where} -> {name}")
                    return {"type": "object"}
                walk(name, stack)
                return node
            return {key: visit(value, stack, where) for key, value in node.items()}
        if isinstance(node, list):
            return [visit(item, stack, where) for item in node]
        return node

    def walk(name: str, stack: list[str]) -> None:
        if name in done:
            return
        stack.append(name)
        schemas[name] = visit(schemas[name], stack, name)
        stack.pop()
        done.add(name)

    visit(document["paths"], [], "paths")  # collections first, in order: they keep the most nesting
    for name in list(schemas):
        walk(name, [])
    return cut
