"""Compare the live operational schema with `sql/spec/operational_schema.yaml`, object by object.

`compare(conn, dimension)` collects every difference (never stopping at the first), separates the deliberate
deviations listed in `ALLOWED` (each with its reason, also documented in `sql/README.md`), and counts what it
found. The spec side is compiled by the same server (`spec_compiler`), so expressions compare in pg's own
deparsed form. The caller's connection is left as it was: all scratch objects are rolled back.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import psycopg

from . import catalog
from . import spec_compiler as sc
from .conformance_tables import compare_fields, compare_policies, compare_table

API_ROLES = ("anon", "authenticated", "service_role")
DML = ("select", "insert", "update", "delete")

# Deliberate deviations: exact difference text -> reason. Keep this list short; sql/README.md repeats it.
ALLOWED: dict[str, str] = {
    "column public.knowledge_chunks.embedding_model: not in the spec": (
        "added by 0090: each chunk records the model that embedded it, so a model change re-embeds only "
        "the rows of another model (spec embedding_columns: 'the model recorded per row')"
    ),
    "column public.conversation_messages.embedding_model: not in the spec": (
        "added by 0090: the model that embedded the message, for the same reason as knowledge_chunks"
    ),
    "index public.knowledge_chunks.idx_knowledge_chunks_embedding: method hnsw, spec ivfflat": (
        "spec embedding_columns allows HNSW or IVFFlat; HNSW needs no training rows (IVFFlat built on the "
        "empty table of a fresh install has useless lists) and keeps recall as chunks are added"
    ),
    "index public.conversation_messages.idx_conversation_messages_embedding: method hnsw, spec ivfflat": (
        "same as idx_knowledge_chunks_embedding"
    ),
    "index public.knowledge_chunks.knowledge_chunks_model_hash_idx: not in the spec": (
        "added by 0100_knowledge_incremental: unchanged content (same content_hash) is never embedded twice, "
        "which needs the lookup by (embedding_model, content_hash)"
    ),
    "index public.knowledge_chunks.knowledge_chunks_content_fts_idx: not in the spec": (
        "added by 0100_knowledge_incremental: full-text half of the hybrid knowledge search"
    ),
    "index public.conversation_messages.conversation_messages_unembedded_idx: not in the spec": (
        "added by 0100_knowledge_incremental: finds the messages still waiting for an embedding"
    ),
    "index public.leads.idx_leads_updated_at: not in the spec": (
        "added by 0140_warehouse_incremental: int_lead_lifecycle (whose changed leads the other lead models "
        "take over) selects the leads changed since its watermark by updated_at instead of scanning every lead"
    ),
    "index public.lead_activities.idx_lead_activities_created_at: not in the spec": (
        "added by 0160_lead_activities_created_at_index: the incremental lead models take the activities "
        "recorded since their last run by arrival time (created_at) instead of scanning every activity"
    ),
    "index public.knowledge_access_logs.idx_knowledge_access_logs_chunk: not in the spec": (
        "added by 0170_knowledge_access_logs_fk_indexes: deleting a chunk cascades to its access-log rows, "
        "found through this index instead of a scan of the whole log per chunk"
    ),
    "index public.knowledge_access_logs.idx_knowledge_access_logs_document: not in the spec": (
        "added by 0170_knowledge_access_logs_fk_indexes: deleting a document cascades to its access-log "
        "rows, found through this index instead of a scan of the whole log"
    ),
    "index public.social_engagement.idx_social_engagement_recorded_at: not in the spec": (
        "added by 0150_social_engagement_indexes: fct_content_engagement's incremental runs read the "
        "recordings of the look-back window by recorded_at instead of scanning every recording"
    ),
    "index public.social_engagement.idx_social_engagement_platform_post_id_recorded_at: not in the spec": (
        "added by 0150_social_engagement_indexes: fct_content_engagement's incremental runs read the "
        "recordings of each re-computed post (and its first one) by (platform, post_id)"
    ),
}


@dataclass
class Report:
    differences: list[str] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)

    @property
    def unexpected(self) -> list[str]:
        return [d for d in self.differences if d not in ALLOWED]

    @property
    def allowed(self) -> list[tuple[str, str]]:
        return [(d, ALLOWED[d]) for d in self.differences if d in ALLOWED]

    @property
    def unused_allowances(self) -> list[str]:
        return [a for a in ALLOWED if a not in self.differences]

    def add(self, difference: str) -> None:
        self.differences.append(difference)


def _privileges(commands: list[str]) -> set[str]:
    return set(DML) if "all" in commands else set(commands)


def _compare_grants(
    conn: psycopg.Connection, report: Report, spec: dict[str, Any], all_privileges: set[str]
) -> None:
    for role in API_ROLES:
        if not conn.execute("select has_schema_privilege(%s, 'public', 'USAGE')", (role,)).fetchone()[0]:
            report.add(f"usage on schema public: not granted to {role}")
    expected_views = {
        view: {role: {priv for priv, roles in d["grants"].items() if role in roles} for role in API_ROLES}
        for view, d in spec["views"].items()
    }
    targets = {k: None for k in spec["tables"] if "." not in k} | expected_views
    for name, view_grants in targets.items():
        rel = f"public.{name}"
        if not catalog.relation_exists(conn, rel):
            continue
        live = catalog.table_privileges(conn, rel, (*API_ROLES, "public"))
        for role in (*API_ROLES, "public"):
            if role == "service_role":
                want = all_privileges
            elif view_grants is not None:
                want = view_grants.get(role, set())
            elif role == "public":
                want = set()
            else:
                want = _privileges(spec["roles"][role]["policy_commands"].get(name, []))
            report.counts["grants"] += len(live[role])
            if live[role] != want:
                report.add(f"grants on {rel} to {role}: {sorted(live[role])}, spec {sorted(want)}")


def _compare_role_policy_commands(conn: psycopg.Connection, report: Report, spec: dict[str, Any]) -> None:
    """Policies per table x command x role, as the spec's roles section sums them up."""
    for role in API_ROLES:
        rows = conn.execute(
            "select c.relname, p.polcmd from pg_policy p join pg_class c on c.oid = p.polrelid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = 'public' and %s::regrole = any(p.polroles)",
            (role,),
        ).fetchall()
        live: dict[str, set[str]] = {}
        for table, cmd in rows:
            live.setdefault(table, set()).add(catalog.POLICY_COMMANDS[cmd])
        want = {t: set(c) for t, c in spec["roles"][role].get("policy_commands", {}).items()}
        for table in live.keys() | want.keys():
            if live.get(table, set()) != want.get(table, set()):
                report.add(
                    f"policy commands of {role} on public.{table}: "
                    f"{sorted(live.get(table, set()))}, spec {sorted(want.get(table, set()))}"
                )
        attrs = conn.execute("select rolbypassrls from pg_roles where rolname = %s", (role,)).fetchone()
        if attrs is None:
            report.add(f"role {role}: missing")
            continue
        report.counts["roles"] += 1
        if attrs[0] != spec["roles"][role]["bypass_rls"]:
            report.add(f"role {role}: bypassrls {attrs[0]}, spec {spec['roles'][role]['bypass_rls']}")


def _compare_functions(conn: psycopg.Connection, report: Report, spec: dict[str, Any]) -> None:
    live, compiled = catalog.functions(conn, "public"), catalog.functions(conn, sc.SCRATCH)
    for section, counter in (("functions", "functions"), ("trigger_functions", "trigger_functions")):
        for name, definition in spec[section].items():
            got, want = live.get(name), compiled.get(name)
            if got is None:
                report.add(f"function public.{name}: missing")
                continue
            if want is None:
                continue  # its compile error is already reported
            report.counts[counter] += 1
            compare_fields(report, f"function public.{name}", got, want, ("arguments", "result", "security"))
            if definition.get("language") and got.language != definition["language"]:
                report.add(f"function public.{name}: language {got.language}, spec {definition['language']}")
    for name in live.keys() - spec["functions"].keys() - spec["trigger_functions"].keys():
        report.add(f"function public.{name}: not in the spec")
    for signature in ("auth.uid()", "auth.role()", "auth.jwt()", "storage.foldername(text)"):
        if conn.execute("select to_regprocedure(%s)", (signature,)).fetchone()[0] is None:
            report.add(f"platform function {signature}: missing")


def _compare_views(conn: psycopg.Connection, report: Report, spec: dict[str, Any]) -> None:
    has_cron = catalog.relation_exists(conn, "cron.job")
    for name, view in spec["views"].items():
        rel = f"public.{name}"
        exists = catalog.relation_exists(conn, rel)
        if view.get("depends_on_extension") == "pg_cron" and not has_cron:
            report.counts["views_skipped"] += 1
            if exists:
                report.add(f"view {rel}: exists although pg_cron is not installed")
            continue
        if not exists:
            report.add(f"view {rel}: missing")
            continue
        report.counts["views"] += 1
        columns = list(catalog.columns(conn, rel))
        if columns != view["columns"]:
            report.add(f"view {rel}: columns {columns}, spec {view['columns']}")
    for name in catalog.relations(conn, "public", "vm") - spec["views"].keys():
        report.add(f"view public.{name}: not in the spec")


def _compare_storage(conn: psycopg.Connection, report: Report, spec: dict[str, Any]) -> None:
    for bucket_id, bucket in spec["storage_buckets"].items():
        row = conn.execute("select public from storage.buckets where id = %s", (bucket_id,)).fetchone()
        if row is None:
            report.add(f"storage bucket {bucket_id}: missing")
            continue
        report.counts["storage_buckets"] += 1
        if row[0] != bucket["public"]:
            report.add(f"storage bucket {bucket_id}: public {row[0]}, spec {bucket['public']}")
        live_rel = bucket["policies_table"]
        scratch = f"{sc.SCRATCH}.storage_{bucket_id.replace('-', '_')}"
        conn.execute(f"create table {scratch} (like {live_rel})")
        errors = sc.compile_policies(conn, scratch, bucket["policies"], live_rel)
        for error in errors:
            report.add(error)
        compare_policies(conn, report, live_rel, catalog.policies(conn, scratch), "storage_policies", True)


def compare(conn: psycopg.Connection, dimension: int) -> Report:
    """Every difference between the database behind `conn` and the spec (embedding columns of `dimension`)."""
    spec = sc.load_spec()
    report = Report()
    with conn.transaction(force_rollback=True):
        sc.create_scratch_schema(conn)
        for key, table in spec["tables"].items():
            for error in sc.compile_table(conn, key, table, dimension):
                report.add(error)
            for error in sc.compile_policies(conn, sc.scratch_relation(key), table["rls"]["policies"], key):
                report.add(error)
        for section in ("functions", "trigger_functions"):
            for name, function in spec[section].items():
                for error in sc.compile_function(conn, name, function, dimension):
                    report.add(error)
        if not conn.execute("select 1 from pg_extension where extname = 'vector'").fetchone():
            report.add("extension vector: missing")
        for key, table in spec["tables"].items():
            if catalog.relation_exists(conn, sc.scratch_relation(key)):
                compare_table(conn, report, key, table)
        _compare_functions(conn, report, spec)
        _compare_views(conn, report, spec)
        _compare_role_policy_commands(conn, report, spec)
        _compare_grants(conn, report, spec, sc.grant_all_privileges(conn))
        _compare_storage(conn, report, spec)
        for name in catalog.relations(conn, "public") - spec["tables"].keys():
            report.add(f"table public.{name}: not in the spec")
    return report


def format_counts(report: Report) -> str:
    order = [
        "tables",
        "columns",
        "primary_keys",
        "foreign_keys",
        "uniques",
        "checks",
        "indexes",
        "policies",
        "triggers",
        "functions",
        "trigger_functions",
        "views",
        "views_skipped",
        "grants",
        "roles",
        "storage_buckets",
        "storage_policies",
    ]
    return "\n".join(f"{name:>18}: {report.counts.get(name, 0)}" for name in order)
