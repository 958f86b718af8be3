"""COPY text rendering and ids: what PostgreSQL reads back is what was meant."""

from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import psycopg

from assets.demo.copytext import (
    Choice,
    Json,
    dates,
    format_rows,
    ints,
    joined,
    lines,
    lookup,
    money,
    timestamps,
)
from assets.demo.keyed_random import Keyed, uuid7, uuid7_text


def test_render_places_masked_parts_and_choices() -> None:
    n = 4
    even = np.arange(n) % 2 == 0
    text = joined(
        lines(
            n,
            [
                ints(np.array([1, 22, 333, 4444])),
                [b"{", (b'"a": 1', even), b"}"],
                Choice(
                    (((ints(np.arange(n)),), even), ((b"x", lookup(["p", "qq"], np.arange(n) % 2)), ~even))
                ),
                money(np.array([0, 5, 1234, 100000])),
            ],
        )
    )
    assert text.decode().splitlines() == [
        '1\t{"a": 1}\t0\t0.00',
        "22\t{}\txqq\t0.05",
        '333\t{"a": 1}\t2\t12.34',
        "4444\t{}\txqq\t1000.00",
    ]


def test_ids_and_times_render_like_the_standard_library() -> None:
    k = Keyed(3, "test")
    ms = np.array([1_700_000_000_123, 1_600_000_000_000], dtype=np.int64)
    texts = uuid7_text(ms, k.bits(np.arange(2)))
    for i, text in enumerate(texts):
        value = uuid.UUID(text.decode())
        assert value.version == 7 and value == uuid7(int(ms[i]), k.bits(i))
        assert value.int >> 80 == ms[i]  # the first 48 bits are the millisecond time
    seconds = np.array([0, 1_700_000_000, 951_782_399])
    expected = [dt.datetime.fromtimestamp(int(s), dt.UTC).strftime("%Y-%m-%d %H:%M:%S+00") for s in seconds]
    assert [t.decode() for t in timestamps(seconds)] == expected
    assert dates(np.array([0, 11016])).tolist() == [b"1970-01-01", b"2000-02-29"]


def test_keyed_numbers_depend_only_on_their_keys() -> None:
    k = Keyed(11, "stream")
    whole = k.uniform(np.arange(1000), 5)
    assert np.array_equal(whole[500:510], k.uniform(np.arange(500, 510), 5))
    assert whole.min() >= 0.0 and whole.max() < 1.0
    assert not np.array_equal(whole, Keyed(11, "other").uniform(np.arange(1000), 5))
    normal = k.normal(np.arange(20000))
    assert abs(normal.mean()) < 0.05 and abs(normal.std() - 1) < 0.05


def test_python_rows_survive_a_round_trip(conn: psycopg.Connection) -> None:
    conn.execute(
        "create temp table t (a text, b jsonb, c text[], d timestamptz, e boolean, f numeric, g uuid)"
    )
    tricky = 'tab\there, newline\nthere, back\\slash, "quotes"'
    when = dt.datetime(2025, 3, 1, 12, 30, tzinfo=dt.UTC)
    ident = uuid.uuid4()
    row = (tricky, {"k": tricky, "n": [1, 2]}, ["x y", 'q"uote', "back\\slash"], when, True, 12.5, ident)
    with conn.cursor().copy("copy t from stdin") as copy:
        copy.write(format_rows([row, (None, Json([1]), [], None, False, None, None)]))
    got = conn.execute("select * from t order by e desc").fetchall()
    assert got[0] == (
        tricky,
        {"k": tricky, "n": [1, 2]},
        ["x y", 'q"uote', "back\\slash"],
        when,
        True,
        12.5,
        ident,
    )
    assert got[1] == (None, [1], [], None, False, None, None)
