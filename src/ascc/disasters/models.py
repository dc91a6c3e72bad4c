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
    """One info block of a CAP 1.2 alert (an alert may carry several, e.g. one per language), under
    ``key``: its alert's sender, identifier and sent time (UTC) and the block's number."""

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
    #: the info block's language (CAP ``language``; en-US when the block names none)
    language: Mapped[str | None] = mapped_column(String(35))
    #: the UTC offset (minutes) each time was given with: ``{"sent": 480, "expires": 420}``
    offsets: Mapped[dict[str, int] | None] = mapped_column(JSON)


class EventRevision(Base):
    """One change to an event: the values after it, and what changed (field → [before, after])."""

    __tablename__ = "disaster_event_revisions"
    __table_args__ = (UniqueConstraint("event_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(String(300))
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class EventArea(Base):
    """A subnational area an event affected, with the impacts a feed reports for it."""

    __tablename__ = "disaster_event_areas"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True)
    feed: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(200))
    member_state: Mapped[str] = mapped_column(String(3))
    scheme: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    impacts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    source: Mapped[str] = mapped_column(String(300))


class SituationReport(Base):
    """A situation report on an event, numbered per event; its text lives in versions."""

    __tablename__ = "disaster_sitreps"
    __table_args__ = (UniqueConstraint("event_id", "number"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class SituationReportVersion(Base):
    __tablename__ = "disaster_sitrep_versions"
    __table_args__ = (UniqueConstraint("sitrep_id", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sitrep_id: Mapped[int] = mapped_column(ForeignKey("disaster_sitreps.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(String(300))
    title_id: Mapped[str | None] = mapped_column(String(300))
    body_en: Mapped[str] = mapped_column(Text)
    body_id: Mapped[str | None] = mapped_column(Text)
    as_of: Mapped[dt.date] = mapped_column(Date)
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AssistanceRequest(Base):
    """The affected member state asks for assistance with an event (One ASEAN One Response)."""

    __tablename__ = "assistance_requests"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("disaster_events.id", ondelete="CASCADE"), index=True)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    revision: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AssistanceNeed(Base):
    __tablename__ = "assistance_needs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_requests.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(30))
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(60))
    location: Mapped[str | None] = mapped_column(String(300))
    period_start: Mapped[dt.date | None] = mapped_column(Date)
    period_end: Mapped[dt.date | None] = mapped_column(Date)


class AssistanceOffer(Base):
    """What another member state, or a dialogue partner, offers against a request."""

    __tablename__ = "assistance_offers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("assistance_requests.id", ondelete="CASCADE"), index=True
    )
    offered_by_kind: Mapped[str] = mapped_column(String(20))
    offered_by: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    mobilised_on: Mapped[dt.date | None] = mapped_column(Date)
    arrived_on: Mapped[dt.date | None] = mapped_column(Date)
    demobilised_on: Mapped[dt.date | None] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class AssistanceOfferLine(Base):
    __tablename__ = "assistance_offer_lines"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("assistance_offers.id", ondelete="CASCADE"), index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("assistance_needs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[float] = mapped_column(Float)
    value: Mapped[float | None] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
