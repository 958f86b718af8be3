"""How dbt nodes become Dagster assets: keys and groups follow the project's folders, nothing per model.

- a model `models/<layer>/<area>/<name>.sql` → key `[<layer>, <name>]` (= its schema and table, since each
  layer folder is its own schema), group `<layer>_<area>` (e.g. `marts_leads`);
- a source table `<source>.<table>` → key `[<source>, <table>]` (e.g. `public/campaigns`), group
  `operational`: the operational tables the app writes, upstream of everything in the warehouse.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator

OPERATIONAL_GROUP = "operational"


class WarehouseTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        folders = _folders(dbt_resource_props)
        layer = folders[0] if folders else "warehouse"
        return dg.AssetKey([layer, dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return OPERATIONAL_GROUP
        folders = _folders(dbt_resource_props)
        return "_".join(folders) if folders else "warehouse"


def _folders(dbt_resource_props: Mapping[str, Any]) -> list[str]:
    """Folders between the project name and the node name in the node's fqn (models/<layer>/<area>/…)."""
    fqn = list(dbt_resource_props.get("fqn") or [])
    return [part for part in fqn[1:-1] if part]


def source_specs(manifest: Mapping[str, Any], translator: WarehouseTranslator) -> list[dg.AssetSpec]:
    """External assets for the operational tables the dbt sources read, so the graph starts at them."""
    specs = []
    for source in manifest.get("sources", {}).values():
        specs.append(
            dg.AssetSpec(
                key=translator.get_asset_key(source),
                group_name=translator.get_group_name(source),
                description=source.get("description") or source.get("source_description") or None,
                kinds={"postgres"},
                metadata={"dagster/table_name": f"{source['schema']}.{source['identifier']}"},
            )
        )
    return sorted(specs, key=lambda spec: spec.key.to_user_string())
