"""National plans, their measures, the measures' alignment to regional framework elements, national
results, and the ministries' comments on a draft."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class NationalPlan(Base):
    """A member state's national plan or programme of action. ``status`` is ``draft``,
    ``in_consultation`` or ``adopted`` (the text is locked once adopted). ``ref_key`` names a plan
    the demo loader created (its seed record), never set by a person."""

    __tablename__ = "national_plans"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"), index=True)
    title_en: Mapped[str | None] = mapped_column(String(400))
    title_id: Mapped[str | None] = mapped_column(String(400))
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    ministries: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20))
    registry_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"))
    regional_plan_id: Mapped[str | None] = mapped_column(ForeignKey("plans.id"))
    note: Mapped[str | None] = mapped_column(Text)
    consultation_ministries: Mapped[list[str]] = mapped_column(JSON, default=list)
    consultation_deadline: Mapped[dt.date | None] = mapped_column(Date)
    adopted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ref_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class NationalMeasure(Base):
    __tablename__ = "national_measures"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("national_plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    title_en: Mapped[str | None] = mapped_column(Text)
    title_id: Mapped[str | None] = mapped_column(Text)
    ministry: Mapped[str | None] = mapped_column(String(200))
    section: Mapped[str | None] = mapped_column(String(100))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class NationalAlignment(Base):
    """A measure's link to an outcome or output of a regional plan: ``implements``,
    ``contributes_to`` or ``adapts``."""

    __tablename__ = "national_alignments"
    __table_args__ = (UniqueConstraint("measure_id", "element_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure_id: Mapped[int] = mapped_column(
        ForeignKey("national_measures.id", ondelete="CASCADE"), index=True
    )
    element_id: Mapped[int] = mapped_column(ForeignKey("results_elements.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class NationalResult(Base):
    """A national result against a national target. Values the source does not state stay empty."""

    __tablename__ = "national_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("national_plans.id", ondelete="CASCADE"), index=True)
    measure_id: Mapped[int | None] = mapped_column(
        ForeignKey("national_measures.id", ondelete="CASCADE"), index=True
    )
    label_en: Mapped[str | None] = mapped_column(Text)
    label_id: Mapped[str | None] = mapped_column(Text)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    unit: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)
    target: Mapped[Decimal | None] = mapped_column(Numeric(20, 4))
    indicator_code: Mapped[str | None] = mapped_column(String(60))
    source_url: Mapped[str | None] = mapped_column(String(500))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class NationalComment(Base):
    """A ministry's comment on a section of the draft, and how the focal point handled it
    (``accepted``, ``partly``, ``not_accepted``, with a note)."""

    __tablename__ = "national_comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("national_plans.id", ondelete="CASCADE"), index=True)
    ministry: Mapped[str] = mapped_column(String(200))
    section: Mapped[str | None] = mapped_column(String(100))
    text: Mapped[str] = mapped_column(Text)
    handling: Mapped[str | None] = mapped_column(String(20))
    handling_note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(300))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
