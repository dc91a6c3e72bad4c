"""``/api/v1/targets`` and ``/api/v1/progress``: targets (the Secretariat writes them, everyone reads),
scorecards per plan, sector and member state, and the progress method's thresholds.

Scorecards use approved, current national values only. Writes need a Secretariat account's API token.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from starlette.responses import Response

from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.responses import json_response
from ascc.kit.pagination import page_of
from ascc.monitoring.schemas import TargetPage
from ascc.monitoring.targets import progress, scorecards
from ascc.monitoring.targets import service as targets_service

router = APIRouter(prefix="/api/v1", tags=["progress"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Code = Annotated[str, Path(pattern=r"^[A-Za-z0-9_.\-]{1,80}$")]
Base = Annotated[
    int | None, Query(ge=1900, le=2100, description="base year (default: the plan's first year, else 2015)")
]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Only the ASEAN Secretariat writes targets"},
    404: {"description": "No such record"},
    422: {"description": "Invalid input (unknown indicator, member state, plan or sector; bad years)"},
}


@router.get("/targets", response_model=TargetPage)
def list_targets(
    request: Request,
    session: SessionDep,
    indicator: Annotated[str | None, Query(max_length=60)] = None,
    member_state: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    plan: Annotated[str | None, Query(max_length=80)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Targets with their baseline, year, source and quote; ``member_state`` null = regional."""
    rows = targets_service.list_targets(session, indicator=indicator, member_state=member_state, plan_id=plan)
    return json_response(request, page_of(rows, limit=limit, offset=offset))


@router.get("/targets/{target_id}", response_model=dict[str, Any], responses=Errors)
def get_target(request: Request, session: SessionDep, target_id: Id) -> Response:
    detail = targets_service.get_target(session, target_id=target_id)
    return json_response(request, detail, etag=detail["etag"])


@router.post("/targets", response_model=dict[str, Any], responses={**Errors, 201: {"description": "Created"}})
def set_target(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    data: Annotated[targets_service.TargetWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Create the target of (indicator, member state or regional, plan), or replace it (200; send
    If-Match with the stored target's ETag)."""
    detail = targets_service.set_target(
        session, principal=principal_of(session), data=data, if_match=if_match
    )
    return json_response(
        request, detail, status=201 if detail["result"] == "created" else 200, etag=detail["etag"]
    )


@router.post("/targets/import", response_model=dict[str, int], responses=Errors)
def import_targets(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    csv_text: Annotated[
        str, Body(media_type="text/csv", max_length=5_000_000, description="a target CSV file")
    ],
) -> Response:
    """All rows or none: a 422 lists every problem as ``file:line:column (name): reason``."""
    counts = targets_service.import_file(
        session, principal=principal_of(session), text=csv_text, filename="upload.csv"
    )
    return json_response(request, counts)


@router.delete("/targets/{target_id}", status_code=204, responses=Errors)
def delete_target(session: SessionDep, _auth: Auth, target_id: Id, if_match: IfMatch = None) -> Response:
    targets_service.delete_target(
        session, principal=principal_of(session), target_id=target_id, if_match=if_match
    )
    return Response(status_code=204)


@router.get("/progress/method", response_model=dict[str, Any])
def method(request: Request) -> Response:
    """The progress method's thresholds and statuses (see docs/progress.md)."""
    return json_response(
        request,
        {
            "source": progress.SOURCE_URL,
            "statuses": [s.value for s in progress.ORDER],
            "target_thresholds": progress.TARGET_THRESHOLDS,
            "trend_thresholds": progress.TREND_THRESHOLDS,
            "default_base_year": progress.DEFAULT_BASE_YEAR,
        },
    )


@router.get("/progress/plans/{plan_id}", response_model=dict[str, Any], responses=Errors)
def plan_scorecard(request: Request, session: SessionDep, plan_id: Code, base: Base = None) -> Response:
    return json_response(request, scorecards.plan_scorecard(session, plan_id=plan_id, base_year=base))


@router.get("/progress/sectors/{sector_id}", response_model=dict[str, Any], responses=Errors)
def sector_scorecard(request: Request, session: SessionDep, sector_id: Code, base: Base = None) -> Response:
    return json_response(request, scorecards.sector_scorecard(session, sector_id=sector_id, base_year=base))


@router.get("/progress/member-states/{code}", response_model=dict[str, Any], responses=Errors)
def member_state_scorecard(
    request: Request,
    session: SessionDep,
    code: Annotated[str, Path(pattern=r"^[A-Za-z]{3}$")],
    base: Base = None,
) -> Response:
    return json_response(request, scorecards.member_state_scorecard(session, code=code, base_year=base))
