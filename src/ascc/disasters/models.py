"""Disaster tables: the merged event and each feed's record of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class Event(Base):
    __tablename__ = "disaster_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    glide: Mapped[str | None] = mapped_column(String(30), index=True)
    hazard: Mapped[str] = mapped_column(String(4), index=True)
    name: Mapped[str | None] = mapped_column(String(300))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    member_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[str | None] = mapped_column(Text)
    deaths: Mapped[int | None] = mapped_column(Integer)
    missing: Mapped[int | None] = mapped_column(Integer)
    injured: Mapped[int | None] = mapped_column(Integer)
    affected: Mapped[int | None] = mapped_column(Integer)
    displaced: Mapped[int | None] = mapped_column(Integer)
    houses_destroyed: Mapped[int | None] = mapped_column(Integer)
    houses_damaged: Mapped[int | None] = mapped_column(Integer)
    damage_value: Mapped[float | None] = mapped_column(Float)
    damage_unit: Mapped[str | None] = mapped_column(String(60))


class EventSource(Base):
    """One feed's record of an event, kept as the feed gave it."""

    __tablename__ = "disaster_event_sources"
    __table_args__ = (UniqueConstraint("feed", "record_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True)
    feed: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(1000))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class DisasterAlert(Base):
    """One info block of a CAP 1.2 alert (an alert may carry several, e.g. one per language)."""

    __tablename__ = "disaster_alerts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), unique=True)
    identifier: Mapped[str] = mapped_column(String(250), index=True)
    sender: Mapped[str] = mapped_column(String(250))
    sent: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(20))
    msg_type: Mapped[str] = mapped_column(String(20))
    event: Mapped[str] = mapped_column(String(250))
    hazard: Mapped[str | None] = mapped_column(String(4))
    urgency: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    certainty: Mapped[str] = mapped_column(String(20))
    headline: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(Text)
    member_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    effective: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    expires: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    glide: Mapped[str | None] = mapped_column(String(30))
    references: Mapped[list[str]] = mapped_column(JSON, default=list)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("disaster_events.id", ondelete="SET NULL"))
