"""Registry services: read the ASCC's member states, partners, sectors, bodies, plans and more.

Keyword-only arguments; they flush at most and never commit (the caller's unit of work does).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ascc.db import version
from ascc.db.concurrency import check_version, hold
from ascc.db.lookups import present
from ascc.kit.digest import content_etag
from ascc.kit.errors import Invalid, NotFound
from ascc.kit.pagination import MAX_LIMIT, Page
from ascc.registry import models as m
from ascc.registry import repository as repo
from ascc.registry import schemas as s

T = TypeVar("T")

BODY_LEVELS = (
    "council",
    "ministerial",
    "senior_officials",
    "commission",
    "committee",
    "sub_committee",
    "board",
    "working_group",
    "cluster",
    "task_force",
    "centre",
    "network",
    "consortium",
    "foundation",
    "forum",
    "dialogue",
    "platform",
    "fund",
    "award",
    "secretariat_unit",
)


def _check_page(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", parameter="limit")
    if offset < 0:
        raise Invalid("offset must not be negative", parameter="offset")


# --- converters -------------------------------------------------------------------------------


def _src(row: Any) -> dict[str, Any]:
    return {"sources": row.sources or [], "corrections": row.corrections or []}


def member_state_read(row: m.MemberState) -> s.MemberStateRead:
    return s.MemberStateRead(
        code=row.code,
        iso2=row.iso2,
        name=s.Text(en=row.name_en, id=row.name_id),
        joined=row.joined,
        **_src(row),
    )


def pillar_read(row: m.Pillar) -> s.PillarRead:
    return s.PillarRead(
        id=row.id,
        name=s.Text(en=row.name_en, id=row.name_id),
        description=s.Text(en=row.description_en, id=row.description_id),
        **_src(row),
    )


def sector_read(row: m.Sector) -> s.SectorRead:
    return s.SectorRead(
        id=row.id,
        name=s.Text(en=row.name_en, id=row.name_id),
        pillar=row.pillar_id,
        summary=s.Text(en=row.summary_en, id=row.summary_id),
        **_src(row),
    )


def partner_read(row: m.Partner) -> s.PartnerRead:
    return s.PartnerRead(id=row.id, name=s.Text(en=row.name_en, id=row.name_id), kind=row.kind, **_src(row))


def format_read(row: m.PartnerFormat) -> s.PartnerFormatRead:
    return s.PartnerFormatRead(
        id=row.id, name=s.Text(en=row.name_en, id=row.name_id), partners=list(row.partners or []), **_src(row)
    )


def body_link(row: m.Body) -> s.BodyLink:
    return s.BodyLink(id=row.id, acronym=row.acronym, name=s.Text(en=row.name_en, id=row.name_id))


def body_read(row: m.Body, acronyms: dict[str, str | None]) -> s.BodyRead:
    targets = [line.target_id for line in row.reporting]
    return s.BodyRead(
        id=row.id,
        acronym=row.acronym,
        name=s.Text(en=row.name_en, id=row.name_id),
        level=row.level,
        sector=row.sector_id,
        sectors=[x for x in [row.sector_id, *(row.other_sectors or [])] if x],
        pillar=row.pillar_id,
        reports_to=[acronyms.get(t) or t for t in targets],
        reports_to_ids=targets,
        inferences=row.inferences or [],
        partner_format=row.partner_format_id,
        meeting_interval=row.meeting_interval,
        chair_rotation=row.chair_rotation,
        established=row.established,
        dates=row.dates or [],
        dates_note=row.dates_note,
        formats=[f["name"] for f in row.formats or []],
        mandate=s.Text(en=row.mandate_en, id=row.mandate_id),
        composition_id=row.composition_id,
        **_src(row),
    )


def focal_point_read(row: m.FocalPoint) -> s.FocalPointRead:
    return s.FocalPointRead(
        id=row.id,
        member_state=row.member_state,
        sector=row.sector_id,
        agency=s.Text(en=row.agency_name_en, id=row.agency_name_id),
        agency_acronym=row.agency_acronym,
        **_src(row),
    )


def plan_read(row: m.Plan) -> s.PlanRead:
    return s.PlanRead(
        id=row.id,
        title=s.Text(en=row.title_en, id=row.title_id),
        kind=row.kind,
        sectors=list(row.sectors or []),
        bodies=list(row.bodies or []),
        period_start=row.period_start,
        period_end=row.period_end,
        adopted=row.adopted,
        priority_label=s.Text(en=row.priority_label_en, id=row.priority_label_id),
        priorities=[
            s.PriorityRead(number=p["number"], title=s.Text(en=p.get("title_en"), id=p.get("title_id")))
            for p in row.priorities or []
        ],
        summary=s.Text(en=row.summary_en, id=row.summary_id),
        **_src(row),
    )


def programme_read(row: m.Programme) -> s.ProgrammeRead:
    return s.ProgrammeRead(
        id=row.id,
        name=s.Text(en=row.name_en, id=row.name_id),
        acronym=row.acronym,
        kind=row.kind,
        sectors=list(row.sectors or []),
        bodies=list(row.bodies or []),
        partners=list(row.partners or []),
        member_states=list(row.member_states or []),
        period_start=row.period_start,
        period_end=row.period_end,
        dates=row.dates or [],
        dates_note=row.dates_note,
        description=s.Text(en=row.description_en, id=row.description_id),
        **_src(row),
    )


def meeting_read(row: m.Meeting) -> s.MeetingRead:
    return s.MeetingRead(
        id=row.id,
        body=row.body_id,
        number=row.number,
        title=s.Text(en=row.title_en, id=row.title_id),
        host=row.host,
        chair=row.chair,
        audience=row.audience or "public",
        venue=row.venue,
        city=row.city,
        date_start=row.date_start,
        date_end=row.date_end,
        date_url=row.date_url,
        dates_note=row.dates_note,
        member_states=list(row.member_states or []),
        partners=list(row.partners or []),
        outcomes=[
            s.OutcomeRead(kind=o["kind"], text=s.Text(en=o.get("text_en"), id=o.get("text_id")))
            for o in row.outcomes or []
        ],
        **_src(row),
    )


def statistic_read(row: m.Statistic) -> s.StatisticRead:
    return s.StatisticRead(
        id=row.id,
        label=s.Text(en=row.label_en, id=row.label_id),
        value=row.value,
        unit=row.unit,
        year=row.year,
        scope=row.scope,
        sector=row.sector_id,
        **_src(row),
    )


# --- member states, partners, pillars, sectors ------------------------------------------------


def list_member_states(session: Session, *, on: dt.date | None = None) -> list[s.MemberStateRead]:
    """Member states that were members on ``on`` (all of today's members when ``on`` is None); kept
    while their tables stay, like the lists below (the home and profile pages read them at every
    request); the items are shared, not to be changed."""
    return _kept_list(
        session,
        ("registry.list_member_states", on),
        lambda: [member_state_read(r) for r in session.scalars(repo.member_states(on=on))],
    )


def member_state_codes(session: Session, codes: Iterable[str] | None = None) -> set[str]:
    """The member-state codes the registry holds (former and future members too); with ``codes``,
    those of them it holds. Other domains check their references through this, not the table."""
    if codes is None:
        return set(session.scalars(select(m.MemberState.code)))
    return present(session, m.MemberState.code, codes)


def get_member_state(session: Session, *, code: str) -> s.MemberStateRead:
    row = session.get(m.MemberState, code.upper())
    if row is None:
        raise NotFound(f"no member state with code {code!r}")
    return member_state_read(row)


def list_partners(session: Session, *, kind: str | None = None) -> list[s.PartnerRead]:
    stmt = select(m.Partner).order_by(m.Partner.kind, m.Partner.name_en)
    if kind is not None:
        stmt = stmt.where(m.Partner.kind == kind)
    return [partner_read(r) for r in session.scalars(stmt)]


def get_partner(session: Session, *, partner_id: str) -> s.PartnerRead:
    row = session.get(m.Partner, partner_id)
    if row is None:
        raise NotFound(f"no partner with id {partner_id!r}")
    return partner_read(row)


def list_formats(session: Session) -> list[s.PartnerFormatRead]:
    return [format_read(r) for r in session.scalars(select(m.PartnerFormat).order_by(m.PartnerFormat.id))]


def list_pillars(session: Session) -> list[s.PillarRead]:
    return _kept_list(
        session,
        "registry.list_pillars",
        lambda: [pillar_read(r) for r in session.scalars(select(m.Pillar).order_by(m.Pillar.id))],
    )


def _kept_list(session: Session, key: Hashable, build: Callable[[], list[T]]) -> list[T]:
    """``build()``'s items, kept per process while the tables it read stay (``db.version.kept``);
    a new list each call, of shared items that callers must not change."""
    return list(version.kept(session, key, lambda: tuple(build())))


def list_sectors(session: Session, *, pillar: str | None = None) -> list[s.SectorRead]:
    """The sectors (of one pillar), kept while their tables stay (the search page and its facets
    list them at every request); the items are shared, not to be changed."""

    def build() -> tuple[s.SectorRead, ...]:
        stmt = select(m.Sector).order_by(m.Sector.name_en)
        if pillar is not None:
            stmt = stmt.where(m.Sector.pillar_id == pillar)
        return tuple(sector_read(r) for r in session.scalars(stmt))

    return list(version.kept(session, ("registry.list_sectors", pillar), build))


def get_sector(session: Session, *, sector_id: str) -> s.SectorRead:
    row = session.get(m.Sector, sector_id)
    if row is None:
        raise NotFound(f"no sector with id {sector_id!r}")
    return sector_read(row)


# --- bodies -----------------------------------------------------------------------------------


def list_bodies(
    session: Session,
    *,
    sector: str | None = None,
    level: str | None = None,
    q: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> Page[s.BodyRead]:
    """A page of bodies. Without a text query, the page is kept while the registry's tables stay
    (``db.version.kept``: the calendar, decision and results pages list every body at each request);
    its items are shared, not to be changed."""
    _check_page(limit, offset)
    if level is not None and level not in BODY_LEVELS:
        raise Invalid(f"unknown level {level!r}; one of: {', '.join(BODY_LEVELS)}", parameter="level")

    def build() -> Page[s.BodyRead]:
        rows, total = repo.page(
            session, repo.bodies(sector=sector, level=level, q=q), limit=limit, offset=offset
        )
        acronyms = repo.body_acronyms(session)
        return Page(tuple(body_read(r, acronyms) for r in rows), total, limit, offset)

    if q is not None:
        return build()
    return version.kept(session, ("registry.list_bodies", sector, level, limit, offset), build)


def get_body(session: Session, *, body_id: str) -> s.BodyDetail:
    row = session.scalar(select(m.Body).options(selectinload(m.Body.reporting)).where(m.Body.id == body_id))
    if row is None:
        raise NotFound(f"no body with id {body_id!r}")
    acronyms = repo.body_acronyms(session)
    targets = [line.target_id for line in row.reporting]
    sources = session.scalars(
        select(m.Body)
        .join(m.ReportingLine, m.ReportingLine.body_id == m.Body.id)
        .where(m.ReportingLine.target_id == body_id)
        .order_by(m.Body.id)
    ).all()
    linked = {b.id: b for b in session.scalars(select(m.Body).where(m.Body.id.in_(targets)))}
    return s.BodyDetail(
        **body_read(row, acronyms).model_dump(),
        reports_to_bodies=[body_link(linked[t]) for t in targets if t in linked],
        reported_by=[body_link(b) for b in sources],
    )


def body_etag(detail: s.BodyDetail) -> str:
    return content_etag(detail.model_dump(mode="json"))


def update_body(
    session: Session, *, body_id: str, changes: dict[str, Any], if_match: str | None = None
) -> s.BodyDetail:
    """Change plain fields of a body (a user edit; ``ascc init`` will not overwrite it), if it is
    still as the editor read it (``If-Match``, checked and written in one step)."""
    row = hold(session, m.Body, body_id)
    if row is None:
        raise NotFound(f"no body with id {body_id!r}")
    check_version(body_etag(get_body(session, body_id=body_id)), if_match, what=f"body {body_id}")
    editable = {
        "name_en",
        "name_id",
        "mandate_en",
        "mandate_id",
        "meeting_interval",
        "established",
        "acronym",
    }
    for key, value in changes.items():
        if key not in editable:
            raise Invalid(f"field {key!r} cannot be changed here", parameter=key)
        setattr(row, key, value)
    session.flush()
    return get_body(session, body_id=body_id)


def org_chart(session: Session, *, sector_id: str) -> list[s.OrgNode]:
    """The sector's bodies as trees along their reporting lines, top bodies first.

    A body that reports to several bodies of the sector appears under each of them.
    """
    get_sector(session, sector_id=sector_id)
    rows = session.scalars(repo.bodies(sector=sector_id)).all()
    in_sector = {b.id: b for b in rows}
    children: dict[str, list[str]] = defaultdict(list)
    for b in rows:
        for line in b.reporting:
            if line.target_id in in_sector:
                children[line.target_id].append(b.id)
    roots = [b.id for b in rows if not any(line.target_id in in_sector for line in b.reporting)]
    order = {lvl: i for i, lvl in enumerate(BODY_LEVELS)}
    roots.sort(key=lambda bid: (order.get(in_sector[bid].level, 99), bid))

    def build(bid: str, path: frozenset[str]) -> s.OrgNode:
        kids = sorted(children.get(bid, []), key=lambda c: (order.get(in_sector[c].level, 99), c))
        return s.OrgNode(
            body=body_link(in_sector[bid]),
            level=in_sector[bid].level,
            children=[build(c, path | {c}) for c in kids if c not in path],
        )

    return [build(r, frozenset({r})) for r in roots]


# --- focal points, plans, programmes, meetings, statistics --------------------------------------


def list_focal_points(
    session: Session, *, member_state: str | None = None, sector: str | None = None
) -> list[s.FocalPointRead]:
    stmt = select(m.FocalPoint).order_by(m.FocalPoint.member_state, m.FocalPoint.sector_id, m.FocalPoint.id)
    if member_state is not None:
        stmt = stmt.where(m.FocalPoint.member_state == member_state.upper())
    if sector is not None:
        stmt = stmt.where(m.FocalPoint.sector_id == sector)
    return [focal_point_read(r) for r in session.scalars(stmt)]


def _json_list_filter(rows: list, attr: str, value: str | None) -> list:
    return rows if value is None else [r for r in rows if value in (getattr(r, attr) or [])]


def list_plans(session: Session, *, sector: str | None = None) -> list[s.PlanRead]:
    def build() -> list[s.PlanRead]:
        rows = list(session.scalars(select(m.Plan).order_by(m.Plan.period_start.desc(), m.Plan.id)))
        return [plan_read(r) for r in _json_list_filter(rows, "sectors", sector)]

    return _kept_list(session, ("registry.list_plans", sector), build)


def get_plan(session: Session, *, plan_id: str) -> s.PlanRead:
    row = session.get(m.Plan, plan_id)
    if row is None:
        raise NotFound(f"no plan with id {plan_id!r}")
    return plan_read(row)


def list_programmes(
    session: Session, *, sector: str | None = None, partner: str | None = None, kind: str | None = None
) -> list[s.ProgrammeRead]:
    def build() -> list[s.ProgrammeRead]:
        stmt = select(m.Programme).order_by(m.Programme.kind, m.Programme.id)
        if kind is not None:
            stmt = stmt.where(m.Programme.kind == kind)
        rows = _json_list_filter(list(session.scalars(stmt)), "sectors", sector)
        return [programme_read(r) for r in _json_list_filter(rows, "partners", partner)]

    return _kept_list(session, ("registry.list_programmes", sector, partner, kind), build)


def get_programme(session: Session, *, programme_id: str) -> s.ProgrammeRead:
    row = session.get(m.Programme, programme_id)
    if row is None:
        raise NotFound(f"no programme with id {programme_id!r}")
    return programme_read(row)


def list_meetings(session: Session, *, body: str | None = None) -> list[s.MeetingRead]:
    stmt = select(m.Meeting).order_by(m.Meeting.body_id, m.Meeting.number)
    if body is not None:
        stmt = stmt.where(m.Meeting.body_id == body)
    return [meeting_read(r) for r in session.scalars(stmt)]


def meeting_audiences(session: Session) -> dict[str, str]:
    """Each meeting's audience, by id (what a reader of a record naming meetings may see of them)."""
    return {i: a or "public" for i, a in session.execute(select(m.Meeting.id, m.Meeting.audience)).tuples()}


def get_meeting(session: Session, *, meeting_id: str) -> s.MeetingRead:
    row = session.get(m.Meeting, meeting_id)
    if row is None:
        raise NotFound(f"no meeting with id {meeting_id!r}")
    return meeting_read(row)


def hold_meeting(session: Session, *, meeting_id: str) -> s.MeetingRead | None:
    """The meeting as committed now, held against concurrent writers until the commit
    (``db.concurrency.hold``); ``None`` if there is none yet."""
    row = hold(session, m.Meeting, meeting_id)
    return meeting_read(row) if row is not None else None


def save_meeting(session: Session, *, data: s.MeetingWrite) -> s.MeetingRead:
    """Create or replace a meeting record (sources: the users who entered it, via the audit trail)."""
    checks = [("body", data.body, lambda v: get_body(session, body_id=v))]
    checks += [
        ("member state", c, lambda v: get_member_state(session, code=v))
        for c in filter(None, [data.host, data.chair, *data.member_states])
    ]
    checks += [("partner", p, lambda v: get_partner(session, partner_id=v)) for p in data.partners]
    for label, value, check in checks:
        try:
            check(value)
        except NotFound:
            raise Invalid(f"unknown {label} {value!r}", parameter=label.replace(" ", "_")) from None
    row = session.get(m.Meeting, data.id)
    if row is None:
        row = m.Meeting(id=data.id, sources=[], corrections=[])
        session.add(row)
    row.body_id = data.body
    for field in (
        "number",
        "title_en",
        "title_id",
        "host",
        "chair",
        "audience",
        "venue",
        "city",
        "date_start",
        "date_end",
        "member_states",
        "partners",
        "outcomes",
    ):
        setattr(row, field, getattr(data, field))
    session.flush()
    return meeting_read(row)


def meetings_between(session: Session, *, start: dt.date, end: dt.date) -> list[s.MeetingRead]:
    stmt = select(m.Meeting).where(m.Meeting.date_start >= start, m.Meeting.date_start <= end)
    return [meeting_read(r) for r in session.scalars(stmt.order_by(m.Meeting.date_start))]


def list_statistics(session: Session, *, sector: str | None = None) -> list[s.StatisticRead]:
    def build() -> list[s.StatisticRead]:
        stmt = select(m.Statistic).order_by(m.Statistic.sector_id, m.Statistic.id)
        if sector is not None:
            stmt = stmt.where(m.Statistic.sector_id == sector)
        return [statistic_read(r) for r in session.scalars(stmt)]

    return _kept_list(session, ("registry.list_statistics", sector), build)


# --- cross-cutting views ----------------------------------------------------------------------


def cooperation_network(session: Session, *, on: dt.date) -> s.Network:
    """Member states as nodes, cooperation by sector as edges (seed 001's "jaringan"), and who else
    meets with them where: the partner formats, their partners and the bodies meeting in each.

    Every ASCC sectoral body brings together all member states, so two states that were both
    members on ``on`` cooperate in every sector that has at least one body: the edges are all alike,
    and what tells the network apart is the formats. ``asean_only``: bodies of the member states
    alone (a body with its own meetings with partners, e.g. AMCA+3, counts there and in the format).
    ``attended``: recorded meetings each partner attended (meeting records, not all meetings held).
    """
    states = list_member_states(session, on=on)
    active = sorted({sid for sid in session.scalars(select(m.Body.sector_id)) if sid})
    sectors = [sector_read(r) for r in session.scalars(select(m.Sector).where(m.Sector.id.in_(active)))]
    edges = [
        s.NetworkEdge(source=a.code, target=b.code, sectors=active)
        for a, b in itertools.combinations(states, 2)
    ]
    bodies = session.scalars(select(m.Body).order_by(m.Body.id)).all()
    in_format: dict[str, list[s.BodyLink]] = defaultdict(list)
    alone = 0
    for body in bodies:
        formats = {body.partner_format_id} if body.partner_format_id else set()
        formats |= {f["format"] for f in body.formats or [] if f.get("format")}
        for fid in sorted(formats):
            in_format[fid].append(body_link(body))
        alone += not body.partner_format_id
    formats_ = [
        s.FormatBodies(id=f.id, name=f.name, partners=f.partners, bodies=in_format.get(f.id, []))
        for f in list_formats(session)
    ]
    attended: dict[str, int] = defaultdict(int)
    for partners in session.scalars(select(m.Meeting.partners)):
        for pid in partners or []:
            attended[pid] += 1
    return s.Network(
        on=on,
        nodes=states,
        edges=edges,
        sectors=sorted(sectors, key=lambda x: x.id),
        formats=formats_,
        asean_only=alone,
        partners=list_partners(session),
        attended=dict(sorted(attended.items())),
    )


# --- statements -------------------------------------------------------------------------------


def statement_read(row: m.Statement) -> s.StatementRead:
    return s.StatementRead(
        id=row.id,
        kind=row.kind,
        subject=f"{row.subject_type}/{row.subject_id}",
        text=s.Text(en=row.text_en, id=row.text_id),
        **_src(row),
    )


def list_statements(session: Session, *, subject: str | None = None) -> list[s.StatementRead]:
    """What the seeds state about ``subject`` (``sectors/education``, ``pillars/ascc`` …), in the
    reference file's order; every statement when ``subject`` is None."""
    stmt = select(m.Statement).order_by(m.Statement.position, m.Statement.id)
    if subject is not None:
        table, _, key = subject.partition("/")
        stmt = stmt.where(m.Statement.subject_type == table, m.Statement.subject_id == key)
    return [statement_read(r) for r in session.scalars(stmt)]
