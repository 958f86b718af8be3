"""Counter-based random numbers and deterministic ids.

A value drawn for (seed, stream, keys…) depends on nothing else: not on how many values were drawn before
it, not on the number of users, not on the day the data is generated. That is what makes `--append-days`
exact: the noise of campaign c on day d is the same whether d was generated in the first load or in an
append, so appending K days yields exactly the rows a longer first load would have had for those days.
Structural choices per user (names, campaigns) use numpy's PCG64 seeded per user (`user_rng`).

The hash is splitmix64's finalizer applied to a running key, vectorised over uint64 arrays (numpy wraps
uint64 arithmetic modulo 2**64 without warnings for arrays, which is exactly the arithmetic we want).
"""

from __future__ import annotations

import uuid
import zlib

import numpy as np

_U = np.uint64
_M1 = _U(0xBF58476D1CE4E5B9)
_M2 = _U(0x94D049BB133111EB)
_GOLDEN = _U(0x9E3779B97F4A7C15)
# (hex digit range, text position) of the five groups of the canonical 8-4-4-4-12 form
_GROUPS = [((0, 8), 0), ((8, 12), 9), ((12, 16), 14), ((16, 20), 19), ((20, 32), 24)]


def mix64(x: np.ndarray) -> np.ndarray:
    x = x ^ (x >> _U(30))
    x = x * _M1
    x = x ^ (x >> _U(27))
    x = x * _M2
    return x ^ (x >> _U(31))


def as_u64(values: object) -> np.ndarray:
    """Integers (any sign) as uint64 arrays, wrapping negatives deterministically."""
    arr = np.atleast_1d(np.asarray(values))
    if arr.dtype == np.uint64:
        return arr
    return arr.astype(np.int64).astype(np.uint64)


def stream_key(name: str) -> int:
    """A stable integer for a stream name (Python's hash() is salted per process, crc32 is not)."""
    return zlib.crc32(name.encode("utf-8"))


class Keyed:
    """Random numbers addressed by keys: `Keyed(seed, "metrics").uniform(campaign_ids, days)`.

    Keys broadcast like numpy operands; the result has the broadcast shape (at least 1-d).
    """

    def __init__(self, seed: int, stream: str) -> None:
        if not 0 <= seed < 2**63:
            raise ValueError(f"seed must be between 0 and 2**63-1, got {seed}")
        self._base = mix64(as_u64(seed) ^ mix64(as_u64(stream_key(stream))))

    def bits(self, *keys: object) -> np.ndarray:
        h = self._base
        for key in keys:
            h = mix64(h ^ (as_u64(key) + _GOLDEN))
        return h

    def uniform(self, *keys: object) -> np.ndarray:
        """Uniform in [0, 1)."""
        return (self.bits(*keys) >> _U(11)).astype(np.float64) * (1.0 / 9007199254740992.0)

    def normal(self, *keys: object) -> np.ndarray:
        """Standard normal (Box-Muller on two independent uniforms)."""
        u1 = self.uniform(*keys, 0x6E31)
        u2 = self.uniform(*keys, 0x6E32)
        return np.sqrt(-2.0 * np.log1p(-u1)) * np.cos(2.0 * np.pi * u2)

    def integers(self, low: int, high: object, *keys: object) -> np.ndarray:
        """Integers in [low, high) (high may be an array)."""
        span = np.asarray(high, dtype=np.int64) - low
        return low + np.floor(self.uniform(*keys) * span).astype(np.int64)

    def exponential(self, mean: object, *keys: object) -> np.ndarray:
        return -np.asarray(mean, dtype=np.float64) * np.log1p(-self.uniform(*keys))


def user_rng(seed: int, user_index: int, purpose: int = 0) -> np.random.Generator:
    """PCG64 generator of one user's structural choices; independent of how many users are generated."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 0x5EED, user_index, purpose])))


def uuid7_ints(ts_ms: object, h: object) -> tuple[np.ndarray, np.ndarray]:
    """High and low 64 bits of UUIDv7-layout ids: 48-bit millisecond time, then 74 bits from `h`.

    Time-ordered ids keep primary-key inserts local in the btree (rows are loaded roughly in time order),
    and the random part comes from the keyed hash, so the same entity always gets the same id.
    """
    ts = as_u64(ts_ms) & _U(0xFFFFFFFFFFFF)
    hh = as_u64(h)
    low_bits = mix64(hh ^ _GOLDEN)
    hi = (ts << _U(16)) | _U(0x7000) | (hh & _U(0xFFF))
    lo = (low_bits & _U(0x3FFFFFFFFFFFFFFF)) | _U(0x8000000000000000)
    return hi, lo


def uuid_text(hi: np.ndarray, lo: np.ndarray) -> np.ndarray:
    """Canonical text of many uuids at once, as an `S36` array."""
    n = len(hi)
    words = np.empty((n, 2), dtype=">u8")
    words[:, 0] = hi
    words[:, 1] = lo
    raw = words.view(np.uint8).reshape(n, 16)
    nibbles = np.empty((n, 32), dtype=np.uint8)
    nibbles[:, 0::2] = raw >> 4
    nibbles[:, 1::2] = raw & 0xF
    # '0'..'9' are 48..57, 'a'..'f' are 97..102
    hexed = nibbles + np.uint8(48) + (nibbles > 9).astype(np.uint8) * np.uint8(39)
    out = np.empty((n, 36), dtype=np.uint8)
    for src, dst in _GROUPS:
        out[:, dst : dst + src[1] - src[0]] = hexed[:, src[0] : src[1]]
    out[:, [8, 13, 18, 23]] = ord("-")
    return out.view("S36").ravel()


def uuid7_text(ts_ms: object, h: object) -> np.ndarray:
    return uuid_text(*uuid7_ints(ts_ms, h))


def uuid7(ts_ms: int, h: int | np.ndarray) -> uuid.UUID:
    """One id (same layout as `uuid7_text`)."""
    hi, lo = uuid7_ints(ts_ms, h)
    return uuid.UUID(int=(int(hi[0]) << 64) | int(lo[0]))


def uuid7_many(ts_ms: object, h: object) -> list[uuid.UUID]:
    """Many ids as uuid.UUID objects (for the row-by-row tables)."""
    hi, lo = uuid7_ints(ts_ms, h)
    return [uuid.UUID(int=(int(a) << 64) | int(b)) for a, b in zip(hi.tolist(), lo.tolist(), strict=True)]
