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

    `database_url` overrides the settings (tests); `full_refresh` rebuilds the incremental models from
    scratch (`dbt build --full-refresh`): launch a job with `{"resources": {"dbt": {"config":
    {"full_refresh": true}}}}` for a change older than the models' look-back window."""

    # defaults as fields, so a launch's run config may set `full_refresh` alone
    project_dir: str = str(DBT_PROJECT_DIR)
    profiles_dir: str | None = str(DBT_PROJECT_DIR)
    dbt_executable: str = DBT_EXECUTABLE
    database_url: str | None = None
    full_refresh: bool = False

    def __init__(self, **kwargs: Any) -> None:
        # DbtCliResource's own __init__ passes defaults of its own: hand it ours
        for name in ("project_dir", "profiles_dir", "dbt_executable"):
            kwargs.setdefault(name, type(self).model_fields[name].default)
        super().__init__(**kwargs)

    def profile_env(self) -> dict[str, str]:
        if self.database_url:
            return dbt_env_from_url(self.database_url)
        from orchestration.settings import get_settings

        return dbt_env(get_settings())

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:  # type: ignore[override]
        # dagster-dbt copies os.environ into the dbt subprocess and its in-process adapter when `cli` is
        # called; both exist once it returns, so the variables are only needed for the call itself.
        # The models run as several ops (WAREHOUSE_SLICES). dbt's default "eager" indirect selection would
        # run a test in the op of *any* of its parents, e.g. a relationship from a lead model to
        # stg_public__campaigns in the op building the latter, before the lead model exists; "buildable"
        # runs it where all its parents are built or upstream: in the op of its last parent.
        env = {
            **self.profile_env(),
            "DBT_INDIRECT_SELECTION": os.environ.get("DBT_INDIRECT_SELECTION", "buildable"),
        }
        with patched_environ(os.environ, env):  # type: ignore[arg-type]
            return super().cli(args, **kwargs)
