"""Queries of the national plan tables (the service calls these; other domains call the service)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.national.models import (
    NationalAlignment,
    NationalComment,
    NationalMeasure,
    NationalPlan,
    NationalResult,
)


def plans(
    session: Session,
    *,
    member_state: str | None = None,
    status: str | None = None,
    regional_plan_id: str | None = None,
    ids: list[int] | None = None,
) -> list[NationalPlan]:
    # a plan without a period after the dated ones, on both backends (their NULL order differs)
    stmt = select(NationalPlan).order_by(
        NationalPlan.member_state, func.coalesce(NationalPlan.period_start, 9999), NationalPlan.id
    )
    if member_state is not None:
        stmt = stmt.where(NationalPlan.member_state == member_state)
    if status is not None:
        stmt = stmt.where(NationalPlan.status == status)
    if regional_plan_id is not None:
        stmt = stmt.where(NationalPlan.regional_plan_id == regional_plan_id)
    if ids is not None:
        stmt = stmt.where(NationalPlan.id.in_(ids or [-1]))
    return list(session.scalars(stmt))


def measures(
    session: Session, *, plan_ids: list[int] | None = None, ids: list[int] | None = None
) -> list[NationalMeasure]:
    stmt = select(NationalMeasure).order_by(NationalMeasure.plan_id, NationalMeasure.id)
    if plan_ids is not None:
        stmt = stmt.where(NationalMeasure.plan_id.in_(plan_ids or [-1]))
    if ids is not None:
        stmt = stmt.where(NationalMeasure.id.in_(ids or [-1]))
    return list(session.scalars(stmt))


def measure_by_code(session: Session, *, plan_id: int, code: str) -> NationalMeasure | None:
    return session.scalar(
        select(NationalMeasure).where(NationalMeasure.plan_id == plan_id, NationalMeasure.code == code)
    )


def alignments(
    session: Session, *, measure_ids: list[int] | None = None, element_ids: list[int] | None = None
) -> list[NationalAlignment]:
    stmt = select(NationalAlignment).order_by(NationalAlignment.measure_id, NationalAlignment.id)
    if measure_ids is not None:
        stmt = stmt.where(NationalAlignment.measure_id.in_(measure_ids or [-1]))
    if element_ids is not None:
        stmt = stmt.where(NationalAlignment.element_id.in_(element_ids or [-1]))
    return list(session.scalars(stmt))


def alignment(session: Session, *, measure_id: int, element_id: int) -> NationalAlignment | None:
    return session.scalar(
        select(NationalAlignment).where(
            NationalAlignment.measure_id == measure_id, NationalAlignment.element_id == element_id
        )
    )


def results(
    session: Session, *, plan_ids: list[int] | None = None, measure_ids: list[int] | None = None
) -> list[NationalResult]:
    stmt = select(NationalResult).order_by(NationalResult.plan_id, NationalResult.id)
    if plan_ids is not None:
        stmt = stmt.where(NationalResult.plan_id.in_(plan_ids or [-1]))
    if measure_ids is not None:
        stmt = stmt.where(NationalResult.measure_id.in_(measure_ids or [-1]))
    return list(session.scalars(stmt))


def comments(session: Session, *, plan_id: int) -> list[NationalComment]:
    return list(
        session.scalars(
            select(NationalComment).where(NationalComment.plan_id == plan_id).order_by(NationalComment.id)
        )
    )
