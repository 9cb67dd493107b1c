"""Which dbt models are exported, read from dbt's manifest.

The export list is derived, never kept by hand: every model under ``models/marts/`` is a mart
(each with an enforced contract, so its columns and types are declared), and every mart is
exported. A new mart is exported by the next run; a renamed one changes the file name, which the
dashboard contract test catches before a dashboard breaks at night.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster_project.warehouse.exports import Mart

MARTS_FOLDER = "models/marts/"


def is_mart(node: Mapping[str, Any]) -> bool:
    """A dbt manifest node is a mart when it is a model in the marts folder."""
    return node["resource_type"] == "model" and node["original_file_path"].startswith(MARTS_FOLDER)


def mart_nodes(manifest: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The manifest's mart nodes by model name, sorted by name."""
    nodes = (node for node in manifest["nodes"].values() if is_mart(node))
    return {node["name"]: node for node in sorted(nodes, key=lambda node: node["name"])}


def mart_from_node(node: Mapping[str, Any]) -> Mart:
    """The export of one mart node: named after the model, read from its schema and alias."""
    return Mart(name=node["name"], schema=node["schema"], table=node["alias"])


def load_manifest(path: Path) -> dict[str, Any]:
    """dbt's ``manifest.json``."""
    return json.loads(path.read_text())
