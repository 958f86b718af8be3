"""The embedded server's lifecycle, crash recovery, clear errors, and DATABASE_URL precedence."""

import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from orchestration.database import (
    DatabaseError,
    EmbeddedPostgres,
    database_url,
    embedded_server,
    server_tuning,
)
from orchestration.settings import get_settings
from tests.conftest import free_port


def _query(url: str, sql: str) -> object:
    with psycopg.connect(url, connect_timeout=5) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture
def server(tmp_path: Path):
    srv = EmbeddedPostgres(tmp_path / "pgdata", free_port())
    yield srv
    srv.stop()


def test_start_is_idempotent_and_stop_stops(server: EmbeddedPostgres) -> None:
    first = server.start()
    second = server.start()
    assert first.running and second.pid == first.pid
    assert _query(server.url(), "select default_version from pg_available_extensions where name = 'vector'")
    server.stop()
    assert not server.status().running
    with pytest.raises(psycopg.OperationalError):
        _query(server.url(), "select 1")


def test_server_is_sized_for_the_machine_and_alter_system_still_wins(server: EmbeddedPostgres) -> None:
    assert server_tuning(24 * 2**30)["shared_buffers"] == "2048MB"  # a quarter, at most 2 GB
    assert server_tuning(2 * 2**30)["shared_buffers"] == "512MB"
    assert server_tuning(256 * 2**20)["shared_buffers"] == "128MB"  # never below initdb's default
    server.start()
    expected = server_tuning()
    assert _query(server.url(), "show work_mem") == expected["work_mem"].replace("MB", "") + "MB"
    assert (
        _query(
            server.url(),
            "select setting::int * 8 / 1024 || 'MB' from pg_settings where name = 'shared_buffers'",
        )
        == expected["shared_buffers"]
    )
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("alter system set work_mem = '7MB'")
    server.stop()
    server.start()  # the tuning file is rewritten, and the operator's ALTER SYSTEM is kept over it
    assert _query(server.url(), "show work_mem") == "7MB"


def test_restart_keeps_data(server: EmbeddedPostgres) -> None:
    server.start()
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("create table kept (v int); insert into kept values (42)")
    server.stop()
    server.start()
    assert _query(server.url(), "select v from kept") == 42


def test_recovers_after_sigkill(server: EmbeddedPostgres) -> None:
    server.start()
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("create table survived (v int); insert into survived values (7)")
    old_pid = server.status().pid
    server.kill()
    assert not server.status().running
    assert (server.data_dir / "postmaster.pid").exists(), "a crash leaves its pid file behind"
    status = server.start()
    assert status.running and status.pid != old_pid
    assert _query(server.url(), "select v from survived") == 7


def test_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        srv = EmbeddedPostgres(tmp_path / "pgdata", port)
        with pytest.raises(DatabaseError, match=f"Port {port} .* in use.*AIP_BI_PORT"):
            srv.start()
        assert not srv.status().running


def test_unwritable_home_is_a_clear_error(tmp_path: Path) -> None:
    # root can write anywhere, so point the data dir below a regular file: creating it must fail cleanly
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    srv = EmbeddedPostgres(blocker / "pgdata", free_port())
    with pytest.raises((DatabaseError, OSError)):
        srv.start()


def test_tcp_listener_requires_a_password(server: EmbeddedPostgres) -> None:
    server.start()
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(f"postgresql://postgres@127.0.0.1:{server.port}/postgres", connect_timeout=5)


def test_database_url_wins_and_nothing_embedded_starts(server: EmbeddedPostgres, tmp_path: Path) -> None:
    server.start()
    external = server.url("postgres")
    home = tmp_path / "home"
    settings = get_settings(
        {"DATABASE_URL": external, "AIP_HOME": str(home), "AIP_BI_PORT": str(free_port())}
    )
    assert database_url(settings) == external
    assert not embedded_server(settings).status().running
    assert not (home / "pgdata").exists(), "no embedded cluster may be initialised when DATABASE_URL is set"
    # the CLI path too: `aip db url` prints the external URL, `aip migrate` applies there
    env = {"DATABASE_URL": external, "AIP_HOME": str(home), "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "db", "url"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == external
    subprocess.run(
        [sys.executable, "-m", "orchestration.cli", "migrate"], env=env, check=True, capture_output=True
    )
    from orchestration.migrations import MIGRATIONS_DIR

    expected = len(list(MIGRATIONS_DIR.glob("*.sql")))
    assert _query(external, "select count(*) from aip._yoyo_migration") == expected
    assert not (home / "pgdata").exists()
