"""The spec, compiled by the server under test into a scratch schema, so both sides compare in pg's own words.

`sql/spec/operational_schema.yaml` writes types, defaults, CHECKs, index predicates, policy expressions and
function signatures as SQL text ("auth.uid() = user_id", "'{}'::jsonb", "vector(1536)"). Comparing that
text with the catalog would need a hand-written normaliser for casts, parentheses and keyword case. Instead
each spec object is created in `conformance_scratch` (inside a transaction the caller rolls back) and read
back with the same catalog functions as the live schema: equal objects deparse to equal text.

Expressions referring to other tables (`exists (select 1 from campaigns c ...)`) resolve through the
search_path to the live `public` tables, as the migrations' do.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import psycopg
import yaml

from orchestration.settings import REPO_ROOT

SPEC_PATH = REPO_ROOT / "sql" / "spec" / "operational_schema.yaml"
SCRATCH = "conformance_scratch"


@cache
def load_spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def live_relation(table: str) -> str:
    """Spec table key -> schema-qualified name ('campaigns' -> 'public.campaigns', 'auth.users' stays)."""
    return table if "." in table else f"public.{table}"


def scratch_relation(table: str) -> str:
    return f"{SCRATCH}.{table.replace('.', '__')}"


def column_type(spec_type: str, dimension: int) -> str:
    """Embedding columns follow the configured model's dimension (spec: embedding_columns)."""
    return f"vector({dimension})" if spec_type.startswith("vector(") else spec_type


def check_expressions(table: dict[str, Any]) -> list[str]:
    """Every CHECK the spec asks for: enum value sets stated as CHECK, column checks, table checks."""
    exprs = []
    for name, col in table["columns"].items():
        if col.get("allowed_source") == "check_constraint":
            values = ", ".join("'" + v.replace("'", "''") + "'" for v in col["allowed"])
            exprs.append(f"{name} in ({values})")
        if col.get("check"):
            exprs.append(col["check"])
    return exprs + list(table["checks"])


class CompileError(Exception):
    """A spec object the server could not create (the message names it); reported as a difference."""


def _run(conn: psycopg.Connection, statement: str, what: str) -> None:
    try:
        with conn.transaction():
            conn.execute(statement)
    except psycopg.Error as exc:
        raise CompileError(f"{what}: spec cannot be compiled: {str(exc).strip().splitlines()[0]}") from exc


def create_scratch_schema(conn: psycopg.Connection) -> None:
    conn.execute(f"create schema {SCRATCH}")
    conn.execute("set local search_path = public, extensions")


def compile_table(conn: psycopg.Connection, key: str, table: dict[str, Any], dimension: int) -> list[str]:
    """Create the scratch copy of one table with columns, checks and indexes; return compile errors."""
    errors: list[str] = []
    cols = []
    for name, col in table["columns"].items():
        text = f"{name} {column_type(col['type'], dimension)}"
        if col["default"] is not None:
            text += f" default {col['default']}"
        if not col["null"]:
            text += " not null"
        cols.append(text)
    relation = scratch_relation(key)
    try:
        _run(conn, f"create table {relation} ({', '.join(cols)})", f"table {live_relation(key)}")
    except CompileError as exc:
        return [str(exc)]
    for expr in check_expressions(table):
        try:
            _run(
                conn, f"alter table {relation} add check ({expr})", f"check on {live_relation(key)} ({expr})"
            )
        except CompileError as exc:
            errors.append(str(exc))
    for index in table["indexes"]:
        opclass = f" {index['opclass']}" if index.get("opclass") else ""
        columns = ", ".join(c + opclass for c in index["columns"])
        statement = (
            f"create {'unique ' if index.get('unique') else ''}index {index['name']} on {relation} "
            f"using {index['method']} ({columns})" + (f" where {index['where']}" if index["where"] else "")
        )
        try:
            _run(conn, statement, f"index {live_relation(key)}.{index['name']}")
        except CompileError as exc:
            errors.append(str(exc))
    return errors


def compile_policies(
    conn: psycopg.Connection, relation: str, policies: list[dict[str, Any]], what: str
) -> list[str]:
    errors = []
    for policy in policies:
        statement = f"create policy {policy['name']} on {relation} as permissive for {policy['command']} "
        statement += f"to {', '.join(policy['roles'])}"
        if policy["using"]:
            statement += f" using ({policy['using']})"
        if policy["with_check"]:
            statement += f" with check ({policy['with_check']})"
        try:
            _run(conn, statement, f"policy {policy['name']} on {what}")
        except CompileError as exc:
            errors.append(str(exc))
    return errors


def compile_function(
    conn: psycopg.Connection, name: str, function: dict[str, Any], dimension: int
) -> list[str]:
    args = []
    for arg in function["args"]:
        text = f"{arg['name']} {column_type(arg['type'], dimension)}"
        if arg["default"] is not None:
            text += f" default {arg['default']}"
        args.append(text)
    if function["returns"] == "table":
        returns = "table (" + ", ".join(f"{c['name']} {c['type']}" for c in function["result_columns"]) + ")"
    else:
        returns = function["returns"]
    security = "security definer" if function["security"] == "definer" else "security invoker"
    statement = (
        f"create function {SCRATCH}.{name}({', '.join(args)}) returns {returns} "
        f"language plpgsql {security} as $$ begin end $$"
    )
    try:
        _run(conn, statement, f"function public.{name}")
    except CompileError as exc:
        return [str(exc)]
    return []


def grant_all_privileges(conn: psycopg.Connection) -> set[str]:
    """What `grant all` gives on a table on this server (PostgreSQL 17 added MAINTAIN)."""
    conn.execute(f"create table {SCRATCH}.__grant_probe (x int)")
    conn.execute(f"grant all on table {SCRATCH}.__grant_probe to service_role")
    rows = conn.execute(
        "select a.privilege_type from pg_class c cross join lateral aclexplode(c.relacl) a "
        "where c.oid = %s::regclass and a.grantee = 'service_role'::regrole",
        (f"{SCRATCH}.__grant_probe",),
    ).fetchall()
    return {r[0].lower() for r in rows}
