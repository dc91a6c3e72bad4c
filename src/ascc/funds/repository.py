"""Fund queries: the rows the service reads, in a stable order."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.funds.models import ConflictOfInterest, Fund, FundCall, ProgressReport, Proposal, Score


def funds(session: Session) -> list[Fund]:
    return list(session.scalars(select(Fund).order_by(Fund.id)))


def calls(session: Session, *, fund_id: str | None = None) -> list[FundCall]:
    stmt = select(FundCall).order_by(FundCall.deadline.desc(), FundCall.id.desc())
    if fund_id is not None:
        stmt = stmt.where(FundCall.fund_id == fund_id)
    return list(session.scalars(stmt))


def proposals(
    session: Session, *, call_ids: Iterable[int] | None = None, member_state: str | None = None
) -> list[Proposal]:
    stmt = select(Proposal).order_by(Proposal.id)
    if call_ids is not None:
        stmt = stmt.where(Proposal.call_id.in_(list(call_ids)))
    if member_state is not None:
        stmt = stmt.where(Proposal.member_state == member_state)
    return list(session.scalars(stmt))


def decided(session: Session) -> list[Proposal]:
    """Proposals whose recommendation went to the decision cycle."""
    return list(
        session.scalars(select(Proposal).where(Proposal.decision_item_id.is_not(None)).order_by(Proposal.id))
    )


def scores(session: Session, proposal_id: int) -> list[Score]:
    return list(
        session.scalars(
            select(Score).where(Score.proposal_id == proposal_id).order_by(Score.reviewer_id, Score.criterion)
        )
    )


def score(session: Session, proposal_id: int, reviewer_id: int, criterion: str) -> Score | None:
    return session.scalar(
        select(Score).where(
            Score.proposal_id == proposal_id, Score.reviewer_id == reviewer_id, Score.criterion == criterion
        )
    )


def conflicts(session: Session, proposal_id: int) -> list[ConflictOfInterest]:
    return list(
        session.scalars(
            select(ConflictOfInterest)
            .where(ConflictOfInterest.proposal_id == proposal_id)
            .order_by(ConflictOfInterest.id)
        )
    )


def conflict(session: Session, proposal_id: int, reviewer_id: int) -> ConflictOfInterest | None:
    return session.scalar(
        select(ConflictOfInterest).where(
            ConflictOfInterest.proposal_id == proposal_id, ConflictOfInterest.reviewer_id == reviewer_id
        )
    )


def reports(session: Session, proposal_id: int) -> list[ProgressReport]:
    return list(
        session.scalars(
            select(ProgressReport)
            .where(ProgressReport.proposal_id == proposal_id)
            .order_by(ProgressReport.id)
        )
    )


def by_decision_item(session: Session, item_id: int) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.decision_item_id == item_id))
