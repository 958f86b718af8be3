"""Which rows belong to a user: resolved from the operational spec and the live catalog, never a kept list.

These sources, merged per table:
- the spec (`sql/spec/operational_schema.yaml`): each table's `owner_column`, any column that references or
  logically refers to `auth.users.id`, and `owner_via` (ownership through the parent's owner, recursively);
- the catalog: every foreign key to `auth.users` in any schema (a column a later migration adds is found
  without touching this module) and, in every other base table, columns named like an owner column
  (`user_id`, and the spec's owner column names) — this is how warehouse tables (`staging`, `intermediate`,
  `marts`, check results, snapshots) that carry a user are found;
- in tables with no owner column (the spec's shared tables among them), a jsonb document whose top-level
  `user_id` is the user (the app records the user of a shared row in `metadata`);
- `auth.users` itself (its `id`), and `storage.objects` rows in the user's folder of the spec's storage buckets
  (`path_format: '{user_id}/…'`) or owned by the user.
Materialized views that carry a user column cannot be deleted from; they are listed to be refreshed.

Two predicates per table. `export` is strict: where a table has an owner column, that column decides (a row a
colleague created under the user's lead is the colleague's), and the parent chain counts only for rows whose
owner column is empty. `erase` is broad: a row matching the user by any owner column or any parent chain goes,
which is also what the foreign-key cascades would do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import psycopg
import yaml
from psycopg import sql

from assets.privacy.catalog import PLATFORM_SCHEMAS, read_catalog
from orchestration.settings import REPO_ROOT

SPEC_PATH = REPO_ROOT / "sql" / "spec" / "operational_schema.yaml"
USERS_TABLE = "auth.users"
OBJECTS_TABLE = "storage.objects"
USER_ID_TYPES = ("uuid", "text", "character varying")
MAX_PARENT_DEPTH = 8


class OwnershipError(RuntimeError):
    """The spec and the database disagree in a way that makes a user's rows impossible to find."""


@dataclass(frozen=True)
class ParentLink:
    """`column` of the child holds `parent_column` (the key) of a row of `parent`."""

    column: str
    parent: str
    parent_column: str


@dataclass(frozen=True)
class OwnedTable:
    """A table (or materialized view) that can hold a user's rows, and how to reach them."""

    schema: str
    name: str
    source: str  # spec | auth | storage | catalog
    kind: str  # table | matview
    columns: dict[str, str]  # name -> type as format_type() prints it, in column order
    owner_columns: tuple[str, ...] = ()
    parents: tuple[ParentLink, ...] = ()
    folder_buckets: tuple[str, ...] = ()  # storage.objects: buckets with one folder per user
    json_owner_columns: tuple[str, ...] = ()  # jsonb columns whose top-level `user_id` names the owner
    primary_key: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def ident(self) -> sql.Identifier:
        return sql.Identifier(self.schema, self.name)

    @property
    def warehouse(self) -> bool:
        """A table outside the operational schema (dbt's staging/intermediate/marts and the like)."""
        return self.source == "catalog" and self.schema != "public"


@dataclass
class Ownership:
    """Every place a user's rows can be, with the foreign-key edges between those places."""

    tables: dict[str, OwnedTable]
    references: dict[str, set[str]] = field(default_factory=dict)  # child -> parents it has an FK to
    missing: tuple[str, ...] = ()  # spec tables absent from the database (migrations not applied?)

    def base_tables(self) -> list[OwnedTable]:
        return [t for t in self.tables.values() if t.kind == "table"]

    def matviews(self) -> list[OwnedTable]:
        return [t for t in self.tables.values() if t.kind == "matview"]

    def predicate(self, qualified: str, mode: str = "erase", depth: int = 0) -> sql.Composable:
        """SQL condition on alias `t{depth}` true for the user's rows; the user id is `%(uid)s` (text)."""
        if mode not in {"erase", "export"}:
            raise ValueError(f"mode must be 'erase' or 'export', got {mode!r}")
        if depth > MAX_PARENT_DEPTH:
            raise OwnershipError(
                f"owner_via of {qualified} nests deeper than {MAX_PARENT_DEPTH}; is there a cycle?"
            )
        table = self.tables[qualified]
        alias = sql.Identifier(f"t{depth}")
        direct = [_matches(alias, c, table.columns[c]) for c in table.owner_columns]
        direct += [
            sql.SQL("{a}.{c} ->> 'user_id' = %(uid)s::text").format(a=alias, c=sql.Identifier(c))
            for c in table.json_owner_columns
        ]
        if table.folder_buckets:
            direct.append(
                sql.SQL("({a}.bucket_id = any({b}) and split_part({a}.name, '/', 1) = %(uid)s::text)").format(
                    a=alias, b=sql.Literal(list(table.folder_buckets))
                )
            )
        via = []
        for link in table.parents:
            parent = self.tables[link.parent]
            via.append(
                sql.SQL("{a}.{c} in (select {p}.{pc} from {parent} {p} where {cond})").format(
                    a=alias,
                    c=sql.Identifier(link.column),
                    p=sql.Identifier(f"t{depth + 1}"),
                    pc=sql.Identifier(link.parent_column),
                    parent=parent.ident,
                    cond=self.predicate(link.parent, mode, depth + 1),
                )
            )
        if mode == "export" and table.owner_columns and via:
            unowned = sql.SQL(" and ").join(
                sql.SQL("{a}.{c} is null").format(a=alias, c=sql.Identifier(c)) for c in table.owner_columns
            )
            via = [sql.SQL("({u} and ({v}))").format(u=unowned, v=sql.SQL(" or ").join(via))]
        terms = direct + via
        if not terms:
            raise OwnershipError(f"{qualified} has no owner column and no parent chain")
        return sql.SQL("({})").format(sql.SQL(" or ").join(terms))

    def select_owned(self, qualified: str, mode: str, columns: sql.Composable | None = None) -> sql.Composed:
        table = self.tables[qualified]
        return sql.SQL("select {cols} from {t} t0 where {cond}").format(
            cols=columns if columns is not None else sql.SQL("t0.*"),
            t=table.ident,
            cond=self.predicate(qualified, mode),
        )

    def deletion_order(self) -> list[OwnedTable]:
        """Base tables, children before the parents they reference (so parent chains still resolve when a
        child is deleted), auth.users last."""
        pending = {t.qualified for t in self.base_tables() if t.qualified != USERS_TABLE}
        order: list[OwnedTable] = []
        while pending:
            # a table is ready when no other pending table still references it
            ready = sorted(
                t for t in pending if not any(t in self.references.get(o, ()) for o in pending if o != t)
            )
            if not ready:  # a reference cycle: the cascades take care of what remains
                ready = sorted(pending)
            for name in ready:
                order.append(self.tables[name])
                pending.discard(name)
        if USERS_TABLE in self.tables:
            order.append(self.tables[USERS_TABLE])
        return order


def _matches(alias: sql.Identifier, column: str, type_: str) -> sql.Composed:
    if type_ == "uuid":
        return sql.SQL("{a}.{c} = %(uid)s::uuid").format(a=alias, c=sql.Identifier(column))
    return sql.SQL("{a}.{c}::text = %(uid)s::text").format(a=alias, c=sql.Identifier(column))


@cache
def _load_spec(path: Path) -> dict:
    with path.open() as handle:
        return yaml.safe_load(handle)


def spec_tables(path: Path = SPEC_PATH) -> dict[str, dict]:
    """The spec's tables by qualified name (`public.campaigns`, `auth.users`)."""
    tables = _load_spec(path)["tables"]
    return {(name if "." in name else f"public.{name}"): body for name, body in tables.items()}


def _qualify(name: str) -> str:
    return name if "." in name else f"public.{name}"


def _refers_to_users(column_spec: dict) -> bool:
    return USERS_TABLE + ".id" in (column_spec.get("references"), column_spec.get("logical_ref"))


def resolve_ownership(conn: psycopg.Connection, spec_path: Path = SPEC_PATH) -> Ownership:
    """Where the user's rows are, in the database `conn` is connected to, as the spec describes it."""
    relations, fks, primary_keys = read_catalog(conn)
    spec = spec_tables(spec_path)
    user_fk_columns: dict[str, set[str]] = {}
    fk_target: dict[tuple[str, str], tuple[str, str]] = {}
    references: dict[str, set[str]] = {}
    for child, column, parent, parent_column in fks:
        fk_target[(child, column)] = (parent, parent_column)
        if child != parent:
            references.setdefault(child, set()).add(parent)
        if parent == USERS_TABLE and parent_column == "id":
            user_fk_columns.setdefault(child, set()).add(column)
    owner_names = {"user_id"} | {body["owner_column"] for body in spec.values() if body.get("owner_column")}

    tables: dict[str, OwnedTable] = {}
    missing: list[str] = []
    for qualified, body in spec.items():
        if qualified == USERS_TABLE:
            continue
        if qualified not in relations:
            missing.append(qualified)
            continue
        kind, columns = relations[qualified]
        owners = [body["owner_column"]] if body.get("owner_column") else []
        owners += [c for c, cs in body["columns"].items() if _refers_to_users(cs) and c not in owners]
        owners += sorted(c for c in user_fk_columns.get(qualified, ()) if c not in owners)
        absent = [c for c in owners if c not in columns]
        if absent:
            raise OwnershipError(
                f"{qualified} lacks owner column(s) {absent} that the spec declares; apply the migrations "
                "(`aip migrate`) or correct sql/spec/operational_schema.yaml"
            )
        parents = []
        via = body.get("owner_via")
        if via:
            parent = _qualify(via["table"])
            target = fk_target.get((qualified, via["column"]), (parent, "id"))
            parents.append(ParentLink(via["column"], parent, target[1]))
        if not owners and not parents:
            continue  # shared reference data (lead_scoring_rules, ai_model_configs, …)
        tables[qualified] = OwnedTable(
            *qualified.split(".", 1),
            source="spec",
            kind=kind,
            columns=columns,
            owner_columns=tuple(owners),
            parents=tuple(parents),
            primary_key=tuple(primary_keys.get(qualified, ())),
        )
    for qualified in list(tables):  # a parent chain must end at a table we can resolve
        for link in tables[qualified].parents:
            if link.parent not in tables:
                raise OwnershipError(
                    f"{qualified}.owner_via names {link.parent}, which has no owner in the spec or is missing "
                    "from the database; apply the migrations or correct the spec"
                )

    if USERS_TABLE in relations:
        tables[USERS_TABLE] = OwnedTable(
            "auth", "users", "auth", "table", relations[USERS_TABLE][1], ("id",), primary_key=("id",)
        )
    if OBJECTS_TABLE in relations:
        tables[OBJECTS_TABLE] = _storage_objects(relations[OBJECTS_TABLE][1], spec_path)

    for qualified, (kind, columns) in relations.items():
        schema = qualified.split(".", 1)[0]
        if qualified in tables or schema in PLATFORM_SCHEMAS:
            continue
        owners = [] if qualified in spec else sorted(user_fk_columns.get(qualified, set()))
        if qualified not in spec:
            owners += [
                c
                for c, t in columns.items()
                if c in owner_names and c not in owners and t.startswith(USER_ID_TYPES)
            ]
        # a table with no owner column may still name its user inside a document (`metadata.user_id`)
        json_owners = (
            () if owners or kind != "table" else tuple(c for c, t in columns.items() if t == "jsonb")
        )
        if owners or json_owners:
            tables[qualified] = OwnedTable(
                schema,
                qualified.split(".", 1)[1],
                source="spec" if qualified in spec else "catalog",
                kind=kind,
                columns=columns,
                owner_columns=tuple(owners),
                json_owner_columns=json_owners,
                primary_key=tuple(primary_keys.get(qualified, ())),
            )
    scoped = {c: {p for p in ps if p in tables} for c, ps in references.items() if c in tables}
    return Ownership(tables=tables, references=scoped, missing=tuple(missing))


def _storage_objects(columns: dict[str, str], spec_path: Path) -> OwnedTable:
    buckets = _load_spec(spec_path).get("storage_buckets") or {}
    per_user = tuple(
        sorted(
            name
            for name, body in buckets.items()
            if str(body.get("path_format", "")).startswith("{user_id}/")
        )
    )
    owners = ("owner",) if columns.get("owner") == "uuid" else ()
    return OwnedTable(
        "storage",
        "objects",
        "storage",
        "table",
        columns,
        owners,
        folder_buckets=per_user,
        primary_key=("id",),
    )


# Columns that hold credentials (encrypted or not): never exported, whoever owns the row.
_CREDENTIAL = re.compile(r"(encrypted|password|initialization_vector|api_key|_token$|^token$|^secret$)")


def credential_columns(table: OwnedTable) -> tuple[str, ...]:
    """Columns of `table` withheld from an export because they hold a credential."""
    return tuple(c for c in table.columns if _CREDENTIAL.search(c))
