"""Monitoring tables: indicators, subnational areas, observations (with revisions), import batches and
member-state submissions.

An observation is never overwritten: a changed value is stored as a new ``revision`` of the same key
(indicator, member state, area, period, sex, age, urbanisation) and the previous one keeps its row with
``is_current`` false. ``area_code`` is ``""`` for the national level so the unique key has no NULLs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base

#: the code of "total" in the SDMX disaggregation dimensions (SEX, AGE, URBANISATION)
TOTAL = "_T"
NATIONAL = ""
DIRECTIONS = ("higher", "lower")
OBS_STATUSES = ("provisional", "final")
APPROVALS = ("draft", "submitted", "approved", "rejected")
SUBMISSION_STATES = ("submitted", "approved", "rejected")


class Indicator(Base):
    __tablename__ = "indicators"
    code: Mapped[str] = mapped_column(String(60), primary_key=True)
    name_en: Mapped[str] = mapped_column(String(500))
    name_id: Mapped[str | None] = mapped_column(String(500))
    definition_en: Mapped[str | None] = mapped_column(Text)
    definition_id: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(200))
    direction: Mapped[str | None] = mapped_column(String(10))
    sector: Mapped[str | None] = mapped_column(String(64), index=True)
    sector_tag: Mapped[str | None] = mapped_column(String(64))
    level: Mapped[str] = mapped_column(String(20), default="national")
    frequency: Mapped[str] = mapped_column(String(20), default="annual")
    disaggregations: Mapped[list[str]] = mapped_column(JSON, default=list)
    numerator: Mapped[str | None] = mapped_column(String(60))
    denominator: Mapped[str | None] = mapped_column(String(60))
    source_org: Mapped[str | None] = mapped_column(String(500))
    source_dataset: Mapped[str | None] = mapped_column(String(500))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    licence: Mapped[str | None] = mapped_column(String(500))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    #: reading rules (migration 0025), None = the default: the share of the member states on a
    #: period's date that must report for a regional headline (default 2/3, ``published.headline``);
    #: the published precision (default: read from the values, ``precision.decimals``); the smallest
    #: change that counts for a progress status (default one unit of the last decimal); the floor or
    #: ceiling the indicator cannot pass (``progress.assess``'s ``limit``)
    min_coverage: Mapped[float | None] = mapped_column(Float)
    decimals: Mapped[int | None] = mapped_column(Integer)
    tolerance: Mapped[float | None] = mapped_column(Float)
    best_value: Mapped[float | None] = mapped_column(Float)


class Area(Base):
    """A subnational area: a GDL region (``IDNr101``) or an ISO 3166-2 province (``ID-AC``)."""

    __tablename__ = "monitoring_areas"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(20))
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    iso_3166_2: Mapped[str | None] = mapped_column(String(10))
    bps_code: Mapped[str | None] = mapped_column(String(10))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class ImportBatch(Base):
    """One import of a file: its fingerprint and what it did (its creation is the batch's audit entry)."""

    __tablename__ = "observation_batches"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    format: Mapped[str] = mapped_column(String(20))
    rows: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    revised: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    #: the digest of the rows the batch wrote and the approval it gave them (``ascc audit verify``)
    rows_sha256: Mapped[str | None] = mapped_column(String(64))
    approval: Mapped[str | None] = mapped_column(String(20))


class Submission(Base):
    """A member state's focal point submits its country's observations for the Secretariat's review."""

    __tablename__ = "observation_submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"), index=True)
    state: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text)
    counts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Observation(Base):
    """One revision of one observation. Indexes: the unique key, which leads with the indicator and the
    member state, and the partial one on ``submission_id``; nothing else, so that a bulk import
    maintains one index (migration 0017 dropped the one on ``member_state``)."""

    __tablename__ = "observations"
    __table_args__ = (
        UniqueConstraint(
            "indicator_code", "member_state", "area_code", "period", "sex", "age", "urbanisation", "revision"
        ),
        # partial: most observations are in no submission (see migration 0012)
        Index(
            "ix_observations_submission_id",
            "submission_id",
            sqlite_where=text("submission_id IS NOT NULL"),
            postgresql_where=text("submission_id IS NOT NULL"),
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    indicator_code: Mapped[str] = mapped_column(ForeignKey("indicators.code"))
    # no index of its own: reads by member state go through the unique key (see of_member_states)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"))
    area_code: Mapped[str] = mapped_column(String(40), default=NATIONAL)
    period: Mapped[str] = mapped_column(String(10))
    sex: Mapped[str] = mapped_column(String(10), default=TOTAL)
    age: Mapped[str] = mapped_column(String(20), default=TOTAL)
    urbanisation: Mapped[str] = mapped_column(String(10), default=TOTAL)
    value: Mapped[float | None] = mapped_column(Float)
    obs_status: Mapped[str] = mapped_column(String(20), default="final")
    source: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    approval: Mapped[str] = mapped_column(String(20), default="draft")
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("observation_submissions.id", ondelete="SET NULL")
    )
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("observation_batches.id"))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


def of_member_states(obs: Any, states: Sequence[str]) -> ColumnElement[bool]:
    """``obs.member_state IN states`` for a read that does not name its indicators: it names every
    indicator too (a foreign key: no row is left out), so that the database looks the rows up in the
    unique key, (indicator, member state) for each indicator, instead of reading the whole table."""
    return and_(obs.indicator_code.in_(select(Indicator.code)), obs.member_state.in_(list(states)))


class DataCall(Base):
    """The Secretariat asks member states for values: indicators × periods × member states by a
    deadline (national totals), with a message in English and, optionally, Indonesian."""

    __tablename__ = "data_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    message_en: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(Text)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    periods: Mapped[list[str]] = mapped_column(JSON, default=list)
    member_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    deadline: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: the highest observation id when the call opened: later rows are answers (SQLite's bulk
    #: imports stamp rows to the second, too coarse to tell by time); None for older calls
    observation_mark: Mapped[int | None] = mapped_column(Integer)
