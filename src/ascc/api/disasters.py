"""``/api/v1/disasters``: merged disaster events with their sources, statistics, early warnings,
situation reports and assistance between member states (One ASEAN One Response).

Writes need an account (bearer API token). Send ``If-Match`` with the record's ``ETag`` to be told
(412) when someone else changed it since you read it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from starlette.responses import Response

from ascc.disasters import assistance, sitreps
from ascc.disasters import schemas as s
from ascc.disasters import service as disasters_service
from ascc.drawing import maps
from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.openapi import download
from ascc.http.responses import GEOJSON, geojson, json_response
from ascc.kit.errors import NotFound
from ascc.kit.pagination import MAX_LIMIT, page_of

router = APIRouter(prefix="/api/v1/disasters", tags=["disasters"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed for this account"},
    404: {"description": "No such record"},
    409: {"description": "Not possible in the record's current state"},
    412: {"description": "The record changed since it was read"},
    422: {"description": "Invalid input"},
}


@router.get("/events", response_model=s.DisasterEventPage)
def events(
    request: Request,
    session: SessionDep,
    member_state: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    hazard: Annotated[
        str | None, Query(pattern=r"^[A-Z]{2}$", description="GLIDE hazard code, e.g. FL")
    ] = None,
    year: Annotated[int | None, Query(ge=1800, le=2100)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    page = disasters_service.list_events(
        session, member_state=member_state, hazard=hazard, year=year, limit=limit, offset=offset
    )
    return json_response(request, page)


@router.get(
    "/events/{event_id}", response_model=dict[str, Any], responses={404: {"description": "No such event"}}
)
def event(
    request: Request, session: SessionDep, event_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    return json_response(request, disasters_service.get_event(session, event_id=event_id))


@router.get(
    "/events/{event_id}/footprint.geojson",
    response_class=Response,
    responses=Errors | download(GEOJSON, "the event's footprint (GeoJSON)"),
)
def event_footprint(session: SessionDep, event_id: Id) -> Response:
    """Where the event struck: the affected member states' land, the regions of its affected areas
    and its feeds' points (e.g. an epicentre), as GeoJSON with what each feature is."""
    doc = maps.footprint(disasters_service.get_event(session, event_id=event_id))
    if doc is None:
        raise NotFound("the boundary files are not installed (ASCC_SHARED_DATA or ../shared/data)")
    return geojson(doc, f"event-{event_id}.geojson")


@router.get("/events/{event_id}/revisions", response_model=s.EventRevisionPage, responses=Errors)
def event_revisions(
    request: Request, session: SessionDep, event_id: Id, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """Every change to the event, oldest first: what changed (field → [before, after]), from which record."""
    disasters_service.get_event(session, event_id=event_id)
    revisions = disasters_service.event_revisions(session, event_id=event_id)
    return json_response(request, page_of(revisions, limit=limit, offset=offset))


@router.get("/stats", response_model=dict[str, Any])
def stats(request: Request, session: SessionDep) -> Response:
    """Events, people affected and deaths per year, member state and hazard, computed from the record."""
    return json_response(request, disasters_service.statistics(session))


@router.get("/alerts", response_model=s.DisasterAlertPage)
def alerts(
    request: Request,
    session: SessionDep,
    current: Annotated[
        bool, Query(description="only actual alerts that have not expired or been cancelled")
    ] = False,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Early warnings (CAP 1.2), newest first."""
    alerts = disasters_service.list_alerts(session, current=current)
    return json_response(request, page_of(alerts, limit=limit, offset=offset))


# --- assistance (One ASEAN One Response) ------------------------------------------------------


def _request(request: Request, detail: dict[str, Any], status: int = 200) -> Response:
    return json_response(request, detail, status=status, etag=detail["etag"])


@router.get("/events/{event_id}/requests", response_model=s.AssistanceRequestPage, responses=Errors)
def event_requests(
    request: Request, session: SessionDep, event_id: Id, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """Requests for assistance with an event, newest first."""
    disasters_service.get_event(session, event_id=event_id)
    requests = assistance.list_requests(session, event_id=event_id)
    return json_response(request, page_of(requests, limit=limit, offset=offset))


@router.post("/events/{event_id}/requests", status_code=201, response_model=dict[str, Any], responses=Errors)
def create_request(
    request: Request, session: SessionDep, _auth: Auth, event_id: Id, data: Annotated[s.RequestCreate, Body()]
) -> Response:
    """The affected member state's focal point requests assistance, need by need."""
    detail = assistance.create_request(session, principal=principal_of(session), event_id=event_id, data=data)
    return _request(request, detail, status=201)


@router.get("/requests", response_model=s.AssistanceRequestPage)
def requests(request: Request, session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> Response:
    """Every request for assistance, newest first."""
    return json_response(request, page_of(assistance.list_requests(session), limit=limit, offset=offset))


@router.get("/requests/{request_id}", response_model=dict[str, Any], responses=Errors)
def get_request(request: Request, session: SessionDep, request_id: Id) -> Response:
    """A request with its needs, the offers made and the matching of needs to accepted offers."""
    return _request(request, assistance.get_request(session, request_id=request_id))


@router.get("/requests/{request_id}/matching", response_model=dict[str, Any], responses=Errors)
def request_matching(request: Request, session: SessionDep, request_id: Id) -> Response:
    """Per need: requested, offered, accepted, the share covered and the gap."""
    return json_response(request, assistance.matching(session, request_id=request_id))


@router.post("/requests/{request_id}/needs", response_model=dict[str, Any], responses=Errors)
def add_need(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    request_id: Id,
    data: Annotated[s.NeedCreate, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = assistance.add_need(
        session, principal=principal_of(session), request_id=request_id, data=data, if_match=if_match
    )
    return _request(request, detail)


@router.post("/requests/{request_id}/status", response_model=dict[str, Any], responses=Errors)
def request_status(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    request_id: Id,
    data: Annotated[s.RequestStatus, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Close a request (it takes no more offers) or open it again: the affected member state."""
    detail = assistance.set_request_status(
        session, principal=principal_of(session), request_id=request_id, data=data, if_match=if_match
    )
    return _request(request, detail)


@router.post(
    "/requests/{request_id}/offers", status_code=201, response_model=dict[str, Any], responses=Errors
)
def make_offer(
    request: Request, session: SessionDep, _auth: Auth, request_id: Id, data: Annotated[s.OfferCreate, Body()]
) -> Response:
    """Another member state's focal point (for its own member state) or a dialogue partner offers."""
    offer = assistance.make_offer(session, principal=principal_of(session), request_id=request_id, data=data)
    return json_response(request, offer, status=201, etag=offer["etag"])


@router.get("/offers/{offer_id}", response_model=dict[str, Any], responses=Errors)
def get_offer(request: Request, session: SessionDep, offer_id: Id) -> Response:
    offer = assistance.get_offer(session, offer_id=offer_id)
    return json_response(request, offer, etag=offer["etag"])


@router.post("/offers/{offer_id}/decision", response_model=dict[str, Any], responses=Errors)
def decide_offer(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    offer_id: Id,
    data: Annotated[s.OfferDecision, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Only the affected member state accepts or declines an offer (a decline needs a reason)."""
    offer = assistance.decide_offer(
        session, principal=principal_of(session), offer_id=offer_id, data=data, if_match=if_match
    )
    return json_response(request, offer, etag=offer["etag"])


@router.post("/offers/{offer_id}/progress", response_model=dict[str, Any], responses=Errors)
def offer_progress(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    offer_id: Id,
    data: Annotated[s.OfferProgress, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Mobilised → arrived → demobilised, with dates: the affected member state or the offerer."""
    offer = assistance.record_progress(
        session, principal=principal_of(session), offer_id=offer_id, data=data, if_match=if_match
    )
    return json_response(request, offer, etag=offer["etag"])


# --- situation reports (AHA Centre) -----------------------------------------------------------


@router.get("/events/{event_id}/sitreps", response_model=s.SitrepPage, responses=Errors)
def event_sitreps(
    request: Request, session: SessionDep, event_id: Id, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """The situation reports on an event, by number, each in its latest version."""
    disasters_service.get_event(session, event_id=event_id)
    reports = sitreps.list_sitreps(session, event_id=event_id)
    return json_response(request, page_of(reports, limit=limit, offset=offset))


@router.post("/events/{event_id}/sitreps", status_code=201, response_model=dict[str, Any], responses=Errors)
def create_sitrep(
    request: Request, session: SessionDep, _auth: Auth, event_id: Id, data: Annotated[s.SitrepWrite, Body()]
) -> Response:
    """The AHA Centre issues the next numbered situation report on an event (English and Indonesian)."""
    detail = sitreps.create_sitrep(session, principal=principal_of(session), event_id=event_id, data=data)
    return json_response(request, detail, status=201, etag=detail["etag"])


@router.get("/sitreps/{sitrep_id}", response_model=dict[str, Any], responses=Errors)
def get_sitrep(
    request: Request,
    session: SessionDep,
    sitrep_id: Id,
    version: Annotated[int | None, Query(ge=1, le=10**6, description="an earlier version")] = None,
) -> Response:
    detail = sitreps.get_sitrep(session, sitrep_id=sitrep_id, version=version)
    return json_response(request, detail, etag=detail["etag"] if version is None else None)


@router.put("/sitreps/{sitrep_id}", response_model=dict[str, Any], responses=Errors)
def revise_sitrep(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    sitrep_id: Id,
    data: Annotated[s.SitrepWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """A new version of the report (the AHA Centre); earlier versions stay readable."""
    detail = sitreps.revise_sitrep(
        session, principal=principal_of(session), sitrep_id=sitrep_id, data=data, if_match=if_match
    )
    return json_response(request, detail, etag=detail["etag"])
