"""RLS beyond the public tables: the ai-videos storage bucket (storage.objects, policies from the spec's
`storage_buckets`) and the per-user view ai_video_stats. Same technique as test_rls: role and JWT claims set
per transaction, outcomes checked as superuser."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest

from tests.sql.rls_model import COMMANDS, spec
from tests.sql.rls_session import act_as, as_superuser, attempt

BUCKET = "ai-videos"


def _bucket_commands() -> set[str]:
    return {
        p["command"] for p in spec()["storage_buckets"][BUCKET]["policies"] if "authenticated" in p["roles"]
    }


@pytest.fixture
def users(conn: psycopg.Connection) -> dict[str, str]:
    found = {"A": str(uuid.uuid4()), "B": str(uuid.uuid4())}
    for tag, user_id in found.items():
        conn.execute("insert into auth.users (id, email) values (%s, %s)", (user_id, f"{tag}@storage.test"))
    return found


@pytest.fixture
def tx(conn: psycopg.Connection) -> Iterator[psycopg.Connection]:
    """A transaction (SET LOCAL needs one) that is rolled back."""
    with conn.transaction(force_rollback=True):
        yield conn


def _objects(conn: psycopg.Connection) -> set[tuple[str, str]]:
    as_superuser(conn)
    return set(conn.execute("select bucket_id, name from storage.objects").fetchall())


def _seed_objects(conn: psycopg.Connection, users: dict[str, str]) -> None:
    as_superuser(conn)
    conn.execute("insert into storage.buckets (id, name, public) values ('other', 'other', false)")
    for user_id in users.values():
        conn.execute(
            "insert into storage.objects (bucket_id, name) values (%s, %s), ('other', %s)",
            (BUCKET, f"{user_id}/seed.mp4", f"{user_id}/other.mp4"),
        )


def test_bucket_is_public_and_policies_cover_the_spec(conn: psycopg.Connection) -> None:
    assert conn.execute("select public from storage.buckets where id = %s", (BUCKET,)).fetchone() == (True,)
    assert _bucket_commands() == {"insert", "select", "delete"}
    assert conn.execute(
        "select relrowsecurity from pg_class where oid = 'storage.objects'::regclass"
    ).fetchone() == (True,)


@pytest.mark.parametrize("command", COMMANDS, ids=[f"storage_objects-{c}" for c in COMMANDS])
def test_ai_videos_own_folder_only(tx: psycopg.Connection, users: dict[str, str], command: str) -> None:
    a, b = users["A"], users["B"]
    _seed_objects(tx, users)
    before = _objects(tx)
    act_as(tx, "authenticated", a)
    if command == "insert":
        assert command in _bucket_commands()
        ok = attempt(
            tx, "insert into storage.objects (bucket_id, name) values (%s, %s)", (BUCKET, f"{a}/file.mp4")
        )
        assert ok.error is None and ok.rowcount == 1, ok.error
        for bucket, name in [(BUCKET, f"{b}/file.mp4"), (BUCKET, "file.mp4"), ("other", f"{a}/file.mp4")]:
            refused = attempt(
                tx, "insert into storage.objects (bucket_id, name) values (%s, %s)", (bucket, name)
            )
            assert refused.rls_violation, f"A uploaded {bucket}/{name}"
        assert _objects(tx) == before | {(BUCKET, f"{a}/file.mp4")}
    elif command == "select":
        seen = attempt(tx, "select bucket_id, name from storage.objects")
        assert set(seen.rows) == {(BUCKET, f"{a}/seed.mp4")}
    elif command == "delete":
        gone = attempt(tx, "delete from storage.objects")
        assert gone.error is None and gone.rowcount == 1
        assert _objects(tx) == before - {(BUCKET, f"{a}/seed.mp4")}
    else:
        assert command not in _bucket_commands()
        moved = attempt(tx, "update storage.objects set name = %s || '/moved.mp4'", (a,))
        assert moved.error or moved.rowcount == 0
        assert _objects(tx) == before


@pytest.mark.parametrize("command", COMMANDS, ids=[f"storage_objects-{c}" for c in COMMANDS])
def test_anon_cannot_touch_ai_videos_objects(
    tx: psycopg.Connection, users: dict[str, str], command: str
) -> None:
    """The bucket is public for URL downloads; through the database anon reaches no object."""
    _seed_objects(tx, users)
    before = _objects(tx)
    act_as(tx, "anon")
    statements = {
        "select": ("select name from storage.objects", ()),
        "insert": ("insert into storage.objects (bucket_id, name) values (%s, %s)", (BUCKET, "anon/x.mp4")),
        "update": ("update storage.objects set name = 'anon/y.mp4'", ()),
        "delete": ("delete from storage.objects", ()),
    }
    result = attempt(tx, *statements[command])
    assert result.error or (result.rowcount in (0, -1) and result.rows == []), f"anon {command}: {result}"
    if command == "insert":
        assert result.error is not None
    assert _objects(tx) == before


def _seed_videos(conn: psycopg.Connection, users: dict[str, str]) -> None:
    rows = [
        (users["A"], "completed", 1.5, False),
        (users["A"], "failed", 0.5, True),
        (users["B"], "completed", 9.0, False),
    ]
    for user_id, status, cost, auto in rows:
        conn.execute(
            "insert into public.ai_video_projects (user_id, goal, status, cost_usd, auto_generated)"
            " values (%s, 'goal', %s, %s, %s)",
            (user_id, status, cost, auto),
        )


def test_ai_video_stats_shows_only_the_callers_figures(tx: psycopg.Connection, users: dict[str, str]) -> None:
    _seed_videos(tx, users)
    as_superuser(tx)
    assert tx.execute("select count(*) from public.ai_video_stats").fetchone() == (2,)
    act_as(tx, "authenticated", users["A"])
    rows = tx.execute(
        "select user_id::text, total_videos, autopilot_videos, manual_videos, completed_videos, failed_videos,"
        " total_cost_usd::float8 from public.ai_video_stats"
    ).fetchall()
    assert rows == [(users["A"], 2, 1, 1, 1, 1, 2.0)]


@pytest.mark.parametrize("role", ["anon", "authenticated-B"])
def test_ai_video_stats_hides_a_from_others(tx: psycopg.Connection, users: dict[str, str], role: str) -> None:
    _seed_videos(tx, users)
    if role == "anon":
        act_as(tx, "anon")
        result = attempt(tx, "select user_id from public.ai_video_stats")
        assert result.error is not None, "anon may not read ai_video_stats (granted to authenticated only)"
    else:
        act_as(tx, "authenticated", users["B"])
        rows = tx.execute("select user_id::text, total_videos from public.ai_video_stats").fetchall()
        assert rows == [(users["B"], 1)]
