"""Meeting services: the expected calendar, anchors and overrides, agenda, documents, reports."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.db.concurrency import check_version, hold, hold_writes
from ascc.kit import clock
from ascc.kit.digest import content_etag
from ascc.kit.errors import Conflict, Invalid, NotFound, PreconditionFailed
from ascc.meetings import cycle
from ascc.meetings import schemas as s
from ascc.meetings.models import AgendaItem, ChairAnchor, CycleOverride, MeetingDocument, ReportVersion
from ascc.reference.chairs import asean_chair_records, asean_chairs
from ascc.registry import service as registry_service

#: Report of the Meeting: allowed moves. An adopted version is locked; publishing makes it public.
REPORT_FLOW = {
    "draft": {"circulated"},
    "circulated": {"draft", "adopted", "adopted_ad_referendum"},
    "adopted_ad_referendum": {"adopted", "published"},
    "adopted": {"published"},
    "published": set(),
}
LOCKED = {"adopted", "adopted_ad_referendum", "published"}


def _members(session: Session) -> list[cycle.Member]:
    return [
        cycle.Member(m.code, m.name.en, m.joined)
        for m in registry_service.list_member_states(session, on=None)
    ]


def _anchor_read(row: ChairAnchor) -> s.AnchorRead:
    return s.AnchorRead(body_id=row.body_id, year=row.year, member_state=row.member_state, reason=row.reason)


def _override_read(row: CycleOverride) -> s.OverrideRead:
    return s.OverrideRead(
        body_id=row.body_id, year=row.year, chair=row.chair, date=row.date, reason=row.reason
    )


def record_etag(record: s.AnchorRead | s.OverrideRead) -> str:
    """The ETag of a chair anchor or a cycle override: its content, as every process computes it."""
    return content_etag(record.model_dump(mode="json"))


def _check_replace(current: s.AnchorRead | s.OverrideRead | None, if_match: str | None, *, what: str) -> None:
    """Replacing a record needs its ETag (428/412, ``check_version``); creating one needs none, and
    an ``If-Match`` sent for a record that does not exist fails (412), as HTTP defines it."""
    if current is not None:
        check_version(record_etag(current), if_match, what=what)
    elif if_match is not None and if_match.strip():
        raise PreconditionFailed(f"{what} does not exist (any more): reload and try again")


def get_anchor(session: Session, *, body_id: str) -> s.AnchorRead:
    registry_service.get_body(session, body_id=body_id)
    row = session.get(ChairAnchor, body_id)
    if row is None:
        raise NotFound(f"no chair anchor recorded for body {body_id!r}")
    return _anchor_read(row)


def list_overrides(session: Session, *, body_id: str) -> list[s.OverrideRead]:
    registry_service.get_body(session, body_id=body_id)
    rows = session.scalars(
        select(CycleOverride).where(CycleOverride.body_id == body_id).order_by(CycleOverride.year)
    )
    return [_override_read(r) for r in rows]


def get_override(session: Session, *, body_id: str, year: int) -> s.OverrideRead:
    found = [o for o in list_overrides(session, body_id=body_id) if o.year == year]
    if not found:
        raise NotFound(f"no cycle override for body {body_id!r} in {year}")
    return found[0]


def set_anchor(
    session: Session, *, principal: Principal, body_id: str, data: s.AnchorWrite, if_match: str | None = None
) -> s.AnchorRead:
    """Record who chaired ``body_id`` in a year. Replacing the recorded anchor needs its ETag."""
    permissions.require_secretariat_or_chair(principal, body_id=body_id)
    registry_service.get_body(session, body_id=body_id)
    registry_service.get_member_state(session, code=data.member_state)
    row = hold(session, ChairAnchor, body_id)
    _check_replace(row and _anchor_read(row), if_match, what=f"the chair anchor of {body_id}")
    row = row or ChairAnchor(body_id=body_id)
    row.year, row.member_state, row.reason, row.set_by = (
        data.year,
        data.member_state,
        data.reason,
        principal.label,
    )
    session.add(row)
    session.flush()
    return _anchor_read(row)


def set_override(
    session: Session,
    *,
    principal: Principal,
    body_id: str,
    data: s.OverrideWrite,
    if_match: str | None = None,
) -> s.OverrideRead:
    """Override the computed chair or date of one year. Replacing a year's override needs its ETag."""
    permissions.require_secretariat_or_chair(principal, body_id=body_id)
    registry_service.get_body(session, body_id=body_id)
    if data.chair:
        registry_service.get_member_state(session, code=data.chair)
    if data.date and data.date.year != data.year:
        raise Invalid(f"the date {data.date} is not in {data.year}", parameter="date")
    hold_writes(session)
    row = session.scalar(
        select(CycleOverride)
        .where(CycleOverride.body_id == body_id, CycleOverride.year == data.year)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    _check_replace(row and _override_read(row), if_match, what=f"the {data.year} override of {body_id}")
    if row is None:
        row = CycleOverride(body_id=body_id, year=data.year)
        session.add(row)
    row.chair, row.date, row.reason, row.set_by = data.chair, data.date, data.reason, principal.label
    session.flush()
    return _override_read(row)


def visible_meetings(session: Session, *, principal: Principal, body: str | None = None) -> list:
    """The meeting records ``principal`` may read (``permissions.can_read`` on their audience): the
    one filter every read of meeting records goes through (lists, calendar, iCalendar, expected)."""
    return [
        m
        for m in registry_service.list_meetings(session, body=body)
        if permissions.can_read(principal, m.audience)
    ]


def expected_meetings(
    session: Session, *, principal: Principal, start_year: int, years: int = 2
) -> list[s.ExpectedMeeting]:
    """The meetings each body is expected to hold in ``start_year`` … ``start_year + years - 1``.

    The cycle's phase counts every recorded meeting (a body's rhythm is not secret), but an expected
    meeting names its recorded meeting only when ``principal`` may read that record."""
    members = _members(session)
    bodies = registry_service.list_bodies(session, limit=500).items
    by_id = {b.id: b for b in bodies}
    anchors = {a.body_id: a for a in session.scalars(select(ChairAnchor))}
    overrides = {(o.body_id, o.year): o for o in session.scalars(select(CycleOverride))}
    recorded: dict[str, int] = {}
    held: dict[tuple[str, int], str] = {}
    for mt in registry_service.list_meetings(session):
        if mt.date_start:
            recorded[mt.body] = max(recorded.get(mt.body, 0), mt.date_start.year)
    for mt in visible_meetings(session, principal=principal):
        if mt.date_start:
            held[(mt.body, mt.date_start.year)] = mt.id
    prepared_by: dict[str, list[str]] = {}
    for b in bodies:
        for target in b.reports_to_ids:
            if b.level in ("senior_officials", "working_group", "committee", "sub_committee", "cluster"):
                prepared_by.setdefault(target, []).append(b.id)
    out: list[s.ExpectedMeeting] = []
    for b in bodies:
        if not b.meeting_interval:
            continue
        anchor = anchors.get(b.id)
        dated = [year for (body_id, year), o in overrides.items() if body_id == b.id and o.date is not None]
        phase = recorded.get(b.id) or (max(dated) if dated else None) or (anchor.year if anchor else None)
        for year in range(start_year, start_year + years):
            over = overrides.get((b.id, year))
            meets = meets_in = cycle.meets_in(year, interval=b.meeting_interval, phase_year=phase)
            if over is not None and over.date is not None:
                meets = True
            if meets is False:
                continue
            chair, chair_source = None, "unknown"
            if over is not None and over.chair:
                chair, chair_source = over.chair, "override"
            elif b.chair_rotation and anchor is not None:
                chair = cycle.body_chair(
                    year,
                    rule=b.chair_rotation.rule,
                    term_years=b.chair_rotation.term_years,
                    anchor=(anchor.year, anchor.member_state),
                    members=members,
                )
                chair_source = "computed" if chair else "unknown"
            host = None
            if b.chair_rotation and b.chair_rotation.host_follows_asean_chair:
                host = cycle.asean_chair(year, members, asean_chairs())
            date = over.date if over is not None else None
            out.append(
                s.ExpectedMeeting(
                    body_id=b.id,
                    acronym=b.acronym,
                    name_en=b.name.en,
                    level=b.level,
                    year=year,
                    certain=meets_in is True or (over is not None and over.date is not None),
                    chair=chair,
                    chair_source=chair_source,
                    host=host,
                    date=date,
                    override_reason=over.reason if over is not None else None,
                    recorded_meeting=held.get((b.id, year)),
                    deadlines=cycle.preparatory_deadlines(date) if date else {},
                    prepared_by=[f"{by_id[p].acronym or p}" for p in sorted(prepared_by.get(b.id, []))],
                )
            )
    order = {lvl: i for i, lvl in enumerate(registry_service.BODY_LEVELS)}
    return sorted(
        out, key=lambda e: (e.year, e.date or dt.date(e.year, 12, 31), order.get(e.level, 99), e.body_id)
    )


# --- meeting records: agenda, documents, report -------------------------------------------------


def _meeting(session: Session, principal: Principal, meeting_id: str, *, lock: bool = False):
    """The meeting if this principal may read it; ``lock``: held until the commit, as every change
    of the meeting or of its agenda, documents and report holds it (``db.concurrency.hold``)."""
    if lock:
        meeting = registry_service.hold_meeting(session, meeting_id=meeting_id)
        if meeting is None:
            raise NotFound(f"no meeting with id {meeting_id!r}")
    else:
        meeting = registry_service.get_meeting(session, meeting_id=meeting_id)
    if not permissions.can_read(principal, meeting.audience):
        raise NotFound(f"no meeting with id {meeting_id!r}")
    return meeting


def _writable(session: Session, principal: Principal, meeting_id: str, if_match: str | None):
    """The stored meeting, held, after checking that this principal may change it (the Secretariat,
    or the chair of the body it belongs to now) and that it is as the principal read it."""
    meeting = _meeting(session, principal, meeting_id, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=meeting.body)
    current = get_meeting(session, principal=principal, meeting_id=meeting_id)
    check_version(current.etag, if_match, what=f"meeting {meeting_id}")
    return meeting


def save_meeting(
    session: Session, *, principal: Principal, data, if_match: str | None = None
) -> s.MeetingDetail:
    """Create or replace a meeting record. Both the stored record and the requested one must be
    this principal's to write: a chair cannot move another body's meeting into its own body, nor
    its own body's meeting to another. Replacing needs the record's ETag (If-Match)."""
    permissions.require_secretariat_or_chair(principal, body_id=data.body)
    if registry_service.hold_meeting(session, meeting_id=data.id) is not None:
        _writable(session, principal, data.id, if_match)
    elif if_match is not None:
        raise PreconditionFailed(f"there is no meeting {data.id!r} to match If-Match against")
    registry_service.save_meeting(session, data=data)
    return get_meeting(session, principal=principal, meeting_id=data.id)


def add_agenda_item(
    session: Session, *, principal: Principal, meeting_id: str, data: s.AgendaWrite
) -> s.MeetingDetail:
    meeting = _meeting(session, principal, meeting_id, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=meeting.body)
    session.add(
        AgendaItem(
            meeting_id=meeting_id, number=data.number, title=data.title, decision_item=data.decision_item
        )
    )
    session.flush()
    return get_meeting(session, principal=principal, meeting_id=meeting_id)


def add_document(
    session: Session, *, principal: Principal, meeting_id: str, data: s.DocumentWrite
) -> s.MeetingDetail:
    meeting = _meeting(session, principal, meeting_id, lock=True)
    permissions.require_secretariat_or_chair(principal, body_id=meeting.body)
    due = data.due
    if due is None and meeting.date_start is not None:
        due = cycle.preparatory_deadlines(meeting.date_start)["papers_due"]
    session.add(MeetingDocument(meeting_id=meeting_id, title=data.title, url=data.url, due=due))
    session.flush()
    return get_meeting(session, principal=principal, meeting_id=meeting_id)


def save_report(
    session: Session,
    *,
    principal: Principal,
    meeting_id: str,
    data: s.ReportWrite,
    if_match: str | None = None,
) -> s.MeetingDetail:
    """Write a new draft (or change the current draft's text). Adopted versions are locked."""
    _writable(session, principal, meeting_id, if_match)
    current = _current_report(session, meeting_id)
    if current is None or current.status in LOCKED:
        number = (current.number + 1) if current else 1
        session.add(
            ReportVersion(
                meeting_id=meeting_id,
                number=number,
                text=data.text,
                status="draft",
                updated_by=principal.label,
                updated_at=clock.now(),
            )
        )
    elif current.status == "draft":
        current.text, current.updated_by, current.updated_at = data.text, principal.label, clock.now()
    else:
        raise Conflict(
            f"version {current.number} is {current.status}: move it back to draft to change its text"
        )
    session.flush()
    return get_meeting(session, principal=principal, meeting_id=meeting_id)


def move_report(
    session: Session, *, principal: Principal, meeting_id: str, to: str, if_match: str | None = None
) -> s.MeetingDetail:
    _writable(session, principal, meeting_id, if_match)
    current = _current_report(session, meeting_id)
    if current is None:
        raise Conflict("there is no Report of the Meeting yet")
    if to not in REPORT_FLOW.get(current.status, set()):
        allowed = ", ".join(sorted(REPORT_FLOW[current.status])) or "nothing (it is final)"
        raise Conflict(f"the report is {current.status}; it can move to {allowed}")
    current.status, current.updated_by, current.updated_at = to, principal.label, clock.now()
    session.flush()
    return get_meeting(session, principal=principal, meeting_id=meeting_id)


def _current_report(session: Session, meeting_id: str) -> ReportVersion | None:
    stmt = (
        select(ReportVersion)
        .where(ReportVersion.meeting_id == meeting_id)
        .order_by(ReportVersion.number.desc())
    )
    return session.scalars(stmt.limit(1)).first()


def get_meeting(session: Session, *, principal: Principal, meeting_id: str) -> s.MeetingDetail:
    meeting = _meeting(session, principal, meeting_id)
    agenda = session.scalars(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting_id).order_by(AgendaItem.id)
    )
    docs = session.scalars(
        select(MeetingDocument).where(MeetingDocument.meeting_id == meeting_id).order_by(MeetingDocument.id)
    )
    reports = list(
        session.scalars(
            select(ReportVersion).where(ReportVersion.meeting_id == meeting_id).order_by(ReportVersion.number)
        )
    )
    if not permissions.can_read(principal, "member_states"):
        reports = [r for r in reports if r.status == "published"]  # the public sees published reports only
    detail = s.MeetingDetail(
        **meeting.model_dump(),
        agenda=[s.AgendaRead(number=a.number, title=a.title, decision_item=a.decision_item) for a in agenda],
        documents=[s.MeetingDocumentRead(title=d.title, url=d.url, due=d.due) for d in docs],
        reports=[
            s.ReportRead(
                number=r.number,
                text=r.text,
                status=r.status,
                updated_by=r.updated_by,
                updated_at=r.updated_at,
                locked=r.status in LOCKED,
            )
            for r in reports
        ],
    )
    detail.etag = content_etag(detail.model_dump(mode="json", exclude={"etag"}))
    return detail


@dataclasses.dataclass(frozen=True)
class CalendarEntry:
    uid: str
    title: str
    start: dt.date
    end: dt.date
    location: str | None
    description: str


def calendar(
    session: Session, *, principal: Principal, start: dt.date, years: int = 2
) -> list[CalendarEntry]:
    """Recorded meetings with dates, and expected meetings with a fixed date (override)."""
    entries = []
    end = dt.date(start.year + years, 12, 31)
    for mt in visible_meetings(session, principal=principal):
        if mt.date_start is not None and start <= mt.date_start <= end:
            location = ", ".join(filter(None, [mt.venue, mt.city])) or None
            entries.append(
                CalendarEntry(
                    f"meeting-{mt.id}@ascc",
                    mt.title.en,
                    mt.date_start,
                    mt.date_end or mt.date_start,
                    location,
                    f"{mt.body}; host {mt.host or '-'}",
                )
            )
    for exp in expected_meetings(session, principal=principal, start_year=start.year, years=years):
        uid = f"expected-{exp.body_id}-{exp.year}"
        if exp.date is not None and exp.recorded_meeting is None:
            chair = f"chair {exp.chair} ({exp.chair_source})" if exp.chair else "chair to be confirmed"
            entries.append(
                CalendarEntry(
                    f"{uid}@ascc",
                    f"{exp.acronym or exp.name_en} {exp.year}",
                    exp.date,
                    exp.date,
                    None,
                    f"expected meeting; {chair}",
                )
            )
    return sorted(entries, key=lambda e: e.start)


def next_meetings(
    session: Session, *, principal: Principal, body_id: str, today: dt.date | None = None, years: int = 2
) -> list[dict]:
    """A body's next meetings, soonest first: its recorded ones from ``today`` on (that
    ``principal`` may read) and the expected ones not recorded yet (``expected_meetings``), each
    with its paper deadlines (``cycle.preparatory_deadlines``) when its date is known."""
    today = today or clock.today()
    out: list[dict] = []
    for m in visible_meetings(session, principal=principal, body=body_id):
        if m.date_start and (m.date_end or m.date_start) >= today:
            out.append(
                {
                    "kind": "recorded",
                    "meeting_id": m.id,
                    "body_id": m.body,
                    "title": m.title.model_dump(),
                    "year": m.date_start.year,
                    "date": m.date_start,
                    "certain": True,
                    "chair": m.chair,
                    "deadlines": cycle.preparatory_deadlines(m.date_start),
                }
            )
    recorded_years = {e["year"] for e in out}
    for e in expected_meetings(session, principal=principal, start_year=today.year, years=years):
        if e.body_id != body_id or e.recorded_meeting or e.year in recorded_years:
            continue
        if e.date is not None and e.date < today:
            continue
        out.append(
            {
                "kind": "expected",
                "meeting_id": None,
                "body_id": e.body_id,
                "title": {"en": e.acronym or e.name_en, "id": None},
                "year": e.year,
                "date": e.date,
                "certain": e.certain,
                "chair": e.chair,
                "deadlines": e.deadlines,
            }
        )
    return sorted(out, key=lambda e: (e["date"] or dt.date(e["year"], 12, 31), e["kind"]))


def asean_chair_years(session: Session, *, ahead: int = 3) -> list[s.AseanChairYear]:
    """The ASEAN chair by year, newest first: every recorded year (``reference/data/asean_chairs.yaml``,
    each with its summits and source URLs), then the years after the last recorded one up to
    ``ahead`` years after this one, computed by the rotation (:func:`cycle.asean_chair`) and marked
    as computed. Years before the first recorded one are not shown (nothing states them)."""
    records = {r.year: r for r in asean_chair_records()}
    if not records:
        return []
    chairs = {year: r.member_state for year, r in records.items()}
    members = _members(session)
    last = max(max(records), clock.today().year + ahead)
    out: list[s.AseanChairYear] = []
    for year in range(last, min(records) - 1, -1):
        record = records.get(year)
        code = record.member_state if record else cycle.asean_chair(year, members, chairs)
        if code is None:  # a gap in the table (2008: the chair passed in July) is not computed
            continue
        out.append(
            s.AseanChairYear(
                year=year,
                member_state=code,
                recorded=record is not None,
                summits=[
                    s.AseanSummitRead(
                        number=x.number, city=x.city, date=x.date, date_end=x.date_end, url=x.url
                    )
                    for x in (record.summits if record else [])
                ],
                sources=[src.url for src in (record.sources if record else []) if src.url],
            )
        )
    return out
