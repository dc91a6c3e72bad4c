"""``/api/v1/funds``, ``/api/v1/fund-calls``, ``/api/v1/fund-proposals``: fund calls and proposal review.

Funds, calls and funded projects are public. Proposals, their scores, conflicts of interest and the
committee's recommendation are read only by the fund's owner body's chairs, the ASEAN Secretariat and
the submitting member state's focal points (their own proposal): anyone else gets 404. Writes need a
bearer API token; a change of an existing record needs ``If-Match`` with its ``ETag`` (428 without,
412 when it changed since it was read). A submission after the call's deadline is refused (409).
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel
from starlette.responses import Response

from ascc.funds import schemas as s
from ascc.funds import service as funds_service
from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.responses import json_response
from ascc.http.shapes import shaped
from ascc.kit.pagination import page_of

router = APIRouter(prefix="/api/v1", tags=["funds"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
FundId = Annotated[str, Path(max_length=80)]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed for this account"},
    404: {"description": "No such record (or not readable by this account)"},
    409: {"description": "Not in a state that allows this (e.g. the call's deadline has passed)"},
    412: {"description": "The record changed since it was read"},
    428: {"description": "If-Match is required"},
    422: {"description": "Invalid input: the parameter is named"},
}


def _one(request: Request, model: type[BaseModel], detail: dict[str, Any], status: int = 200) -> Response:
    return json_response(request, shaped(model, detail), status=status, etag=detail["etag"])


@router.get("/funds", response_model=s.FundPage)
def funds(request: Request, session: SessionDep, limit: Limit = 100, offset: Offset = 0) -> Response:
    """The funds that run calls, each with its owner body, rules, budget (empty when the sources
    give none) and its seed quotes."""
    return json_response(
        request, shaped(s.FundPage, page_of(funds_service.list_funds(session), limit=limit, offset=offset))
    )


@router.get("/funds/projects", response_model=s.FundedProjects)
def funded_projects(
    request: Request,
    session: SessionDep,
    member_state: Annotated[str | None, Query(pattern=r"^[A-Z]{3}$")] = None,
    year: Annotated[int | None, Query(ge=1967, le=2200, description="year of the decision")] = None,
) -> Response:
    """Funded projects (approved proposals) with their amounts, and the totals by member state and year."""
    projects = funds_service.funded_projects(session, member_state=member_state, year=year)
    return json_response(request, shaped(s.FundedProjects, projects))


@router.get("/funds/{fund_id}", response_model=s.FundRead, responses=Errors)
def fund(request: Request, session: SessionDep, fund_id: FundId) -> Response:
    return _one(request, s.FundRead, funds_service.get_fund(session, fund_id=fund_id))


@router.put("/funds/{fund_id}", response_model=s.FundRead, responses=Errors)
def update_fund(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    fund_id: FundId,
    data: Annotated[s.FundUpdate, Body()],
    if_match: IfMatch = None,
) -> Response:
    """The fund's rules and budget: the Secretariat or a chair of its owner body."""
    return _one(
        request,
        s.FundRead,
        funds_service.update_fund(
            session, principal=principal_of(session), fund_id=fund_id, data=data, if_match=if_match
        ),
    )


@router.get("/fund-calls", response_model=s.FundCallPage)
def calls(
    request: Request,
    session: SessionDep,
    fund: Annotated[str | None, Query(max_length=80)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Calls for proposals, latest deadline first."""
    page = page_of(funds_service.list_calls(session, fund_id=fund), limit=limit, offset=offset)
    return json_response(request, shaped(s.FundCallPage, page))


@router.post("/fund-calls", status_code=201, response_model=s.FundCallRead, responses=Errors)
def open_call(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[s.FundCallCreate, Body()]
) -> Response:
    """Open a call: the Secretariat or a chair of the fund's owner body. Every focal point is notified."""
    return _one(
        request,
        s.FundCallRead,
        funds_service.open_call(session, principal=principal_of(session), data=data),
        201,
    )


@router.get("/fund-calls/{call_id}", response_model=s.FundCallRead, responses=Errors)
def call(request: Request, session: SessionDep, call_id: Id) -> Response:
    return _one(request, s.FundCallRead, funds_service.get_call(session, call_id=call_id))


@router.put("/fund-calls/{call_id}", response_model=s.FundCallRead, responses=Errors)
def update_call(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    call_id: Id,
    data: Annotated[s.FundCallWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    return _one(
        request,
        s.FundCallRead,
        funds_service.update_call(
            session, principal=principal_of(session), call_id=call_id, data=data, if_match=if_match
        ),
    )


@router.get("/fund-proposals", response_model=s.FundProposalPage)
def proposals(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    call: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The proposals this account may read (the owner side: all of its fund's; a focal point: its
    member state's), in order of submission."""
    items = funds_service.list_proposals(session, principal=principal_of(session), call_id=call)
    return json_response(request, shaped(s.FundProposalPage, page_of(items, limit=limit, offset=offset)))


@router.post("/fund-proposals", status_code=201, response_model=s.FundProposalRead, responses=Errors)
def submit(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[s.FundProposalCreate, Body()]
) -> Response:
    """Submit a proposal: a focal point, for its own member state, before the call's deadline."""
    return _one(
        request,
        s.FundProposalRead,
        funds_service.submit_proposal(session, principal=principal_of(session), data=data),
        201,
    )


@router.get("/fund-proposals/{proposal_id}", response_model=s.FundProposalRead, responses=Errors)
def proposal(request: Request, session: SessionDep, _auth: Auth, proposal_id: Id) -> Response:
    detail = funds_service.get_proposal(session, principal=principal_of(session), proposal_id=proposal_id)
    return _one(request, s.FundProposalRead, detail)


@router.put("/fund-proposals/{proposal_id}", response_model=s.FundProposalRead, responses=Errors)
def update_proposal(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    proposal_id: Id,
    data: Annotated[s.FundProposalWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Change a proposal before the deadline and before its eligibility is checked."""
    return _one(
        request,
        s.FundProposalRead,
        funds_service.update_proposal(
            session, principal=principal_of(session), proposal_id=proposal_id, data=data, if_match=if_match
        ),
    )


def _step(name: str, call, model, summary: str) -> None:
    def endpoint(
        request: Request,
        session: SessionDep,
        _auth: Auth,
        proposal_id: Id,
        data: Annotated[model, Body()],
        if_match: IfMatch = None,
    ) -> Response:
        return _one(
            request,
            s.FundProposalRead,
            call(
                session,
                principal=principal_of(session),
                proposal_id=proposal_id,
                data=data,
                if_match=if_match,
            ),
        )

    endpoint.__name__ = name.replace("-", "_")
    router.add_api_route(
        f"/fund-proposals/{{proposal_id}}/{name}",
        endpoint,
        methods=["POST"],
        response_model=s.FundProposalRead,
        responses=Errors,
        summary=summary,
    )


_step(
    "eligibility",
    funds_service.check_eligibility,
    s.FundEligibilityCheck,
    "Record the eligibility check with its reason (the owner side)",
)
_step(
    "conflicts",
    funds_service.declare_conflict,
    s.FundConflictDeclaration,
    "Declare your conflict of interest with the proposal (a reviewer: you can no longer score it)",
)
_step(
    "scores",
    funds_service.score_proposal,
    s.FundScoreSheet,
    "Score the proposal on the call's criteria (a reviewer)",
)
_step(
    "recommendation",
    funds_service.recommend,
    s.FundRecommendation,
    "The committee's recommendation; opens a decision item of the owner body",
)
_step(
    "project",
    funds_service.start_project,
    s.FundProjectStart,
    "Start the funded project of an approved proposal (a results activity with its budget)",
)
_step("reports", funds_service.add_report, s.FundReportCreate, "Report progress on the funded project")
_step("closure", funds_service.close_project, s.FundClosure, "Close the funded project")
