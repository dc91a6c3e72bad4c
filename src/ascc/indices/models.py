"""Stored index results: the definition version, the run (data snapshot, parameters) and its scores.

A run is identified by what it came from: the definition's digest, the data snapshot's digest and
the digest of the run parameters (the uncertainty settings). Storing the same three again finds the
existing run instead of adding one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ascc.db.base import Base


class IndexDefinitionRecord(Base):
    """One version of an index definition, kept verbatim (YAML text) with its SHA-256."""

    __tablename__ = "index_definitions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    index_code: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(String(300))
    edition: Mapped[str | None] = mapped_column(String(80))
    version: Mapped[str] = mapped_column(String(80))
    yaml_text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)


class IndexRun(Base):
    """One computation of a definition on one data snapshot (and optional uncertainty analysis)."""

    __tablename__ = "index_runs"
    __table_args__ = (UniqueConstraint("definition_id", "data_sha256", "parameters_sha256"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("index_definitions.id", ondelete="CASCADE"), index=True
    )
    data_sha256: Mapped[str] = mapped_column(String(64))
    data_description: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    data_csv: Mapped[str] = mapped_column(Text)
    meta_csv: Mapped[str | None] = mapped_column(Text)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    parameters_sha256: Mapped[str] = mapped_column(String(64))
    warnings: Mapped[list[str]] = mapped_column(JSON, default=list)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    #: the digest of the results the run wrote (``ascc audit verify``)
    results_sha256: Mapped[str | None] = mapped_column(String(64))


class IndexResult(Base):
    """The score and rank of one unit, year and aggregate (pillar, domain, sub-index or index)."""

    __tablename__ = "index_results"
    __table_args__ = (UniqueConstraint("run_id", "unit_code", "year", "code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("index_runs.id", ondelete="CASCADE"), index=True)
    unit_code: Mapped[str] = mapped_column(String(40))
    unit_name: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(80))
    level: Mapped[int] = mapped_column(Integer)
    score: Mapped[float | None] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    rank_low: Mapped[float | None] = mapped_column(Float)
    rank_high: Mapped[float | None] = mapped_column(Float)
