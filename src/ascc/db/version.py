"""Counters that committed writes increment, in the same transaction as the writes.

Row ``ALL`` (1) counts every committed write: response caches key on it, so a cache entry can never
outlive the data it was built from, even when the write happened in another process or on another
machine sharing the database. Row ``SEARCH_INDEX`` (2) counts writes of the search index
(``knowledge.index``): the search's in-memory facet columns key on it, so writes elsewhere do not
make them reload.
"""

from __future__ import annotations

from sqlalchemy import Engine, Integer, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ascc.db.base import Base

ALL = 1
SEARCH_INDEX = 2  # row made by migration 0016


class DataVersion(Base):
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def bump(session: Session, counter: int = ALL) -> None:
    session.execute(
        update(DataVersion).where(DataVersion.id == counter).values(version=DataVersion.version + 1)
    )


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return (
            conn.execute(select(DataVersion.version).where(DataVersion.id == ALL)).scalar_one_or_none() or 0
        )


def read(session: Session, counter: int) -> int | None:
    """The counter as this session sees it; ``None`` if the database has no such row. (A plain
    statement: it is read before every search.)"""
    row = (
        session.connection()
        .exec_driver_sql(f"SELECT version FROM data_version WHERE id = {int(counter)}")
        .first()
    )
    return None if row is None else row[0]
