"""``/api/v1/national-plans``: member states' national plans and programmes of action, their
measures aligned to regional outcomes and outputs, national results, the consultation of a draft;
``/api/v1/plans/{id}/alignment`` (the matrix of a regional plan) and
``/api/v1/member-states/{code}/alignment`` (a member state's coverage and gaps), each also as CSV.

Reads are public. Writes need the member state's own focal point or the ASEAN Secretariat (bearer
API token); a write that changes a plan needs its ``ETag`` in ``If-Match`` (428 without, 412 when it
changed since it was read). An adopted plan's text is locked (409); results are still reported.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Path, Query, Request
from starlette.responses import Response

from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.openapi import download
from ascc.http.responses import csv_attachment, json_response
from ascc.http.shapes import shaped
from ascc.kit.pagination import page_of
from ascc.national import schemas as s
from ascc.national import service

router = APIRouter(prefix="/api/v1", tags=["national plans"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
MeasureCode = Annotated[str, Path(max_length=40)]
PlanId = Annotated[str, Path(max_length=80)]
MemberState = Annotated[str, Path(min_length=3, max_length=3)]
RegionalPlan = Annotated[
    str, Query(max_length=80, description="the regional plan (default: the ASCC Strategic Plan 2026-2035)")
]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed for this account (a focal point acts for its own member state only)"},
    404: {"description": "No such record"},
    409: {"description": "The plan is adopted (its text is locked), or not in the state this needs"},
    412: {"description": "The plan changed since it was read"},
    428: {"description": "If-Match required"},
    422: {"description": "Invalid input: errors[] names each field"},
}
CSV = download("text/csv", "CSV, one line per element, member state, measure and result")


def _detail(request: Request, detail: dict[str, Any], status: int = 200) -> Response:
    return json_response(request, shaped(s.NationalPlanDetail, detail), status=status, etag=detail["etag"])


@router.get("/national-plans", response_model=s.PlanPage, responses=Errors)
def national_plans(
    request: Request,
    session: SessionDep,
    member_state: Annotated[str | None, Query(max_length=3, description="ISO3 code")] = None,
    status: Annotated[Literal["draft", "in_consultation", "adopted"] | None, Query()] = None,
    regional_plan: Annotated[
        str | None, Query(max_length=80, description="carrying this regional plan home")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """National plans and programmes of action, by member state and period."""
    items = service.list_plans(
        session, member_state=member_state, status=status, regional_plan_id=regional_plan
    )
    return json_response(request, shaped(s.PlanPage, page_of(items, limit=limit, offset=offset)))


@router.post("/national-plans", status_code=201, response_model=s.NationalPlanDetail, responses=Errors)
def create_plan(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[s.PlanWrite, Body()]
) -> Response:
    """Record a national plan (a draft): the member state's focal point, or the Secretariat."""
    return _detail(request, service.create_plan(session, principal=principal_of(session), data=data), 201)


@router.get("/national-plans/{national_plan_id}", response_model=s.NationalPlanDetail, responses=Errors)
def get_plan(request: Request, session: SessionDep, national_plan_id: Id) -> Response:
    """The plan with its measures (their alignments and results), other results and the comments."""
    return _detail(request, service.get_plan(session, plan_id=national_plan_id))


@router.put("/national-plans/{national_plan_id}", response_model=s.NationalPlanDetail, responses=Errors)
def update_plan(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    data: Annotated[s.PlanWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Replace the plan's values (send every field; unknown values empty)."""
    detail = service.update_plan(
        session, principal=principal_of(session), plan_id=national_plan_id, data=data, if_match=if_match
    )
    return _detail(request, detail)


@router.post(
    "/national-plans/{national_plan_id}/measures", response_model=s.NationalPlanDetail, responses=Errors
)
def add_measure(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    data: Annotated[s.MeasureWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    detail = service.add_measure(
        session, principal=principal_of(session), plan_id=national_plan_id, data=data, if_match=if_match
    )
    return _detail(request, detail)


@router.post(
    "/national-plans/{national_plan_id}/measures/{measure}/alignments",
    response_model=s.NationalPlanDetail,
    responses=Errors,
)
def align(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    measure: MeasureCode,
    data: Annotated[s.AlignmentWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Align a measure to an outcome or output of a regional plan (implements, contributes to, adapts);
    aligning again to the same element changes the kind."""
    detail = service.align(
        session,
        principal=principal_of(session),
        plan_id=national_plan_id,
        measure=measure,
        data=data,
        if_match=if_match,
    )
    return _detail(request, detail)


@router.delete(
    "/national-plans/{national_plan_id}/measures/{measure}/alignments",
    response_model=s.NationalPlanDetail,
    responses=Errors,
)
def unalign(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    measure: MeasureCode,
    element: Annotated[str, Query(max_length=130, description="plan-id/code")],
    if_match: IfMatch = None,
) -> Response:
    detail = service.unalign(
        session,
        principal=principal_of(session),
        plan_id=national_plan_id,
        measure=measure,
        element=element,
        if_match=if_match,
    )
    return _detail(request, detail)


@router.post(
    "/national-plans/{national_plan_id}/results", response_model=s.NationalPlanDetail, responses=Errors
)
def add_result(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    data: Annotated[s.ResultWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Report a national result against its national target (also once the plan is adopted)."""
    detail = service.add_result(
        session, principal=principal_of(session), plan_id=national_plan_id, data=data, if_match=if_match
    )
    return _detail(request, detail)


@router.post(
    "/national-plans/{national_plan_id}/consultation", response_model=s.NationalPlanDetail, responses=Errors
)
def open_consultation(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    data: Annotated[s.ConsultationWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Circulate the draft to the named ministries with a deadline; the member state's focal points
    are notified."""
    detail = service.open_consultation(
        session, principal=principal_of(session), plan_id=national_plan_id, data=data, if_match=if_match
    )
    return _detail(request, detail)


@router.post(
    "/national-plans/{national_plan_id}/comments", response_model=s.NationalPlanDetail, responses=Errors
)
def add_comment(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    data: Annotated[s.CommentWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Record a consulted ministry's comment on a section of the draft."""
    detail = service.add_comment(
        session, principal=principal_of(session), plan_id=national_plan_id, data=data, if_match=if_match
    )
    return _detail(request, detail)


@router.put(
    "/national-plans/{national_plan_id}/comments/{comment_id}/handling",
    response_model=s.NationalPlanDetail,
    responses=Errors,
)
def handle_comment(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    national_plan_id: Id,
    comment_id: Id,
    data: Annotated[s.HandlingWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """How the comment was handled: accepted, partly, not accepted (a note says why)."""
    detail = service.handle_comment(
        session,
        principal=principal_of(session),
        plan_id=national_plan_id,
        comment_id=comment_id,
        data=data,
        if_match=if_match,
    )
    return _detail(request, detail)


@router.post(
    "/national-plans/{national_plan_id}/adopt", response_model=s.NationalPlanDetail, responses=Errors
)
def adopt(
    request: Request, session: SessionDep, _auth: Auth, national_plan_id: Id, if_match: IfMatch = None
) -> Response:
    """Adopt the plan and lock its text (refused while a comment is not handled)."""
    detail = service.adopt(
        session, principal=principal_of(session), plan_id=national_plan_id, if_match=if_match
    )
    return _detail(request, detail)


@router.get("/plans/{plan_id}/alignment", response_model=s.NationalAlignmentMatrix, responses=Errors)
def alignment_matrix(request: Request, session: SessionDep, plan_id: PlanId) -> Response:
    """The regional plan's outcomes and outputs × member states: the national measures aligned to
    each, with their results; and each member state's national plans carrying the plan home."""
    return json_response(request, shaped(s.NationalAlignmentMatrix, service.matrix(session, plan_id=plan_id)))


@router.get("/plans/{plan_id}/alignment.csv", response_class=Response, responses=Errors | CSV)
def alignment_matrix_csv(session: SessionDep, plan_id: PlanId) -> Response:
    return csv_attachment(service.matrix_csv(session, plan_id=plan_id), f"{plan_id}-alignment.csv")


@router.get("/member-states/{code}/alignment", response_model=s.NationalCoverage, responses=Errors)
def member_state_coverage(
    request: Request,
    session: SessionDep,
    code: MemberState,
    plan: RegionalPlan = service.DEFAULT_REGIONAL_PLAN,
) -> Response:
    """Which outcomes of the regional plan the member state's measures serve, and the gaps."""
    coverage = service.coverage(session, member_state=code, plan_id=plan)
    return json_response(request, shaped(s.NationalCoverage, coverage))


@router.get("/member-states/{code}/alignment.csv", response_class=Response, responses=Errors | CSV)
def member_state_coverage_csv(
    session: SessionDep, code: MemberState, plan: RegionalPlan = service.DEFAULT_REGIONAL_PLAN
) -> Response:
    return csv_attachment(
        service.coverage_csv(session, member_state=code, plan_id=plan), f"{code.upper()}-{plan}-coverage.csv"
    )
