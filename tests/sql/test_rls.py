"""Row-level security, proven the way the app meets it: per request PostgREST runs `set local role
authenticated` (or anon, service_role) with the JWT claims in `request.jwt.claims`, and `auth.uid()` reads them.

Every table and command comes from the spec (`rls_model`), so a table added to the spec is tested without
editing this file. Users A and B each own one seeded row per table; each test runs in a transaction that is
rolled back, and looks at the outcome as superuser inside that same transaction.

- authenticated, granted, owned table: A sees exactly A's rows; inserts A's row, not B's (RLS violation);
  updates and deletes reach only A's rows (B's row unchanged) and cannot hand A's row over to B.
- authenticated, granted, shared table (policy `true`): every row is reached.
- any role, command not granted: permission denied, or no row seen or changed.
- anon: only what `roles.anon` lists. service_role: sees every row (BYPASSRLS).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from orchestration.database import create_database, drop_database, with_database
from tests.sql.rls_model import COMMANDS, ROLES, RowBuilder, Table, owned_tables, owner_expr, spec, tables
from tests.sql.rls_session import World, act_as, as_superuser, attempt, seed

TABLES = sorted(tables())


def _cases() -> list:
    return [pytest.param(t, c, id=f"{t}-{c}") for t in TABLES for c in COMMANDS]


@pytest.fixture(scope="module")
def world(admin_url: str, template_db: str) -> Iterator[World]:
    """One migrated database for the module, seeded once; tests roll their transaction back."""
    name = f"aip_rls_{uuid.uuid4().hex[:8]}"
    create_database(admin_url, name, template=template_db)
    try:
        with psycopg.connect(with_database(admin_url, name)) as conn:
            live = conn.execute(
                "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod)"
                " from pg_attribute a join pg_class c on c.oid = a.attrelid"
                " where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')"
                " and a.attnum > 0 and not a.attisdropped"
            ).fetchall()
            builder = RowBuilder({(t, c): typ for t, c, typ in live})
            users = {"A": str(uuid.uuid4()), "B": str(uuid.uuid4())}
            for tag, user_id in users.items():
                conn.execute(
                    "insert into auth.users (id, email) values (%s, %s)", (user_id, f"{tag.lower()}@rls.test")
                )
            seeded = seed(conn, builder, users)
            conn.commit()
            yield World(conn, users, seeded, builder)
    finally:
        drop_database(admin_url, name)


# -- the suite covers what the spec and the database hold ----------------------------------------------------
def test_every_owned_table_is_covered() -> None:
    owners = {
        n
        for n, t in spec()["tables"].items()
        if not t.get("external") and (t["owner_column"] or t["owner_via"])
    }
    covered = {p.values[0] for p in _cases() if tables()[p.values[0]].owned}
    assert covered == owners == owned_tables()
    assert {p.values[1] for p in _cases() if p.values[0] == "campaigns"} == set(COMMANDS)


def test_live_tables_match_spec_and_enforce_rls(world: World) -> None:
    rows = world.conn.execute(
        "select relname, relrowsecurity from pg_class"
        " where relnamespace = 'public'::regnamespace and relkind in ('r', 'p')"
    ).fetchall()
    assert {r[0] for r in rows} == set(TABLES), (
        "public tables differ from the spec: the suite would miss some"
    )
    assert [r[0] for r in rows if not r[1]] == [], "tables without row level security"


@pytest.mark.parametrize("role", ROLES)
def test_role_grants_agree_with_table_policies(role: str) -> None:
    differences = {n: (t.granted(role), t.policy_commands(role)) for n, t in tables().items()}
    assert {n: d for n, d in differences.items() if d[0] != d[1]} == {}


def test_only_service_role_bypasses_rls(world: World) -> None:
    rows = dict(
        world.conn.execute(
            "select rolname, rolbypassrls from pg_roles where rolname = any(%s)", (list(ROLES),)
        )
    )
    assert rows == {"anon": False, "authenticated": False, "service_role": True}


# -- checks ----------------------------------------------------------------------------------------------------
def check_denied(world: World, table: Table, command: str, role: str, user_id: str | None) -> None:
    """The role may not run `command`: refused outright, or no row is seen or changed."""
    conn = world.conn
    if command == "select":
        assert world.ids(table), "seeded rows missing"
        act_as(conn, role, user_id)
        result = attempt(conn, f"select {table.pk} from {table.qualified}")
        assert result.error or result.rows == [], f"{role} saw {len(result.rows)} rows of {table.name}"
    elif command == "insert":
        world.clear_owner_unique(table)
        values = world.builder.row(table.name, world.a if table.owned else None)
        act_as(conn, role, user_id)
        result = world.insert(table, values)
        assert result.error is not None, f"{role} inserted into {table.name}"
    else:
        before = world.snapshot(table)
        act_as(conn, role, user_id)
        if command == "update":
            column = table.touch_column()
            value = world.builder.touched_value(table.name, column)
            typ = world.builder.live_types[(table.name, column)]
            result = attempt(conn, f"update {table.qualified} set {column} = %s::{typ}", (value,))
        else:
            result = attempt(conn, f"delete from {table.qualified}")
        assert result.error or result.rowcount == 0, (
            f"{role} {command}d {result.rowcount} rows of {table.name}"
        )
        assert world.snapshot(table) == before


def check_select(world: World, table: Table, role: str, user_id: str | None, shared: bool) -> None:
    expected = world.ids(table) if shared else world.owned_by(table, user_id or "", role)
    act_as(world.conn, role, user_id)
    result = attempt(world.conn, f"select {table.pk} from {table.qualified}")
    assert result.error is None, f"{role} may select {table.name}: {result.error}"
    visible = {r[0] for r in result.rows}
    assert world.seeded[(table.name, "A")] in visible
    if not shared:
        assert world.seeded[(table.name, "B")] not in visible, f"A sees B's row of {table.name}"
    else:
        assert world.seeded[(table.name, "B")] in visible
    assert visible == expected
    for flag in table.public_flags(role):
        # the policy also opens rows flagged public (content_templates.is_public): B's row once flagged is seen
        as_superuser(world.conn)
        b_row = world.seeded[(table.name, "B")]
        world.conn.execute(f"update {table.qualified} set {flag} = true where {table.pk} = %s", (b_row,))
        act_as(world.conn, role, user_id)
        seen = attempt(
            world.conn, f"select {table.pk} from {table.qualified} where {table.pk} = %s", (b_row,)
        )
        assert seen.rows == [(b_row,)], f"A does not see B's {table.name} row with {flag} = true"


def check_insert(world: World, table: Table, role: str, user_id: str | None, shared: bool) -> None:
    world.clear_owner_unique(table)
    mine = world.builder.row(table.name, None if shared else user_id)
    theirs = None if shared else world.builder.row(table.name, world.b)
    act_as(world.conn, role, user_id)
    result = world.insert(table, mine)
    assert result.error is None and result.rowcount == 1, (
        f"{role} may insert into {table.name}: {result.error}"
    )
    if theirs is not None:
        refused = world.insert(table, theirs)
        assert refused.rls_violation, f"A inserted a row owned by B into {table.name} ({refused.error})"
        assert world.ids(table, f"t.{table.pk} = %s", (theirs[table.pk],)) == set()
    assert world.ids(table, f"t.{table.pk} = %s", (mine[table.pk],)) == {mine[table.pk]}


def check_update(world: World, table: Table, role: str, user_id: str | None, shared: bool) -> None:
    column = table.touch_column()
    value = world.builder.touched_value(table.name, column)
    typ = world.builder.live_types[(table.name, column)]
    a_row, b_row = world.seeded[(table.name, "A")], world.seeded[(table.name, "B")]
    expected = (
        world.ids(table) if shared else world.ids(table, f"{owner_expr(table.name)} = %s::uuid", (user_id,))
    )
    b_before = world.column_text(table, column, b_row)
    as_superuser(world.conn)
    touched = world.conn.execute("select %s::" + typ + "::text", (value,)).fetchone()[0]
    act_as(world.conn, role, user_id)
    result = attempt(world.conn, f"update {table.qualified} set {column} = %s::{typ}", (value,))
    assert result.error is None, f"{role} may update {table.name}: {result.error}"
    assert result.rowcount == len(expected)
    assert world.column_text(table, column, a_row) == touched
    assert world.column_text(table, column, b_row) == (touched if shared else b_before)
    if shared:
        return
    # A may not hand A's rows over to B: the update policy's USING doubles as WITH CHECK. No WHERE clause, so
    # that only the update policy (not the select policy) judges the new row.
    steal_column, parent = table.isolating_column("update")
    target = world.b if parent is None else world.seeded[(parent, "B")]
    act_as(world.conn, role, user_id)
    stolen = attempt(world.conn, f"update {table.qualified} set {steal_column} = %s", (target,))
    assert stolen.rls_violation, f"A moved {table.name} rows to B ({stolen.error}, {stolen.rowcount} rows)"


def check_delete(world: World, table: Table, role: str, user_id: str | None, shared: bool) -> None:
    a_row, b_row = world.seeded[(table.name, "A")], world.seeded[(table.name, "B")]
    expected = (
        world.ids(table) if shared else world.ids(table, f"{owner_expr(table.name)} = %s::uuid", (user_id,))
    )
    act_as(world.conn, role, user_id)
    result = attempt(world.conn, f"delete from {table.qualified}")
    assert result.error is None, f"{role} may delete from {table.name}: {result.error}"
    assert result.rowcount == len(expected)
    assert world.ids(table, f"t.{table.pk} = %s", (a_row,)) == set()
    assert world.ids(table, f"t.{table.pk} = %s", (b_row,)) == (set() if shared else {b_row})


CHECKS = {"select": check_select, "insert": check_insert, "update": check_update, "delete": check_delete}


# -- authenticated ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("table", "command"), _cases())
def test_authenticated(world: World, table: str, command: str) -> None:
    t = tables()[table]
    with world.conn.transaction(force_rollback=True):
        if command not in t.granted("authenticated"):
            check_denied(world, t, command, "authenticated", world.a)
        elif t.owned:
            CHECKS[command](world, t, "authenticated", world.a, False)
        else:
            assert t.shared_policy("authenticated", command), f"{table}: unowned table with a per-user policy"
            CHECKS[command](world, t, "authenticated", world.a, True)


# -- anon -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("table", "command"), _cases())
def test_anon(world: World, table: str, command: str) -> None:
    t = tables()[table]
    with world.conn.transaction(force_rollback=True):
        if command not in t.granted("anon"):
            check_denied(world, t, command, "anon", None)
        elif command == "select":
            check_select(world, t, "anon", None, shared=True)
        else:
            assert command == "insert", f"spec grants anon {command} on {table}: no check written for that"
            # the only anonymous insert (support tickets) is of rows owned by nobody
            check_insert(world, t, "anon", None, shared=True)
            owned = world.builder.row(table, world.a)
            act_as(world.conn, "anon", None)
            assert world.insert(t, owned).rls_violation, f"anon inserted a {table} row owned by a user"


# -- service_role -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("table", TABLES)
def test_service_role_sees_every_row(world: World, table: str) -> None:
    t = tables()[table]
    with world.conn.transaction(force_rollback=True):
        everything = world.ids(t)
        assert {world.seeded[(table, "A")], world.seeded[(table, "B")]} <= everything
        act_as(world.conn, "service_role", None)
        result = attempt(world.conn, f"select {t.pk} from {t.qualified}")
        assert result.error is None, f"service_role may select {table}: {result.error}"
        assert {r[0] for r in result.rows} == everything
