"""Which of many values a column holds, asked in slices so that no statement carries more bound
parameters than a backend takes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

#: values per ``IN (…)``: far below SQLite's and PostgreSQL's parameter limits
SLICE = 500


def present(session: Session, column: ColumnElement[Any], values: Iterable[Any]) -> set[Any]:
    """The values of ``values`` that ``column`` holds (each distinct value asked once)."""
    wanted = list(dict.fromkeys(values))
    found: set[Any] = set()
    for i in range(0, len(wanted), SLICE):
        found |= set(session.scalars(select(column).where(column.in_(wanted[i : i + SLICE]))))
    return found
