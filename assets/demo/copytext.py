"""COPY text format, built fast.

Long tables are rendered column-wise with numpy: every row is laid out in a fixed-width byte matrix
(each part padded with NUL bytes), the matrix is flattened and the NULs are removed in one pass
(`bytes.translate` deleting NULs, ~1 GB/s). PostgreSQL text never contains NUL, so padding can never eat data, and a
part can be left out of some rows just by leaving its cells NUL — that is how optional JSON keys and
`\\N` (NULL) are written. Small tables use `format_rows`, a plain Python formatter of the same format.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

NULL = b"\\N"
_TWO_DIGITS = np.array([f"{i:02d}".encode() for i in range(100)], dtype="S2")
_SLICE_ROWS = 65536  # rows rendered per matrix, bounds the temporary memory


@dataclass(frozen=True)
class Choice:
    """Alternatives for the same place in a row: (parts, mask) pairs whose masks never overlap. They share
    their cells, so the row matrix is as wide as the widest alternative, not as all of them together."""

    alternatives: tuple[tuple[tuple, np.ndarray], ...]


Part = bytes | np.ndarray | tuple | Choice


def _as_matrix(value: np.ndarray) -> np.ndarray:
    if value.dtype.kind != "S":
        raise TypeError(f"render() needs bytes (S) arrays, got {value.dtype}")
    width = value.dtype.itemsize
    return np.ascontiguousarray(value).view(np.uint8).reshape(len(value), width)


Batch = tuple[bytes, int]  # COPY text and the number of rows in it


def render(n: int, parts: Sequence[Part]) -> list[Batch]:
    """Concatenate `parts` row by row: literals (bytes), S-arrays of length n, (part, mask) pairs where
    the part only appears in rows whose mask is True, or a `Choice` of alternatives. Returned in slices
    (never joined: one more copy of hundreds of megabytes would cost more than rendering them)."""
    return [(_render_slice(lo, min(n, lo + _SLICE_ROWS), parts), min(n, lo + _SLICE_ROWS) - lo)
            for lo in range(0, n, _SLICE_ROWS)]  # fmt: skip


def _layout(lo: int, hi: int, parts: Sequence[Part], offset: int, mask: np.ndarray | None, out: list) -> int:
    """Append (cells, mask, offset, width) of each part to `out`; return the offset after them."""
    for part in parts:
        if isinstance(part, Choice):
            end = offset
            for alternative, alt_mask in part.alternatives:
                m = alt_mask[lo:hi] if mask is None else (mask & alt_mask[lo:hi])
                end = max(end, _layout(lo, hi, alternative, offset, m, out))
            offset = end
            continue
        value, part_mask = part if isinstance(part, tuple) else (part, None)
        m = mask if part_mask is None else (part_mask[lo:hi] if mask is None else mask & part_mask[lo:hi])
        if isinstance(value, bytes):
            cells = np.frombuffer(value, dtype=np.uint8)
            w = len(value)
        else:
            cells = _as_matrix(value[lo:hi])
            w = cells.shape[1]
        out.append((cells, m, offset, w))
        offset += w
    return offset


def _render_slice(lo: int, hi: int, parts: Sequence[Part]) -> bytes:
    prepared: list = []
    width = _layout(lo, hi, parts, 0, None, prepared)
    matrix = np.zeros((hi - lo, width), dtype=np.uint8)
    for cells, mask, offset, w in prepared:
        target = matrix[:, offset : offset + w]
        if mask is None:
            target[...] = cells
        elif cells.ndim == 1:
            target[mask] = cells
        else:
            target[mask] = cells[mask]
    return matrix.tobytes().translate(None, b"\x00")


def joined(batches: Sequence[Batch]) -> bytes:
    return b"".join(text for text, _ in batches)


def lines(n: int, columns: Sequence[Part | list[Part]]) -> list[Batch]:
    """COPY text lines: columns (each one part or a list of parts) separated by tabs, newline-terminated."""
    parts: list[Part] = []
    for i, column in enumerate(columns):
        if i:
            parts.append(b"\t")
        parts.extend(column if isinstance(column, list) else [column])
    parts.append(b"\n")
    return render(n, parts)


# -- column converters (all return S arrays) --------------------------------------------------------------
def ints(values: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=np.int64)
    if not len(values):
        return values.astype("S1")
    widest = max(len(str(int(values.max()))), len(str(int(values.min()))))
    return values.astype(f"S{widest}")


def two_digits(values: np.ndarray) -> np.ndarray:
    return _TWO_DIGITS[np.asarray(values, dtype=np.intp)]


def money(cents: np.ndarray) -> list[Part]:
    """Non-negative amounts in cents as `123.45` (two parts: whole units, then `.cc`)."""
    cents = np.asarray(cents, dtype=np.int64)
    return [ints(cents // 100), b".", two_digits(cents % 100)]


def dates(days: np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 as `YYYY-MM-DD`."""
    days = np.asarray(days, dtype=np.int64)
    unique, inverse = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(unique.astype("datetime64[D]")).astype("S10")
    return text[inverse.reshape(-1)]


def timestamps(seconds: np.ndarray) -> np.ndarray:
    """Seconds since the epoch (UTC) as `YYYY-MM-DD HH:MM:SS+00`."""
    seconds = np.asarray(seconds, dtype=np.int64)
    day, tod = np.divmod(seconds, 86400)
    out = np.empty((len(seconds), 22), dtype=np.uint8)
    out[:, 0:10] = _as_matrix(dates(day))
    out[:, 10] = ord(" ")
    out[:, 11:13] = _as_matrix(two_digits(tod // 3600))
    out[:, 13] = ord(":")
    out[:, 14:16] = _as_matrix(two_digits((tod // 60) % 60))
    out[:, 16] = ord(":")
    out[:, 17:19] = _as_matrix(two_digits(tod % 60))
    out[:, 19:22] = np.frombuffer(b"+00", dtype=np.uint8)
    return out.view("S22").ravel()


def lookup(table: Sequence[str], codes: np.ndarray) -> np.ndarray:
    """Strings of a small vocabulary picked by integer codes. The vocabulary must be COPY- and JSON-safe."""
    encoded = np.array([s.encode("utf-8") for s in table], dtype=np.bytes_)
    return encoded[np.asarray(codes, dtype=np.intp)]


# -- the Python path for small tables ---------------------------------------------------------------------
@dataclass(frozen=True)
class Json:
    """A jsonb value (a plain list would be written as a text[] array)."""

    value: object


def _escape(text: str) -> str:
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _array_element(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _json_default(value: object) -> object:
    if isinstance(value, uuid.UUID | dt.date):
        return str(value) if isinstance(value, uuid.UUID) else value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(f"not JSON serialisable: {value!r}")


_JSON = json.JSONEncoder(default=_json_default, ensure_ascii=False, sort_keys=True)  # built once, reused


def _timestamp_text(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware (UTC)")
    if value.utcoffset():
        value = value.astimezone(dt.UTC)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d} {value.hour:02d}:{value.minute:02d}:{value.second:02d}+00"


# by exact type: one dict lookup per value instead of a chain of isinstance checks
_BY_TYPE = {
    type(None): lambda v: "\\N",
    bool: lambda v: "t" if v else "f",
    int: str,
    Decimal: str,
    float: repr,
    str: _escape,
    uuid.UUID: str,
    dt.datetime: _timestamp_text,
    dt.date: dt.date.isoformat,
    Json: lambda v: _escape(_JSON.encode(v.value)),
    dict: lambda v: _escape(_JSON.encode(v)),
    list: lambda v: _escape("{" + ",".join(_array_element(str(x)) for x in v) + "}"),
    tuple: lambda v: _escape("{" + ",".join(_array_element(str(x)) for x in v) + "}"),
}


def value_text(value: object) -> str:
    formatter = _BY_TYPE.get(type(value))
    if formatter is None:
        # subclasses (numpy integers, other date types) fall back to their closest known type
        for kind, candidate in _BY_TYPE.items():
            if kind is not type(None) and isinstance(value, kind) and not isinstance(value, bool):
                return candidate(value)
        raise TypeError(f"cannot write {type(value).__name__} to COPY: {value!r}")
    return formatter(value)


def format_rows(rows: Iterable[Sequence[object]]) -> bytes:
    return "".join("\t".join(map(value_text, row)) + "\n" for row in rows).encode("utf-8")
