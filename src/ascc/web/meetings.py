"""Meeting pages: the calendar (recorded and expected meetings), its iCalendar export, one meeting."""

from __future__ import annotations

import calendar as stdcalendar
import datetime as dt
from typing import Annotated, Any

import icalendar
from babel.dates import format_date
from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf, resolve_principal
from ascc.http.openapi import download
from ascc.kit import clock
from ascc.kit.errors import Invalid
from ascc.meetings import schemas as s
from ascc.meetings import service as meetings_service
from ascc.registry import service as registry_service
from ascc.web import i18n
from ascc.web.pages import downloads, page, registry_names

VIEWS = ("list", "month")


def _year(request: Request) -> int:
    raw = request.query_params.get("year")
    if not raw:
        return clock.today().year
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise Invalid(f"year={raw!r} is not a year between 2000 and 2100", parameter="year")
    return int(raw)


@downloads.get(
    "/calendar.ics",
    response_class=Response,
    responses=download("text/calendar", "iCalendar (RFC 5545) of the year's meetings"),
)
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
    stamp = clock.now()
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
    return Response(
        cal.to_ical(),
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ascc-meetings.ics"'},
    )


def _view(request: Request) -> str:
    raw = request.query_params.get("view") or "list"
    if raw not in VIEWS:
        raise Invalid(f"view={raw!r} is not one of {', '.join(VIEWS)}", parameter="view")
    return raw


def _month(request: Request, year: int) -> int:
    raw = request.query_params.get("month")
    if not raw:
        today = clock.today()
        return today.month if today.year == year else 1
    if not raw.isdigit() or not 1 <= int(raw) <= 12:
        raise Invalid(f"month={raw!r} is not a month between 1 and 12", parameter="month")
    return int(raw)


@page("/asean-chairs", "asean_chairs.html")
def asean_chairs(session: Session, request: Request) -> dict[str, Any]:
    """The ASEAN chair by year (newest first): recorded years with their summits and sources, and the
    years after the last recorded one computed by the rotation, marked as computed."""
    return {"years": meetings_service.asean_chair_years(session), "names": registry_names(session)}


@page("/calendar", "calendar.html")
def calendar(session: Session, request: Request) -> dict[str, Any]:
    """The list view (recorded meetings from the year on, expected meetings of two years) or the month
    view (``view=month&month=``): a Monday-first grid of the month's recorded meetings and the expected
    ones with a fixed date, and the year's expected meetings whose date is not fixed."""
    year, view = _year(request), _view(request)
    principal = request.state.principal
    recorded = [
        m
        for m in meetings_service.visible_meetings(session, principal=principal)
        if m.date_start and m.date_start.year >= year
    ]
    recorded.sort(key=lambda m: m.date_start)
    if view == "list":
        return {
            "names": registry_names(session),
            "view": view,
            "year": year,
            "month": _month(request, year),
            "expected": meetings_service.expected_meetings(
                session, principal=principal, start_year=year, years=2
            ),
            "recorded": recorded,
        }
    month = _month(request, year)
    lang = i18n.choose_language(request)[0]
    expected = meetings_service.expected_meetings(session, principal=principal, start_year=year, years=1)
    weeks = stdcalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    days: dict[dt.date, list[dict[str, Any]]] = {d: [] for w in weeks for d in w if d.month == month}
    for m in recorded:
        end = max(m.date_end or m.date_start, m.date_start)
        for d in days:
            if m.date_start <= d <= end:
                days[d].append({"kind": "recorded", "title": m.title, "href": f"/meetings/{m.id}"})
    for e in expected:
        if e.date is not None and e.date in days and e.recorded_meeting is None:
            days[e.date].append(
                {
                    "kind": "expected",
                    "title": e.acronym or e.name_en,
                    "href": f"/bodies/{e.body_id}",
                    "chair": e.chair,
                    "chair_source": e.chair_source,
                }
            )
    previous = dt.date(year, month, 1) - dt.timedelta(days=1)
    following = dt.date(year, month, 28) + dt.timedelta(days=7)
    return {
        "names": registry_names(session),
        "view": view,
        "year": year,
        "month": month,
        "month_name": format_date(dt.date(year, month, 1), "LLLL y", locale=lang),
        "weekdays": [
            (format_date(d, "EEE", locale=lang), format_date(d, "EEEE", locale=lang)) for d in weeks[0]
        ],
        "weeks": [
            [
                {
                    "date": d,
                    "in_month": d.month == month,
                    "full": format_date(d, "full", locale=lang),
                    "meetings": days.get(d, []),
                }
                for d in w
            ]
            for w in weeks
        ],
        "previous": {
            "year": previous.year,
            "month": previous.month,
            "name": format_date(previous, "LLLL y", locale=lang),
        },
        "next": {
            "year": following.year,
            "month": following.month,
            "name": format_date(following.replace(day=1), "LLLL y", locale=lang),
        },
        "empty": not any(days.values()),
        "undated": [e for e in expected if e.date is None and e.recorded_meeting is None],
    }


@page("/meetings/{meeting_id}", "meeting.html")
def meeting(session: Session, request: Request, meeting_id: str) -> dict[str, Any]:
    return {
        "meeting": meetings_service.get_meeting(
            session, principal=request.state.principal, meeting_id=meeting_id
        ),
        "names": registry_names(session),
        "statements": registry_service.list_statements(session, subject=f"meetings/{meeting_id}"),
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
def anchor_form(
    request: Request,
    body_id: str,
    csrf: Csrf,
    year: Annotated[int, Form()],
    member_state: Annotated[str, Form()],
    reason: Annotated[str, Form()],
    revision: Revision = None,
) -> Response:
    data = s.AnchorWrite(year=year, member_state=member_state, reason=reason)
    return _act(
        request,
        csrf,
        f"/bodies/{body_id}",
        lambda session, p: meetings_service.set_anchor(
            session, principal=p, body_id=body_id, data=data, if_match=revision
        ),
    )


@actions.post("/bodies/{body_id}/cycle-overrides")
def override_form(
    request: Request,
    body_id: str,
    csrf: Csrf,
    year: Annotated[int, Form()],
    reason: Annotated[str, Form()],
    chair: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    revision: Revision = None,
) -> Response:
    def work(session, principal):
        data = s.OverrideWrite(year=year, reason=reason, chair=chair or None, date=date or None)
        meetings_service.set_override(
            session, principal=principal, body_id=body_id, data=data, if_match=revision
        )

    return _act(request, csrf, f"/bodies/{body_id}", work)


@actions.post("/meetings/{meeting_id}/report")
def report_form(
    request: Request, meeting_id: str, csrf: Csrf, text: Annotated[str, Form()], revision: Revision = None
) -> Response:
    return _act(
        request,
        csrf,
        f"/meetings/{meeting_id}",
        lambda session, p: meetings_service.save_report(
            session, principal=p, meeting_id=meeting_id, data=s.ReportWrite(text=text), if_match=revision
        ),
    )


@actions.post("/meetings/{meeting_id}/report/status")
def report_status_form(
    request: Request, meeting_id: str, csrf: Csrf, to: Annotated[str, Form()], revision: Revision = None
) -> Response:
    return _act(
        request,
        csrf,
        f"/meetings/{meeting_id}",
        lambda session, p: meetings_service.move_report(
            session, principal=p, meeting_id=meeting_id, to=s.ReportMove(to=to).to, if_match=revision
        ),
    )
