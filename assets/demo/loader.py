"""Load demo data with COPY, one transaction per table, parents before children.

A table is either loaded completely or not at all (its COPY runs in its own transaction). A database that
already holds demo data is refused unless the caller replaces it (`replace=True` deletes every demo row
first, in one transaction) or appends days to it (`append`). The parameters a load was made with live in
each demo user's `raw_app_meta_data.demo_data`, which is how an append knows what to extend.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

from assets.demo import knowledge
from assets.demo.accounts import DEMO_KEY
from assets.demo.bulk import restore, set_aside
from assets.demo.changes import apply_update, delete_demo_data
from assets.demo.generator import DemoData, TableLoad, Window
from assets.demo.tenants import DemoSpec, day_date, day_number


class DemoDataError(RuntimeError):
    """Demo data cannot be loaded as asked; the message says what to do instead."""


class Progress(Protocol):
    def start(self, table: str) -> None: ...
    def advance(self, table: str, rows: int) -> None: ...
    def finish(self, table: str) -> None: ...


class _Silent:
    def start(self, table: str) -> None:
        pass

    def advance(self, table: str, rows: int) -> None:
        pass

    def finish(self, table: str) -> None:
        pass


@dataclass(frozen=True)
class DemoState:
    """What the database holds: the spec it was generated with and the last day it covers."""

    spec: DemoSpec
    through: dt.date
    users: int


@dataclass
class TableStat:
    table: str
    rows: int
    seconds: float
    long: bool = False
    generating: float = 0.0  # of `seconds`, spent producing the COPY text (the rest: COPY, index builds)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass
class LoadReport:
    mode: str  # load | replace | append
    spec: DemoSpec
    window: Window
    tables: list[TableStat] = field(default_factory=list)
    updated: dict[str, int] = field(default_factory=dict)
    simulation_seconds: float = 0.0  # part of the tables' time spent simulating (counted where it happened)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)


def _check_schema(conn: psycopg.Connection) -> None:
    missing = [
        t
        for t in ("auth.users", "public.campaigns", "public.campaign_metrics", "public.lead_activities")
        if conn.execute("select to_regclass(%s)", (t,)).fetchone()[0] is None
    ]
    if missing:
        raise DemoDataError(
            f"The operational schema is missing ({', '.join(missing)}): apply the migrations first "
            "(`aip demo-data` applies them itself; from Python: orchestration.migrations.apply_migrations)."
        )


def current_state(conn: psycopg.Connection) -> DemoState | None:
    """The demo data already loaded, or None."""
    _check_schema(conn)
    row = conn.execute(
        f"select count(*), min(raw_app_meta_data -> '{DEMO_KEY}' ->> 'through'), "
        f"(array_agg(raw_app_meta_data -> '{DEMO_KEY}' "
        f"order by (raw_app_meta_data -> '{DEMO_KEY}' ->> 'user_index')::int))[1] "
        f"from auth.users where raw_app_meta_data ? '{DEMO_KEY}'"
    ).fetchone()
    count, through, marker = row
    if not count:
        return None
    spec = DemoSpec(
        seed=int(marker["seed"]),
        users=int(marker["users"]),
        days=int(marker["days"]),
        as_of=dt.date.fromisoformat(marker["as_of"]),
        scale=str(marker["scale"]),
    )
    return DemoState(spec, dt.date.fromisoformat(through), int(count))


def copy_table(
    conn: psycopg.Connection, load: TableLoad, progress: Progress | None = None, *, fast_path: bool = True
) -> TableStat:
    """COPY one table in its own transaction (the connection must be in autocommit mode); an empty table
    is filled with its foreign keys and secondary indexes set aside (see `assets.demo.bulk`)."""
    progress = progress or _Silent()
    progress.start(load.table)
    started = time.perf_counter()
    rows, generating = 0, 0.0
    statement = sql.SQL("copy {} ({}) from stdin").format(
        sql.SQL(load.table), sql.SQL(", ").join(sql.Identifier(c) for c in load.columns)
    )
    try:
        with conn.transaction():
            aside = set_aside(conn, load.table) if fast_path and load.bulk else None
            with conn.cursor() as cur, cur.copy(statement, writer=QueuedLibpqWriter(cur)) as copy:
                batches = load.batches()
                while True:
                    tick = time.perf_counter()
                    text, n = next(batches, (b"", -1))
                    generating += time.perf_counter() - tick
                    if n < 0:
                        break
                    if n:
                        copy.write(text)
                        rows += n
                        progress.advance(load.table, n)
            if aside:
                restore(conn, aside)
    except psycopg.Error as exc:
        raise DemoDataError(
            f"Loading {load.table} failed and was rolled back (no row of it was kept): "
            f"{str(exc).strip().splitlines()[0]}"
        ) from exc
    finally:
        progress.finish(load.table)
    return TableStat(load.table, rows, time.perf_counter() - started, load.long, generating)


def _run(conn: psycopg.Connection, data: DemoData, report: LoadReport, progress: Progress) -> LoadReport:
    conn.execute("set synchronous_commit = off")  # a crash can lose the last commits, never corrupt them
    done: list[str] = []
    try:
        for load in data.tables():
            report.tables.append(copy_table(conn, load, progress))
            done.append(load.table)
        for update in data.updates():
            try:
                report.updated[update.table] = apply_update(conn, update)
            except psycopg.Error as exc:
                raise DemoDataError(
                    f"Updating {update.table} failed and was rolled back: {str(exc).strip().splitlines()[0]}"
                ) from exc
    except DemoDataError as exc:
        hint = (
            " Tables loaded before it are complete; run again with --replace to start over."
            if done
            else " Nothing was loaded."
        )
        raise DemoDataError(f"{exc}{hint}") from exc
    finally:
        report.simulation_seconds = data.sim_seconds
        data.forget()
    return report


def load(
    url: str,
    spec: DemoSpec,
    *,
    replace: bool = False,
    manifest: Path | None = knowledge.MANIFEST,
    progress: Progress | None = None,
) -> LoadReport:
    """Load the demo business described by `spec`. Refuses if demo data exists, unless `replace`."""
    # autocommit: every `conn.transaction()` below is a real transaction of its own, not a savepoint
    with psycopg.connect(url, autocommit=True) as conn:
        state = current_state(conn)
        if state and not replace:
            raise DemoDataError(
                f"Demo data is already loaded ({state.users} demo users, seed {state.spec.seed}, "
                f"{state.spec.days} days up to {state.through}). Run with --replace to delete it and load "
                "again, or with --append-days K to extend it by K days."
            )
        if state:
            delete_demo_data(conn)
        data = DemoData(spec, Window.initial(spec), manifest)
        report = LoadReport("replace" if state else "load", spec, data.window)
        return _run(conn, data, report, progress or _Silent())


def append(
    url: str, days: int, *, manifest: Path | None = knowledge.MANIFEST, progress: Progress | None = None
) -> LoadReport:
    """Extend the loaded demo data by `days` days after the last day it covers."""
    if days < 1:
        raise DemoDataError("--append-days must be at least 1")
    # autocommit: every `conn.transaction()` below is a real transaction of its own, not a savepoint
    with psycopg.connect(url, autocommit=True) as conn:
        state = current_state(conn)
        if state is None:
            raise DemoDataError(
                "There is no demo data to extend: load it first (aip demo-data), then append days."
            )
        since = day_number(state.through)
        window = Window(since, since + days)
        data = DemoData(state.spec, window, manifest)
        report = _run(conn, data, LoadReport("append", state.spec, window), progress or _Silent())
        with conn.transaction():
            conn.execute(
                f"update auth.users set raw_app_meta_data = jsonb_set(raw_app_meta_data, '{{{DEMO_KEY},through}}', "
                "to_jsonb(%s::text)) where raw_app_meta_data ? %s",
                (day_date(window.through).isoformat(), DEMO_KEY),
            )
        return report
