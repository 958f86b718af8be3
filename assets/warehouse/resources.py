"""The dbt resource of the warehouse: dagster-dbt's CLI resource pointed at the platform database."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from dagster_dbt import DbtCliResource
from dagster_dbt.core.dbt_cli_invocation import DbtCliInvocation

from assets.warehouse.profile import DBT_PROJECT_DIR, dbt_env, dbt_env_from_url, patched_environ
from assets.warehouse.project import DBT_EXECUTABLE


class WarehouseDbtResource(DbtCliResource):
    """Runs dbt with the DBT_* variables of the platform database (settings resolved when a run starts).

    `database_url` overrides the settings (tests)."""

    database_url: str | None = None

    def __init__(self, database_url: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("project_dir", str(DBT_PROJECT_DIR))
        kwargs.setdefault("profiles_dir", str(DBT_PROJECT_DIR))
        kwargs.setdefault("dbt_executable", DBT_EXECUTABLE)
        super().__init__(database_url=database_url, **kwargs)

    def profile_env(self) -> dict[str, str]:
        if self.database_url:
            return dbt_env_from_url(self.database_url)
        from orchestration.settings import get_settings

        return dbt_env(get_settings())

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:  # type: ignore[override]
        # dagster-dbt copies os.environ into the dbt subprocess and its in-process adapter when `cli` is
        # called; both exist once it returns, so the variables are only needed for the call itself.
        with patched_environ(os.environ, self.profile_env()):  # type: ignore[arg-type]
            return super().cli(args, **kwargs)
