"""``/sdmx/v2``: SDMX-REST 2.0 (SDMX 3.0's REST API) data and structure queries, next to the 1.x
paths of ``api.monitoring``. The paths are translated by ``monitoring.sdmx_v2`` into the same query
objects and answered by the same code; the formats are chosen by ``Accept`` as in 1.x (SDMX-CSV 2.0
and SDMX-JSON 2.0 are SDMX 3.0's; SDMX-ML 2.1 when asked for it; SDMX-ML 3.0 is a 406)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ascc.api.monitoring import SdmxResponses, StructureResponses, _structure
from ascc.api.sdmx_common import (
    AtObservation,
    FirstN,
    IncludeHistory,
    LastN,
    References,
    StructureDetail,
    UpdatedAfter,
    check_parameters,
    data_response,
    sdmx_answer,
)
from ascc.http.deps import SessionDep
from ascc.monitoring.sdmx import rest as sdmx_rest
from ascc.monitoring.sdmx import v2 as sdmx_v2

router = APIRouter(prefix="/sdmx/v2", tags=["SDMX-REST"])


@router.get("/data", response_class=Response, responses=SdmxResponses)
@router.get("/data/{context}", response_class=Response, responses=SdmxResponses)
@router.get("/data/{context}/{agency}", response_class=Response, responses=SdmxResponses)
@router.get("/data/{context}/{agency}/{resource_id}", response_class=Response, responses=SdmxResponses)
@router.get(
    "/data/{context}/{agency}/{resource_id}/{version}", response_class=Response, responses=SdmxResponses
)
@router.get(
    "/data/{context}/{agency}/{resource_id}/{version}/{key}",
    response_class=Response,
    responses=SdmxResponses,
)
def sdmx_v2_data(
    request: Request,
    session: SessionDep,
    context: str = "*",
    agency: str = "*",
    resource_id: str = "*",
    version: str = "*",
    key: str = "*",
    first_n: FirstN = None,
    last_n: LastN = None,
    dimension_at_observation: AtObservation = None,
    updated_after: UpdatedAfter = None,
    include_history: IncludeHistory = None,
    attributes: Annotated[str | None, Query(max_length=60, description="dsd, all, obs or none")] = None,
    measures: Annotated[str | None, Query(max_length=60, description="all, OBS_VALUE or none")] = None,
    format: Annotated[str | None, Query(max_length=40, description="as in /sdmx/data")] = None,
) -> Response:
    """SDMX-REST 2.0 data query: ``context`` dataflow, datastructure or ``*``; ``agency``, ``id``,
    ``version`` with ``*`` (and ``+``/``~`` for the version); the key with ``*`` per dimension and
    ``,`` between keys; ``c[DIMENSION]=A,B`` filters (``c[TIME_PERIOD]=ge:2015+le:2020``)."""

    def build() -> Response:
        filters = {k: v for k, v in request.query_params.items() if k.startswith("c[")}
        check_parameters(request, sdmx_v2.PARAMETERS | set(filters))
        fmt = sdmx_rest.choose_format(format, request.headers.get("accept"))
        level, at = sdmx_rest.check_options(
            detail=sdmx_v2.detail_of(attributes, measures),
            at_observation=dimension_at_observation,
            include_history=include_history,
        )
        dq = sdmx_v2.data_query(
            context=context, agency=agency, resource_id=resource_id, version=version, key=key, filters=filters
        )
        return data_response(
            request,
            session,
            flow=dq.flow,
            keys=list(dq.keys),
            start=dq.start,
            end=dq.end,
            first_n=first_n,
            last_n=last_n,
            fmt=fmt,
            level=level,
            at=at,
            updated=updated_after,
            include_history=include_history,
        )

    return sdmx_answer(request, build)


@router.get("/structure/{resource}", response_class=Response, responses=StructureResponses)
@router.get("/structure/{resource}/{agency}", response_class=Response, responses=StructureResponses)
@router.get(
    "/structure/{resource}/{agency}/{resource_id}", response_class=Response, responses=StructureResponses
)
@router.get(
    "/structure/{resource}/{agency}/{resource_id}/{version}",
    response_class=Response,
    responses=StructureResponses,
)
def sdmx_v2_structure(
    request: Request,
    session: SessionDep,
    resource: str,
    agency: str = "*",
    resource_id: str = "*",
    version: str = "~",
    references: References = None,
    detail: StructureDetail = None,
) -> Response:
    """SDMX-REST 2.0 structure query (``*`` any, ``~``/``+`` the latest version, ``,`` lists), answered
    as the 1.x one: an SDMX-ML 2.1 structure message (resources as in 1.x, ``*`` for all of them)."""

    def build() -> Response:
        sdmx_v2.check_structure_parameters(references, detail)
        return _structure(
            request,
            session,
            *sdmx_v2.structure_path(resource, agency, resource_id, version),
            references,
            detail,
        )

    return sdmx_answer(request, build)
