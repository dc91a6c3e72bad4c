"""Queries over the registry tables; no commits, no HTTP."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, selectinload

from ascc.registry import models as m


def page(session: Session, stmt: Select, *, limit: int, offset: int) -> tuple[Sequence, int]:
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.scalars(stmt.limit(limit).offset(offset)).all()
    return rows, total


def member_states(*, on: dt.date | None) -> Select:
    stmt = select(m.MemberState).order_by(m.MemberState.name_en)
    if on is not None:
        stmt = stmt.where(m.MemberState.joined <= on)
    return stmt


def bodies(*, sector: str | None = None, level: str | None = None, q: str | None = None) -> Select:
    stmt = select(m.Body).options(selectinload(m.Body.reporting)).order_by(m.Body.sector_id, m.Body.id)
    if sector is not None:
        # other_sectors is a JSON list of slugs: its text holds '"<id>"' exactly when it lists it
        listed = func.coalesce(cast(m.Body.other_sectors, String), "").like(f'%"{sector}"%')
        stmt = stmt.where(or_(m.Body.sector_id == sector, listed))
    if level is not None:
        stmt = stmt.where(m.Body.level == level)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(m.Body.acronym).like(like),
                func.lower(m.Body.name_en).like(like),
                func.lower(m.Body.name_id).like(like),
            )
        )
    return stmt


def body_acronyms(session: Session) -> dict[str, str | None]:
    return dict(session.execute(select(m.Body.id, m.Body.acronym)).tuples().all())


def reporting_lines(session: Session) -> Sequence[m.ReportingLine]:
    return session.scalars(select(m.ReportingLine).order_by(m.ReportingLine.position)).all()
