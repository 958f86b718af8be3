"""The table part of the conformance comparison: columns, keys, checks, indexes, RLS, policies, triggers.

Each spec table was compiled into the scratch schema (`spec_compiler.compile_table`); both copies are read
with the same catalog functions and compared field by field. Differences go to the caller's `Report`.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import psycopg

from . import catalog
from . import spec_compiler as sc

if TYPE_CHECKING:
    from .conformance import Report


def compare_fields(report: Report, what: str, live: Any, expected: Any, fields: tuple[str, ...]) -> None:
    for name in fields:
        got, want = getattr(live, name), getattr(expected, name)
        if got != want:
            report.add(f"{what}: {name} {got}, spec {want}")


def compare_table(conn: psycopg.Connection, report: Report, key: str, table: dict[str, Any]) -> None:
    rel, scratch = sc.live_relation(key), sc.scratch_relation(key)
    external = table.get("external", False)
    if not catalog.relation_exists(conn, rel):
        report.add(f"table {rel}: missing")
        return
    report.counts["tables"] += 1

    live_cols, spec_cols = catalog.columns(conn, rel), catalog.columns(conn, scratch)
    report.counts["columns"] += len(live_cols)
    for name, want in spec_cols.items():
        got = live_cols.get(name)
        if got is None:
            report.add(f"column {rel}.{name}: missing")
            continue
        fields = ("type", "not_null") if external else ("type", "not_null", "default")
        compare_fields(report, f"column {rel}.{name}", got, want, fields)
    if not external:
        for name in live_cols.keys() - spec_cols.keys():
            report.add(f"column {rel}.{name}: not in the spec")

    pk = tuple(c for c, d in table["columns"].items() if d.get("pk"))
    live_pk = tuple(next(iter(catalog.constraint_columns(conn, rel, "p").values()), ()))
    report.counts["primary_keys"] += bool(live_pk)
    if live_pk != pk:
        report.add(f"primary key of {rel}: {live_pk}, spec {pk}")
    if external:
        return

    expected_fks = {
        (c,): (
            sc.live_relation(d["references"].rsplit(".", 1)[0]) + "." + d["references"].rsplit(".", 1)[1],
            d["on_delete"],
        )
        for c, d in table["columns"].items()
        if d.get("references")
    }
    live_fks = catalog.foreign_keys(conn, rel)
    report.counts["foreign_keys"] += len(live_fks)
    for cols in expected_fks.keys() | live_fks.keys():
        got, want = live_fks.get(cols), expected_fks.get(cols)
        if got != want:
            report.add(f"foreign key {rel}({', '.join(cols)}): {got or 'none'}, spec {want or 'none'}")

    live_indexes, spec_indexes = catalog.indexes(conn, rel), catalog.indexes(conn, scratch)
    expected_uniques = {frozenset([c]) for c, d in table["columns"].items() if d.get("unique")}
    expected_uniques |= {frozenset(u) for u in table["unique"]}
    live_uniques = {
        frozenset(c.split(" ")[0] for c in ix.columns)
        for ix in live_indexes.values()
        if ix.unique and ix.constraint != "p"
    }
    report.counts["uniques"] += len(live_uniques)
    for cols in expected_uniques - live_uniques:
        report.add(f"unique ({', '.join(sorted(cols))}) on {rel}: missing")
    for name, cols in catalog.constraint_columns(conn, rel, "u").items():
        if frozenset(cols) not in expected_uniques:
            report.add(f"unique constraint {rel}.{name} ({', '.join(cols)}): not in the spec")

    live_checks = Counter(catalog.constraints(conn, rel, "c").values())
    spec_checks = Counter(catalog.constraints(conn, scratch, "c").values())
    report.counts["checks"] += sum(live_checks.values())
    for definition in spec_checks - live_checks:
        report.add(f"check on {rel}: missing {definition}")
    for definition in live_checks - spec_checks:
        report.add(f"check on {rel}: not in the spec {definition}")

    for name, want in spec_indexes.items():
        got = live_indexes.get(name)
        if got is None:
            report.add(f"index {rel}.{name}: missing")
            continue
        report.counts["indexes"] += 1
        compare_fields(
            report, f"index {rel}.{name}", got, want, ("method", "columns", "unique", "where", "opclasses")
        )
    for name, ix in live_indexes.items():
        if name not in spec_indexes and ix.constraint is None:
            report.add(f"index {rel}.{name}: not in the spec")

    if catalog.rls_enabled(conn, rel) != table["rls"]["enabled"]:
        report.add(
            f"row level security on {rel}: {not table['rls']['enabled']}, spec {table['rls']['enabled']}"
        )
    compare_policies(conn, report, rel, catalog.policies(conn, scratch), "policies")

    spec_triggers = {
        t["name"]: catalog.Trigger(
            t["name"], t["timing"], (t["event"],), t["level"], f"public.{t['function']}"
        )
        for t in table["triggers"]
    }
    live_triggers = catalog.triggers(conn, rel)
    report.counts["triggers"] += len(live_triggers)
    for name in spec_triggers.keys() | live_triggers.keys():
        got, want = live_triggers.get(name), spec_triggers.get(name)
        if got != want:
            report.add(f"trigger {rel}.{name}: {got or 'missing'}, spec {want or 'none'}")


def compare_policies(
    conn: psycopg.Connection,
    report: Report,
    rel: str,
    spec_policies: dict[str, catalog.Policy],
    counter: str,
    only_spec_names: bool = False,
) -> None:
    live = catalog.policies(conn, rel)
    for name, want in spec_policies.items():
        got = live.get(name)
        if got is None:
            report.add(f"policy {name} on {rel}: missing")
            continue
        report.counts[counter] += 1
        compare_fields(
            report,
            f"policy {name} on {rel}",
            got,
            want,
            ("command", "roles", "using", "with_check", "permissive"),
        )
    if not only_spec_names:
        for name in live.keys() - spec_policies.keys():
            report.add(f"policy {name} on {rel}: not in the spec")
