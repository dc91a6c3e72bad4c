"""Decision-cycle tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint, func
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class DecisionItem(Base):
    __tablename__ = "decision_items"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_id: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    sector_id: Mapped[str | None] = mapped_column(ForeignKey("sectors.id"))
    stage: Mapped[str] = mapped_column(String(20), default="identify")
    status: Mapped[str] = mapped_column(String(20), default="open")
    audience: Mapped[str] = mapped_column(String(20), default="member_states")
    adopted_on: Mapped[dt.date | None] = mapped_column(Date)
    adoption_method: Mapped[str | None] = mapped_column(String(20))
    implementation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    monitoring: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    meetings: Mapped[list[str]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class StageEvent(Base):
    __tablename__ = "decision_stage_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("decision_items.id", ondelete="CASCADE"), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Contribution(Base):
    """A comment or a document, kept with the stage it belongs to."""

    __tablename__ = "decision_contributions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("decision_items.id", ondelete="CASCADE"), index=True)
    stage: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))  # comment | document
    text: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(1000))
    author: Mapped[str] = mapped_column(String(200))
    author_role: Mapped[str] = mapped_column(String(20))
    member_state: Mapped[str | None] = mapped_column(String(3))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ProposalVersion(Base):
    __tablename__ = "decision_proposals"
    __table_args__ = (UniqueConstraint("item_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("decision_items.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    text_en: Mapped[str] = mapped_column(Text)
    text_id: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class Position(Base):
    """One member state's position on one proposal version."""

    __tablename__ = "decision_positions"
    __table_args__ = (UniqueConstraint("item_id", "version", "member_state"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("decision_items.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"))
    kind: Mapped[str] = mapped_column(String(20))  # join | reservation | ad_referendum | object
    text: Mapped[str | None] = mapped_column(Text)
    clearance_due: Mapped[dt.date | None] = mapped_column(Date)
    cleared_on: Mapped[dt.date | None] = mapped_column(Date)
    cast_by: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SilenceProcedure(Base):
    __tablename__ = "decision_silence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("decision_items.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | adopted | broken
    broken_by: Mapped[str | None] = mapped_column(String(3))
    started_by: Mapped[str] = mapped_column(String(200))
