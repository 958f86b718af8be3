"""Benchmark of `aip demo-data`: the large preset loaded into a fresh database, side by side with a raw COPY
of the same prepared rows.

1. `aip_bench`: the loader as `aip demo-data --scale large` runs it (generation, rendering and COPY together).
2. `aip_bench_raw`: the same long-table rows, generated beforehand into memory (not timed), then only COPYed
   — the ceiling the loader is measured against (same transaction and fast path as the loader), and once
   more as a plain COPY into the indexed, constrained tables, for reference.

Prints rows/s per long table and overall, and the ratio loader / raw COPY. It asserts nothing about time.
The databases are created on the platform's server (embedded, or DATABASE_URL's) and dropped at the end.

    .venv/bin/python bench/demo_data.py [--users 1000] [--days 365] [--seed 42] [--as-of 2025-06-30] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import psycopg
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets.demo.generator import DemoData, TableLoad, Window  # noqa: E402
from assets.demo.loader import LoadReport, copy_table, load  # noqa: E402
from assets.demo.profiles import SCALES  # noqa: E402
from assets.demo.progress import RichProgress  # noqa: E402
from assets.demo.tenants import DemoSpec  # noqa: E402
from orchestration.database import create_database, drop_database, server_url, with_database  # noqa: E402
from orchestration.migrations import apply_migrations  # noqa: E402
from orchestration.settings import get_settings  # noqa: E402

PARENTS = ("auth.users", "public.campaigns")  # what the long tables' foreign keys need


def fresh_database(admin: str, name: str, dimension: int) -> str:
    drop_database(admin, name)
    create_database(admin, name)
    url = with_database(admin, name)
    apply_migrations(url, dimension)
    return url


def raw_copy(url: str, spec: DemoSpec, console: Console) -> dict[str, dict[str, tuple[int, float]]]:
    """Prepare the long tables' COPY text in memory, then time only its COPY: once the way the loader
    COPYs (same transaction, same fast path for empty tables), once as a plain COPY into the indexed,
    constrained table."""
    data = DemoData(spec, Window.initial(spec))
    plan = data.tables()
    prepared: dict[str, tuple[TableLoad, list[tuple[bytes, int]]]] = {}
    with psycopg.connect(url, autocommit=True) as conn:
        for load_ in plan:
            if load_.table in PARENTS:
                copy_table(conn, load_)
        console.print("preparing the long tables' rows in memory (not timed) …")
        for load_ in plan:
            if load_.long:
                prepared[load_.table] = (load_, [(text, n) for text, n in load_.batches() if n])
        data.forget()
        results: dict[str, dict[str, tuple[int, float]]] = {"same": {}, "plain": {}}
        for kind, fast in (("same", True), ("plain", False)):
            for table, (load_, batches) in prepared.items():
                replay = TableLoad(table, load_.columns, lambda b=batches: iter(b), long=True, bulk=True)
                stat = copy_table(conn, replay, fast_path=fast)
                results[kind][table] = (stat.rows, stat.seconds)
                console.print(f"raw COPY ({kind} path) {table}: {stat.rows:,} rows in {stat.seconds:.1f} s")
            if kind == "same":
                conn.execute("truncate public.lead_activities, public.autopilot_lead_inbox, public.leads, "
                             "public.campaign_metrics")  # fmt: skip
    return results


def report_table(
    report: LoadReport, raw: dict[str, dict[str, tuple[int, float]]], total_seconds: float
) -> Table:
    table = Table(title="demo-data load vs raw COPY of the same prepared rows", show_edge=False)
    columns = ("table", "rows", "loader rows/s", "raw COPY rows/s", "loader / raw", "plain COPY rows/s")
    for column in columns:
        table.add_column(column, justify="left" if column == "table" else "right")
    sums = {"loader": [0.0, 0.0], "same": [0.0, 0.0], "plain": [0.0, 0.0]}
    for stat in report.tables:
        if not stat.long:
            continue
        rates = {}
        for kind in ("same", "plain"):
            rows, seconds = raw[kind][stat.table]
            sums[kind][0] += rows
            sums[kind][1] += seconds
            rates[kind] = rows / seconds
        sums["loader"][0] += stat.rows
        sums["loader"][1] += stat.seconds
        table.add_row(stat.table, f"{stat.rows:,}", f"{stat.rows_per_second:,.0f}", f"{rates['same']:,.0f}",
                      f"{stat.rows_per_second / rates['same']:.2f}", f"{rates['plain']:,.0f}")  # fmt: skip
    rate = {k: v[0] / v[1] for k, v in sums.items()}
    table.add_row("long tables together", f"{sums['loader'][0]:,.0f}", f"{rate['loader']:,.0f}", f"{rate['same']:,.0f}",
                  f"{rate['loader'] / rate['same']:.2f}", f"{rate['plain']:,.0f}", style="bold")  # fmt: skip
    table.add_row(
        "every table (whole load)", f"{report.rows:,}", f"{report.rows / total_seconds:,.0f}", "", "", ""
    )
    return table


def main() -> None:
    large = SCALES["large"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=large.users)
    parser.add_argument("--days", type=int, default=large.days)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--as-of", default="2025-06-30", help="fixed, so that runs are comparable")
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    args = parser.parse_args()

    console = Console(width=120)  # wide enough for the summary table when the output is not a terminal
    settings = get_settings()
    admin = server_url(settings)
    spec = DemoSpec(args.seed, args.users, args.days, dt.date.fromisoformat(args.as_of), "large")
    console.print(f"large preset: {spec.users} users x {spec.days} days, seed {spec.seed}")

    url = fresh_database(admin, "aip_bench", settings.embedding_dimension)
    started = time.perf_counter()
    with RichProgress(console) as progress:
        report = load(url, spec, progress=progress)
    total = time.perf_counter() - started
    console.print(f"loader: {report.rows:,} rows in {total:.1f} s (of which simulation {report.simulation_seconds:.1f} s, "
                  "counted in the table that first needed it)")  # fmt: skip

    raw_url = fresh_database(admin, "aip_bench_raw", settings.embedding_dimension)
    raw = raw_copy(raw_url, spec, console)
    console.print(report_table(report, raw, total))
    if not args.keep:
        drop_database(admin, "aip_bench")
        drop_database(admin, "aip_bench_raw")


if __name__ == "__main__":
    main()
