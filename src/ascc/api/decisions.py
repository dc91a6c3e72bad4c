"""``/api/v1/decisions``: the consensus decision cycle.

Writes need an account (bearer API token). Send ``If-Match`` with the item's ``ETag`` to be told
(412) when someone else changed the item since you read it. An item whose silence procedure's
deadline has passed reads as adopted on the deadline's date (and its ETag as the adopted item's)
before the job stores it; no read writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from ascc.decisions import export as decisions_export
from ascc.decisions import schemas as s
from ascc.decisions import service as decisions_service
from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.responses import json_response
from ascc.http.shapes import shaped
from ascc.kit.pagination import page_of
from ascc.registry.schemas import PageRead

router = APIRouter(prefix="/api/v1/decisions", tags=["decisions"])

ItemId = Annotated[int, Path(ge=1, le=2**31 - 1, description="item number")]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed for this account"},
    404: {"description": "No such item"},
    409: {"description": "Not possible in the item's current state"},
    412: {"description": "The item changed since it was read"},
    422: {"description": "Invalid input"},
}


def _item(request: Request, session: Session, detail: s.ItemDetail, status: int = 200) -> Response:
    return json_response(
        request, detail, status=status, etag=decisions_service.item_etag(session, item_id=detail.id)
    )


@router.get("", response_model=PageRead[s.ItemRead])
def list_items(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    status: Literal["open", "adopted"] | None = None,
    body: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    items = decisions_service.list_items(
        session, principal=principal_of(session), status=status, body_id=body
    )
    return json_response(request, page_of(items, limit=limit, offset=offset))


@router.post("", response_model=s.ItemDetail, status_code=201, responses=Errors)
def create_item(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[s.ItemCreate, Body()]
) -> Response:
    detail = decisions_service.create_item(session, principal=principal_of(session), data=data)
    return _item(request, session, detail, status=201)


@router.get("/popolo", response_model=s.PopoloExport)
def popolo(request: Request, session: SessionDep, _auth: Auth) -> Response:
    """Adopted decisions as Popolo motions and vote events (one vote per member state)."""
    base = request.app.state.settings.site_url or str(request.base_url)
    export = decisions_export.popolo(session, principal=principal_of(session), base_url=base)
    return json_response(request, shaped(s.PopoloExport, export))


@router.get("/{item_id}", response_model=s.ItemDetail, responses=Errors)
def get_item(request: Request, session: SessionDep, _auth: Auth, item_id: ItemId) -> Response:
    return _item(
        request,
        session,
        decisions_service.get_item(session, principal=principal_of(session), item_id=item_id),
    )


@router.post("/{item_id}/stage", response_model=s.ItemDetail, responses=Errors)
def move_stage(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    move: Annotated[s.StageMove, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = decisions_service.move_stage(
        session, principal=principal_of(session), item_id=item_id, move=move, if_match=if_match
    )
    return _item(request, session, detail)


@router.post("/{item_id}/proposals", response_model=s.ItemDetail, responses=Errors)
def add_proposal(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    data: Annotated[s.ProposalCreate, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = decisions_service.add_proposal(
        session, principal=principal_of(session), item_id=item_id, data=data, if_match=if_match
    )
    return _item(request, session, detail)


@router.post("/{item_id}/positions", response_model=s.ItemDetail, responses=Errors)
def record_position(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    data: Annotated[s.PositionCreate, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = decisions_service.record_position(
        session, principal=principal_of(session), item_id=item_id, data=data, if_match=if_match
    )
    return _item(request, session, detail)


@router.post("/{item_id}/positions/{member_state}/clearance", response_model=s.ItemDetail, responses=Errors)
def clear_ad_referendum(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    member_state: str,
    on: Annotated[dt.date | None, Query()] = None,
) -> Response:
    detail = decisions_service.clear_ad_referendum(
        session, principal=principal_of(session), item_id=item_id, member_state=member_state.upper(), on=on
    )
    return _item(request, session, detail)


@router.post("/{item_id}/adopt", response_model=s.ItemDetail, responses=Errors)
def adopt(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    on: Annotated[dt.date | None, Query(description="decision date; default today")] = None,
    if_match: IfMatch = None,
) -> Response:
    detail = decisions_service.adopt(
        session, principal=principal_of(session), item_id=item_id, on=on, if_match=if_match
    )
    return _item(request, session, detail)


@router.post("/{item_id}/silence", response_model=s.ItemDetail, responses=Errors)
def start_silence(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    data: Annotated[s.SilenceCreate, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = decisions_service.start_silence(
        session, principal=principal_of(session), item_id=item_id, data=data, if_match=if_match
    )
    return _item(request, session, detail)


@router.post("/{item_id}/contributions", response_model=s.ItemDetail, responses=Errors)
def add_contribution(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    data: Annotated[s.ContributionCreate, Body()],
) -> Response:
    detail = decisions_service.add_contribution(
        session, principal=principal_of(session), item_id=item_id, data=data
    )
    return _item(request, session, detail)


@router.put("/{item_id}/follow-up", response_model=s.ItemDetail, responses=Errors)
def set_follow_up(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    item_id: ItemId,
    data: Annotated[s.FollowUp, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = decisions_service.set_follow_up(
        session, principal=principal_of(session), item_id=item_id, data=data, if_match=if_match
    )
    return _item(request, session, detail)
