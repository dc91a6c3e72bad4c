"""``/api/v1/indicators`` and ``/api/v1/submissions``: indicator definitions, their published
observations (approved by the Secretariat, latest approved revision) with regional aggregates and
coverage, and the member-state sign-off (focal points upload drafts for their own member state and
submit them; the Secretariat approves or rejects).

Reads of indicators and observations are public and show published values only. Sign-off needs an
account (bearer API token). Send ``If-Match`` with a submission's ``ETag`` to be refused (412) when
someone reviewed it since you read it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Path, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session
from starlette.responses import Response

from ascc.api.sdmx_common import (
    AtObservation,
    FirstN,
    IncludeHistory,
    LastN,
    References,
    StructureDetail,
    UpdatedAfter,
    data_response,
)
from ascc.api.sdmx_common import check_parameters as _check_parameters
from ascc.api.sdmx_common import sdmx_answer as _sdmx_answer
from ascc.http.deps import Auth, IfMatch, Limit, Offset, SessionDep, principal_of
from ascc.http.openapi import download
from ascc.http.responses import json_response
from ascc.http.shapes import shaped
from ascc.kit.pagination import MAX_LIMIT, page_of
from ascc.monitoring import computed, datacalls, published, signoff
from ascc.monitoring import schemas as s
from ascc.monitoring.imports import entry
from ascc.monitoring.models import NATIONAL, TOTAL
from ascc.monitoring.sdmx import rest as sdmx_rest
from ascc.monitoring.sdmx import structures as sdmx_structure
from ascc.results import framework as results_framework

router = APIRouter(prefix="/api/v1", tags=["indicators"])
Code = Annotated[
    str, Path(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9_.\-]+$", description="e.g. SP.POP.TOTL")
]
Period = Annotated[str | None, Query(pattern=r"^\d{4}(-(Q[1-4]|S[12]|\d{2}))?$", description="e.g. 2015")]
Codes = Annotated[list[str], Query(description="repeat or separate with commas; empty: every value")]
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Errors = {
    401: {"description": "Sign-in required"},
    403: {"description": "Not allowed for this account"},
    404: {"description": "No such record"},
    409: {"description": "Not possible in the record's current state"},
    412: {"description": "The record changed since it was read"},
    422: {"description": "Invalid input (an import lists every problem with file, line and column)"},
}


def _split(values: list[str]) -> list[str]:
    return [v.strip() for raw in values for v in raw.split(",") if v.strip()]


@router.get("/indicators", response_model=s.PublishedIndicatorPage)
def indicators(
    request: Request,
    session: SessionDep,
    sector: Annotated[str | None, Query(max_length=64, description="registry sector id, e.g. health")] = None,
    level: Annotated[Literal["national", "subnational"] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200, description="words in the code or the names")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Indicator definitions with what is published of each (member states, first and last period)."""
    page = published.list_indicators(session, sector=sector, level=level, q=q, limit=limit, offset=offset)
    return json_response(request, page)


class ComputedDefinitions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    definitions: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=200,
        description="each: code, name_en, name_id, unit, direction, sector, numerator, denominator, "
        "multiplier (e.g. 100000 for per 100,000), sources [{quote, url}]",
    )


@router.post("/indicators/computed", response_model=s.ComputedDefined, responses=Errors)
def define_computed(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[ComputedDefinitions, Body()]
) -> Response:
    """The Secretariat defines computed indicators (numerator / denominator × multiplier of two other
    indicators) and their values are computed from the published inputs. All or nothing: a 422 lists
    every problem (item, field, reason)."""
    result = computed.define_by(session, principal=principal_of(session), definitions=data.definitions)
    return json_response(request, shaped(s.ComputedDefined, result))


@router.get("/indicators/{code}", response_model=s.PublishedIndicatorDetail, responses=Errors)
def indicator(request: Request, session: SessionDep, code: Code) -> Response:
    """One indicator: definition, unit, direction, source, the formula of a computed indicator
    (``computed``: numerator, denominator, multiplier), the plan outcomes it measures, and the ASEAN
    aggregate of the headline period — the latest that enough member states of that year reported
    (default two thirds; ``reading_rules.min_coverage``) — with its coverage ("8 of 11 member
    states") and the more recent ``partial`` period, if any ("2024: 1 of 10 reported — partial")."""
    detail = published.get_indicator(session, code=code)
    aggregate = _aggregate(session, code=code)
    outcomes = [
        {
            "plan": o["plan"],
            "plan_title": o["plan_title"],
            "code": o["code"],
            "title": o["title"],
            "url": o["url"],
        }
        for o in results_framework.indicator_outcomes(session, code=code)
    ]
    return json_response(
        request, shaped(s.PublishedIndicatorDetail, detail | {"aggregate": aggregate, "outcomes": outcomes})
    )


@router.get("/indicators/{code}/observations", response_model=s.ObservationPage, responses=Errors)
def indicator_observations(
    request: Request,
    session: SessionDep,
    code: Code,
    member_state: Codes = [],  # noqa: B006
    area: Annotated[list[str], Query(description="area codes; 'national' (default) or 'all'")] = [],  # noqa: B006
    start_period: Period = None,
    end_period: Period = None,
    sex: Codes = [TOTAL],  # noqa: B006
    age: Codes = [TOTAL],  # noqa: B006
    urbanisation: Codes = [TOTAL],  # noqa: B006
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """Published observations (approved, latest approved revision). Unpublished values are never here:
    focal points and the Secretariat read them through their submissions."""
    areas = _split(area)
    chosen: list[str] | None = (
        [NATIONAL]
        if not areas or areas == ["national"]
        else (None if "all" in areas else [NATIONAL if a == "national" else a for a in areas])
    )
    page = published.observations(
        session,
        code=code,
        member_states=[m.upper() for m in _split(member_state)],
        areas=chosen,
        start=start_period,
        end=end_period,
        sex=_split(sex),
        age=_split(age),
        urbanisation=_split(urbanisation),
        limit=limit,
        offset=offset,
    )
    return json_response(request, shaped(s.ObservationPage, page))


def _aggregate(session: Session, *, code: str, period: str | None = None) -> dict[str, Any] | None:
    """The regional aggregate with its coverage texts, checked against its declared shape."""
    aggregate = published.regional_aggregate(session, code=code, period=period)
    if aggregate is None:
        return None
    aggregate["coverage"]["text"] = published.coverage_text(aggregate["coverage"])
    if aggregate["partial"]:
        aggregate["partial"]["text"] = published.partial_text(aggregate["partial"])
    return shaped(s.MonitoringAggregate, aggregate)


@router.get("/indicators/{code}/aggregate", response_model=s.MonitoringAggregate | None, responses=Errors)
def indicator_aggregate(request: Request, session: SessionDep, code: Code, period: Period = None) -> Response:
    """The ASEAN mean (and total, for counts) of a period's published national values, with coverage;
    without ``period``, the headline period of the coverage rule (``covered``; a later short period
    is ``partial``)."""
    return json_response(request, _aggregate(session, code=code, period=period))


# --- sign-off -----------------------------------------------------------------------------------


class SubmissionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    member_state: str = Field(pattern=r"^[A-Z]{3}$")
    indicators: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(default=[], max_length=500)
    note: str | None = Field(default=None, max_length=signoff.MAX_COMMENT)


class Review(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["approved", "rejected"]
    comment: str | None = Field(default=None, max_length=signoff.MAX_COMMENT)


@router.get("/submissions/drafts", response_model=s.DraftCounts, responses=Errors)
def drafts(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    member_state: Annotated[str, Query(pattern=r"^[A-Za-z]{3}$")],
) -> Response:
    """A member state's unpublished observations per indicator (draft, submitted, rejected): its own
    focal points and the Secretariat only."""
    counts = signoff.drafts(session, principal=principal_of(session), member_state=member_state.upper())
    return json_response(request, shaped(s.DraftCounts, counts))


@router.post("/submissions/drafts", status_code=201, response_model=s.DraftImport, responses=Errors)
def upload_drafts(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    file: Annotated[UploadFile, File(description="SDMX-CSV, CSV or XLSX template, SDMX-ML")],
    member_state: Annotated[str, Form(pattern=r"^[A-Z]{3}$")],
    profile: Annotated[
        str | None,
        Form(
            pattern=r"^(sdmx-csv|un-sdg|ilostat)$",
            description="layout of a CSV file (default: from its header)",
        ),
    ] = None,
) -> Response:
    """A focal point imports its own member state's observations as drafts. All or nothing: any
    invalid row, or a row of another member state, is a 422 listing every problem (file, line,
    column, reason) and nothing is stored. A CSV file in the UN SDG database's or ILOSTAT's layout
    is recognised from its header (or named by ``profile``)."""
    content = entry.read_upload(file.file, file.filename or "upload")
    report = entry.import_drafts(
        session,
        principal=principal_of(session),
        member_state=member_state,
        filename=file.filename or "upload",
        content=content,
        profile=profile,
    )
    return json_response(request, shaped(s.DraftImport, report), status=201)


@router.get("/submissions", response_model=s.SubmissionPage, responses=Errors)
def submissions(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    state: Annotated[Literal["submitted", "approved", "rejected"] | None, Query()] = None,
    member_state: Annotated[str | None, Query(pattern=r"^[A-Za-z]{3}$")] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> Response:
    """The Secretariat's queue (``state=submitted``) and history, newest first; a focal point sees its
    own member state's."""
    items = signoff.list_submissions(
        session, principal=principal_of(session), state=state, member_state=member_state
    )
    return json_response(request, shaped(s.SubmissionPage, page_of(items, limit=limit, offset=offset)))


@router.post("/submissions", status_code=201, response_model=s.SubmissionSummary, responses=Errors)
def submit(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[SubmissionCreate, Body()]
) -> Response:
    """A focal point submits its member state's current drafts (all, or of the given indicators)."""
    detail = signoff.submit(
        session,
        principal=principal_of(session),
        member_state=data.member_state,
        indicators=data.indicators,
        note=data.note,
    )
    return json_response(request, shaped(s.SubmissionSummary, detail), status=201, etag=detail["etag"])


@router.get("/submissions/{submission_id}", response_model=s.SubmissionDetail, responses=Errors)
def submission(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    submission_id: Id,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    """A submission with its observations, each with its indicator's name and unit beside the value
    published before it, the change, and a flag when it moves by more than 20 %."""
    detail = signoff.get_submission(
        session, principal=principal_of(session), submission_id=submission_id, limit=limit, offset=offset
    )
    return json_response(request, shaped(s.SubmissionDetail, detail), etag=detail["etag"])


@router.post("/submissions/{submission_id}/review", response_model=s.SubmissionSummary, responses=Errors)
def review(
    request: Request,
    session: SessionDep,
    _auth: Auth,
    submission_id: Id,
    data: Annotated[Review, Body()],
    if_match: IfMatch = None,
) -> Response:
    """The Secretariat approves (values become public) or rejects with a comment, once."""
    detail = signoff.review(
        session,
        principal=principal_of(session),
        submission_id=submission_id,
        decision=data.decision,
        comment=data.comment,
        if_match=if_match,
    )
    return json_response(request, shaped(s.SubmissionSummary, detail), etag=detail["etag"])


# --- data calls ---------------------------------------------------------------------------------


class DataCallCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str = Field(max_length=datacalls.MAX_TITLE)
    indicators: list[Annotated[str, Field(min_length=1, max_length=60)]] = Field(max_length=500)
    periods: list[Annotated[str, Field(min_length=1, max_length=10)]] = Field(
        max_length=200, description="years, e.g. 2023"
    )
    member_states: list[Annotated[str, Field(min_length=1, max_length=3)]] = Field(max_length=20)
    deadline: str = Field(max_length=10, description="YYYY-MM-DD, today or later")
    message_en: str | None = Field(default=None, max_length=datacalls.MAX_MESSAGE)
    message_id: str | None = Field(default=None, max_length=datacalls.MAX_MESSAGE)


@router.post("/data-calls", status_code=201, response_model=s.DataCallSummary, responses=Errors)
def create_data_call(
    request: Request, session: SessionDep, _auth: Auth, data: Annotated[DataCallCreate, Body()]
) -> Response:
    """The Secretariat asks member states for indicators × periods (national values) by a deadline.
    Bad input (an unknown indicator or member state, a deadline in the past) is a 422 naming the field."""
    created = datacalls.create(session, principal=principal_of(session), **data.model_dump())
    return json_response(request, shaped(s.DataCallSummary, created), status=201)


@router.get("/data-calls", response_model=s.DataCallPage, responses=Errors)
def data_calls(
    request: Request, session: SessionDep, _auth: Auth, limit: Limit = 100, offset: Offset = 0
) -> Response:
    """Every data call (the Secretariat); the calls that ask a focal point's member state; newest first."""
    calls = datacalls.list_calls(session, principal=principal_of(session))
    return json_response(request, shaped(s.DataCallPage, page_of(calls, limit=limit, offset=offset)))


@router.get("/data-calls/{call_id}", response_model=s.DataCallDetail, responses=Errors)
def data_call(request: Request, session: SessionDep, _auth: Auth, call_id: Id) -> Response:
    """A data call with its completeness per member state and indicator (expected, submitted,
    approved, missing; on time or late); a focal point sees its own member state's."""
    call = datacalls.get_call(session, principal=principal_of(session), call_id=call_id)
    return json_response(request, shaped(s.DataCallDetail, call))


# --- SDMX-REST (read-only) ----------------------------------------------------------------------

sdmx_router = APIRouter(prefix="/sdmx", tags=["SDMX-REST"])
Flow = Annotated[str, Path(max_length=100, description="DF_ASCC_IND or ASEAN,DF_ASCC_IND,1.0")]


#: the data messages' media types (``sdmx_rest.FORMATS``), chosen by ``Accept`` or ``format``
SDMX_MEDIA = sorted({media.split(";")[0] for _kind, media in sdmx_rest.FORMATS.values()})
SdmxResponses = {
    **Errors,
    400: {"description": "A query parameter this service does not know"},
    406: {"description": "Format not available"},
    501: {"description": "A parameter value this service does not implement"},
} | download(SDMX_MEDIA[0], "an SDMX data message", also=tuple(SDMX_MEDIA[1:]))


@sdmx_router.get("/data/{flow}", response_class=Response, responses=SdmxResponses)
@sdmx_router.get("/data/{flow}/{key}", response_class=Response, responses=SdmxResponses)
@sdmx_router.get("/data/{flow}/{key}/{provider}", response_class=Response, responses=SdmxResponses)
def sdmx_data(
    request: Request,
    session: SessionDep,
    flow: Flow,
    key: str | None = None,
    provider: str | None = None,
    start_period: Annotated[str | None, Query(alias="startPeriod", max_length=10)] = None,
    end_period: Annotated[str | None, Query(alias="endPeriod", max_length=10)] = None,
    first_n: FirstN = None,
    last_n: LastN = None,
    format: Annotated[
        str | None,
        Query(max_length=40, description="csv, sdmx-csv, genericdata, structurespecificdata, jsondata"),
    ] = None,
    dimension_at_observation: AtObservation = None,
    detail: Annotated[
        str | None, Query(max_length=40, description="full, dataonly, serieskeysonly, nodata")
    ] = None,
    updated_after: UpdatedAfter = None,
    include_history: IncludeHistory = None,
) -> Response:
    """Published observations as SDMX-CSV 2.0, SDMX-ML 2.1 (generic or structure-specific data) or
    SDMX-JSON 1.0, chosen by ``Accept`` or ``format``. The key is
    REF_AREA.SUBNATIONAL.INDICATOR.SEX.AGE.URBANISATION, ``+`` for alternatives, empty for any;
    ``all`` for everything. An unknown parameter is a 400, a value not implemented a 501; errors are
    SDMX-ML error messages when ``Accept`` names XML or an SDMX type."""

    def build() -> Response:
        _check_parameters(request, sdmx_rest.PARAMETERS)
        sdmx_rest.check_provider(provider)
        fmt = sdmx_rest.choose_format(format, request.headers.get("accept"))
        level, at = sdmx_rest.check_options(
            detail=detail, at_observation=dimension_at_observation, include_history=include_history
        )
        return data_response(
            request,
            session,
            flow=flow,
            keys=[key],
            start=start_period,
            end=end_period,
            first_n=first_n,
            last_n=last_n,
            fmt=fmt,
            level=level,
            at=at,
            updated=updated_after,
            include_history=include_history,
        )

    return _sdmx_answer(request, build)


# --- SDMX-REST structure queries -----------------------------------------------------------------

StructureResponses = {
    400: {"description": "An unknown parameter value"},
    404: {"description": "No such artefact (SDMX error code 100)"},
    406: {"description": "Format not available"},
    501: {"description": "A parameter value this service does not implement"},
} | download(
    "application/vnd.sdmx.structure+xml",
    "an SDMX-ML 2.1 structure message",
    also=("application/vnd.sdmx.structure+json",),
)
_STRUCTURE_XML = {"application/xml", "text/xml", "application/vnd.sdmx.structure+xml"}
_STRUCTURE_JSON = "application/vnd.sdmx.structure+json"


def _structure_json(request: Request) -> bool:
    """SDMX-JSON 2.0.0 when the first of the ``Accept`` types this service serves is
    ``application/vnd.sdmx.structure+json`` without a version or with version 2.0.0 (2.0);
    another SDMX-JSON structure version is not served."""
    for part in (request.headers.get("accept") or "").split(","):
        media, *params = (p.strip().lower() for p in part.split(";"))
        if media in _STRUCTURE_XML or media in ("*/*", "application/*"):
            return False
        if media == _STRUCTURE_JSON:
            version = next((p.partition("=")[2].strip('"') for p in params if p.startswith("version=")), "")
            if version in ("", "2", "2.0", "2.0.0"):
                return True
    return False


def _accepts(request: Request, served: set[str], what: str) -> None:
    accept = request.headers.get("accept") or "*/*"

    def media(item: str) -> str:
        # an SDMX media type of another version (SDMX-ML 3.0 structure) is not one served: 2.1 only
        kind, *params = (p.strip().lower() for p in item.split(";"))
        version = next((p.split("=", 1)[1].strip('" ') for p in params if p.startswith("version=")), "2.1")
        return kind if version == "2.1" or not kind.startswith("application/vnd.sdmx.") else ""

    wanted = {media(a) for a in accept.split(",")}
    if not wanted & (served | {"*/*", "application/*"}):
        raise sdmx_rest.NotAcceptable(f"cannot answer with {accept[:200]!r}: {what} only")


def _structure(
    request: Request,
    session,
    resource: str,
    agency: str = "all",
    resource_id: str = "all",
    version: str = "latest",
    references: str | None = None,
    detail: str | None = None,
) -> Response:
    def build() -> Response:
        as_json = _structure_json(request)
        if not as_json:
            _accepts(request, _STRUCTURE_XML, "SDMX-ML 2.1 or SDMX-JSON 2.0.0 structure messages")
        _check_parameters(request, frozenset({"references", "detail"}))
        write, media = (
            (sdmx_structure.query_json, sdmx_structure.JSON_MEDIA)
            if as_json
            else (sdmx_structure.query, sdmx_structure.MEDIA)
        )
        body = write(
            session,
            resource=resource,
            agency=agency,
            resource_id=resource_id,
            version=version,
            references=references,
            detail=detail,
        )
        headers = {"Cache-Control": "no-cache", "Vary": "Accept"}
        return Response(body, media_type=media, headers=headers)

    return _sdmx_answer(request, build)


SchemaResponses = {k: v for k, v in StructureResponses.items() if k != 200} | download(
    "application/vnd.sdmx.schema+xml", "an XML schema of structure-specific data"
)


@sdmx_router.get(
    "/schema/{context}/{agency}/{resource_id}", response_class=Response, responses=SchemaResponses
)
@sdmx_router.get(
    "/schema/{context}/{agency}/{resource_id}/{version}", response_class=Response, responses=SchemaResponses
)
def sdmx_schema_query(
    request: Request,
    session: SessionDep,
    context: Annotated[str, Path(max_length=40, description="datastructure or dataflow")],
    agency: Annotated[str, Path(max_length=100)],
    resource_id: Annotated[str, Path(max_length=100)],
    version: str = "latest",
    dimension_at_observation: AtObservation = None,
) -> Response:
    """SDMX-REST schema query: the XML schema (derived from SDMX-ML 2.1's structure-specific base
    types) that the structure-specific data of ``DF_ASCC_IND`` / ``DSD_ASCC_IND`` validate against;
    it imports the standard SDMX-ML 2.1 schema files by name (``SDMXDataStructureSpecific.xsd``)."""

    def build() -> Response:
        _accepts(request, {"application/xml", "text/xml", "application/vnd.sdmx.schema+xml"}, "XML schemas")
        _check_parameters(request, frozenset({"dimensionAtObservation"}))
        body = sdmx_structure.schema_query(
            session,
            context=context,
            agency=agency,
            resource_id=resource_id,
            version=version,
            at_observation=dimension_at_observation,
        )
        return Response(body, media_type=sdmx_structure.SCHEMA_MEDIA, headers={"Cache-Control": "no-cache"})

    return _sdmx_answer(request, build)


@sdmx_router.get("/{resource}", response_class=Response, responses=StructureResponses)
@sdmx_router.get("/{resource}/{agency}", response_class=Response, responses=StructureResponses)
@sdmx_router.get("/{resource}/{agency}/{resource_id}", response_class=Response, responses=StructureResponses)
@sdmx_router.get(
    "/{resource}/{agency}/{resource_id}/{version}", response_class=Response, responses=StructureResponses
)
def sdmx_structure_query(
    request: Request,
    session: SessionDep,
    resource: Annotated[str, Path(max_length=40, description=", ".join(sdmx_structure.RESOURCES))],
    agency: str = "all",
    resource_id: str = "all",
    version: str = "latest",
    references: References = None,
    detail: StructureDetail = None,
) -> Response:
    """SDMX-REST structure queries: the dataflow DF_ASCC_IND, its data structure, codelists, concept
    scheme, the content constraint of the published data and the agency scheme, as SDMX-ML 2.1
    structure messages, or SDMX-JSON 2.0.0 ones for ``Accept:
    application/vnd.sdmx.structure+json;version=2.0.0`` (``all``/``latest`` accepted; ``+`` joins
    ids). Errors: 404 no such artefact,
    400 an unknown parameter or value, 501 one not implemented; problem+json, or an SDMX-ML 2.1 error
    message (codes 100, 140, 501) when ``Accept`` names XML or an SDMX type."""
    return _structure(request, session, resource, agency, resource_id, version, references, detail)
