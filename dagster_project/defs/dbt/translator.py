"""How dbt's models and seeds appear in Dagster: their group, owners and layer tag.

Asset keys are dagster-dbt's own (``[schema, model]``) and are not touched here: exports, checks,
jobs and tests name them. Kinds are dagster-dbt's own too: ``dbt`` and the adapter, ``duckdb``.

**Groups**, by layer and folder (``docs/dagster.md`` lists them all, and a test keeps that list and
the definitions equal):

- ``models/staging/<source>/``: ``staging_<source>`` (``staging_hubspot``, ``staging_xero``, ...);
- ``models/intermediate/<domain>/``: ``intermediate_<domain>`` (``intermediate_crm``, ...);
- ``models/marts/<domain>/``: ``<domain>`` (``funnel``, ``finance``, ``labour``, ``pacing``,
  ``profitability``): the domain is the group an analyst looks for;
- seeds: ``seeds``.

A model outside that layout gets its layer alone (``staging``, ``intermediate``, ``marts``). dbt
decides first, as dagster-dbt does: ``meta: {dagster: {group: ...}}`` or a dbt ``group`` config on
a model, folder or the project overrides the rule.

**Owners**: ``meta: {dagster: {owners: [...]}}`` (dagster-dbt's own key), else ``meta: {owner:
...}`` (dbt's common convention: an e-mail, a ``team:`` name or a bare team name, read as
``team:<name>``), else the owner of the model's dbt group (its e-mail, else its name as a team),
else :data:`DEFAULT_OWNER`.

**Tags**: the dbt tags, as dagster-dbt maps them, plus the pipeline layer
(:data:`~dagster_project.loader.layers.LAYER_TAG`: ``staging``, ``intermediate``, ``marts`` or
``seeds``), the tag the raw assets already carry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dagster_dbt import DagsterDbtTranslator

from dagster_project.loader.layers import LAYER_TAG

DEFAULT_OWNER = "team:data"
"""Every dbt asset's owner unless its dbt ``meta`` or group names another."""
SEEDS_GROUP = "seeds"
"""The dbt seeds (``dbt/seeds/*.csv``): the account map, the goal metrics and other editable lists."""
LAYERS_BY_FOLDER = ("staging", "intermediate")
"""Layers whose groups are ``<layer>_<folder>``; the marts' are the bare domain folder."""
MARTS = "marts"


def _meta(dbt_resource_props: Mapping[str, Any]) -> Mapping[str, Any]:
    """The resource's ``meta``: dbt >= 1.10 keeps ``config.meta`` and ``meta`` in step; read both."""
    config_meta = dbt_resource_props.get("config", {}).get("meta") or {}
    return {**config_meta, **(dbt_resource_props.get("meta") or {})}


def as_owner(name: str) -> str:
    """A Dagster owner (an e-mail or ``team:<name>``) from a dbt owner string."""
    name = name.strip()
    return name if "@" in name or name.startswith("team:") else f"team:{name}"


def layer_of(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """``seeds``, or the model's top folder under ``models/`` (``staging``, ``intermediate``, ``marts``)."""
    if dbt_resource_props.get("resource_type") == "seed":
        return SEEDS_GROUP
    fqn = dbt_resource_props.get("fqn", [])
    # fqn is [project, folder..., model]: a model directly in models/ has no layer
    return fqn[1] if len(fqn) >= 3 else None


def layer_group(dbt_resource_props: Mapping[str, Any]) -> str | None:
    """The group the layout gives a model or seed (see the module docstring)."""
    layer = layer_of(dbt_resource_props)
    fqn = dbt_resource_props.get("fqn", [])
    folder = fqn[2] if len(fqn) >= 4 else None
    if layer is None or layer == SEEDS_GROUP or folder is None:
        return layer
    if layer == MARTS:
        return folder
    return f"{layer}_{folder}" if layer in LAYERS_BY_FOLDER else layer


class MilemarkerDbtTranslator(DagsterDbtTranslator):
    """dagster-dbt's translator with Milemarker's groups, owners and layer tag (module docstring)."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return super().get_group_name(dbt_resource_props) or layer_group(dbt_resource_props)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        dagster_owners = super().get_owners(dbt_resource_props)
        if dagster_owners:
            return [as_owner(owner) for owner in dagster_owners]
        owner = _meta(dbt_resource_props).get("owner")
        if owner:
            return [as_owner(name) for name in ([owner] if isinstance(owner, str) else owner)]
        # dagster-dbt hands over the dbt group's own properties here when the model is in one
        group = dbt_resource_props.get("group")
        group_owner = (group.get("owner") or {}) if isinstance(group, Mapping) else {}
        if group_owner.get("name"):
            return [as_owner(group_owner["name"])]
        return [DEFAULT_OWNER]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        tags = dict(super().get_tags(dbt_resource_props))
        layer = layer_of(dbt_resource_props)
        if layer is not None and dbt_resource_props.get("resource_type") in ("model", "seed"):
            tags[LAYER_TAG] = layer
        return tags
