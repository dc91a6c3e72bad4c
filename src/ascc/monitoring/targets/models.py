"""The ``targets`` table: a baseline and a target value per indicator, regional or per member state.

``member_state`` is NULL for a regional (ASEAN-wide) target. ``scope`` is the record's identity as a
string, ``indicator|member state or *|plan or *``, so the unique constraint holds although the
member state and plan may be NULL (NULLs never collide in a SQL unique constraint).
A target is never invented: each one names its ``source`` (URL or document) and, where it comes from a
seed or a published plan, the verbatim ``quote``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class Target(Base):
    __tablename__ = "targets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(200), unique=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"), index=True)
    member_state: Mapped[str | None] = mapped_column(ForeignKey("member_states.code"), index=True)
    plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"), index=True)
    sector: Mapped[str | None] = mapped_column(ForeignKey("sectors.id"))
    baseline_year: Mapped[int | None] = mapped_column(Integer)
    baseline_value: Mapped[float | None] = mapped_column(Float)
    target_year: Mapped[int] = mapped_column(Integer)
    target_value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(1000))
    quote: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
