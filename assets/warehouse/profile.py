"""The dbt profile's environment: DBT_* variables for the platform database.

`dbt_project/profiles.yml` reads only environment variables, so the same project runs from Dagster, from the
tests and from a shell (`eval "$(aip dbt-env)"; cd dbt_project; dbt build`). The variables are derived from
the one libpq URL of the platform (`orchestration.database.database_url`): the embedded server's URL names
its unix-socket directory in the query (`?host=/socket/dir&port=…`), a DATABASE_URL names a TCP host.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from orchestration.settings import REPO_ROOT, Settings

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"

# What `dbt parse` needs to render profiles.yml; parsing never connects, so any value will do.
PARSE_ONLY_ENV = {"DBT_HOST": "localhost", "DBT_USER": "parse-only", "DBT_DBNAME": "parse-only"}


class ProfileError(ValueError):
    """The database URL cannot be turned into a dbt profile."""


def _split_netloc(netloc: str) -> tuple[str, str, str, str]:
    """user, password, host, port of a URL's netloc, percent-decoded, host case preserved (a socket path
    may be written there percent-encoded, which `urlsplit().hostname` would lowercase)."""
    userinfo, _, hostport = netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    if hostport.startswith("["):  # IPv6 literal
        host, _, rest = hostport[1:].partition("]")
        port = rest.removeprefix(":")
    else:
        host, _, port = hostport.partition(":")
    return unquote(user), unquote(password), unquote(host), port


def dbt_env_from_url(url: str) -> dict[str, str]:
    """DBT_* variables for a libpq URL (`postgresql://user:pw@host:port/db?sslmode=…` or the socket form
    `postgresql://user@/db?host=/dir&port=…`)."""
    parts = urlsplit(url)
    if parts.scheme.split("+")[0] not in {"postgresql", "postgres"}:
        raise ProfileError(
            f"Not a PostgreSQL URL (scheme {parts.scheme!r}); set DATABASE_URL to postgresql://…"
        )
    query = dict(parse_qsl(parts.query))
    user, password, host, port = _split_netloc(parts.netloc)
    host = query.get("host") or host or "localhost"
    port = query.get("port") or port or "5432"
    user = query.get("user") or user or "postgres"
    password = query.get("password") or password
    dbname = unquote(parts.path.lstrip("/")) or query.get("dbname") or user
    env = {
        "DBT_HOST": host,
        "DBT_PORT": port,
        "DBT_USER": user,
        "DBT_PASSWORD": password,
        "DBT_DBNAME": dbname,
        "DBT_SSLMODE": query.get("sslmode", "prefer"),
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }
    if "," in host:
        raise ProfileError("dbt-postgres takes one host; give DATABASE_URL a single host for the warehouse.")
    return env


def dbt_env(settings: Settings, start: bool = True) -> dict[str, str]:
    """DBT_* variables for the platform database (starts the embedded server unless `start` is False)."""
    from orchestration.database import database_url

    return dbt_env_from_url(database_url(settings, start=start))


def dbt_env_command(settings: Settings) -> str:
    """`export …` lines for a shell: `eval "$(aip dbt-env)"` then `cd dbt_project && dbt build`."""
    env = dbt_env(settings)
    return "\n".join(f"export {name}={shlex.quote(value)}" for name, value in sorted(env.items()))


@contextmanager
def patched_environ(environ: dict[str, str], values: Mapping[str, str]) -> Iterator[None]:
    """Set `values` in `environ` (normally os.environ) for the duration of the block, then restore it.

    dagster-dbt builds the dbt subprocess's environment and its in-process adapter from os.environ, and
    offers no parameter for extra variables; this keeps the change scoped to one dbt invocation."""
    previous = {name: environ.get(name) for name in values}
    environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                environ.pop(name, None)
            else:
                environ[name] = value


def project_files(project_dir: Path = DBT_PROJECT_DIR) -> Iterator[Path]:
    """Every file whose change changes the dbt manifest."""
    for name in ("dbt_project.yml", "profiles.yml"):
        yield project_dir / name
    for folder in ("models", "macros", "tests"):
        yield from (p for p in (project_dir / folder).rglob("*") if p.is_file())
