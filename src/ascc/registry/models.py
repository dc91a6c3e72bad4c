"""Tables of the registry.

Reference rows carry ``ref_digest``: the fingerprint of the reference values they were last loaded
with. A row whose current values no longer match it was edited by a user, and ``ascc init`` leaves
it alone (reporting a conflict if the reference changed too).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Date, DateTime, Float, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ascc.db.base import Base

Sources = list[dict[str, Any]]


class _Tracked:
    sources: Mapped[Sources] = mapped_column(JSON, default=list)
    corrections: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ref_digest: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class MemberState(_Tracked, Base):
    __tablename__ = "member_states"
    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_id: Mapped[str] = mapped_column(String(200))
    joined: Mapped[dt.date] = mapped_column(Date)


class Pillar(_Tracked, Base):
    __tablename__ = "pillars"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_id: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_id: Mapped[str | None] = mapped_column(Text)


class Sector(_Tracked, Base):
    __tablename__ = "sectors"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_id: Mapped[str] = mapped_column(String(200))
    pillar_id: Mapped[str] = mapped_column(ForeignKey("pillars.id"))
    summary_en: Mapped[str | None] = mapped_column(Text)
    summary_id: Mapped[str | None] = mapped_column(Text)


class Partner(_Tracked, Base):
    __tablename__ = "partners"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_id: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))


class PartnerFormat(_Tracked, Base):
    __tablename__ = "partner_formats"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_id: Mapped[str | None] = mapped_column(String(200))
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)


class Body(_Tracked, Base):
    __tablename__ = "bodies"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    acronym: Mapped[str | None] = mapped_column(String(80), index=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_id: Mapped[str | None] = mapped_column(String(300))
    level: Mapped[str] = mapped_column(String(40), index=True)
    sector_id: Mapped[str | None] = mapped_column(ForeignKey("sectors.id"), index=True)
    #: further sectors the body serves (ids); ``repository.bodies(sector=…)`` finds it under each
    other_sectors: Mapped[list[str] | None] = mapped_column(JSON, default=list)
    #: ``[{field, value, reasoning}]``: values the sources imply but do not state
    inferences: Mapped[list[dict[str, str]] | None] = mapped_column(JSON, default=list)
    pillar_id: Mapped[str | None] = mapped_column(ForeignKey("pillars.id"))
    partner_format_id: Mapped[str | None] = mapped_column(ForeignKey("partner_formats.id"))
    meeting_interval: Mapped[str | None] = mapped_column(String(40))
    chair_rotation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    established: Mapped[int | None] = mapped_column(Integer)
    #: ``[{event, date, place, url | file+quote, note}]`` (migration 0030)
    dates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    dates_note: Mapped[str | None] = mapped_column(Text)
    formats: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    mandate_en: Mapped[str | None] = mapped_column(Text)
    mandate_id: Mapped[str | None] = mapped_column(Text)
    composition_id: Mapped[str | None] = mapped_column(Text)

    reporting: Mapped[list[ReportingLine]] = relationship(
        foreign_keys="ReportingLine.body_id",
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="ReportingLine.position",
    )


class ReportingLine(Base):
    """``body`` reports to (or supports, or works under) ``target``."""

    __tablename__ = "reporting_lines"
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True)
    target_id: Mapped[str] = mapped_column(ForeignKey("bodies.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class FocalPoint(_Tracked, Base):
    """The national agency that speaks for a member state in a sector."""

    __tablename__ = "focal_points"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"), index=True)
    sector_id: Mapped[str] = mapped_column(ForeignKey("sectors.id"), index=True)
    agency_name_id: Mapped[str] = mapped_column(String(300))
    agency_name_en: Mapped[str | None] = mapped_column(String(300))
    agency_acronym: Mapped[str | None] = mapped_column(String(40))


class Plan(_Tracked, Base):
    __tablename__ = "plans"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    title_en: Mapped[str] = mapped_column(String(400))
    title_id: Mapped[str | None] = mapped_column(String(400))
    kind: Mapped[str] = mapped_column(String(40))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    bodies: Mapped[list[str]] = mapped_column(JSON, default=list)
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    adopted: Mapped[dt.date | None] = mapped_column(Date)
    priority_label_en: Mapped[str | None] = mapped_column(String(100))
    priority_label_id: Mapped[str | None] = mapped_column(String(100))
    priorities: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary_en: Mapped[str | None] = mapped_column(Text)
    summary_id: Mapped[str | None] = mapped_column(Text)


class Programme(_Tracked, Base):
    __tablename__ = "programmes"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(400))
    name_id: Mapped[str | None] = mapped_column(String(400))
    acronym: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(40))
    sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    bodies: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    member_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    #: ``[{event, date, place, url | file+quote, note}]`` (migration 0030)
    dates: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, default=list)
    dates_note: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_id: Mapped[str | None] = mapped_column(Text)


class Meeting(_Tracked, Base):
    __tablename__ = "meetings"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    body_id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    number: Mapped[int | None] = mapped_column(Integer)
    title_en: Mapped[str] = mapped_column(String(400))
    title_id: Mapped[str | None] = mapped_column(String(400))
    host: Mapped[str | None] = mapped_column(ForeignKey("member_states.code"))
    chair: Mapped[str | None] = mapped_column(ForeignKey("member_states.code"))
    audience: Mapped[str] = mapped_column(String(20), default="public", server_default="public")
    venue: Mapped[str | None] = mapped_column(String(300))
    city: Mapped[str | None] = mapped_column(String(120))
    date_start: Mapped[dt.date | None] = mapped_column(Date)
    date_end: Mapped[dt.date | None] = mapped_column(Date)
    #: the public source of the dates where no seed quote states them (migration 0032)
    date_url: Mapped[str | None] = mapped_column(String(500))
    dates_note: Mapped[str | None] = mapped_column(Text)
    member_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    outcomes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Statistic(_Tracked, Base):
    __tablename__ = "statistics"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    label_en: Mapped[str] = mapped_column(String(400))
    label_id: Mapped[str] = mapped_column(String(400))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(80))
    year: Mapped[int | None] = mapped_column(Integer)
    scope: Mapped[str | None] = mapped_column(String(80))
    sector_id: Mapped[str | None] = mapped_column(ForeignKey("sectors.id"))


class Statement(_Tracked, Base):
    """A goal, challenge, priority … a seed states about a pillar, sector, body, plan, programme or
    meeting (``subject_type``: the reference file's name, ``subject_id``: the record's id)."""

    __tablename__ = "statements"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(80), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    text_id: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)
