"""Disaster services: import with merging, listing, one event with its sources, statistics."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.audit.provenance import Kept, is_person, last_actors
from ascc.disasters.cap import DEFAULT_VALIDITY
from ascc.disasters.hazards import HAZARDS
from ascc.disasters.importer import COUNTS, Record
from ascc.disasters.models import DisasterAlert, Event, EventArea, EventRevision, EventSource
from ascc.kit import clock
from ascc.kit.errors import Invalid, NotFound
from ascc.kit.pagination import MAX_LIMIT, Page

#: records whose dates are this close count as overlapping (feeds round instantaneous events)
TOLERANCE = dt.timedelta(days=1)


@dataclasses.dataclass
class ImportReport:
    created: int = 0
    merged: int = 0
    updated: int = 0
    unchanged: int = 0
    #: records left alone because a person edited what they would change
    kept: Kept = dataclasses.field(default_factory=Kept)


def _span(start: dt.date, end: dt.date | None) -> tuple[dt.date, dt.date]:
    return start, end or start


def _overlaps(a: tuple[dt.date, dt.date], b: tuple[dt.date, dt.date]) -> bool:
    return a[0] <= b[1] + TOLERANCE and b[0] <= a[1] + TOLERANCE


def _source_data(r: Record) -> dict[str, Any]:
    return {
        "hazard": r.hazard,
        "name": r.name,
        "member_state": r.member_state,
        "start_date": r.start_date.isoformat(),
        "end_date": r.end_date.isoformat() if r.end_date else None,
        "glide": r.glide,
        "location": r.location,
        **r.counts,
        "damage_value": r.damage_value,
        "damage_unit": r.damage_unit,
        "raw": r.raw,
    }


def _find_match(session: Session, r: Record) -> Event | None:
    if r.glide:
        found = session.scalar(select(Event).where(Event.glide == r.glide))
        if found is not None:
            return found
    lo, hi = r.start_date - dt.timedelta(days=60), (r.end_date or r.start_date) + TOLERANCE
    candidates = session.scalars(
        select(Event)
        .where(Event.hazard == r.hazard, Event.start_date >= lo, Event.start_date <= hi)
        .order_by(Event.id)
    )
    for event in candidates:
        if r.member_state not in event.member_states:
            continue
        if not _overlaps(_span(event.start_date, event.end_date), _span(r.start_date, r.end_date)):
            continue
        feeds = set(session.scalars(select(EventSource.feed).where(EventSource.event_id == event.id)))
        if r.feed not in feeds:  # records of one feed are distinct events; different feeds may agree
            return event
    return None


def _rebuild(session: Session, event: Event) -> None:
    """Derive the event from its sources: widest dates, all member states, the largest count any
    feed reports (feeds describe the same event: adding them would double-count)."""
    sources = list(
        session.scalars(select(EventSource).where(EventSource.event_id == event.id).order_by(EventSource.id))
    )
    data = [s.data for s in sources]
    event.start_date = min(dt.date.fromisoformat(d["start_date"]) for d in data)
    ends = [dt.date.fromisoformat(d["end_date"]) for d in data if d.get("end_date")]
    event.end_date = max(ends) if ends else None
    event.member_states = sorted({d["member_state"] for d in data})
    event.name = next((d["name"] for d in data if d.get("name")), None)
    event.glide = next((d["glide"] for d in data if d.get("glide")), None)
    event.location = next((d["location"] for d in data if d.get("location")), None)
    for column in COUNTS:
        values = [d[column] for d in data if d.get(column) is not None]
        setattr(event, column, max(values) if values else None)
    damage = next((d for d in data if d.get("damage_value") is not None), None)
    event.damage_value = damage["damage_value"] if damage else None
    event.damage_unit = damage["damage_unit"] if damage else None


SNAPSHOT = (
    "glide",
    "hazard",
    "name",
    "start_date",
    "end_date",
    "member_states",
    "location",
    *COUNTS,
    "displaced",
    "damage_value",
    "damage_unit",
)


def _snapshot(event: Event | None) -> dict[str, Any]:
    if event is None:
        return {}
    values = {k: getattr(event, k) for k in SNAPSHOT}
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in values.items()}


def _revise(session: Session, event: Event, before: dict[str, Any], reason: str) -> None:
    """Keep the change as a revision of the event, when something changed."""
    after = _snapshot(event)
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    if not changes:
        return
    number = (
        session.scalar(select(func.max(EventRevision.number)).where(EventRevision.event_id == event.id)) or 0
    ) + 1
    session.add(
        EventRevision(
            event_id=event.id,
            number=number,
            at=clock.now(),
            reason=reason[:300],
            actor=str(session.info.get("actor", "system"))[:200],
            changes=changes,
            data=after,
        )
    )


def event_revisions(session: Session, *, event_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(EventRevision).where(EventRevision.event_id == event_id).order_by(EventRevision.number)
    )
    return [
        {
            "number": r.number,
            "at": r.at,
            "actor": r.actor,
            "reason": r.reason,
            "changes": r.changes,
            "data": r.data,
        }
        for r in rows
    ]


def _edited_by(session: Session, event_id: int) -> str | None:
    """The person who changed the event last, if the last change was a person's."""
    actor = last_actors(session, entity=Event.__tablename__, ids=[event_id]).get(str(event_id))
    return actor if is_person(actor) else None


def import_records(session: Session, *, records: list[Record]) -> ImportReport:
    """Write validated records, merging those that describe the same disaster; each change to an
    event is kept as a revision. An event a person changed last is left alone (``report.kept``).
    Flushes only."""
    report = ImportReport()
    for r in records:
        data = _source_data(r)
        source = session.scalar(
            select(EventSource).where(EventSource.feed == r.feed, EventSource.record_id == r.record_id)
        )
        if source is not None:
            if source.data == data:
                report.unchanged += 1
                continue
            if editor := _edited_by(session, source.event_id):
                report.kept.add(f"event {source.event_id} ({r.feed} {r.record_id})", f"edited by {editor}")
                continue
            source.data, source.url = data, r.url
            session.flush()
            event = session.get(Event, source.event_id)
            before = _snapshot(event)
            _rebuild(session, event)
            _revise(session, event, before, f"{r.feed} record {r.record_id} updated")
            report.updated += 1
            continue
        event = _find_match(session, r)
        if event is not None and (editor := _edited_by(session, event.id)):
            report.kept.add(
                f"event {event.id} ({r.feed} {r.record_id} would merge into it)", f"edited by {editor}"
            )
            continue
        before = _snapshot(event)
        if event is None:
            event = Event(hazard=r.hazard, start_date=r.start_date, member_states=[r.member_state])
            session.add(event)
            session.flush()
            report.created += 1
        else:
            report.merged += 1
        session.add(EventSource(event_id=event.id, feed=r.feed, record_id=r.record_id, url=r.url, data=data))
        session.flush()
        _rebuild(session, event)
        _revise(
            session, event, before, f"{r.feed} record {r.record_id} " + ("merged" if before else "imported")
        )
    session.flush()
    return report


def event_read(event: Event) -> dict[str, Any]:
    family, en, id_ = HAZARDS[event.hazard]
    return {
        "id": event.id,
        "glide": event.glide,
        "hazard": event.hazard,
        "hazard_family": family,
        "hazard_name": {"en": en, "id": id_},
        "name": event.name,
        "start_date": event.start_date,
        "end_date": event.end_date,
        "member_states": event.member_states,
        "location": event.location,
        **{c: getattr(event, c) for c in COUNTS},
        "displaced": event.displaced,
        "damage_value": event.damage_value,
        "damage_unit": event.damage_unit,
    }


def list_events(
    session: Session,
    *,
    member_state: str | None = None,
    hazard: str | None = None,
    year: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> Page[dict[str, Any]]:
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid(f"limit must be between 1 and {MAX_LIMIT}", parameter="limit")
    if hazard is not None and hazard not in HAZARDS:
        raise Invalid(f"unknown hazard {hazard!r}; one of {', '.join(HAZARDS)}", parameter="hazard")
    where = []
    if hazard:
        where.append(Event.hazard == hazard)
    if year:
        where.append(Event.start_date >= dt.date(year, 1, 1))
        where.append(Event.start_date <= dt.date(year, 12, 31))
    order = (Event.start_date.desc(), Event.id.desc())
    if member_state:  # the member states are a JSON list: filtered here, on ids, not whole events
        code = member_state.upper()
        ids = [
            i
            for i, states in session.execute(
                select(Event.id, Event.member_states).where(*where).order_by(*order)
            )
            if code in states
        ]
        total, wanted = len(ids), ids[offset : offset + limit]
        by_id = {e.id: e for e in session.scalars(select(Event).where(Event.id.in_(wanted)))}
        rows = [by_id[i] for i in wanted]
    else:  # only the page is loaded: the home page asks for five of thousands
        total = session.scalar(select(func.count()).select_from(Event).where(*where)) or 0
        rows = list(session.scalars(select(Event).where(*where).order_by(*order).limit(limit).offset(offset)))
    return Page([event_read(e) for e in rows], total, limit, offset)


def get_event(session: Session, *, event_id: int) -> dict[str, Any]:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no disaster event {event_id}")
    sources = session.scalars(
        select(EventSource).where(EventSource.event_id == event_id).order_by(EventSource.id)
    )
    areas = session.scalars(select(EventArea).where(EventArea.event_id == event_id).order_by(EventArea.name))
    return event_read(event) | {
        "sources": [
            {"feed": s.feed, "record_id": s.record_id, "url": s.url, "data": s.data} for s in sources
        ],
        "areas": [
            {
                "member_state": a.member_state,
                "scheme": a.scheme,
                "code": a.code,
                "name": a.name,
                "impacts": a.impacts,
                "feed": a.feed,
                "record_id": a.record_id,
                "source": a.source,
            }
            for a in areas
        ],
        "revisions": event_revisions(session, event_id=event_id),
    }


def statistics(session: Session) -> dict[str, Any]:
    """Events and people affected per year, per member state and per hazard, from the record."""
    rows = session.execute(
        select(Event.start_date, Event.member_states, Event.hazard, Event.affected, Event.deaths)
    ).all()
    by_year: dict[int, Counter] = defaultdict(Counter)
    by_state: dict[str, Counter] = defaultdict(Counter)
    by_hazard: dict[str, Counter] = defaultdict(Counter)
    for start, states, hazard, affected, deaths in rows:
        for bucket in (by_year[start.year], by_hazard[hazard], *(by_state[s] for s in states)):
            bucket["events"] += 1
            bucket["affected"] += affected or 0
            bucket["deaths"] += deaths or 0
            bucket["with_affected"] += affected is not None

    def table(d: dict) -> list[dict[str, Any]]:
        return [{"key": k, **dict(v)} for k, v in sorted(d.items())]

    total = session.scalar(select(func.count()).select_from(Event)) or 0
    return {
        "events": total,
        "by_year": table(by_year),
        "by_member_state": table(by_state),
        "by_hazard": table(by_hazard),
    }


# --- early warnings (CAP) ---------------------------------------------------------------------


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    return value.replace(tzinfo=dt.UTC) if value is not None and value.tzinfo is None else value


def alert_key(sender: str, identifier: str, sent: dt.datetime) -> str:
    """The stored key of an alert: CAP's own (sender, identifier, sent), the time in UTC."""
    return f"{sender}|{identifier}|{sent.astimezone(dt.UTC).isoformat()}"


def import_alerts(session: Session, *, alerts: list) -> ImportReport:  # list[cap.Alert]
    """Store CAP info blocks (one row each, under their alert's key: sender, identifier and sent),
    linked to an event by GLIDE number when it is known."""
    report = ImportReport()
    seen: dict[str, int] = {}
    for a in alerts:
        alert = alert_key(a.sender, a.identifier, a.sent)
        n = seen[alert] = seen.get(alert, 0) + 1
        key = f"{alert}#{n}"
        values = {f.name: getattr(a, f.name) for f in dataclasses.fields(a)}
        for k, v in values.items():  # stored in UTC (SQLite keeps no offset); the offsets beside
            if isinstance(v, dt.datetime):
                values[k] = v.astimezone(dt.UTC)
        event = session.scalar(select(Event).where(Event.glide == a.glide)) if a.glide else None
        values["event_id"] = event.id if event else None
        row = session.scalar(select(DisasterAlert).where(DisasterAlert.key == key))
        if row is None:
            session.add(DisasterAlert(key=key, **values))
            report.created += 1
            continue
        current = {
            k: _aware(getattr(row, k)) if isinstance(getattr(row, k), dt.datetime) else getattr(row, k)
            for k in values
        }
        if current == values:
            report.unchanged += 1
        else:
            for k, v in values.items():
                setattr(row, k, v)
            report.updated += 1
    session.flush()
    return report


ALERT_FIELDS = (
    "id",
    "identifier",
    "sender",
    "sent",
    "status",
    "msg_type",
    "event",
    "hazard",
    "urgency",
    "severity",
    "certainty",
    "headline",
    "description",
    "area",
    "member_states",
    "effective",
    "expires",
    "glide",
    "references",
    "event_id",
    "language",
)
INFO_FIELDS = (
    "language",
    "event",
    "headline",
    "description",
    "area",
    "urgency",
    "severity",
    "certainty",
    "effective",
    "expires",
)


def _local(value: dt.datetime | None, minutes: int | None) -> dt.datetime | None:
    """A stored (UTC) time in the offset the sender gave it."""
    value = _aware(value)
    if value is None or minutes is None:
        return value
    return value.astimezone(dt.timezone(dt.timedelta(minutes=minutes)))


def alert_read(row: DisasterAlert) -> dict[str, Any]:
    offsets = row.offsets or {}
    out = {c: getattr(row, c) for c in ALERT_FIELDS}
    for name in ("sent", "effective", "expires"):
        out[name] = _local(getattr(row, name), offsets.get(name))
    out["language"] = row.language or "en-US"
    out["offsets"] = offsets
    return out


def _alerts(rows: list[DisasterAlert], language: str | None) -> list[dict[str, Any]]:
    """The info blocks grouped into their alerts (sender, identifier, sent), in the order given: each
    alert as the block in ``language`` (else its first block) reads, with ``languages`` and every
    block in ``infos``."""
    groups: dict[tuple, list[DisasterAlert]] = {}
    for r in rows:
        groups.setdefault((r.sender, r.identifier, _aware(r.sent)), []).append(r)
    out = []
    for blocks in groups.values():
        blocks.sort(key=lambda b: b.id)
        reads = [alert_read(b) for b in blocks]
        chosen = next(
            (b for b in reads if language and b["language"].lower().startswith(language.lower())), reads[0]
        )
        states = sorted({s for b in reads for s in b["member_states"]})
        out.append(
            chosen
            | {
                "member_states": states,
                "languages": [b["language"] for b in reads],
                "infos": [{k: b[k] for k in INFO_FIELDS} for b in reads],
                "until": max(_until(b) for b in reads),
            }
        )
    return out


def _until(alert: dict[str, Any]) -> dt.datetime:
    """When an alert stops being current: its ``expires``, or ``cap.DEFAULT_VALIDITY`` after it
    became effective (or was sent) when it gives none."""
    if alert["expires"] is not None:
        return alert["expires"]
    return (alert["effective"] or alert["sent"]) + DEFAULT_VALIDITY


def list_alerts(
    session: Session, *, current: bool = False, now: dt.datetime | None = None, language: str | None = None
) -> list[dict[str, Any]]:
    """Alerts (each with its info blocks, read in ``language`` where it has one, and ``until``: when
    its last block stops being current), newest first.
    ``current``: actual alerts and updates for an area in ASEAN, not updated or cancelled by a later
    message (CAP ``references``), that have not expired (see :func:`_until`)."""
    now = now or clock.now()
    rows = list(session.scalars(select(DisasterAlert).order_by(DisasterAlert.sent.desc(), DisasterAlert.id)))
    alerts = _alerts(rows, language)
    if current:
        superseding = [a for a in alerts if a["msg_type"] in ("Update", "Cancel") and a["status"] == "Actual"]
        replaced = {ref for a in superseding for ref in a["references"] or []}

        def superseded(a: dict[str, Any]) -> bool:
            triple = f"{a['sender']},{a['identifier']},{a['sent'].astimezone(dt.UTC).isoformat()}"
            return (
                triple in replaced or a["identifier"] in replaced
            )  # bare identifiers: rows from before 0030

        alerts = [
            a
            for a in alerts
            if a["status"] == "Actual"
            and a["msg_type"] in ("Alert", "Update")
            and a["member_states"]
            and not superseded(a)
            and a["until"] > now
        ]
    return alerts


# --- subnational areas ------------------------------------------------------------------------


def import_areas(session: Session, *, areas: list) -> tuple[ImportReport, list[str]]:  # list[AreaRecord]
    """Attach each feed record's areas to the event that record belongs to (replacing that record's
    areas when they changed, unless a person edited one of them). Areas whose record is not in the database are named in the notes."""
    report, notes = ImportReport(), []
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for a in areas:
        groups[(a.feed, a.record_id)].append(a)
    for (feed, record_id), rows in groups.items():
        source = session.scalar(
            select(EventSource).where(EventSource.feed == feed, EventSource.record_id == record_id)
        )
        if source is None:
            notes.append(
                f"{rows[0].source}: no {feed} event {record_id!r} in the record; {len(rows)} area(s) kept aside"
            )
            continue
        new = [
            (a.member_state, "PSGC" if a.code else "name", a.code, a.name, a.impacts, a.source) for a in rows
        ]
        old_rows = list(
            session.scalars(
                select(EventArea)
                .where(EventArea.feed == feed, EventArea.record_id == record_id)
                .order_by(EventArea.id)
            )
        )
        old = [(o.member_state, o.scheme, o.code, o.name, o.impacts, o.source) for o in old_rows]
        if old == new:
            report.unchanged += len(rows)
            continue
        editors = last_actors(session, entity=EventArea.__tablename__, ids=[o.id for o in old_rows])
        if editor := next((a for a in editors.values() if is_person(a)), None):
            report.kept.add(f"areas of {feed} {record_id}", f"edited by {editor}")
            continue
        for o in old_rows:
            session.delete(o)
        for ms, scheme, code, name, impacts, src in new:
            session.add(
                EventArea(
                    event_id=source.event_id,
                    feed=feed,
                    record_id=record_id,
                    member_state=ms,
                    scheme=scheme,
                    code=code,
                    name=name,
                    impacts=impacts,
                    source=src,
                )
            )
        report.created += len(rows) if not old else 0
        report.updated += len(rows) if old else 0
    session.flush()
    return report, notes


def current_events(session: Session, *, days: int = 60, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Events under way or begun in the last ``days`` days, with their sources (for the map)."""
    today = today or clock.today()
    since = today - dt.timedelta(days=days)
    stmt = select(Event).where(
        Event.start_date <= today, (Event.start_date >= since) | (Event.end_date >= since)
    )
    out = []
    for event in session.scalars(stmt.order_by(Event.start_date.desc(), Event.id)):
        sources = session.scalars(
            select(EventSource).where(EventSource.event_id == event.id).order_by(EventSource.id)
        )
        out.append(event_read(event) | {"sources": [{"feed": s.feed, "data": s.data} for s in sources]})
    return out
