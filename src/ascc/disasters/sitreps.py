"""Situation reports by the AHA Centre: numbered per event, bilingual, and versioned (an edit adds
a version; earlier versions are kept and can be read)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.db.concurrency import check_version, hold
from ascc.disasters import schemas as s
from ascc.disasters.models import Event, SituationReport, SituationReportVersion
from ascc.kit import clock
from ascc.kit.errors import Invalid, NotFound


def etag(row: SituationReport) -> str:
    return f'"sitrep-{row.id}-v{row.version}"'


def _sitrep(session: Session, sitrep_id: int, *, lock: bool = False) -> SituationReport:
    row = hold(session, SituationReport, sitrep_id) if lock else session.get(SituationReport, sitrep_id)
    if row is None:
        raise NotFound(f"no situation report {sitrep_id}")
    return row


def _version(session: Session, row: SituationReport, version: int) -> SituationReportVersion:
    found = session.scalar(
        select(SituationReportVersion).where(
            SituationReportVersion.sitrep_id == row.id, SituationReportVersion.version == version
        )
    )
    if found is None:
        raise NotFound(f"situation report {row.id} has no version {version} (latest: {row.version})")
    return found


def _text(v: SituationReportVersion) -> dict[str, Any]:
    return {
        "version": v.version,
        "title": {"en": v.title_en, "id": v.title_id},
        "body": {"en": v.body_en, "id": v.body_id},
        "as_of": v.as_of,
        "author": v.author,
        "at": v.at,
    }


def get_sitrep(session: Session, *, sitrep_id: int, version: int | None = None) -> dict[str, Any]:
    """The report (its latest version, or ``version``) and the list of all its versions."""
    row = _sitrep(session, sitrep_id)
    if version is not None and not 1 <= version <= 10**6:
        raise Invalid("version must be a positive whole number", parameter="version")
    versions = list(
        session.scalars(
            select(SituationReportVersion)
            .where(SituationReportVersion.sitrep_id == row.id)
            .order_by(SituationReportVersion.version)
        )
    )
    shown = _version(session, row, version) if version else versions[-1]
    return {
        "id": row.id,
        "event_id": row.event_id,
        "number": row.number,
        "latest_version": row.version,
        "created_at": row.created_at,
        "etag": etag(row),
        **_text(shown),
        "versions": [
            {
                "version": v.version,
                "title": {"en": v.title_en, "id": v.title_id},
                "as_of": v.as_of,
                "author": v.author,
                "at": v.at,
            }
            for v in versions
        ],
    }


def list_sitreps(session: Session, *, event_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(SituationReport).where(SituationReport.event_id == event_id).order_by(SituationReport.number)
    )
    return [get_sitrep(session, sitrep_id=r.id) for r in rows]


def create_sitrep(
    session: Session, *, principal: Principal, event_id: int, data: s.SitrepWrite
) -> dict[str, Any]:
    """The AHA Centre issues situation report number n+1 on an event."""
    permissions.require_aha_centre(principal)
    # the event row is held while the number is taken, so two reports never get the same number
    if session.get(Event, event_id, with_for_update=True) is None:
        raise NotFound(f"no disaster event {event_id}")
    number = (
        session.scalar(select(func.max(SituationReport.number)).where(SituationReport.event_id == event_id))
        or 0
    ) + 1
    now = clock.now()
    row = SituationReport(event_id=event_id, number=number, version=1, created_at=now)
    session.add(row)
    session.flush()
    session.add(
        SituationReportVersion(
            sitrep_id=row.id, version=1, author=principal.label, at=now, **data.model_dump()
        )
    )
    session.flush()
    return get_sitrep(session, sitrep_id=row.id)


def revise_sitrep(
    session: Session,
    *,
    principal: Principal,
    sitrep_id: int,
    data: s.SitrepWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    """An edit is a new version; the earlier ones stay."""
    permissions.require_aha_centre(principal)
    row = _sitrep(session, sitrep_id, lock=True)
    check_version(etag(row), if_match, what=f"situation report {row.id}")
    row.version += 1
    session.add(
        SituationReportVersion(
            sitrep_id=row.id, version=row.version, author=principal.label, at=clock.now(), **data.model_dump()
        )
    )
    session.flush()
    return get_sitrep(session, sitrep_id=row.id)


def events_without_recent_sitrep(
    session: Session, *, days: int = 7, current_days: int = 30, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Events under way or begun in the last ``current_days`` days with no situation report
    written or revised in the last ``days`` days, each with the time of its latest one (None:
    never). Two queries."""
    now = now or clock.now()
    today = now.date()
    since = today - dt.timedelta(days=current_days)
    events = list(
        session.scalars(
            select(Event)
            .where(Event.start_date <= today, (Event.start_date >= since) | (Event.end_date >= since))
            .order_by(Event.start_date.desc(), Event.id)
        )
    )
    if not events:
        return []
    latest = dict(
        session.execute(
            select(SituationReport.event_id, func.max(SituationReportVersion.at))
            .join(SituationReportVersion, SituationReportVersion.sitrep_id == SituationReport.id)
            .where(SituationReport.event_id.in_([e.id for e in events]))
            .group_by(SituationReport.event_id)
        ).all()
    )
    cutoff = now - dt.timedelta(days=days)
    out = []
    for e in events:
        last = latest.get(e.id)
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=dt.UTC)
        if last is None or last < cutoff:
            out.append(
                {
                    "id": e.id,
                    "name": e.name,
                    "hazard": e.hazard,
                    "start_date": e.start_date,
                    "member_states": e.member_states,
                    "latest_sitrep": last,
                }
            )
    return out
