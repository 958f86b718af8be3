"""Warehouse benchmark: full refresh vs incremental dbt run after the demo data grows by ~1.5 % new days.

In a scratch database on the platform's server (embedded or DATABASE_URL): load the demo business (large
preset by default), `dbt run --full-refresh`, append K days (≈1.5 % of the history), `dbt run` (incremental),
save the warehouse tables, `dbt run --full-refresh` again and compare every table row for row. Prints the
times, the ratio (goal: incremental ≤ 15 % of full refresh) and whether the results are identical. The
dbt tests are timed once on their own: they read whole tables whichever way the models were built.

    python bench/warehouse.py [--users N] [--days D] [--append-days K] [--keep]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assets.warehouse.comparison import differences, snapshot, warehouse_tables  # noqa: E402
from assets.warehouse.profile import dbt_env_from_url  # noqa: E402
from assets.warehouse.project import DBT_EXECUTABLE, PLAIN_DBT_EXECUTABLE, run_dbt  # noqa: E402
from orchestration.database import create_database, drop_database, server_url, with_database  # noqa: E402
from orchestration.migrations import apply_migrations  # noqa: E402
from orchestration.settings import get_settings  # noqa: E402


def _timed(label: str, fn, *args, **kwargs):  # noqa: ANN001, ANN202 - a tiny helper
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    elapsed = time.perf_counter() - start
    print(f"  {label:<38} {elapsed:8.1f} s", flush=True)
    return elapsed, result


def _rows(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            name: conn.execute(f"select count(*) from public.{name}").fetchone()[0]
            for name in ("campaign_metrics", "leads", "lead_activities")
        }


def _vacuum(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("vacuum (analyze)")


def _print_slowest(run_results: Path, top: int = 8) -> None:
    """Where an incremental run spends its time: the slowest models, and dbt's own overhead."""
    results = json.loads(run_results.read_text())
    models = sorted(results["results"], key=lambda r: -r["execution_time"])
    total = results["elapsed_time"]
    threads = len({r["thread_id"] for r in results["results"]})
    print(f"    dbt elapsed {total:.1f} s, of which models ({threads} threads):")
    for r in models[:top]:
        print(f"      {r['unique_id'].split('.')[-1]:<44} {r['execution_time']:6.2f} s")


def main() -> None:
    from assets.demo.loader import append, load
    from assets.demo.profiles import SCALES
    from assets.demo.tenants import DemoSpec

    large = SCALES["large"]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=large.users)
    parser.add_argument("--days", type=int, default=large.days)
    parser.add_argument("--append-days", type=int, default=None, help="default: 1.5 %% of --days, at least 1")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    append_days = args.append_days or max(1, round(args.days * 0.015))

    settings = get_settings()
    admin = server_url(settings)
    name = f"aip_bench_warehouse_{uuid.uuid4().hex[:8]}"
    create_database(admin, name)
    url = with_database(admin, name)
    env = dbt_env_from_url(url)
    target = Path(tempfile.mkdtemp(prefix="aip-bench-dbt-"))

    def dbt(*dbt_args: str, executable: str = DBT_EXECUTABLE) -> None:
        run_dbt(list(dbt_args), env=env, target_path=target, timeout=3600, executable=executable)

    try:
        print(f"warehouse benchmark: {args.users} users x {args.days} days, then +{append_days} days "
              f"({100 * append_days / args.days:.1f} %), database {name}")  # fmt: skip
        apply_migrations(url, settings.embedding_dimension)
        spec = DemoSpec(seed=42, users=args.users, days=args.days, as_of=dt.date(2025, 6, 30), scale="large")
        _timed("load demo data", load, url, spec, manifest=None)
        print(f"  rows: {_rows(url)}")
        # after a bulk load autovacuum would scan the fresh tables for a minute, in the middle of the
        # timings below; a loader vacuums what it loaded (and the timings compare dbt with dbt)
        _timed("vacuum (analyze) the loaded tables", _vacuum, url)
        full, _ = _timed("dbt run --full-refresh", dbt, "run", "--full-refresh")
        tests, _ = _timed("dbt test (all tests, for reference)", dbt, "test")
        # what every dbt invocation costs before and after its models (imports, project and manifest load,
        # artifacts): a run that selects no model
        no_model = ["run", "--select", "tag:selects_no_model"]
        startup, _ = _timed("dbt run selecting no model", dbt, *no_model)
        # the platform starts dbt through `aip-dbt` (assets/warehouse/dbt_launcher.py); the plain `dbt`
        plain_startup, _ = _timed(
            "  the same with the plain `dbt`", dbt, *no_model, executable=PLAIN_DBT_EXECUTABLE
        )
        _timed(f"append {append_days} days of demo data", append, url, append_days, manifest=None)
        print(f"  rows: {_rows(url)}")
        incremental, _ = _timed("dbt run (incremental)", dbt, "run")
        _print_slowest(target / "run_results.json")
        with psycopg.connect(url, autocommit=True) as conn:
            snapshot(conn, "bench_incremental")
            tables = len(warehouse_tables(conn))
        full_after, _ = _timed("dbt run --full-refresh (after append)", dbt, "run", "--full-refresh")
        with psycopg.connect(url, autocommit=True) as conn:
            diff = differences(conn, "bench_incremental")
        print()
        print(f"full refresh            {full:8.1f} s  (after the append: {full_after:.1f} s)")
        print(f"incremental             {incremental:8.1f} s")
        print(f"ratio                   {100 * incremental / full_after:8.1f} %  (goal <= 15 %)")
        print(
            f"dbt start-up            {startup:8.1f} s  (in every run; without it the ratio would be "
            f"{100 * (incremental - startup) / (full_after - startup):.1f} %)"
        )
        print(
            f"  with the plain `dbt`    {plain_startup:8.1f} s  ({plain_startup / startup:.2f}x aip-dbt's start-up)"
        )
        print(f"tests                   {tests:8.1f} s  (not part of the ratio)")
        print(f"identical results       {'yes' if not diff else 'NO'} ({tables} tables compared row for row)")
        for table, (only_incremental, only_full) in diff.items():
            print(f"  {table}: {only_incremental} rows only incremental, {only_full} only full refresh")
    finally:
        if args.keep:
            print(f"kept database {name}: {url}")
        else:
            drop_database(admin, name)


if __name__ == "__main__":
    main()
