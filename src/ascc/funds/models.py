"""Fund tables: funds, their calls, proposals with eligibility, scores, conflicts of interest and
progress reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class Fund(Base):
    """A fund, keyed by its registry body id (``level: fund``), owned by the body that reviews it."""

    __tablename__ = "funds"
    id: Mapped[str] = mapped_column(ForeignKey("bodies.id"), primary_key=True)
    owner_body: Mapped[str] = mapped_column(ForeignKey("bodies.id"), index=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_id: Mapped[str | None] = mapped_column(String(300))
    rules_en: Mapped[str | None] = mapped_column(Text)
    rules_id: Mapped[str | None] = mapped_column(Text)
    budget: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    revision: Mapped[int] = mapped_column(Integer, default=1)


class FundCall(Base):
    __tablename__ = "fund_calls"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fund_id: Mapped[str] = mapped_column(ForeignKey("funds.id"), index=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_id: Mapped[str | None] = mapped_column(String(300))
    themes: Mapped[list[str]] = mapped_column(JSON, default=list)
    eligibility: Mapped[str | None] = mapped_column(Text)
    ceiling: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3))
    deadline: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    required_documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``[{"key", "name_en", "name_id", "weight"}]``
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    opened_by: Mapped[str] = mapped_column(String(200))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revision: Mapped[int] = mapped_column(Integer, default=1)


class Proposal(Base):
    __tablename__ = "fund_proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("fund_calls.id"), index=True)
    member_state: Mapped[str] = mapped_column(ForeignKey("member_states.code"), index=True)
    title_en: Mapped[str] = mapped_column(String(300))
    title_id: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text)
    requested: Mapped[Decimal] = mapped_column(Numeric(20, 2))
    #: ``[{"item", "amount"}]``
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    partners: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: plan outcomes as ``plan-id/code`` (results framework elements)
    outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: documents given by reference: ``[{"name", "url"}]`` (named; no file upload yet)
    references: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    submitted_by: Mapped[str] = mapped_column(String(200))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    eligible: Mapped[bool | None] = mapped_column(Boolean)
    eligibility_reason: Mapped[str | None] = mapped_column(Text)
    eligibility_by: Mapped[str | None] = mapped_column(String(200))
    #: ``fund`` | ``do_not_fund``
    recommendation: Mapped[str | None] = mapped_column(String(20))
    recommended_amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    recommendation_text: Mapped[str | None] = mapped_column(Text)
    decision_item_id: Mapped[int | None] = mapped_column(Integer)
    activity_id: Mapped[int | None] = mapped_column(Integer)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    closure_text: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, default=1)


class Score(Base):
    """One reviewer's score of one proposal on one of the call's criteria (replaced when scored again)."""

    __tablename__ = "fund_scores"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id", "criterion"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("fund_proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[str] = mapped_column(String(200))
    criterion: Mapped[str] = mapped_column(String(40))
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ConflictOfInterest(Base):
    """A reviewer's declared conflict of interest with a proposal: that reviewer cannot score it."""

    __tablename__ = "fund_conflicts"
    __table_args__ = (UniqueConstraint("proposal_id", "reviewer_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("fund_proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reviewer: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ProgressReport(Base):
    """A progress report on a funded project."""

    __tablename__ = "fund_reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("fund_proposals.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(Text)
    spent: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    author: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
