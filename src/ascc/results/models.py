"""Results tables: framework elements per plan, and activities (programmes and projects)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class FrameworkElement(Base):
    """A goal, outcome or output of a plan's results framework, loaded from ``data/frameworks.yaml``.

    ``priorities`` holds the numbers of the plan's priority areas the element serves; ``indicators``
    (outcomes only) holds indicator codes such as ``SP.POP.TOTL``, checked by the monitoring domain.
    """

    __tablename__ = "results_elements"
    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("results_elements.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title_en: Mapped[str | None] = mapped_column(Text)
    title_id: Mapped[str | None] = mapped_column(Text)
    priorities: Mapped[list[str]] = mapped_column(JSON, default=list)
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    indicator_note: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    ref_digest: Mapped[str | None] = mapped_column(String(64))


class Activity(Base):
    """A programme or project (IATI activity). Unknown values stay empty (``None``): the IATI export
    refuses an activity that lacks what the schema requires instead of inventing it."""

    __tablename__ = "results_activities"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    programme_id: Mapped[str | None] = mapped_column(ForeignKey("programmes.id"), index=True)
    reporting_org_ref: Mapped[str | None] = mapped_column(String(100))
    reporting_org_type: Mapped[str | None] = mapped_column(String(4))
    reporting_org_name: Mapped[str | None] = mapped_column(String(300))
    local_id: Mapped[str | None] = mapped_column(String(100))
    iati_identifier: Mapped[str | None] = mapped_column(String(201), unique=True)
    title_en: Mapped[str | None] = mapped_column(String(400))
    title_id: Mapped[str | None] = mapped_column(String(400))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_id: Mapped[str | None] = mapped_column(Text)
    sector_id: Mapped[str | None] = mapped_column(ForeignKey("sectors.id"))
    responsible_body: Mapped[str | None] = mapped_column(ForeignKey("bodies.id"))
    implementing_bodies: Mapped[list[str]] = mapped_column(JSON, default=list)
    partners: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    funding_fund: Mapped[str | None] = mapped_column(String(80))
    funding_partner: Mapped[str | None] = mapped_column(ForeignKey("partners.id"))
    budget: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    budget_value_date: Mapped[dt.date | None] = mapped_column(Date)
    planned_start: Mapped[dt.date | None] = mapped_column(Date)
    planned_end: Mapped[dt.date | None] = mapped_column(Date)
    actual_start: Mapped[dt.date | None] = mapped_column(Date)
    actual_end: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[int | None] = mapped_column(Integer)
    member_states: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: member state code: percentage as a decimal string (IATI recipient-country/@percentage)
    country_percentages: Mapped[dict[str, str] | None] = mapped_column(JSON)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    decisions: Mapped[list[int]] = mapped_column(JSON, default=list)
    events: Mapped[list[int]] = mapped_column(JSON, default=list)
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
