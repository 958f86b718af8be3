"""bi_reader: a login role that reads the marts (also tables dbt creates later) and nothing in public, auth
or storage; its URL for BI tools."""

from __future__ import annotations

import stat
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from orchestration.bi import BI_ROLE, bi_url, ensure_bi_reader, readable_private_tables
from orchestration.settings import get_settings
from tests.dbt import handmade as H

PASSWORD = "bi-test-Pa55word"


def _bi_connect(port: int, dbname: str) -> psycopg.Connection:
    """As a BI tool does: TCP to 127.0.0.1 with a password (the server demands scram-sha-256)."""
    return psycopg.connect(
        host="127.0.0.1", port=port, dbname=dbname, user=BI_ROLE, password=PASSWORD, autocommit=True
    )


@pytest.fixture
def bi_db(warehouse_url: str) -> str:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        ensure_bi_reader(conn, PASSWORD)
        ensure_bi_reader(conn, PASSWORD)  # idempotent
        assert readable_private_tables(conn) == []
        return conn.info.dbname


def test_bi_reader_reads_the_marts(bi_db: str, tcp_port: int) -> None:
    with _bi_connect(tcp_port, bi_db) as bi:
        assert bi.execute("select count(*) from marts.fct_autopilot_weekly").fetchone()[0] == 4
        assert bi.execute("select count(*) from fct_lead_funnel").fetchone()[0] > 0  # search_path = marts


@pytest.mark.parametrize(
    "table",
    [
        "public.user_secrets",
        "auth.users",
        "public.leads",
        "public.campaigns",
        "intermediate.int_lead_lifecycle",
        "staging.stg_public__leads",
    ],
)
def test_bi_reader_is_denied_everything_else(bi_db: str, tcp_port: int, table: str) -> None:
    with _bi_connect(tcp_port, bi_db) as bi, pytest.raises(psycopg.errors.InsufficientPrivilege):
        bi.execute(f"select * from {table} limit 1")


def test_bi_reader_cannot_read_through_security_definer_functions(bi_db: str, tcp_port: int) -> None:
    # PUBLIC keeps USAGE on schema public; a SECURITY DEFINER function executable by PUBLIC would hand any
    # user's data to bi_reader. The migrations revoke EXECUTE from PUBLIC on them: keep it that way.
    with _bi_connect(tcp_port, bi_db) as bi, pytest.raises(psycopg.errors.InsufficientPrivilege):
        bi.execute("select public.get_autopilot_dashboard_stats(%s)", (H.USER_A,))


def test_bi_reader_cannot_write(bi_db: str, tcp_port: int) -> None:
    with _bi_connect(tcp_port, bi_db) as bi:
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            bi.execute("create table marts.bi_scratch (x int)")
        bi.execute("set default_transaction_read_only = off")  # a BI tool could; privileges still say no
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute("delete from marts.fct_autopilot_weekly")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute("create table public.bi_scratch (x int)")


def test_tables_built_later_are_readable(bi_db: str, tcp_port: int, warehouse_url: str) -> None:
    # dbt replaces a table by creating a new one: default privileges must cover it
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("create table marts.built_after_grant as select 1 as answer")
    with _bi_connect(tcp_port, bi_db) as bi:
        assert bi.execute("select answer from marts.built_after_grant").fetchone()[0] == 1


def test_quality_schema_is_readable(warehouse_url: str, tcp_port: int) -> None:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("create schema if not exists quality")  # the data-quality migration creates it
        conn.execute("create table quality.bi_probe as select 'ok' as outcome")
        ensure_bi_reader(conn, PASSWORD)
        dbname = conn.info.dbname
    with _bi_connect(tcp_port, dbname) as bi:
        assert bi.execute("select outcome from quality.bi_probe").fetchone()[0] == "ok"


def test_a_public_grant_to_everyone_is_refused(warehouse_url: str) -> None:
    with psycopg.connect(warehouse_url, autocommit=True) as conn:
        conn.execute("grant select on public.leads to public")
        with pytest.raises(Exception, match=r"public\.leads"):
            ensure_bi_reader(conn, PASSWORD)


def test_bi_url_with_database_url(settings, tcp_port: int) -> None:  # noqa: ANN001 - fixture
    url = bi_url(settings)  # creates the role with the generated password
    given, made = conninfo_to_dict(settings.database_url), conninfo_to_dict(url)
    assert (made["user"], made["dbname"], made["host"]) == (BI_ROLE, given["dbname"], given["host"])
    with psycopg.connect(host="127.0.0.1", port=tcp_port, dbname=made["dbname"], user=BI_ROLE,
                         password=made["password"]) as bi:  # fmt: skip
        assert bi.execute("select current_user").fetchone()[0] == BI_ROLE


def test_bi_url_embedded_and_its_generated_password(tmp_path: Path) -> None:
    settings = get_settings({"AIP_HOME": str(tmp_path), "AIP_BI_PORT": "55999"})
    url = bi_url(settings, ensure=False)
    password_file = tmp_path / "bi_reader.password"
    password = password_file.read_text().strip()
    assert url == f"postgresql://bi_reader:{password}@127.0.0.1:55999/aip"
    assert stat.S_IMODE(password_file.stat().st_mode) == 0o600 and len(password) >= 24
    assert bi_url(settings, ensure=False) == url  # generated once
    chosen = get_settings({"AIP_HOME": str(tmp_path), "AIP_BI_PASSWORD": "p@ss word"})
    assert bi_url(chosen, ensure=False) == "postgresql://bi_reader:p%40ss%20word@127.0.0.1:55432/aip"
