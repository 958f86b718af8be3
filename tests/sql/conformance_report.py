"""Print what the conformance comparison finds: counts per object kind, deliberate deviations, differences.

    python -m tests.sql.conformance_report                 # fresh embedded server, all migrations applied
    python -m tests.sql.conformance_report --url URL       # an already migrated database (e.g. Supabase)
    python -m tests.sql.conformance_report --dimension 768

Exits 1 when there is any difference outside the allow-list.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
from pathlib import Path

import psycopg

from orchestration.database import EmbeddedPostgres, create_database, with_database
from orchestration.migrations import apply_migrations

from .conformance import Report, compare, format_counts


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def report_for(url: str, dimension: int) -> Report:
    with psycopg.connect(url) as conn:
        return compare(conn, dimension)


def report_fresh(dimension: int) -> Report:
    """Apply every migration to a new database on a throw-away embedded server and compare it."""
    with tempfile.TemporaryDirectory(prefix="aip-conformance-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "pgdata", _free_port())
        server.start()
        try:
            create_database(server.url(), "conformance")
            url = with_database(server.url(), "conformance")
            apply_migrations(url, dimension)
            return report_for(url, dimension)
        finally:
            server.stop()


def render(report: Report) -> str:
    lines = ["Found in the live catalog (objects of the spec):", format_counts(report), ""]
    lines.append(f"Deliberate deviations ({len(report.allowed)}):")
    lines += [f"  - {difference}\n      reason: {reason}" for difference, reason in report.allowed]
    lines.append(f"Differences ({len(report.unexpected)}):")
    lines += [f"  - {difference}" for difference in report.unexpected] or ["  none"]
    if report.unused_allowances:
        lines.append("Allow-list entries that matched nothing (remove them):")
        lines += [f"  - {entry}" for entry in report.unused_allowances]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--url", help="libpq URL of a migrated database (default: a fresh embedded one)")
    parser.add_argument(
        "--dimension", type=int, default=384, help="embedding dimension the schema was built for"
    )
    args = parser.parse_args(argv)
    report = report_for(args.url, args.dimension) if args.url else report_fresh(args.dimension)
    print(render(report))
    return 1 if report.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
