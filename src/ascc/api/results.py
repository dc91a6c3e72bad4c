"""``/api/v1/activities`` and ``/api/v1/plans/{id}/framework``: the results chain.

Reads are public. Writes need the ASEAN Secretariat, or the chair of the activity's responsible
body (bearer API token); send ``If-Match`` with the activity's ``ETag`` to be refused (412) when it
changed since you read it. ``/api/v1/activities.xml`` is the IATI 2.03 export: 409 with the missing
fields of each activity when any lacks what the IATI schema requires.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import Field
from starlette.responses import Response

from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.openapi import download
from ascc.http.responses import json_response
from ascc.http.shapes import shaped
from ascc.kit.pagination import page_of
from ascc.results import framework, iati
from ascc.results import schemas as s
from ascc.results import service as results_service

router = APIRouter(prefix="/api/v1", tags=["results"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed for this account"},
    404: {"description": "No such record"},
    409: {"description": "Not exportable: the missing fields of each activity"},
    412: {"description": "The activity changed since it was read"},
    422: {"description": "Invalid input: errors[] names each field"},
}


def _activity(request: Request, detail: dict[str, Any], status: int = 200) -> Response:
    return json_response(request, shaped(s.ActivityRead, detail), status=status, etag=detail["etag"])


@router.get("/plans/{plan_id}/framework", response_model=s.ResultsFramework, responses=Errors)
def plan_framework(
    request: Request, session: SessionDep, plan_id: Annotated[str, Path(max_length=80)]
) -> Response:
    """The plan's goals → outcomes → outputs, with the priorities each serves, the outcomes'
    indicator codes and each record's seed quote."""
    return json_response(
        request, shaped(s.ResultsFramework, framework.plan_framework(session, plan_id=plan_id))
    )


@router.get("/activities", response_model=s.ActivityPage)
def activities(
    request: Request,
    session: SessionDep,
    event: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="linked to this disaster event")
    ] = None,
    plan: Annotated[str | None, Query(max_length=80, description="serving an outcome of this plan")] = None,
    programme: Annotated[
        str | None, Query(max_length=80, description="being this registry programme")
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """Programmes and projects (IATI activities)."""
    items = results_service.list_activities(session, event_id=event, plan_id=plan, programme_id=programme)
    return json_response(request, shaped(s.ActivityPage, page_of(items, limit=limit, offset=offset)))


@router.get(
    "/activities.xml",
    response_class=Response,
    responses=Errors | download("application/xml", "IATI 2.03 activities"),
)
def activities_xml(
    session: SessionDep,
    id: Annotated[
        list[Annotated[int, Field(ge=1, le=2**31 - 1)]],
        Query(description="only these activities (repeatable)", max_length=500),
    ] = [],  # noqa: B006
) -> Response:
    """IATI 2.03 activity XML of the complete activities (of the given ones: 409 listing what each
    lacks when one is incomplete). Activities left out are named in a comment of the document and in
    the ``IATI-Left-Out`` header (their ids), with what each lacks."""
    out = iati.export(session, rows=results_service.rows_for_export(session, ids=id or None), named=bool(id))
    headers = {"Content-Disposition": 'inline; filename="activities.xml"'}
    if out.left_out:
        headers["IATI-Left-Out"] = ",".join(str(a["id"]) for a in out.left_out)
    return Response(out.xml, media_type="application/xml", headers=headers)


@router.post("/activities", status_code=201, response_model=s.ActivityRead, responses=Errors)
def create_activity(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[s.ActivityWrite, Body()]
) -> Response:
    """Record a programme or project: the Secretariat, or the chair of its responsible body."""
    detail = results_service.create_activity(session, principal=principal_of(session), data=data)
    return _activity(request, detail, 201)


@router.get("/activities/{activity_id}", response_model=s.ActivityRead, responses=Errors)
def get_activity(request: Request, session: SessionDep, activity_id: Id) -> Response:
    detail = results_service.get_activity(session, activity_id=activity_id)
    return _activity(request, detail)


@router.put("/activities/{activity_id}", response_model=s.ActivityRead, responses=Errors)
def update_activity(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    activity_id: Id,
    data: Annotated[s.ActivityWrite, Body()],
    if_match: IfMatch = None,
) -> Response:
    """Replace the activity's values (send every field; unknown values empty)."""
    detail = results_service.update_activity(
        session, principal=principal_of(session), activity_id=activity_id, data=data, if_match=if_match
    )
    return _activity(request, detail)


@router.delete("/activities/{activity_id}", status_code=204, responses=Errors)
def delete_activity(session: SessionDep, _auth: Auth, activity_id: Id, if_match: IfMatch = None) -> Response:
    results_service.delete_activity(
        session, principal=principal_of(session), activity_id=activity_id, if_match=if_match
    )
    return Response(status_code=204)
