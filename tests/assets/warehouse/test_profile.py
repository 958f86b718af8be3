"""The dbt profile's variables from the platform's URL (socket or TCP), as the shell gets them."""

from __future__ import annotations

import subprocess

import pytest

from assets.warehouse.profile import DBT_PROJECT_DIR, ProfileError, dbt_env_command, dbt_env_from_url
from orchestration.settings import get_settings


def test_embedded_socket_url() -> None:
    env = dbt_env_from_url("postgresql://postgres@/aip?host=%2Fhome%2Fme%2F.aip%2Frun&port=55432")
    assert (env["DBT_HOST"], env["DBT_PORT"], env["DBT_USER"], env["DBT_DBNAME"]) == (
        "/home/me/.aip/run",
        "55432",
        "postgres",
        "aip",
    )
    assert env["DBT_PASSWORD"] == "" and env["DBT_PROFILES_DIR"] == str(DBT_PROJECT_DIR)


def test_database_url_with_credentials_and_ssl() -> None:
    env = dbt_env_from_url("postgres://wh%40corp:p%3As%2Fs@db.Example.com:6543/my%20db?sslmode=require")
    assert (env["DBT_HOST"], env["DBT_PORT"], env["DBT_USER"], env["DBT_PASSWORD"]) == (
        "db.Example.com",
        "6543",
        "wh@corp",
        "p:s/s",
    )
    assert (env["DBT_DBNAME"], env["DBT_SSLMODE"]) == ("my db", "require")


def test_not_a_postgres_url() -> None:
    with pytest.raises(ProfileError, match="DATABASE_URL"):
        dbt_env_from_url("mysql://x@y/z")


def test_export_lines_evaluate_in_a_shell() -> None:
    url = "postgresql://u:it%27s%20%24secret@h:5/d"
    settings = get_settings({"DATABASE_URL": url})
    script = dbt_env_command(settings) + '\nprintf "%s|%s" "$DBT_PASSWORD" "$DBT_DBNAME"'
    out = subprocess.run(["sh", "-c", script], capture_output=True, text=True, check=True).stdout
    assert out == "it's $secret|d"
