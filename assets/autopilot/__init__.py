"""Autopilot domain: the daily optimisation pass, weekly insights, SQL-triggered runs and run health.

`defs` is loaded on first access, so the plain logic modules (`scoring`, `predictions`, `insights`,
`run_health`, …) can be imported without building Dagster definitions or parsing the dbt project.
"""

from typing import Any

__all__ = ["defs"]


def __getattr__(name: str) -> Any:
    if name == "defs":
        from assets.autopilot.definitions import defs

        return defs
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
