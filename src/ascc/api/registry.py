"""``/api/v1``: the registry as JSON (list, filter, get), with ETags and problem+json errors."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Body, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from ascc.accounts import permissions
from ascc.http.deps import Auth, IfMatch, SessionDep, principal_of
from ascc.http.responses import json_response
from ascc.kit import clock
from ascc.kit.pagination import MAX_LIMIT
from ascc.registry import schemas as s
from ascc.registry import service as registry_service

router = APIRouter(prefix="/api/v1", tags=["registry"])

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="page size")]
Offset = Annotated[int, Query(ge=0, description="number of records to skip")]
#: a body level, as the registry orders them (``registry_service.BODY_LEVELS``)
Level = Literal[registry_service.BODY_LEVELS]  # type: ignore[valid-type]
PartnerKind = Literal[
    "dialogue_partner", "international_organisation", "development_partner", "civil_society"
]
ProgrammeKind = Literal[
    "programme", "project", "fund", "agreement", "declaration", "event", "designation", "award", "framework"
]
ISO3 = Annotated[str, Query(pattern=r"^[A-Za-z]{3}$", description="ISO 3166-1 alpha-3 code, e.g. IDN")]

ErrorResponses = {404: {"description": "Not found (problem+json)"}, 422: {"description": "Bad parameter"}}


def _page(items: list, limit: int, offset: int) -> dict:
    return {"items": items[offset : offset + limit], "total": len(items), "limit": limit, "offset": offset}


@router.get("/member-states", response_model=s.PageRead[s.MemberStateRead])
def member_states(
    request: Request,
    session: SessionDep,
    on: Annotated[
        dt.date | None, Query(description="members on this date (YYYY-MM-DD); default today")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    items = registry_service.list_member_states(session, on=on or clock.today())
    return json_response(request, _page(items, limit, offset))


@router.get("/member-states/{code}", response_model=s.MemberStateRead, responses=ErrorResponses)
def member_state(request: Request, session: SessionDep, code: str) -> Response:
    return json_response(request, registry_service.get_member_state(session, code=code))


@router.get("/partners", response_model=s.PageRead[s.PartnerRead])
def partners(
    request: Request,
    session: SessionDep,
    kind: PartnerKind | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    return json_response(request, _page(registry_service.list_partners(session, kind=kind), limit, offset))


@router.get("/partners/{partner_id}", response_model=s.PartnerRead, responses=ErrorResponses)
def partner(request: Request, session: SessionDep, partner_id: str) -> Response:
    return json_response(request, registry_service.get_partner(session, partner_id=partner_id))


@router.get("/formats", response_model=s.PageRead[s.PartnerFormatRead])
def formats(request: Request, session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> Response:
    return json_response(request, _page(registry_service.list_formats(session), limit, offset))


@router.get("/pillars", response_model=s.PageRead[s.PillarRead])
def pillars(request: Request, session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> Response:
    return json_response(request, _page(registry_service.list_pillars(session), limit, offset))


@router.get("/sectors", response_model=s.PageRead[s.SectorRead])
def sectors(
    request: Request, session: SessionDep, pillar: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Response:
    return json_response(request, _page(registry_service.list_sectors(session, pillar=pillar), limit, offset))


@router.get("/sectors/{sector_id}", response_model=s.SectorRead, responses=ErrorResponses)
def sector(request: Request, session: SessionDep, sector_id: str) -> Response:
    return json_response(request, registry_service.get_sector(session, sector_id=sector_id))


@router.get("/sectors/{sector_id}/org-chart", response_model=list[s.OrgNode], responses=ErrorResponses)
def sector_org_chart(request: Request, session: SessionDep, sector_id: str) -> Response:
    return json_response(request, registry_service.org_chart(session, sector_id=sector_id))


@router.get("/bodies", response_model=s.PageRead[s.BodyRead])
def bodies(
    request: Request,
    session: SessionDep,
    sector: str | None = None,
    level: Level | None = None,
    q: Annotated[str | None, Query(max_length=200, description="text in acronym or name")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    result = registry_service.list_bodies(
        session, sector=sector, level=level, q=q, limit=limit, offset=offset
    )
    return json_response(request, result)


@router.get("/bodies/{body_id}", response_model=s.BodyDetail, responses=ErrorResponses)
def body(request: Request, session: SessionDep, body_id: str) -> Response:
    detail = registry_service.get_body(session, body_id=body_id)
    return json_response(request, detail, etag=registry_service.body_etag(detail))


@router.get("/focal-points", response_model=s.PageRead[s.FocalPointRead])
def focal_points(
    request: Request,
    session: SessionDep,
    member_state: ISO3 | None = None,
    sector: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    items = registry_service.list_focal_points(session, member_state=member_state, sector=sector)
    return json_response(request, _page(items, limit, offset))


@router.get("/plans", response_model=s.PageRead[s.PlanRead])
def plans(
    request: Request, session: SessionDep, sector: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Response:
    return json_response(request, _page(registry_service.list_plans(session, sector=sector), limit, offset))


@router.get("/plans/{plan_id}", response_model=s.PlanRead, responses=ErrorResponses)
def plan(request: Request, session: SessionDep, plan_id: str) -> Response:
    return json_response(request, registry_service.get_plan(session, plan_id=plan_id))


@router.get("/programmes", response_model=s.PageRead[s.ProgrammeRead])
def programmes(
    request: Request,
    session: SessionDep,
    sector: str | None = None,
    partner: str | None = None,
    kind: ProgrammeKind | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    items = registry_service.list_programmes(session, sector=sector, partner=partner, kind=kind)
    return json_response(request, _page(items, limit, offset))


@router.get("/programmes/{programme_id}", response_model=s.ProgrammeRead, responses=ErrorResponses)
def programme(request: Request, session: SessionDep, programme_id: str) -> Response:
    return json_response(request, registry_service.get_programme(session, programme_id=programme_id))


@router.get("/statistics", response_model=s.PageRead[s.StatisticRead])
def statistics(
    request: Request, session: SessionDep, sector: str | None = None, limit: Limit = 100, offset: Offset = 0
) -> Response:
    return json_response(
        request, _page(registry_service.list_statistics(session, sector=sector), limit, offset)
    )


@router.get("/network", response_model=s.Network)
def network(
    request: Request,
    session: SessionDep,
    on: Annotated[dt.date | None, Query(description="membership date (YYYY-MM-DD); default today")] = None,
) -> Response:
    return json_response(request, registry_service.cooperation_network(session, on=on or clock.today()))


# GET /api/v1/search is the knowledge base's unified search (ascc.api.knowledge)


class BodyUpdate(BaseModel):
    """Fields of a body the Secretariat can correct; ``ascc init`` never overwrites such an edit."""

    model_config = ConfigDict(extra="forbid")
    acronym: str | None = Field(default=None, max_length=80)
    name_en: str | None = Field(default=None, min_length=1, max_length=300)
    name_id: str | None = Field(default=None, max_length=300)
    mandate_en: str | None = Field(default=None, max_length=5000)
    mandate_id: str | None = Field(default=None, max_length=5000)
    meeting_interval: Literal["annual", "at_least_annual", "biennial", "triennial"] | None = None
    established: int | None = Field(default=None, ge=1967, le=2100)


@router.patch(
    "/bodies/{body_id}",
    response_model=s.BodyDetail,
    responses={
        **ErrorResponses,
        401: {"description": "Sign-in required"},
        403: {"description": "Not allowed"},
    },
)
def update_body(
    request: Request,
    session: SessionDep,
    body_id: str,
    changes: Annotated[BodyUpdate, Body()],
    _credentials: Auth = None,
    if_match: IfMatch = None,
) -> Response:
    """Correct a body's names, mandate, cycle or year (ASEAN Secretariat only; send If-Match with
    the body's ETag)."""
    permissions.require_secretariat(principal_of(session))
    updated = registry_service.update_body(
        session, body_id=body_id, changes=changes.model_dump(exclude_unset=True), if_match=if_match
    )
    return json_response(request, updated, etag=registry_service.body_etag(updated))
