"""A single counter that every committed write increments, in the same transaction.

Response caches key on it, so a cache entry can never outlive the data it was built from, even
when the write happened in another process or on another machine sharing the database.
"""

from __future__ import annotations

from sqlalchemy import Engine, Integer, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from ascc.db.base import Base


class DataVersion(Base):
    __tablename__ = "data_version"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)


def bump(session: Session) -> None:
    session.execute(update(DataVersion).where(DataVersion.id == 1).values(version=DataVersion.version + 1))


def current_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(DataVersion.version).where(DataVersion.id == 1)).scalar_one_or_none() or 0
