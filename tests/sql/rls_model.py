"""What the RLS suite tests, read from `sql/spec/operational_schema.yaml` (never a hand-kept list), and rows
built from the spec's columns so every table can be filled without knowing it by name.

Ownership: a table is owned when the spec gives `owner_column` or `owner_via` (the owner of the parent row
the `column` points at, recursively). The commands a role may run come from `roles.<role>.policy_commands`
(`all` expanded); the suite checks they agree with the tables' own policy lists.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml

from orchestration.settings import REPO_ROOT

SPEC_PATH = REPO_ROOT / "sql" / "spec" / "operational_schema.yaml"
COMMANDS = ("select", "insert", "update", "delete")
ROLES = ("anon", "authenticated", "service_role")


@cache
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text())


def _expand(commands: list[str]) -> set[str]:
    return set(COMMANDS) if "all" in commands else set(commands)


@dataclass(frozen=True)
class Table:
    name: str
    raw: dict[str, Any]

    @property
    def qualified(self) -> str:
        return f"public.{self.name}"

    @property
    def columns(self) -> dict[str, dict[str, Any]]:
        return self.raw["columns"]

    @property
    def pk(self) -> str:
        return next(c for c, d in self.columns.items() if d.get("pk"))

    @property
    def owner_column(self) -> str | None:
        return self.raw.get("owner_column")

    @property
    def owner_via(self) -> tuple[str, str] | None:
        via = self.raw.get("owner_via")
        return (via["column"], via["table"]) if via else None

    @property
    def owned(self) -> bool:
        return bool(self.owner_column or self.owner_via)

    @property
    def owner_unique(self) -> bool:
        """One row per owner (a UNIQUE owner column): a second row for the same user cannot exist."""
        return bool(self.owner_column and self.columns[self.owner_column].get("unique"))

    def granted(self, role: str) -> set[str]:
        return _expand(spec()["roles"][role]["policy_commands"].get(self.name, []))

    def policy_commands(self, role: str) -> set[str]:
        found: set[str] = set()
        for policy in self.raw["rls"]["policies"]:
            if role in policy["roles"]:
                found |= _expand([policy["command"]])
        return found

    def policies(self, role: str, command: str) -> list[dict[str, Any]]:
        return [
            p
            for p in self.raw["rls"]["policies"]
            if role in p["roles"] and (p["command"] == command or p["command"] == "all")
        ]

    def public_disjuncts(self, role: str) -> list[str]:
        """Parts of the select policy that grant rows regardless of the user (`… OR is_public = true`)."""
        parts: list[str] = []
        for policy in self.policies(role, "select"):
            for part in re.split(r"\s+or\s+", policy["using"] or "", flags=re.I):
                if part and "auth.uid()" not in part and part.strip().lower() != "true":
                    parts.append(part)
        return parts

    def public_flags(self, role: str) -> list[str]:
        """Boolean columns of `<column> = true` disjuncts of the select policy."""
        found = [re.fullmatch(r"\s*(\w+)\s*=\s*true\s*", p, flags=re.I) for p in self.public_disjuncts(role)]
        return [m.group(1) for m in found if m]

    def shared_policy(self, role: str, command: str) -> bool:
        """The role's policy for `command` lets it reach every row (`true`), as on the shared tables."""
        exprs = [p["using"] if command != "insert" else p["with_check"] for p in self.policies(role, command)]
        return any((e or "").strip().lower() == "true" for e in exprs)

    def isolating_column(self, command: str) -> tuple[str, str | None]:
        """(column, parent table) through which the authenticated policy for `command` checks ownership."""
        text = " ".join(
            (p["using"] or "") + " " + (p["with_check"] or "")
            for p in self.policies("authenticated", command)
        )
        if self.owner_via and (not self.owner_column or re.search(rf"\b{self.owner_via[1]}\b", text)):
            return self.owner_via
        assert self.owner_column, self.name
        return self.owner_column, None

    def check_columns(self) -> set[str]:
        words = set(re.findall(r"[a-z_]+", " ".join(self.raw.get("checks") or [])))
        return {c for c in self.columns if c in words}

    def unique_columns(self) -> set[str]:
        cols = {c for group in self.raw.get("unique") or [] for c in group}
        return cols | {c for c, d in self.columns.items() if d.get("unique")}

    def touch_column(self) -> str:
        """A plain column an UPDATE can change without breaking a key, FK, CHECK or value set."""
        excluded = self.check_columns() | self.unique_columns() | {self.pk, self.owner_column}
        # created_at last: a link table may have nothing else (updated_at is rewritten by triggers)
        kinds = ("text", "jsonb", "numeric", "integer", "real", "double precision", "date", "timestamptz")
        for kind in kinds:
            for col, d in self.columns.items():
                if (
                    d["type"] == kind
                    and col not in excluded
                    and "references" not in d
                    and "allowed" not in d
                    and "email" not in col
                    and col != "updated_at"
                    and (col != "created_at" or kind == "timestamptz")
                ):
                    return col
        raise AssertionError(f"{self.name}: no column an update test can change")


@cache
def tables() -> dict[str, Table]:
    """Every table the migrations create in `public` (the spec's external auth.users excluded)."""
    return {n: Table(n, d) for n, d in spec()["tables"].items() if not d.get("external") and "." not in n}


def owned_tables() -> set[str]:
    return {n for n, t in tables().items() if t.owned}


def insert_order() -> list[str]:
    """Tables sorted so that every FK parent comes before its children."""
    deps = {
        n: {d["references"].rsplit(".", 1)[0] for d in t.columns.values() if "references" in d}
        & set(tables())
        for n, t in tables().items()
    }
    order: list[str] = []
    while deps:
        ready = sorted(n for n, d in deps.items() if d - {n} <= set(order))
        assert ready, f"FK cycle among {sorted(deps)}"
        order += ready
        for n in ready:
            del deps[n]
    return order


def owner_expr(table: str, alias: str = "t", depth: int = 0) -> str:
    """SQL for the owning user of row `alias` of `table`, following owner_via to the parent that has one."""
    t = tables()[table]
    if t.owner_via:
        column, parent = t.owner_via
        p = f"p{depth}"
        inner = owner_expr(parent, p, depth + 1)
        return f"(select {inner} from public.{parent} {p} where {p}.id = {alias}.{column})"
    return f"{alias}.{t.owner_column}"


class RowBuilder:
    """Values for a new row of a table, owned by a user (or by nobody), from the spec's columns.

    NOT NULL columns without default get a value of their type (the first allowed value where the spec lists
    a value set, the low end of a documented range); the owner column gets the user; the owner_via column and
    NOT NULL foreign keys point at that user's row in the parent table (`parents`). Text values are unique so
    rows never collide on a UNIQUE key.
    """

    def __init__(self, live_types: dict[tuple[str, str], str]) -> None:
        self.live_types = live_types  # (table, column) -> format_type() of the live column
        self.parents: dict[tuple[str, str | None], Any] = {}  # (table, user) -> id of that user's row
        self._counter = 0

    def value(self, table: str, column: str) -> Any:
        self._counter += 1
        n = self._counter
        d = tables()[table].columns[column]
        kind = d["type"]
        if d.get("allowed"):
            return d["allowed"][0]
        if d.get("range"):
            return d["range"][0]
        if kind == "uuid":
            return uuid.uuid4()
        if kind in {"text", "varchar(255)"} or kind.startswith("varchar"):
            tag = uuid.uuid4().hex[:12]
            return f"rls-{tag}@example.com" if "email" in column else f"{column}-{tag}"
        if kind == "jsonb":
            return f'{{"rls": {n}}}'
        if kind in {"integer", "bigint", "numeric", "real", "double precision"} or kind.startswith("numeric"):
            return n
        if kind == "date":
            return dt.date(2025, 1, 1) + dt.timedelta(days=n)
        if kind == "timestamptz":
            return dt.datetime(2025, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=n)
        if kind == "boolean":
            return False
        if kind == "text[]":
            return [f"{column}-{n}"]
        if kind == "inet":
            return "127.0.0.1"
        if kind.startswith("vector"):
            dim = int(re.search(r"\((\d+)\)", self.live_types[(table, column)]).group(1))  # type: ignore[union-attr]
            return "[" + ",".join(["0.1"] * dim) + "]"
        raise AssertionError(f"{table}.{column}: no test value for type {kind}")

    def row(self, table: str, owner: str | None) -> dict[str, Any]:
        """Column -> value for a new row owned by `owner` (a user id), with a fresh primary key."""
        t = tables()[table]
        values: dict[str, Any] = {t.pk: uuid.uuid4()}
        for column, d in t.columns.items():
            if column == t.pk:
                continue
            if column == t.owner_column:
                values[column] = owner
            elif (t.owner_via and column == t.owner_via[0]) or ("references" in d and d["null"] is False):
                parent = d["references"].rsplit(".", 1)[0]
                if parent == "auth.users":
                    values[column] = owner
                else:
                    values[column] = self.parents[(parent, owner)]
            elif d["null"] is False and d["default"] is None:
                values[column] = self.value(table, column)
        return values

    def insert_sql(self, table: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
        """INSERT with each value cast to the live column type (no RETURNING: insert-only roles exist)."""
        cols = list(values)
        casts = ", ".join(f"%s::{self.live_types[(table, c)]}" for c in cols)
        return f"insert into public.{table} ({', '.join(cols)}) values ({casts})", [values[c] for c in cols]

    def touched_value(self, table: str, column: str) -> Any:
        """A value for the update test that differs from anything `value()` or a default produced."""
        kind = tables()[table].columns[column]["type"]
        if kind == "jsonb":
            return '{"rls": "touched"}'
        if kind in {"text"}:
            return f"touched-{uuid.uuid4().hex[:8]}"
        if kind == "date":
            return dt.date(2001, 1, 1)
        if kind == "timestamptz":
            return dt.datetime(2001, 1, 1, tzinfo=dt.UTC)
        d = tables()[table].columns[column]
        if d.get("range"):
            low, high = d["range"]
            return (low + high) / 2
        return 7777
