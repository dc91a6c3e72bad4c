"""``/api/v1/meetings``: meeting records, the expected calendar, anchors and overrides of the cycle."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Request
from starlette.responses import Response

from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.responses import json_response
from ascc.kit import clock
from ascc.kit.errors import Invalid
from ascc.kit.pagination import page_of
from ascc.meetings import schemas as s
from ascc.meetings import service as meetings_service
from ascc.registry.schemas import MeetingRead, MeetingWrite, PageRead

router = APIRouter(prefix="/api/v1", tags=["meetings"])
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed"},
    404: {"description": "Not found"},
    409: {"description": "Not possible now"},
}


@router.get("/meetings", response_model=PageRead[MeetingRead])
def list_meetings(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    body: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    meetings = meetings_service.visible_meetings(session, principal=principal_of(session), body=body)
    return json_response(request, page_of(meetings, limit=limit, offset=offset))


@router.get("/meetings/expected", response_model=s.ExpectedMeetingPage)
def expected(
    request: Request,
    session: SessionDep,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="first year; default this year")] = None,
    years: Annotated[int, Query(ge=1, le=10)] = 2,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Meetings each body is expected to hold, with chair, host and derived deadlines."""
    start = year or clock.today().year
    expected = meetings_service.expected_meetings(
        session, principal=principal_of(session), start_year=start, years=years
    )
    return json_response(request, page_of(expected, limit=limit, offset=offset))


@router.get("/meetings/{meeting_id}", response_model=s.MeetingDetail, responses=Errors)
def get_meeting(request: Request, session: SessionDep, _auth: Auth, meeting_id: str) -> Response:
    detail = meetings_service.get_meeting(session, principal=principal_of(session), meeting_id=meeting_id)
    return json_response(request, detail, etag=detail.etag)


@router.put("/meetings/{meeting_id}", response_model=s.MeetingDetail, responses=Errors)
def save_meeting(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    meeting_id: str,
    data: Annotated[MeetingWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Create or replace a meeting record (Secretariat or the body's chair; replacing needs If-Match)."""
    if data.id != meeting_id:
        raise Invalid("the id in the body differs from the id in the path", parameter="id")
    detail = meetings_service.save_meeting(
        session, principal=principal_of(session), data=data, if_match=if_match
    )
    return json_response(request, detail, etag=detail.etag)


@router.post("/meetings/{meeting_id}/agenda", response_model=s.MeetingDetail, responses=Errors)
def add_agenda_item(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    meeting_id: str,
    data: Annotated[s.AgendaWrite, Body()],
) -> Response:
    detail = meetings_service.add_agenda_item(
        session, principal=principal_of(session), meeting_id=meeting_id, data=data
    )
    return json_response(request, detail)


@router.post("/meetings/{meeting_id}/documents", response_model=s.MeetingDetail, responses=Errors)
def add_document(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    meeting_id: str,
    data: Annotated[s.DocumentWrite, Body()],
) -> Response:
    detail = meetings_service.add_document(
        session, principal=principal_of(session), meeting_id=meeting_id, data=data
    )
    return json_response(request, detail)


@router.put("/meetings/{meeting_id}/report", response_model=s.MeetingDetail, responses=Errors)
def save_report(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    meeting_id: str,
    data: Annotated[s.ReportWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Write the Report of the Meeting: edits the draft, or starts a new version after adoption
    (If-Match: the meeting's ETag)."""
    detail = meetings_service.save_report(
        session, principal=principal_of(session), meeting_id=meeting_id, data=data, if_match=if_match
    )
    return json_response(request, detail, etag=detail.etag)


@router.post("/meetings/{meeting_id}/report/status", response_model=s.MeetingDetail, responses=Errors)
def move_report(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    meeting_id: str,
    data: Annotated[s.ReportMove, Body()],
    if_match: IfMatch = None,
) -> Response:
    """draft → circulated → adopted (or adopted_ad_referendum) → published (If-Match: the meeting's ETag)."""
    detail = meetings_service.move_report(
        session, principal=principal_of(session), meeting_id=meeting_id, to=data.to, if_match=if_match
    )
    return json_response(request, detail, etag=detail.etag)


@router.get("/bodies/{body_id}/chair-anchor", response_model=s.AnchorRead, responses=Errors)
def get_anchor(request: Request, session: SessionDep, body_id: str) -> Response:
    """Who chaired the body in the year recorded as the rotation's anchor, with its ETag."""
    anchor = meetings_service.get_anchor(session, body_id=body_id)
    return json_response(request, anchor, etag=meetings_service.record_etag(anchor))


@router.put("/bodies/{body_id}/chair-anchor", response_model=s.AnchorRead, responses=Errors)
def set_anchor(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    body_id: str,
    data: Annotated[s.AnchorWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Who chaired the body in a given year: the rotation is computed forward from here. Replacing a
    recorded anchor needs If-Match (its ETag)."""
    anchor = meetings_service.set_anchor(
        session, principal=principal_of(session), body_id=body_id, data=data, if_match=if_match
    )
    return json_response(request, anchor, etag=meetings_service.record_etag(anchor))


@router.get("/bodies/{body_id}/cycle-overrides", response_model=s.OverridePage, responses=Errors)
def list_overrides(
    request: Request, session: SessionDep, body_id: str, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """The body's overrides of computed chairs and dates, by year."""
    overrides = meetings_service.list_overrides(session, body_id=body_id)
    return json_response(request, page_of(overrides, limit=limit, offset=offset))


@router.get("/bodies/{body_id}/cycle-overrides/{year}", response_model=s.OverrideRead, responses=Errors)
def get_override(request: Request, session: SessionDep, body_id: str, year: int) -> Response:
    """One year's override, with its ETag."""
    override = meetings_service.get_override(session, body_id=body_id, year=year)
    return json_response(request, override, etag=meetings_service.record_etag(override))


@router.put("/bodies/{body_id}/cycle-overrides", response_model=s.OverrideRead, responses=Errors)
def set_override(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    body_id: str,
    data: Annotated[s.OverrideWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Override a computed chair or fix a date for one year, with a reason. Replacing that year's
    override needs If-Match (its ETag, from ``GET …/cycle-overrides/{year}``)."""
    override = meetings_service.set_override(
        session, principal=principal_of(session), body_id=body_id, data=data, if_match=if_match
    )
    return json_response(request, override, etag=meetings_service.record_etag(override))
