"""Warehouse domain: the dbt project as Dagster assets, the weekly-report write-back, jobs and schedules.

`defs` is loaded on first access, so the plain helpers of this package (`profile`, `project`, `writeback`)
can be imported — e.g. by the CLI's `aip dbt-env` — without importing Dagster or parsing the dbt project.
"""

from typing import Any

__all__ = ["defs"]


def __getattr__(name: str) -> Any:
    if name == "defs":
        from assets.warehouse.definitions import defs

        return defs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
