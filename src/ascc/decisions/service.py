"""Decision-cycle services. Every function checks who may act, flushes, and never commits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.db import version
from ascc.db.concurrency import check_version, hold, hold_writes
from ascc.decisions import schemas as s
from ascc.decisions.models import (
    Contribution,
    DecisionItem,
    Position,
    ProposalVersion,
    SilenceProcedure,
    StageEvent,
)
from ascc.kit import clock
from ascc.kit.errors import Conflict, Invalid, NotFound
from ascc.registry import service as registry_service


def etag(item: DecisionItem, *, pending: int = 0) -> str:
    """``pending``: revisions shown but not stored yet (a silence procedure's adoption, ``settled``)."""
    return f'"item-{item.id}-r{item.revision + pending}"'


def _load(session: Session, item_id: int, principal: Principal, *, lock: bool = False) -> DecisionItem:
    """``lock``: the item as committed now, held until the commit (``db.concurrency.hold``): every
    write of an item goes through it, so its revision check and its change are one step. A held
    item whose silence procedure's deadline has passed is adopted first, in the same transaction
    (what the reads already show), so that the write applies to the adopted item."""
    item = hold(session, DecisionItem, item_id) if lock else session.get(DecisionItem, item_id)
    if item is None or not permissions.can_read(principal, item.audience):
        raise NotFound(f"no decision item {item_id}")
    if lock:
        _settle_held(session, item, now=clock.now())
    return item


def _readable_meetings(session: Session, principal: Principal):
    """A filter of meeting ids: those ``principal`` may read (``permissions.can_read`` on the
    meeting's audience, as every read of meetings). An item readable by more people than one of
    its meetings (a public item of a closed meeting) does not name that meeting to them."""
    if permissions.can_read(principal, "member_states"):  # reads every meeting
        return list
    closed = {
        meeting
        for meeting, audience in registry_service.meeting_audiences(session).items()
        if not permissions.can_read(principal, audience)
    }
    return lambda ids: [i for i in ids if i not in closed]


def _read(item: DecisionItem, readable, ended: dict[int, dt.datetime]) -> s.ItemRead:
    """``ended``: the items whose silence procedure's deadline has passed (``silences_ended``)."""
    read = s.ItemRead.model_validate(item, from_attributes=True)
    read = read.model_copy(update={"meetings": readable(read.meetings)})
    return settled(read, ended[item.id]) if item.id in ended else read


def _known_member_state(session: Session, code: str) -> None:
    try:
        registry_service.get_member_state(session, code=code)
    except NotFound:
        raise Invalid(f"unknown member state {code!r}", parameter="member_state") from None


def _check_fresh(item: DecisionItem, if_match: str | None) -> None:
    check_version(etag(item), if_match, what=f"decision item {item.id}")


def _touch(item: DecisionItem) -> None:
    item.revision += 1


def _current_version(session: Session, item: DecisionItem) -> ProposalVersion | None:
    stmt = (
        select(ProposalVersion)
        .where(ProposalVersion.item_id == item.id)
        .order_by(ProposalVersion.number.desc())
    )
    return session.scalars(stmt.limit(1)).first()


# --- items and stages -------------------------------------------------------------------------


def create_item(session: Session, *, principal: Principal, data: s.ItemCreate) -> s.ItemDetail:
    permissions.require_secretariat_or_chair(principal, body_id=data.body_id)
    body = registry_service.get_body(session, body_id=data.body_id)
    for meeting_id in data.meetings:
        registry_service.get_meeting(session, meeting_id=meeting_id)
    item = DecisionItem(
        title_en=data.title_en,
        title_id=data.title_id,
        summary=data.summary,
        body_id=body.id,
        sector_id=body.sector,
        stage=s.Stage.identify.value,
        status="open",
        audience=data.audience.value,
        meetings=list(data.meetings),
        revision=1,
        created_by=principal.label,
        implementation={},
        monitoring={},
    )
    session.add(item)
    session.flush()
    session.add(
        StageEvent(
            item_id=item.id,
            from_stage=None,
            to_stage=item.stage,
            reason="item opened",
            actor=principal.label,
            at=clock.now(),
        )
    )
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def list_items(
    session: Session, *, principal: Principal, status: str | None = None, body_id: str | None = None
) -> list[s.ItemRead]:
    """The items ``principal`` may read, newest first; ``status`` as the reads show it (an item
    whose silence procedure's deadline has passed is adopted, ``settled``)."""
    ended = silences_ended(session)
    stmt = select(DecisionItem).where(DecisionItem.audience.in_(permissions.visible_audiences(principal)))
    if status is not None:
        stored = DecisionItem.status == status
        stmt = stmt.where(
            or_(stored, DecisionItem.id.in_(ended))
            if status == "adopted"
            else and_(stored, DecisionItem.id.not_in(ended))
        )
    if body_id is not None:
        stmt = stmt.where(DecisionItem.body_id == body_id)
    rows = session.scalars(stmt.order_by(DecisionItem.id.desc()))
    readable = _readable_meetings(session, principal)
    return [_read(r, readable, ended) for r in rows]


def move_stage(
    session: Session, *, principal: Principal, item_id: int, move: s.StageMove, if_match: str | None = None
) -> s.ItemDetail:
    """Forward one stage at a time; back any number of stages with a reason."""
    item = _load(session, item_id, principal, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=item.body_id)
    _check_fresh(item, if_match)
    here, there = s.STAGES.index(s.Stage(item.stage)), s.STAGES.index(move.to)
    if there == here:
        raise Conflict(f"item {item.id} is already in {move.to.value}")
    if there > here + 1:
        raise Conflict(f"stages go in order: from {item.stage} the next stage is {s.STAGES[here + 1].value}")
    if there < here and not move.reason:
        raise Invalid("a step back needs a reason", parameter="reason")
    if there > here and s.STAGES[here] is s.Stage.formulate and item.status != "adopted":
        raise Conflict("the policy is not adopted yet: implementation starts after adoption")
    if there < s.STAGES.index(s.Stage.implement) and item.status == "adopted":
        raise Conflict("an adopted decision cannot go back to before implementation; open a new item")
    session.add(
        StageEvent(
            item_id=item.id,
            from_stage=item.stage,
            to_stage=move.to.value,
            reason=move.reason,
            actor=principal.label,
            at=clock.now(),
        )
    )
    item.stage = move.to.value
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def add_contribution(
    session: Session, *, principal: Principal, item_id: int, data: s.ContributionCreate
) -> s.ItemDetail:
    """Comments and documents: any signed-in user who can read the item (partners comment too)."""
    item = _load(session, item_id, principal, lock=True)
    permissions.require_signed_in(principal)
    session.add(
        Contribution(
            item_id=item.id,
            stage=item.stage,
            kind=data.kind,
            text=data.text,
            url=data.url,
            author=principal.name,
            author_role=principal.role.value,
            member_state=principal.member_state,
            at=clock.now(),
        )
    )
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


# --- formulation: texts, positions, consensus, silence ------------------------------------------


def _require_formulation(item: DecisionItem) -> None:
    if item.stage != s.Stage.formulate.value or item.status != "open":
        raise Conflict(f"item {item.id} is not in formulation (stage {item.stage}, {item.status})")


def add_proposal(
    session: Session,
    *,
    principal: Principal,
    item_id: int,
    data: s.ProposalCreate,
    if_match: str | None = None,
) -> s.ItemDetail:
    item = _load(session, item_id, principal, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=item.body_id)
    _check_fresh(item, if_match)
    _require_formulation(item)
    current = _current_version(session, item)
    silence = _running_silence(session, item)
    if silence is not None:
        raise Conflict("a silence procedure is running on the current text; let it end first")
    session.add(
        ProposalVersion(
            item_id=item.id,
            number=(current.number + 1) if current else 1,
            text_en=data.text_en,
            text_id=data.text_id,
            author=principal.label,
            at=clock.now(),
        )
    )
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def record_position(
    session: Session,
    *,
    principal: Principal,
    item_id: int,
    data: s.PositionCreate,
    if_match: str | None = None,
) -> s.ItemDetail:
    """A focal point records its own member state's position on the current text (replacing any earlier)."""
    item = _load(session, item_id, principal, lock=True)
    _known_member_state(session, data.member_state)
    permissions.require_acts_for(principal, member_state=data.member_state, sector=item.sector_id)
    _check_fresh(item, if_match)
    _require_formulation(item)
    current = _current_version(session, item)
    if current is None:
        raise Conflict("there is no proposal text to take a position on yet")
    members = {m.code for m in registry_service.list_member_states(session, on=clock.today())}
    if data.member_state not in members:
        raise Invalid(f"{data.member_state} is not a member state today", parameter="member_state")
    existing = session.scalar(
        select(Position).where(
            Position.item_id == item.id,
            Position.version == current.number,
            Position.member_state == data.member_state,
        )
    )
    if existing is None:
        existing = Position(item_id=item.id, version=current.number, member_state=data.member_state)
        session.add(existing)
    existing.kind = data.kind.value
    existing.text = data.text
    existing.clearance_due = data.clearance_due if data.kind is s.PositionKind.ad_referendum else None
    existing.cleared_on = None
    existing.cast_by = principal.label
    existing.at = clock.now()
    silence = _running_silence(session, item)
    if silence is not None and data.kind is s.PositionKind.object:
        silence.status = "broken"
        silence.broken_by = data.member_state
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def clear_ad_referendum(
    session: Session, *, principal: Principal, item_id: int, member_state: str, on: dt.date | None = None
) -> s.ItemDetail:
    """The capital has cleared an ad referendum position: it now counts as joining."""
    item = _load(session, item_id, principal, lock=True)
    permissions.require_acts_for(principal, member_state=member_state, sector=item.sector_id)
    _require_formulation(item)
    current = _current_version(session, item)
    pos = session.scalar(
        select(Position).where(
            Position.item_id == item.id,
            Position.version == (current.number if current else 0),
            Position.member_state == member_state,
            Position.kind == s.PositionKind.ad_referendum.value,
        )
    )
    if pos is None:
        raise Conflict(f"{member_state} has no ad referendum position on the current text")
    pos.cleared_on = on or clock.today()
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def consensus(session: Session, *, item: DecisionItem, on: dt.date) -> s.ConsensusRead | None:
    current = _current_version(session, item)
    if current is None:
        return None
    members = [m.code for m in registry_service.list_member_states(session, on=on)]
    positions = {
        p.member_state: p
        for p in session.scalars(
            select(Position).where(Position.item_id == item.id, Position.version == current.number)
        )
    }
    missing = [m for m in members if m not in positions]
    objecting = [m for m, p in positions.items() if p.kind == s.PositionKind.object.value]
    awaiting = [
        m for m, p in positions.items() if p.kind == s.PositionKind.ad_referendum.value and not p.cleared_on
    ]
    reservations = [m for m, p in positions.items() if p.kind == s.PositionKind.reservation.value]
    return s.ConsensusRead(
        on=on,
        members=members,
        missing=missing,
        objecting=sorted(objecting),
        awaiting_clearance=sorted(awaiting),
        reservations=sorted(reservations),
        reached=not missing and not objecting and not awaiting,
    )


Adoption = tuple[dict[str, object], dict[str, object]]


def _adoption(stage: str, *, method: str, on: dt.date, actor: str, at: dt.datetime) -> Adoption:
    """What an adoption changes: the item's fields and the stage event it records."""
    fields = {
        "status": "adopted",
        "adopted_on": on,
        "adoption_method": method,
        "stage": s.Stage.implement.value,
    }
    event = {
        "from_stage": stage,
        "to_stage": s.Stage.implement.value,
        "actor": actor,
        "at": at,
        "reason": f"adopted by {method.replace('_', ' ')} on {on.isoformat()}",
    }
    return fields, event


def _silence_adoption(stage: str, deadline: dt.datetime) -> Adoption:
    """A silence procedure's adoption: on the deadline's date (UTC), recorded at the deadline. The
    job stores it (``settle_silence``) and the reads show it until then (``settled``): one definition."""
    return _adoption(
        stage, method="silence_procedure", on=deadline.date(), actor="silence procedure", at=deadline
    )


def _adopt(session: Session, item: DecisionItem, adoption: Adoption) -> None:
    fields, event = adoption
    for name, value in fields.items():
        setattr(item, name, value)
    session.add(StageEvent(item_id=item.id, **event))
    _touch(item)


def adopt(
    session: Session,
    *,
    principal: Principal,
    item_id: int,
    on: dt.date | None = None,
    if_match: str | None = None,
) -> s.ItemDetail:
    item = _load(session, item_id, principal, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=item.body_id)
    _check_fresh(item, if_match)
    _require_formulation(item)
    on = on or clock.today()
    state = consensus(session, item=item, on=on)
    if state is None:
        raise Conflict("there is no proposal text to adopt")
    if not state.reached:
        names = {
            m.code: f"{m.name.en} ({m.code})" for m in registry_service.list_member_states(session, on=on)
        }

        def named(codes: list[str]) -> str:
            return ", ".join(names.get(c, c) for c in codes)

        reasons = []
        if state.missing:
            reasons.append("no position yet from " + named(state.missing))
        if state.objecting:
            reasons.append("objection from " + named(state.objecting))
        if state.awaiting_clearance:
            reasons.append("capital clearance outstanding for " + named(state.awaiting_clearance))
        raise Conflict(
            "no consensus: " + "; ".join(reasons),
            reasons=reasons,
            missing=state.missing,
            objecting=state.objecting,
            awaiting_clearance=state.awaiting_clearance,
        )
    _adopt(
        session, item, _adoption(item.stage, method="consensus", on=on, actor=principal.label, at=clock.now())
    )
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def _running_silence(session: Session, item: DecisionItem) -> SilenceProcedure | None:
    return session.scalar(
        select(SilenceProcedure).where(
            SilenceProcedure.item_id == item.id, SilenceProcedure.status == "running"
        )
    )


def start_silence(
    session: Session,
    *,
    principal: Principal,
    item_id: int,
    data: s.SilenceCreate,
    if_match: str | None = None,
) -> s.ItemDetail:
    item = _load(session, item_id, principal, lock=True)
    permissions.require_secretariat(principal)
    _check_fresh(item, if_match)
    _require_formulation(item)
    current = _current_version(session, item)
    if current is None:
        raise Conflict("there is no proposal text to circulate")
    deadline = _utc(data.deadline)
    if deadline <= clock.now():
        raise Invalid("the deadline must be in the future", parameter="deadline")
    if _running_silence(session, item) is not None:
        raise Conflict("a silence procedure is already running")
    session.add(
        SilenceProcedure(
            item_id=item.id,
            version=current.number,
            deadline=deadline,
            status="running",
            started_by=principal.label,
        )
    )
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


def _utc(moment: dt.datetime) -> dt.datetime:
    """A moment in UTC (SQLite gives back the UTC wall time without its zone)."""
    return moment.astimezone(dt.UTC) if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _running_deadlines(session: Session, item_ids: list[int] | None = None) -> dict[int, dt.datetime]:
    """The deadline of each running silence procedure (of ``item_ids``), by item."""
    stmt = select(SilenceProcedure.item_id, SilenceProcedure.deadline).where(
        SilenceProcedure.status == "running"
    )
    if item_ids is not None:
        stmt = stmt.where(SilenceProcedure.item_id.in_(item_ids))
    return {item_id: _utc(deadline) for item_id, deadline in session.execute(stmt)}


def _ended(running: dict[int, dt.datetime], now: dt.datetime) -> dict[int, dt.datetime]:
    ahead = [d for d in running.values() if d > now]
    if ahead:
        version.valid_until(min(ahead))  # what is read now changes then by itself
    return {item_id: d for item_id, d in running.items() if d <= now}


def silences_ended(
    session: Session, *, item_ids: list[int] | None = None, now: dt.datetime | None = None
) -> dict[int, dt.datetime]:
    """Items (of ``item_ids``) whose running silence procedure's deadline has passed by ``now``,
    with that deadline: adopted, as every read shows them (``settled``) before the job stores it
    (``settle_silence``). A deadline still ahead ends what a response cache keeps of this read
    (``db.version.valid_until``). Reads only."""
    return _ended(_running_deadlines(session, item_ids), now or clock.now())


def settled(read: s.ItemRead, deadline: dt.datetime) -> s.ItemRead:
    """``read`` adopted by its silence procedure ended at ``deadline``: the values
    ``settle_silence`` stores (status, method, date, stage, the next revision; for an
    ``ItemDetail`` also the stage event and the procedure's status), without writing anything."""
    fields, event = _silence_adoption(read.stage.value, deadline)
    update = read.model_dump() | fields | {"revision": read.revision + 1}
    if isinstance(read, s.ItemDetail):
        update["history"] = [*update["history"], event]
        if update["silence"] is not None and update["silence"]["status"] == "running":
            update["silence"] = update["silence"] | {"status": "adopted"}
    return type(read).model_validate(update)


def _settle_held(session: Session, item: DecisionItem, *, now: dt.datetime) -> bool:
    """Store the adoption of ``item`` (held) if its silence procedure's deadline has passed by ``now``."""
    proc = session.scalars(
        select(SilenceProcedure)
        .where(SilenceProcedure.item_id == item.id, SilenceProcedure.status == "running")
        .execution_options(populate_existing=True)
    ).first()
    if proc is None or _utc(proc.deadline) > now:
        return False
    proc.status = "adopted"
    _adopt(session, item, _silence_adoption(item.stage, _utc(proc.deadline)))
    session.flush()
    return True


def settle_silence(session: Session, *, now: dt.datetime | None = None) -> list[int]:
    """Store the adoption of every item whose silence deadline has passed without objection (the
    reads show it adopted already, ``settled``); returns their ids. The job's work (``ascc jobs
    run``), never a read's. Each item is held first, like every write of it, and its procedure read
    again: an objection recorded at the same moment either breaks the silence first (and it is not
    adopted) or comes after the adoption (and is refused). On PostgreSQL an item another runner or
    a write holds is skipped (``FOR UPDATE SKIP LOCKED``: that one adopts it, or a later round if it
    rolls back); on SQLite the database's write lock serialises the runners. Either way an item is
    adopted once."""
    now = now or clock.now()
    adopted = []
    for item_id in sorted(silences_ended(session, now=now)):
        hold_writes(session)
        item = session.scalars(
            select(DecisionItem)
            .where(DecisionItem.id == item_id)
            .with_for_update(skip_locked=True)
            .execution_options(populate_existing=True)
        ).first()
        if item is not None and _settle_held(session, item, now=now):
            adopted.append(item_id)
    return adopted


def set_follow_up(
    session: Session, *, principal: Principal, item_id: int, data: s.FollowUp, if_match: str | None = None
) -> s.ItemDetail:
    """Name the programmes and responsible bodies that implement a decision and its indicators."""
    item = _load(session, item_id, principal, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=item.body_id)
    _check_fresh(item, if_match)
    if item.status != "adopted":
        raise Conflict("only an adopted decision has an implementation")
    for pid in data.programmes:
        registry_service.get_programme(session, programme_id=pid)
    for bid in data.bodies:
        registry_service.get_body(session, body_id=bid)
    item.implementation = {"programmes": data.programmes, "bodies": data.bodies}
    item.monitoring = {"indicators": data.indicators}
    _touch(item)
    session.flush()
    return get_item(session, principal=principal, item_id=item.id)


# --- reading ----------------------------------------------------------------------------------


def get_item(session: Session, *, principal: Principal, item_id: int) -> s.ItemDetail:
    item = _load(session, item_id, principal)
    proposals = list(
        session.scalars(
            select(ProposalVersion).where(ProposalVersion.item_id == item.id).order_by(ProposalVersion.number)
        )
    )
    current = proposals[-1].number if proposals else 0
    positions = session.scalars(
        select(Position)
        .where(Position.item_id == item.id, Position.version == current)
        .order_by(Position.member_state)
    )
    events = session.scalars(select(StageEvent).where(StageEvent.item_id == item.id).order_by(StageEvent.id))
    contributions = session.scalars(
        select(Contribution).where(Contribution.item_id == item.id).order_by(Contribution.id)
    )
    silence = session.scalars(
        select(SilenceProcedure)
        .where(SilenceProcedure.item_id == item.id)
        .order_by(SilenceProcedure.id.desc())
    ).first()
    ended = silences_ended(session, item_ids=[item.id])
    detail = s.ItemDetail(
        **_read(item, _readable_meetings(session, principal), {}).model_dump(),
        proposals=[s.ProposalRead.model_validate(p, from_attributes=True) for p in proposals],
        positions=[s.PositionRead.model_validate(p, from_attributes=True) for p in positions],
        consensus=None,
        history=[s.StageEventRead.model_validate(e, from_attributes=True) for e in events],
        contributions=[s.ContributionRead.model_validate(c, from_attributes=True) for c in contributions],
        silence=s.SilenceRead.model_validate(silence, from_attributes=True) if silence else None,
    )
    if item.id in ended:
        detail = settled(detail, ended[item.id])
    if detail.stage is s.Stage.formulate or detail.status == "adopted":
        on = detail.adopted_on or clock.today()
        detail = detail.model_copy(update={"consensus": consensus(session, item=item, on=on)})
    return detail


def item_etag(session: Session, *, item_id: int) -> str:
    """The item's ETag as the reads show it (with a silence procedure's adoption not stored yet)."""
    item = session.get(DecisionItem, item_id)
    if item is None:
        return '""'
    return etag(item, pending=int(item_id in silences_ended(session, item_ids=[item_id])))


def formulation_states(
    session: Session, *, principal: Principal, member_state: str | None = None, body_id: str | None = None
) -> list[s.FormulationState]:
    """Open items in formulation that ``principal`` may read (of ``body_id``), oldest first, each
    with its current text number, ``member_state``'s position on that text and the deadline of a
    running silence procedure: four queries whatever the number of items."""
    stmt = select(DecisionItem).where(
        DecisionItem.audience.in_(permissions.visible_audiences(principal)),
        DecisionItem.stage == s.Stage.formulate.value,
        DecisionItem.status == "open",
    )
    if body_id is not None:
        stmt = stmt.where(DecisionItem.body_id == body_id)
    items = list(session.scalars(stmt.order_by(DecisionItem.id)))
    ids = [i.id for i in items]
    if not ids:
        return []
    current = dict(
        session.execute(
            select(ProposalVersion.item_id, func.max(ProposalVersion.number))
            .where(ProposalVersion.item_id.in_(ids))
            .group_by(ProposalVersion.item_id)
        ).all()
    )
    positions: dict[int, Position] = {}
    if member_state is not None:
        for p in session.scalars(
            select(Position).where(Position.item_id.in_(ids), Position.member_state == member_state)
        ):
            if p.version == current.get(p.item_id):
                positions[p.item_id] = p
    silences = _running_deadlines(session, ids)
    ended = _ended(silences, clock.now())  # adopted as the reads show them: no longer in formulation
    out = []
    for item in items:
        if item.id in ended:
            continue
        pos = positions.get(item.id)
        deadline = silences.get(item.id)
        out.append(
            s.FormulationState(
                id=item.id,
                title_en=item.title_en,
                title_id=item.title_id,
                body_id=item.body_id,
                sector_id=item.sector_id,
                version=current.get(item.id),
                position=s.PositionRead.model_validate(pos, from_attributes=True) if pos else None,
                silence_deadline=deadline,
            )
        )
    return out


def member_state_positions(
    session: Session, *, principal: Principal, member_state: str
) -> list[dict[str, Any]]:
    """The positions ``member_state`` holds on the current proposal of each item ``principal`` may
    read (the public: public items), newest item first, with the item's status as the reads show
    it (``settled``)."""
    current = (
        select(ProposalVersion.item_id, func.max(ProposalVersion.number).label("number"))
        .group_by(ProposalVersion.item_id)
        .subquery()
    )
    stmt = (
        select(DecisionItem, Position)
        .join(current, current.c.item_id == DecisionItem.id)
        .join(Position, (Position.item_id == DecisionItem.id) & (Position.version == current.c.number))
        .where(
            DecisionItem.audience.in_(permissions.visible_audiences(principal)),
            Position.member_state == member_state,
        )
        .order_by(DecisionItem.id.desc())
    )
    rows = list(session.execute(stmt))
    ended = silences_ended(session, item_ids=[item.id for item, _ in rows])
    shown = {item.id: _read(item, list, ended) for item, _ in rows}  # as every read shows it
    return [
        {
            "item": {
                "id": item.id,
                "title": {"en": item.title_en, "id": item.title_id},
                "status": shown[item.id].status,
                "adopted_on": shown[item.id].adopted_on,
            },
            "version": pos.version,
            "kind": pos.kind,
            "text": pos.text,
            "at": pos.at,
        }
        for item, pos in rows
    ]
