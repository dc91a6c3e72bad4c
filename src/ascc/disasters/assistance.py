"""Assistance between member states (One ASEAN One Response).

The affected member state's focal point requests assistance for an event, need by need; other
member states' focal points (each for its own member state) and dialogue partners offer against
those needs; only the affected member state accepts or declines each offer; an accepted offer is
tracked from mobilisation to arrival to demobilisation. ``matching`` sets, per need, what was
requested against what is offered and accepted. Every write checks the principal first and
flushes only; stale edits are refused with the record's ETag (If-Match).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.db.concurrency import check_version, hold
from ascc.disasters import schemas as s
from ascc.disasters.models import (
    AssistanceNeed,
    AssistanceOffer,
    AssistanceOfferLine,
    AssistanceRequest,
    Event,
)
from ascc.kit import clock
from ascc.kit.errors import Conflict, Invalid, NotFound
from ascc.registry import service as registry_service

STAGES = ("mobilised", "arrived", "demobilised")


def request_etag(row: AssistanceRequest) -> str:
    return f'"request-{row.id}-r{row.revision}"'


def offer_etag(row: AssistanceOffer) -> str:
    return f'"offer-{row.id}-r{row.revision}"'


def _request(session: Session, request_id: int, *, lock: bool = False) -> AssistanceRequest:
    """``lock``: hold the row until the commit (``db.concurrency.hold``) so concurrent edits
    queue and the second one sees the first one's revision (412), never both passing the check."""
    row = hold(session, AssistanceRequest, request_id) if lock else session.get(AssistanceRequest, request_id)
    if row is None:
        raise NotFound(f"no assistance request {request_id}")
    return row


def _offer(session: Session, offer_id: int, *, lock: bool = False) -> AssistanceOffer:
    row = hold(session, AssistanceOffer, offer_id) if lock else session.get(AssistanceOffer, offer_id)
    if row is None:
        raise NotFound(f"no assistance offer {offer_id}")
    return row


def _need_read(n: AssistanceNeed) -> dict[str, Any]:
    return {
        "id": n.id,
        "category": n.category,
        "category_name": dict(zip(("en", "id"), s.NEED_CATEGORIES[n.category], strict=True)),
        "description": n.description,
        "quantity": n.quantity,
        "unit": n.unit,
        "location": n.location,
        "period_start": n.period_start,
        "period_end": n.period_end,
    }


def _offer_read(session: Session, o: AssistanceOffer) -> dict[str, Any]:
    lines = session.scalars(
        select(AssistanceOfferLine)
        .where(AssistanceOfferLine.offer_id == o.id)
        .order_by(AssistanceOfferLine.id)
    )
    return {
        "id": o.id,
        "request_id": o.request_id,
        "offered_by_kind": o.offered_by_kind,
        "offered_by": o.offered_by,
        "status": o.status,
        "reason": o.reason,
        "decided_by": o.decided_by,
        "decided_at": o.decided_at,
        "mobilised_on": o.mobilised_on,
        "arrived_on": o.arrived_on,
        "demobilised_on": o.demobilised_on,
        "created_by": o.created_by,
        "created_at": o.created_at,
        "etag": offer_etag(o),
        "lines": [
            {
                "id": ln.id,
                "need_id": ln.need_id,
                "kind": ln.kind,
                "kind_name": dict(zip(("en", "id"), s.OFFER_KINDS[ln.kind], strict=True)),
                "description": ln.description,
                "quantity": ln.quantity,
                "value": ln.value,
                "currency": ln.currency,
            }
            for ln in lines
        ],
    }


def _needs(session: Session, request_id: int) -> list[AssistanceNeed]:
    stmt = select(AssistanceNeed).where(AssistanceNeed.request_id == request_id).order_by(AssistanceNeed.id)
    return list(session.scalars(stmt))


def _offers(session: Session, request_id: int) -> list[AssistanceOffer]:
    stmt = (
        select(AssistanceOffer).where(AssistanceOffer.request_id == request_id).order_by(AssistanceOffer.id)
    )
    return list(session.scalars(stmt))


def request_summary(row: AssistanceRequest) -> dict[str, Any]:
    return {
        "id": row.id,
        "event_id": row.event_id,
        "member_state": row.member_state,
        "title": row.title,
        "status": row.status,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "etag": request_etag(row),
    }


def get_request(session: Session, *, request_id: int) -> dict[str, Any]:
    row = _request(session, request_id)
    return request_summary(row) | {
        "needs": [_need_read(n) for n in _needs(session, row.id)],
        "offers": [_offer_read(session, o) for o in _offers(session, row.id)],
        "matching": matching(session, request_id=row.id),
    }


def list_requests(session: Session, *, event_id: int | None = None) -> list[dict[str, Any]]:
    stmt = select(AssistanceRequest).order_by(AssistanceRequest.id.desc())
    if event_id is not None:
        stmt = stmt.where(AssistanceRequest.event_id == event_id)
    return [request_summary(r) for r in session.scalars(stmt)]


def get_offer(session: Session, *, offer_id: int) -> dict[str, Any]:
    return _offer_read(session, _offer(session, offer_id))


def matching(session: Session, *, request_id: int) -> dict[str, Any]:
    """Per need: requested, offered (pending or accepted), accepted, the covered share and the gap."""
    _request(session, request_id)
    offers = {o.id: o for o in _offers(session, request_id)}
    lines = list(session.scalars(select(AssistanceOfferLine).where(AssistanceOfferLine.offer_id.in_(offers))))
    rows = []
    for need in _needs(session, request_id):
        mine = [ln for ln in lines if ln.need_id == need.id]
        offered = sum(ln.quantity for ln in mine if offers[ln.offer_id].status in ("offered", "accepted"))
        accepted = sum(ln.quantity for ln in mine if offers[ln.offer_id].status == "accepted")
        rows.append(
            {
                "need_id": need.id,
                "category": need.category,
                "description": need.description,
                "unit": need.unit,
                "requested": need.quantity,
                "offered": offered,
                "accepted": accepted,
                "covered": min(accepted / need.quantity, 1.0),
                "gap": max(need.quantity - accepted, 0.0),
                "offered_by": sorted(
                    {
                        offers[ln.offer_id].offered_by
                        for ln in mine
                        if offers[ln.offer_id].status != "declined"
                    }
                ),
            }
        )
    covered = sum(1 for r in rows if r["gap"] == 0)
    return {
        "request_id": request_id,
        "needs": rows,
        "needs_covered": covered,
        "needs_total": len(rows),
        "gaps": [r for r in rows if r["gap"] > 0],
    }


# --- writes -----------------------------------------------------------------------------------


def create_request(
    session: Session, *, principal: Principal, event_id: int, data: s.RequestCreate
) -> dict[str, Any]:
    """The affected member state's focal point asks for assistance with an event."""
    permissions.require_focal_point_of(
        principal, member_state=data.member_state, sector=permissions.DISASTER_SECTOR
    )
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no disaster event {event_id}")
    if data.member_state not in event.member_states:
        raise Invalid(
            f"{data.member_state} is not affected by event {event_id} "
            f"(affected: {', '.join(event.member_states)})",
            parameter="member_state",
        )
    row = AssistanceRequest(
        event_id=event.id,
        member_state=data.member_state,
        title=data.title,
        status="open",
        revision=1,
        created_by=principal.label,
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    for need in data.needs:
        session.add(AssistanceNeed(request_id=row.id, **need.model_dump()))
    session.flush()
    return get_request(session, request_id=row.id)


def add_need(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    data: s.NeedCreate,
    if_match: str | None = None,
) -> dict[str, Any]:
    row = _request(session, request_id, lock=True)
    permissions.require_focal_point_of(
        principal, member_state=row.member_state, sector=permissions.DISASTER_SECTOR
    )
    check_version(request_etag(row), if_match, what=f"request {row.id}")
    if row.status != "open":
        raise Conflict(f"request {row.id} is closed")
    session.add(AssistanceNeed(request_id=row.id, **data.model_dump()))
    row.revision += 1
    session.flush()
    return get_request(session, request_id=row.id)


def set_request_status(
    session: Session,
    *,
    principal: Principal,
    request_id: int,
    data: s.RequestStatus,
    if_match: str | None = None,
) -> dict[str, Any]:
    row = _request(session, request_id, lock=True)
    permissions.require_focal_point_of(
        principal, member_state=row.member_state, sector=permissions.DISASTER_SECTOR
    )
    check_version(request_etag(row), if_match, what=f"request {row.id}")
    if row.status == data.status:
        raise Conflict(f"request {row.id} is already {data.status}")
    row.status = data.status
    row.revision += 1
    session.flush()
    return get_request(session, request_id=row.id)


def make_offer(
    session: Session, *, principal: Principal, request_id: int, data: s.OfferCreate
) -> dict[str, Any]:
    """Another member state (for itself) or a dialogue partner offers against the request's needs."""
    row = _request(session, request_id, lock=True)
    kind, code = permissions.assistance_offerer(principal, affected=row.member_state)
    if row.status != "open":
        raise Conflict(f"request {row.id} is closed: it takes no more offers")
    needs = {n.id for n in _needs(session, row.id)}
    for i, line in enumerate(data.lines):
        if line.need_id not in needs:
            raise Invalid(
                f"lines[{i}].need_id: {line.need_id} is not a need of request {row.id}",
                parameter=f"lines[{i}].need_id",
            )
    offer = AssistanceOffer(
        request_id=row.id,
        offered_by_kind=kind,
        offered_by=code,
        status="offered",
        revision=1,
        created_by=principal.label,
        created_at=clock.now(),
    )
    session.add(offer)
    session.flush()
    for line in data.lines:
        session.add(AssistanceOfferLine(offer_id=offer.id, **line.model_dump()))
    row.revision += 1
    session.flush()
    return _offer_read(session, offer)


def decide_offer(
    session: Session,
    *,
    principal: Principal,
    offer_id: int,
    data: s.OfferDecision,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Only the affected member state accepts or declines, once, while the request is open."""
    offer = _offer(session, offer_id, lock=True)
    row = _request(session, offer.request_id, lock=True)
    permissions.require_focal_point_of(
        principal, member_state=row.member_state, sector=permissions.DISASTER_SECTOR
    )
    check_version(offer_etag(offer), if_match, what=f"offer {offer.id}")
    if offer.status != "offered":
        raise Conflict(f"offer {offer.id} was {offer.status} already")
    if row.status != "open":
        raise Conflict(f"request {row.id} is closed")
    offer.status, offer.reason = data.decision, data.reason
    offer.decided_by, offer.decided_at = principal.label, clock.now()
    offer.revision += 1
    row.revision += 1
    session.flush()
    return _offer_read(session, offer)


def record_progress(
    session: Session,
    *,
    principal: Principal,
    offer_id: int,
    data: s.OfferProgress,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Mobilisation → arrival → demobilisation of an accepted offer, each on or after the one before."""
    offer = _offer(session, offer_id, lock=True)
    row = _request(session, offer.request_id, lock=True)
    permissions.require_offer_party(
        principal, affected=row.member_state, kind=offer.offered_by_kind, code=offer.offered_by
    )
    check_version(offer_etag(offer), if_match, what=f"offer {offer.id}")
    if offer.status != "accepted":
        raise Conflict(f"offer {offer.id} is {offer.status}: only an accepted offer is mobilised")
    i = STAGES.index(data.stage)
    if getattr(offer, f"{data.stage}_on") is not None:
        raise Conflict(f"offer {offer.id} is {data.stage} already")
    if i > 0:
        before = getattr(offer, f"{STAGES[i - 1]}_on")
        if before is None:
            raise Conflict(f"offer {offer.id} must be {STAGES[i - 1]} before it is {data.stage}")
        if data.on < before:
            raise Invalid(f"{data.stage} on {data.on} is before {STAGES[i - 1]} on {before}", parameter="on")
    if data.on > clock.today() + dt.timedelta(days=1):
        raise Invalid(f"{data.on} is in the future", parameter="on")
    setattr(offer, f"{data.stage}_on", data.on)
    offer.revision += 1
    row.revision += 1
    session.flush()
    return _offer_read(session, offer)


def known_offerers(session: Session) -> dict[str, Any]:
    """Names of member states and partners, for pages."""
    states = {m.code: m.name for m in registry_service.list_member_states(session)}
    partners = {p.id: p.name for p in registry_service.list_partners(session)}
    return {"member_state": states, "partner": partners}


def open_requests(session: Session, *, without_offers: bool = False) -> list[dict[str, Any]]:
    """Open requests, oldest first, each with its number of live offers (offered or accepted; a
    declined offer does not count); ``without_offers``: only those with none. One query."""
    live = (
        select(AssistanceOffer.request_id, func.count().label("n"))
        .where(AssistanceOffer.status.in_(("offered", "accepted")))
        .group_by(AssistanceOffer.request_id)
        .subquery()
    )
    stmt = (
        select(AssistanceRequest, func.coalesce(live.c.n, 0))
        .outerjoin(live, live.c.request_id == AssistanceRequest.id)
        .where(AssistanceRequest.status == "open")
        .order_by(AssistanceRequest.id)
    )
    if without_offers:
        stmt = stmt.where(live.c.n.is_(None))
    return [request_summary(r) | {"offers": n} for r, n in session.execute(stmt)]
