"""``/api/v1/disasters``: merged disaster events with their sources, and statistics."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from ascc.disasters import service as disasters_service
from ascc.http.deps import get_session
from ascc.http.responses import json_response
from ascc.kit.pagination import MAX_LIMIT

router = APIRouter(prefix="/api/v1/disasters", tags=["disasters"])
SessionDep = Annotated[Session, Depends(get_session)]


@router.get("/events", response_model=dict[str, Any])
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
    page = disasters_service.list_events(session, member_state=member_state, hazard=hazard, year=year,
                                         limit=limit, offset=offset)  # fmt: skip
    return json_response(request, page)


@router.get(
    "/events/{event_id}", response_model=dict[str, Any], responses={404: {"description": "No such event"}}
)
def event(
    request: Request, session: SessionDep, event_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> Response:
    return json_response(request, disasters_service.get_event(session, event_id=event_id))


@router.get("/stats", response_model=dict[str, Any])
def stats(request: Request, session: SessionDep) -> Response:
    """Events, people affected and deaths per year, member state and hazard, computed from the record."""
    return json_response(request, disasters_service.statistics(session))


@router.get("/alerts", response_model=list[dict[str, Any]])
def alerts(
    request: Request,
    session: SessionDep,
    current: Annotated[
        bool, Query(description="only actual alerts that have not expired or been cancelled")
    ] = False,
) -> Response:
    """Early warnings (CAP 1.2), newest first."""
    return json_response(request, disasters_service.list_alerts(session, current=current))
