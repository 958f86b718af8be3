"""With the real dbt warehouse: an erased user is gone from every model, and the next (incremental) run of the
warehouse does not bring them back, while the other users' mart rows stay as they were."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from assets.privacy import requests as rq
from assets.privacy.deletion import process_deletion_request
from assets.privacy.ownership import resolve_ownership
from tests.assets.privacy.conftest import rows_naming_user
from tests.assets.privacy.seeding import Seeded

warehouse = pytest.importorskip("assets.warehouse.project", reason="the dbt warehouse is not in this tree")
profile = pytest.importorskip("assets.warehouse.profile")


def _dbt_run(db_url: str, target: Path) -> None:
    warehouse.run_dbt(["run"], env=profile.dbt_env_from_url(db_url), target_path=target, timeout=300)


def _incremental_models(target: Path) -> set[str]:
    nodes = json.loads((target / "manifest.json").read_text())["nodes"].values()
    return {
        f"{n['schema']}.{n['alias']}"
        for n in nodes
        if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental"
    }


def _user_rows(conn: psycopg.Connection, tables: list[str], user: object) -> dict[str, int]:
    return {
        t: conn.execute(
            sql.SQL("select count(*) from {} where user_id::text = %s").format(sql.Identifier(*t.split("."))),
            (str(user),),
        ).fetchone()[0]
        for t in tables
    }


def test_erased_user_stays_out_of_the_warehouse_after_the_next_run(
    conn: psycopg.Connection, db_url: str, seeded: Seeded, storage_dir: Path, tmp_path: Path
) -> None:
    user, others = seeded.users[0], seeded.users[1:]
    _dbt_run(db_url, tmp_path / "target")
    ownership = resolve_ownership(conn)
    models = sorted(
        t.qualified for t in ownership.tables.values() if t.warehouse and "user_id" in t.owner_columns
    )
    holding = {t for t, n in _user_rows(conn, models, user).items() if n}
    incremental = _incremental_models(tmp_path / "target")
    assert holding & incremental, f"no incremental model holds the user's rows ({holding}, {incremental})"
    others_before = {o: _user_rows(conn, models, o) for o in others}
    request, _ = rq.file_request(conn, rq.DELETION, user, confirmed=True)

    result = process_deletion_request(conn, request.id, storage_dir)

    assert result.status == "completed", result.error
    assert holding <= set(result.tables)  # the warehouse rows were erased in the same transaction
    assert rows_naming_user(conn, user) == {}
    _dbt_run(db_url, tmp_path / "target")  # the next run: incremental models with their look-back window
    assert rows_naming_user(conn, user) == {}
    assert {o: _user_rows(conn, models, o) for o in others} == others_before
