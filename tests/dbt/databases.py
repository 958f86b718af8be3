"""Databases with a built warehouse, shared by the warehouse tests.

A dbt build costs seconds, so each dataset is loaded and built once per session into a database that the
tests copy (`CREATE DATABASE … TEMPLATE`, a fraction of a second) whenever they change something.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg

from assets.warehouse.profile import dbt_env_from_url
from assets.warehouse.project import run_dbt
from orchestration.database import create_database, drop_database, with_database

_BUILT: dict[tuple[str, str], str] = {}


def dbt(url: str, target: Path, *args: str) -> str:
    """Run dbt against the database at `url`; its output (raises with the output's end on failure)."""
    return run_dbt(list(args), env=dbt_env_from_url(url), target_path=target, timeout=600).stdout


def release(admin_url: str, name: str) -> None:
    """Close every session on `name` so it can serve as a template."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (name,),
        )


def copy_database(admin_url: str, template: str, prefix: str = "aip_wh") -> tuple[str, str]:
    """A new database copied from `template`: (name, url)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    release(admin_url, template)
    create_database(admin_url, name, template=template)
    return name, with_database(admin_url, name)


def built_template(
    admin_url: str, template_db: str, key: str, load: Callable[[str], None], target: Path
) -> str:
    """Name of a database holding dataset `key` (written by `load(url)`) and a full `dbt build` of it,
    made once per session and server."""
    memo = (admin_url, key)
    if memo not in _BUILT:
        name, url = copy_database(admin_url, template_db, prefix=f"aip_wh_{key}")
        try:
            load(url)
            dbt(url, target, "build")
        except BaseException:
            drop_database(admin_url, name)
            raise
        release(admin_url, name)
        _BUILT[memo] = name
    return _BUILT[memo]


def drop_built(admin_url: str) -> None:
    for (server, key), name in list(_BUILT.items()):
        if server == admin_url:
            drop_database(admin_url, name)
            del _BUILT[(server, key)]
