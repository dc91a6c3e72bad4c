"""Comparable values of data rows: what a row holds, as the trail records it, and digests of bulk rows.

``comparable`` turns a value, live from the database or as the trail recorded it (JSON), into one
form per column type, so that a live row and its last audit entry compare equal when nothing
changed (a datetime read back naive from SQLite, a ``Decimal`` of ``Numeric``, a float's ``-0.0``).

``RowsDigest`` is the digest of the rows a bulk load wrote (one audit entry per batch, see
CONVENTIONS "Published data"): per column, the values in the order they were inserted (their
``id`` order), then the number of rows. The writer feeds it whole columns (vectorised, no loop per
row); the verifier feeds it the rows it reads back, a chunk at a time. Both give the same hex
digest for the same rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Numeric
from sqlalchemy.sql.schema import Column

NULL = "\x00"
SEP = "\x1f"
_NULL_INT = -(2**63)

#: the columns of a bulk table that its batch's digest covers (all but the id, the batch and what
#: changes after the batch), by kind
OBSERVATIONS = {
    **dict.fromkeys(
        (
            "indicator_code",
            "member_state",
            "area_code",
            "period",
            "sex",
            "age",
            "urbanisation",
            "obs_status",
            "source",
            "note",
        ),
        "text",
    ),
    "value": "float",
    "revision": "int",
}
INDEX_RESULTS = {
    "unit_code": "text",
    "unit_name": "text",
    "code": "text",
    "year": "int",
    "level": "int",
    "rank": "int",
    "score": "float",
    "rank_low": "float",
    "rank_high": "float",
}


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def comparable(column: Column, value: Any) -> Any:
    """``value`` of ``column`` (live, or as the trail's JSON holds it) in one comparable form."""
    if value is None:
        return None
    kind = column.type
    try:
        if isinstance(kind, DateTime):
            when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
            return _utc(when).isoformat()
        if isinstance(kind, Date):
            return (value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))).isoformat()
        if isinstance(kind, Boolean):
            return bool(value)
        if isinstance(kind, Float):
            number = float(value) + 0.0
            return "NaN" if number != number else number
        if isinstance(kind, Numeric):
            return format(Decimal(str(value)).normalize(), "f")
        if isinstance(kind, Integer):
            return int(value)
        if isinstance(kind, JSON):
            return json.loads(json.dumps(value, sort_keys=True, default=str))
    except (TypeError, ValueError, ArithmeticError):
        return repr(value)
    return value if isinstance(value, str) else str(value)


class RowsDigest:
    """The digest of a sequence of rows over ``columns`` (name → ``text``, ``int`` or ``float``)."""

    def __init__(self, columns: dict[str, str]) -> None:
        self.columns = dict(sorted(columns.items()))
        self._hashers = {name: hashlib.sha256() for name in self.columns}
        self._hashers |= {
            f"{n}:lengths": hashlib.sha256() for n, kind in self.columns.items() if kind == "text"
        }
        self.count = 0

    def texts(self, name: str, values: list[str | None], lengths: np.ndarray | None = None) -> None:
        """A column's next text values; ``None`` is NULL. ``lengths``: their lengths, when known."""
        if not values:
            return
        if lengths is None and any(v is None for v in values):
            values = [NULL if v is None else v for v in values]
        self._hashers[name].update((SEP.join(values) + SEP).encode())
        # and their lengths: a separator inside a value cannot move a boundary
        if lengths is None:
            lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
        self._hashers[f"{name}:lengths"].update(np.asarray(lengths).astype(">i4").tobytes())

    def ints(self, name: str, values: Any) -> None:
        if len(values) == 0:
            return
        arr = (
            np.array([_NULL_INT if v is None else int(v) for v in values], dtype=">i8")
            if isinstance(values, list)
            else np.asarray(values).astype(">i8")
        )
        self._hashers[name].update(arr.tobytes())

    def floats(self, name: str, values: Any) -> None:
        """A column's next floats; ``None`` and NaN are both NULL (SQLite stores NaN as NULL)."""
        if len(values) == 0:
            return
        arr = (
            np.array([np.nan if v is None else v for v in values], dtype=np.float64)
            if isinstance(values, list)
            else np.asarray(values, dtype=np.float64)
        )
        arr = arr + 0.0  # -0.0 is 0.0
        arr[np.isnan(arr)] = np.nan
        self._hashers[name].update(arr.astype(">f8").tobytes())

    def rows(self, rows: list[tuple]) -> None:
        """Rows whose values are in the order of ``self.columns`` (sorted by name)."""
        if not rows:
            return
        for name, kind, values in zip(
            self.columns, self.columns.values(), zip(*rows, strict=True), strict=True
        ):
            values = list(values)
            if kind == "float":
                self.floats(name, values)
            elif kind == "int":
                self.ints(name, values)
            else:
                self.texts(name, [None if v is None else str(v) for v in values])
        self.count += len(rows)

    def hexdigest(self) -> str:
        whole = hashlib.sha256(f"rows:{self.count}".encode())
        for name, hasher in sorted(self._hashers.items()):
            whole.update(f"{SEP}{name}:{self.columns.get(name, 'int')}:{hasher.hexdigest()}".encode())
        return whole.hexdigest()


def digest_of(columns: dict[str, str], rows: list[dict[str, Any]]) -> str:
    """The :class:`RowsDigest` of ``rows`` (dicts, in insertion order), for a writer of few rows."""
    digest = RowsDigest(columns)
    names = list(digest.columns)
    digest.rows([tuple(r.get(n) for n in names) for r in rows])
    return digest.hexdigest()
