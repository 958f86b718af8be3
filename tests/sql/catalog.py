"""Reading the live PostgreSQL catalog into plain Python values, for the conformance comparison.

Every reader takes a schema-qualified relation (`public.campaigns`) or a schema and returns values in the form
PostgreSQL itself prints them (`format_type`, `pg_get_expr`, `pg_get_constraintdef`, ...), so that the spec
side can be compiled by the same server into the same form (see `conformance.compile_spec`).
"""

from __future__ import annotations

from dataclasses import dataclass

import psycopg

ON_DELETE = {"a": "no action", "r": "restrict", "c": "cascade", "n": "set null", "d": "set default"}
POLICY_COMMANDS = {"*": "all", "r": "select", "a": "insert", "w": "update", "d": "delete"}


@dataclass(frozen=True)
class Column:
    type: str
    not_null: bool
    default: str | None


@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]  # 'col' or 'col desc'
    method: str
    unique: bool
    where: str | None
    opclasses: tuple[str, ...]
    constraint: str | None  # 'p' / 'u' when the index backs a primary key / unique constraint


@dataclass(frozen=True)
class Policy:
    name: str
    command: str
    roles: tuple[str, ...]
    using: str | None
    with_check: str | None
    permissive: bool


@dataclass(frozen=True)
class Trigger:
    name: str
    timing: str
    events: tuple[str, ...]
    level: str
    function: str


@dataclass(frozen=True)
class Function:
    arguments: str
    result: str
    security: str
    language: str


def relation_exists(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute("select to_regclass(%s) is not null", (relation,)).fetchone()[0]


def relations(conn: psycopg.Connection, schema: str, kinds: str = "rp") -> set[str]:
    rows = conn.execute(
        "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relkind = any(%s) "
        "and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')",
        (schema, list(kinds)),
    ).fetchall()
    return {r[0] for r in rows}


def columns(conn: psycopg.Connection, relation: str) -> dict[str, Column]:
    rows = conn.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid) "
        "from pg_attribute a left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum "
        "where a.attrelid = %s::regclass and a.attnum > 0 and not a.attisdropped order by a.attnum",
        (relation,),
    ).fetchall()
    return {name: Column(typ, notnull, default) for name, typ, notnull, default in rows}


def constraints(conn: psycopg.Connection, relation: str, kind: str) -> dict[str, str]:
    """name -> pg_get_constraintdef for constraints of one kind (p, u, f, c)."""
    rows = conn.execute(
        "select conname, pg_get_constraintdef(oid) from pg_constraint where conrelid = %s::regclass and contype = %s",
        (relation, kind),
    ).fetchall()
    return dict(rows)


def constraint_columns(conn: psycopg.Connection, relation: str, kind: str) -> dict[str, tuple[str, ...]]:
    rows = conn.execute(
        "select c.conname, array_agg(a.attname order by k.ord) "
        "from pg_constraint c cross join lateral unnest(c.conkey) with ordinality as k(attnum, ord) "
        "join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum "
        "where c.conrelid = %s::regclass and c.contype = %s group by c.conname",
        (relation, kind),
    ).fetchall()
    return {name: tuple(cols) for name, cols in rows}


def foreign_keys(conn: psycopg.Connection, relation: str) -> dict[tuple[str, ...], tuple[str, str]]:
    """(local columns) -> ('schema.table.column', on_delete)."""
    rows = conn.execute(
        "select array_agg(a.attname order by k.ord), rn.nspname || '.' || r.relname, "
        "       array_agg(ra.attname order by k.ord), c.confdeltype "
        "from pg_constraint c "
        "cross join lateral unnest(c.conkey, c.confkey) with ordinality as k(attnum, refnum, ord) "
        "join pg_attribute a on a.attrelid = c.conrelid and a.attnum = k.attnum "
        "join pg_attribute ra on ra.attrelid = c.confrelid and ra.attnum = k.refnum "
        "join pg_class r on r.oid = c.confrelid join pg_namespace rn on rn.oid = r.relnamespace "
        "where c.conrelid = %s::regclass and c.contype = 'f' group by c.oid, rn.nspname, r.relname, c.confdeltype",
        (relation,),
    ).fetchall()
    return {
        tuple(cols): (f"{target}.{','.join(refcols)}", ON_DELETE[deltype])
        for cols, target, refcols, deltype in rows
    }


def indexes(conn: psycopg.Connection, relation: str) -> dict[str, Index]:
    rows = conn.execute(
        "select ic.relname, am.amname, i.indisunique, pg_get_expr(i.indpred, i.indrelid), "
        "  (select array_agg(case when (i.indoption[k.n - 1] & 1) = 1 then a.attname || ' desc' else a.attname end"
        "                    order by k.n)"
        "     from unnest(i.indkey::int2[]) with ordinality as k(attnum, n)"
        "     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = k.attnum),"
        "  (select array_agg(oc.opcname order by k.n)"
        "     from unnest(i.indclass::oid[]) with ordinality as k(opc, n) join pg_opclass oc on oc.oid = k.opc),"
        "  (select c.contype from pg_constraint c where c.conindid = i.indexrelid and c.contype in ('p', 'u'))"
        " from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_am am on am.oid = ic.relam "
        "where i.indrelid = %s::regclass",
        (relation,),
    ).fetchall()
    return {
        name: Index(name, tuple(cols or ()), method, unique, where, tuple(opcs or ()), contype)
        for name, method, unique, where, cols, opcs, contype in rows
    }


def policies(conn: psycopg.Connection, relation: str) -> dict[str, Policy]:
    rows = conn.execute(
        "select p.polname, p.polcmd, "
        "  array(select case when r = 0 then 'public' else pg_get_userbyid(r) end from unnest(p.polroles) r order by 1),"
        "  pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), p.polpermissive "
        "from pg_policy p where p.polrelid = %s::regclass",
        (relation,),
    ).fetchall()
    return {
        name: Policy(name, POLICY_COMMANDS[cmd], tuple(roles), using, check, permissive)
        for name, cmd, roles, using, check, permissive in rows
    }


def rls_enabled(conn: psycopg.Connection, relation: str) -> bool:
    return conn.execute(
        "select relrowsecurity from pg_class where oid = %s::regclass", (relation,)
    ).fetchone()[0]


def triggers(conn: psycopg.Connection, relation: str) -> dict[str, Trigger]:
    rows = conn.execute(
        "select t.tgname, t.tgtype, pn.nspname || '.' || p.proname from pg_trigger t "
        "join pg_proc p on p.oid = t.tgfoid join pg_namespace pn on pn.oid = p.pronamespace "
        "where t.tgrelid = %s::regclass and not t.tgisinternal",
        (relation,),
    ).fetchall()
    found = {}
    for name, tgtype, function in rows:
        timing = "instead of" if tgtype & 64 else ("before" if tgtype & 2 else "after")
        events = tuple(
            e for bit, e in ((4, "insert"), (8, "delete"), (16, "update"), (32, "truncate")) if tgtype & bit
        )
        found[name] = Trigger(name, timing, events, "row" if tgtype & 1 else "statement", function)
    return found


def functions(conn: psycopg.Connection, schema: str) -> dict[str, Function]:
    """Functions of a schema that no extension owns, by name (overloads would collide; the spec has none)."""
    rows = conn.execute(
        "select p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.prosecdef, l.lanname "
        "from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang "
        "where n.nspname = %s and p.prokind = 'f' "
        "and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')",
        (schema,),
    ).fetchall()
    return {
        name: Function(args, result, "definer" if secdef else "invoker", lang)
        for name, args, result, secdef, lang in rows
    }


def table_privileges(conn: psycopg.Connection, relation: str, roles: tuple[str, ...]) -> dict[str, set[str]]:
    """role -> privileges granted to it directly on the relation (PUBLIC as 'public')."""
    rows = conn.execute(
        "select case when a.grantee = 0 then 'public' else pg_get_userbyid(a.grantee) end, a.privilege_type "
        "from pg_class c cross join lateral aclexplode(c.relacl) a where c.oid = %s::regclass",
        (relation,),
    ).fetchall()
    found: dict[str, set[str]] = {role: set() for role in roles}
    for grantee, privilege in rows:
        if grantee in found:
            found[grantee].add(privilege.lower())
    return found
