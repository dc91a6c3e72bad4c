"""Member-state sign-off of observations.

A member state's national focal point enters its country's data as drafts (an import for its own
member state) and submits them: one ``Submission`` takes every current draft of that member state
(optionally only some indicators; a focal point limited to sectors submits only indicators of its
sectors), and the observations go ``draft → submitted``. The ASEAN Secretariat, and only the
Secretariat, reviews a submission once: approve (``submitted → approved``; the values become public)
or reject with a comment (``→ rejected``; the previously published values stay public). After a
rejection the focal point uploads the corrections (new draft revisions) and submits again: the
submission takes the current drafts and the current rejected values together. A focal point
never submits, reads the drafts of, or touches another member state's data.

Concurrent reviews queue on the submission row (SELECT … FOR UPDATE on PostgreSQL) and the second
one is refused (409, or 412 with a stale ``If-Match``), never both applied. Services only flush;
the observation state changes are one UPDATE per submission, audited through the submission row
(state, reviewer, comment and counts) in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal, Role
from ascc.db.concurrency import check_version, hold
from ascc.kit import clock
from ascc.kit.errors import Conflict, Forbidden, Invalid, NotFound
from ascc.monitoring import computed
from ascc.monitoring.models import Area, Indicator, Observation, Submission, of_member_states
from ascc.monitoring.published import observation_read
from ascc.registry import service as registry_service

DECISIONS = ("approved", "rejected")
#: what a submission takes: current drafts, and current rejected values (a rejected file's rows that
#: the corrected upload left unchanged go back for review with the corrections)
RESUBMIT = ("draft", "rejected")
MAX_COMMENT = 4000


def etag(row: Submission) -> str:
    """Changes only with the submission's state (a submission is reviewed once)."""
    return f'"submission-{row.id}-{row.state}"'


def _submission(session: Session, submission_id: int, *, lock: bool = False) -> Submission:
    row = hold(session, Submission, submission_id) if lock else session.get(Submission, submission_id)
    if row is None:
        raise NotFound(f"no submission {submission_id}")
    return row


def require_reader(principal: Principal, *, member_state: str) -> None:
    """The Secretariat, or a focal point of ``member_state``: who may see unpublished values."""
    permissions.require_signed_in(principal)
    if principal.role is Role.secretariat:
        return
    if principal.role is Role.focal_point and principal.member_state == member_state:
        return
    if principal.role is Role.focal_point:
        raise Forbidden(
            f"a focal point of {principal.member_state} cannot see {member_state}'s unpublished data"
        )
    raise Forbidden("only the ASEAN Secretariat and the member state's focal points see unpublished data")


def require_entry(principal: Principal, *, member_state: str) -> None:
    """Only a focal point of ``member_state`` enters and submits its data."""
    permissions.require_focal_point_of(principal, member_state=member_state)


def _sector_codes(session: Session, principal: Principal) -> set[str] | None:
    """Indicator codes a sector-limited focal point covers (None: no limit)."""
    if not principal.sectors:
        return None
    return set(session.scalars(select(Indicator.code).where(Indicator.sector.in_(list(principal.sectors)))))


def summary(row: Submission) -> dict[str, Any]:
    return {
        "id": row.id,
        "member_state": row.member_state,
        "state": row.state,
        "submitted_by": row.submitted_by,
        "submitted_at": row.submitted_at,
        "reviewed_by": row.reviewed_by,
        "reviewed_at": row.reviewed_at,
        "comment": row.comment,
        "counts": dict(row.counts or {}),
        "etag": etag(row),
    }


#: a change of more than this share of the previously published value is flagged for the reviewer
#: (the platform's one threshold: indicators carry none of their own)
LARGE_CHANGE = 0.20


def _approved_value(session: Session, obs: Observation, *, before: bool) -> tuple[bool, float | None]:
    """The latest approved revision's value for the same key: of the revisions before ``obs``
    (``before``: what was published before this submission) or of all (what the public sees now).
    ``(False, None)`` when there is none."""
    stmt = (
        select(Observation.value)
        .where(
            Observation.indicator_code == obs.indicator_code,
            Observation.member_state == obs.member_state,
            Observation.area_code == obs.area_code,
            Observation.period == obs.period,
            Observation.sex == obs.sex,
            Observation.age == obs.age,
            Observation.urbanisation == obs.urbanisation,
            Observation.approval == "approved",
        )
        .order_by(Observation.revision.desc())
        .limit(1)
    )
    if before:
        stmt = stmt.where(Observation.revision < obs.revision)
    found = session.execute(stmt).first()
    return (False, None) if found is None else (True, found[0])


def comparison(value: float | None, previous: float | None) -> dict[str, Any]:
    """The change from the previously published value: absolute, as a share (None when the previous
    value is 0 or either is missing), and whether it is a large jump (> ``LARGE_CHANGE``; a change
    from 0 is large too)."""
    if value is None or previous is None:
        return {"change": None, "change_share": None, "large_change": False}
    change = value - previous
    share = change / abs(previous) if previous else None
    large = abs(share) > LARGE_CHANGE if share is not None else change != 0
    return {"change": change, "change_share": share, "large_change": large}


def get_submission(
    session: Session, *, principal: Principal, submission_id: int, limit: int = 500, offset: int = 0
) -> dict[str, Any]:
    """A submission with (a page of) its observations, each with the names of its indicator and area,
    the indicator's unit, the value published before it (``previous_value``), the value the public
    sees now (``published_value``: the new one once approved), and the change and its flag."""
    row = _submission(session, submission_id)
    require_reader(principal, member_state=row.member_state)
    base = select(Observation).where(Observation.submission_id == row.id)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    obs = list(
        session.scalars(
            base.order_by(
                Observation.indicator_code, Observation.area_code, Observation.period, Observation.id
            )
            .limit(limit)
            .offset(offset)
        )
    )
    codes = sorted({o.indicator_code for o in obs})
    indicators = {i.code: i for i in session.scalars(select(Indicator).where(Indicator.code.in_(codes)))}
    area_codes = sorted({o.area_code for o in obs if o.area_code})
    areas = dict(session.execute(select(Area.code, Area.name).where(Area.code.in_(area_codes))).all())
    items = []
    for o in obs:
        ind = indicators.get(o.indicator_code)
        had, previous = _approved_value(session, o, before=True)
        _, now = _approved_value(session, o, before=False)
        items.append(
            observation_read(o)
            | {
                "approval": o.approval,
                "indicator_name": {"en": ind.name_en, "id": ind.name_id} if ind else None,
                "unit": ind.unit if ind else None,
                "area_name": areas.get(o.area_code) if o.area_code else None,
                "previously_published": had,
                "previous_value": previous,
                "published_value": now,
            }
            | comparison(o.value, previous)
        )
    names = {ms.code: ms.name.model_dump() for ms in registry_service.list_member_states(session)}
    flags = {
        "threshold": LARGE_CHANGE,
        "large_changes": sum(1 for i in items if i["large_change"]),
        "new_values": sum(1 for i in items if not i["previously_published"]),
    }
    return summary(row) | {
        "member_state_name": names.get(row.member_state),
        "indicator_names": {c: {"en": i.name_en, "id": i.name_id} for c, i in indicators.items()},
        "flags": flags,
        "observations": {"items": items, "total": total, "limit": limit, "offset": offset},
    }


def list_submissions(
    session: Session, *, principal: Principal, state: str | None = None, member_state: str | None = None
) -> list[dict[str, Any]]:
    """The Secretariat sees every submission (its queue: ``state="submitted"``); a focal point its own
    member state's only."""
    permissions.require_signed_in(principal)
    if state is not None and state not in ("submitted", "approved", "rejected"):
        raise Invalid(f"state={state!r}: submitted, approved or rejected", parameter="state")
    stmt = select(Submission).order_by(Submission.id.desc())
    if principal.role is Role.secretariat:
        if member_state:
            stmt = stmt.where(Submission.member_state == member_state.upper())
    elif principal.role is Role.focal_point and principal.member_state:
        if member_state and member_state.upper() != principal.member_state:
            raise Forbidden(
                f"a focal point of {principal.member_state} cannot see {member_state}'s submissions"
            )
        stmt = stmt.where(Submission.member_state == principal.member_state)
    else:
        raise Forbidden("only the ASEAN Secretariat and focal points see submissions")
    if state:
        stmt = stmt.where(Submission.state == state)
    return [summary(r) for r in session.scalars(stmt)]


def drafts(session: Session, *, principal: Principal, member_state: str) -> dict[str, Any]:
    """Per indicator, a member state's current unpublished observations by approval state."""
    require_reader(principal, member_state=member_state)
    stmt = (
        select(
            Observation.indicator_code,
            Observation.approval,
            func.count(),
            func.min(Observation.period),
            func.max(Observation.period),
        )
        .where(
            of_member_states(Observation, [member_state]),
            Observation.is_current.is_(True),
            Observation.approval.in_(("draft", "submitted", "rejected")),
        )
        .group_by(Observation.indicator_code, Observation.approval)
        .order_by(Observation.indicator_code)
    )
    by_code: dict[str, dict[str, Any]] = {}
    for code, approval, n, lo, hi in session.execute(stmt):
        entry = by_code.setdefault(
            code,
            {
                "indicator": code,
                "draft": 0,
                "submitted": 0,
                "rejected": 0,
                "first_period": lo,
                "last_period": hi,
            },
        )
        entry[approval] = n
        entry["first_period"], entry["last_period"] = (
            min(entry["first_period"], lo),
            max(entry["last_period"], hi),
        )
    names = dict(session.execute(select(Indicator.code, Indicator.name_en)).all())
    rows = [e | {"name": names.get(e["indicator"])} for e in by_code.values()]
    return {
        "member_state": member_state,
        "indicators": rows,
        "draft": sum(r["draft"] for r in rows),
        "submitted": sum(r["submitted"] for r in rows),
        "rejected": sum(r["rejected"] for r in rows),
    }


def submit(
    session: Session,
    *,
    principal: Principal,
    member_state: str,
    indicators: list[str] | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The member state's focal point submits its current drafts and rejected values (of
    ``indicators``, else all)."""
    member_state = member_state.upper()
    permissions.require_focal_point_of(principal, member_state=member_state)
    if note is not None and len(note) > MAX_COMMENT:
        raise Invalid(f"note: at most {MAX_COMMENT} characters", parameter="note")
    allowed = _sector_codes(session, principal)
    wanted = set(indicators or ())
    if wanted:
        known = set(session.scalars(select(Indicator.code).where(Indicator.code.in_(wanted))))
        if wanted - known:
            raise Invalid(f"indicators: unknown {', '.join(sorted(wanted - known))}", parameter="indicators")
        if allowed is not None and wanted - allowed:
            raise Forbidden(
                f"this focal point does not cover the sector of {', '.join(sorted(wanted - allowed))}"
            )
    stmt = select(Observation).where(Observation.approval.in_(RESUBMIT), Observation.is_current.is_(True))
    if wanted or allowed is not None:
        stmt = stmt.where(
            Observation.indicator_code.in_(wanted or allowed), Observation.member_state == member_state
        )
    else:
        stmt = stmt.where(of_member_states(Observation, [member_state]))
    # lock the drafts: a concurrent submission of the same drafts waits and then finds none
    rows = list(session.scalars(stmt.with_for_update()))
    if not rows:
        raise Conflict(
            f"{member_state} has no draft or rejected observations to submit"
            + (f" for {', '.join(sorted(wanted))}" if wanted else "")
        )
    codes = sorted({r.indicator_code for r in rows})
    periods = sorted(r.period for r in rows)
    sub = Submission(
        member_state=member_state,
        state="submitted",
        submitted_by=principal.label,
        submitted_at=clock.now(),
        counts={
            "observations": len(rows),
            "indicators": codes,
            "periods": [periods[0], periods[-1]],
            "note": (note or "").strip() or None,
        },
    )
    session.add(sub)
    session.flush()
    ids = [r.id for r in rows]
    for chunk in range(0, len(ids), 500):
        session.execute(
            update(Observation)
            .where(Observation.id.in_(ids[chunk : chunk + 500]))
            .values(approval="submitted", submission_id=sub.id)
            .execution_options(synchronize_session=False)
        )
    session.expire_all()
    return summary(_submission(session, sub.id))


def check_review(*, decision: str, comment: str | None) -> str | None:
    """A review's decision and comment as given (the comment stripped, None when empty), or
    ``Invalid``: the decision is approved or rejected, and a rejection says what to fix."""
    if decision not in DECISIONS:
        raise Invalid(f"decision={decision!r}: approved or rejected", parameter="decision")
    comment = (comment or "").strip() or None
    if decision == "rejected" and not comment:
        raise Invalid("a rejection needs a comment saying what to fix", parameter="comment")
    if comment and len(comment) > MAX_COMMENT:
        raise Invalid(f"comment: at most {MAX_COMMENT} characters", parameter="comment")
    return comment


def review(
    session: Session,
    *,
    principal: Principal,
    submission_id: int,
    decision: str,
    comment: str | None = None,
    if_match: str | None = None,
) -> dict[str, Any]:
    """The Secretariat approves or rejects (with a comment) a submitted submission, once."""
    permissions.require_secretariat(principal)
    comment = check_review(decision=decision, comment=comment)
    row = _submission(session, submission_id, lock=True)
    check_version(etag(row), if_match, what=f"submission {row.id}")
    if row.state != "submitted":
        raise Conflict(f"submission {row.id} was {row.state} already by {row.reviewed_by}")
    session.execute(
        update(Observation)
        .where(Observation.submission_id == row.id)
        .values(approval=decision)
        .execution_options(synchronize_session=False)
    )
    row.state, row.reviewed_by, row.reviewed_at = decision, principal.label, clock.now()
    row.comment = comment
    session.flush()
    session.expire_all()
    if decision == "approved":  # computed indicators follow their newly published inputs
        codes = computed.dependants(session, (row.counts or {}).get("indicators") or [])
        if codes:
            computed.recompute(session, codes=codes, actor=principal.label)
            session.expire_all()
    return summary(_submission(session, row.id))


def open_rejections(session: Session, *, principal: Principal, member_state: str) -> list[dict[str, Any]]:
    """``member_state``'s rejected submissions whose values still wait for a correction: some
    current observation of the submission is still rejected (a corrected upload or a new
    submission takes them off the list). One query."""
    require_reader(principal, member_state=member_state)
    waiting = (
        select(Observation.id)
        .where(
            Observation.submission_id == Submission.id,
            Observation.approval == "rejected",
            Observation.is_current.is_(True),
        )
        .exists()
    )
    stmt = (
        select(Submission)
        .where(Submission.member_state == member_state, Submission.state == "rejected", waiting)
        .order_by(Submission.id.desc())
    )
    return [summary(r) for r in session.scalars(stmt)]
