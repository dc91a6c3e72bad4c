"""Meeting tables: anchors and overrides of the cycle, agenda, documents, reports."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class ChairAnchor(Base):
    """Who chaired (or chairs) a body in a given year; the rotation is computed from here."""

    __tablename__ = "chair_anchors"
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"))
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))


class CycleOverride(Base):
    """A user's correction of a computed meeting: another chair or a fixed date, with a reason."""

    __tablename__ = "cycle_overrides"
    __table_args__ = (UniqueConstraint("body_id", "year"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    chair: Mapped[str | None] = mapped_column(ForeignKey("member_states.code"))
    date: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    set_by: Mapped[str] = mapped_column(String(200))


class AgendaItem(Base):
    __tablename__ = "meeting_agenda"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(Text)
    decision_item: Mapped[int | None] = mapped_column(ForeignKey("decision_items.id"))


class MeetingDocument(Base):
    __tablename__ = "meeting_documents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(1000))
    due: Mapped[dt.date | None] = mapped_column(Date)


class ReportVersion(Base):
    """A version of the Report of the Meeting. Locked (never edited) once adopted."""

    __tablename__ = "meeting_reports"
    __table_args__ = (UniqueConstraint("meeting_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(30), default="draft")
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
