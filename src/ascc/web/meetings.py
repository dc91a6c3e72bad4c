"""Meeting pages: the calendar (recorded and expected meetings), its iCalendar export, one meeting."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import icalendar
from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf, resolve_principal
from ascc.http.openapi import download
from ascc.kit.errors import Invalid
from ascc.meetings import schemas as s
from ascc.meetings import service as meetings_service
from ascc.web.pages import downloads, page, registry_names


def _year(request: Request) -> int:
    raw = request.query_params.get("year")
    if not raw:
        return dt.date.today().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Invalid(f"year={raw!r} is not a year between 2000 and 2100", parameter="year")
    return int(raw)


@downloads.get("/calendar.ics", response_class=Response,
               responses=download("text/calendar", "iCalendar (RFC 5545) of the year's meetings"))  # fmt: skip
def calendar_ics(request: Request) -> Response:
    """iCalendar of recorded meetings and expected meetings with a fixed date."""
    year = _year(request)
    with unit_of_work(request.app.state.session_factory) as session:
        principal = resolve_principal(request, session)
        entries = meetings_service.calendar(session, principal=principal, start=dt.date(year, 1, 1))
    cal = icalendar.Calendar()
    cal.add("prodid", "-//ASCC platform//meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "ASCC meetings")
    stamp = dt.datetime.now(dt.UTC)
    for e in entries:
        event = icalendar.Event()
        event.add("uid", e.uid)
        event.add("dtstamp", stamp)
        event.add("summary", e.title)
        event.add("dtstart", e.start)
        event.add("dtend", e.end + dt.timedelta(days=1))  # all-day events end the day after
        if e.location:
            event.add("location", e.location)
        event.add("description", e.description)
        cal.add_component(event)
    return Response(cal.to_ical(), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="ascc-meetings.ics"'})  # fmt: skip


@page("/calendar", "calendar.html")
def calendar(session: Session, request: Request) -> dict[str, Any]:
    year = _year(request)
    principal = request.state.principal
    recorded = [m for m in meetings_service.visible_meetings(session, principal=principal)
                if m.date_start and m.date_start.year >= year]  # fmt: skip
    return {
        "year": year,
        "expected": meetings_service.expected_meetings(
            session, principal=principal, start_year=year, years=2
        ),
        "recorded": sorted(recorded, key=lambda m: m.date_start),
    }


@page("/meetings/{meeting_id}", "meeting.html")
def meeting(session: Session, request: Request, meeting_id: str) -> dict[str, Any]:
    return {
        "meeting": meetings_service.get_meeting(
            session, principal=request.state.principal, meeting_id=meeting_id
        ),
        "names": registry_names(session),
    }


actions = APIRouter(include_in_schema=False)


def _act(request: Request, csrf: str, back: str, work) -> Response:
    """One form action in its own unit of work; a refusal comes back as an error page with the reason."""
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            work(session, bind_principal(request, session))
    except ValidationError as exc:
        raise Invalid("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from None
    return RedirectResponse(back, status_code=303)


Csrf = Annotated[str, Form()]
#: the record's ETag as the page showed it (``db.concurrency.check_version``)
Revision = Annotated[str | None, Form()]


@actions.post("/bodies/{body_id}/chair-anchor")
def anchor_form(request: Request, body_id: str, csrf: Csrf, year: Annotated[int, Form()],
                member_state: Annotated[str, Form()], reason: Annotated[str, Form()],
                revision: Revision = None) -> Response:  # fmt: skip
    data = s.AnchorWrite(year=year, member_state=member_state, reason=reason)
    return _act(request, csrf, f"/bodies/{body_id}", lambda session, p: meetings_service.set_anchor(
        session, principal=p, body_id=body_id, data=data, if_match=revision))  # fmt: skip


@actions.post("/bodies/{body_id}/cycle-overrides")
def override_form(request: Request, body_id: str, csrf: Csrf, year: Annotated[int, Form()],
                  reason: Annotated[str, Form()], chair: Annotated[str, Form()] = "",
                  date: Annotated[str, Form()] = "", revision: Revision = None) -> Response:  # fmt: skip
    def work(session, principal):
        data = s.OverrideWrite(year=year, reason=reason, chair=chair or None, date=date or None)
        meetings_service.set_override(
            session, principal=principal, body_id=body_id, data=data, if_match=revision
        )

    return _act(request, csrf, f"/bodies/{body_id}", work)


@actions.post("/meetings/{meeting_id}/report")
def report_form(request: Request, meeting_id: str, csrf: Csrf, text: Annotated[str, Form()],
                revision: Revision = None) -> Response:  # fmt: skip
    return _act(request, csrf, f"/meetings/{meeting_id}", lambda session, p: meetings_service.save_report(
        session, principal=p, meeting_id=meeting_id, data=s.ReportWrite(text=text), if_match=revision))  # fmt: skip


@actions.post("/meetings/{meeting_id}/report/status")
def report_status_form(request: Request, meeting_id: str, csrf: Csrf, to: Annotated[str, Form()],
                       revision: Revision = None) -> Response:  # fmt: skip
    return _act(request, csrf, f"/meetings/{meeting_id}", lambda session, p: meetings_service.move_report(
        session, principal=p, meeting_id=meeting_id, to=s.ReportMove(to=to).to, if_match=revision))  # fmt: skip
