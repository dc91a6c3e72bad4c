"""What the SDMX-REST routes of 1.x (``api.monitoring``) and 2.0 (``api.sdmx_v2``) share: errors as
SDMX-ML error messages or problem+json, unknown parameters refused, and the data message with its
ETag for the union of the keys a query names."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated

from fastapi import Query, Request
from starlette.responses import Response

from ascc.kit.errors import DomainError
from ascc.monitoring.sdmx import rest as sdmx_rest
from ascc.monitoring.sdmx import structures as sdmx_structure

#: the query parameters the data (1.x, 2.0) and structure routes share
FirstN = Annotated[int | None, Query(alias="firstNObservations", ge=1, le=10**6)]
LastN = Annotated[int | None, Query(alias="lastNObservations", ge=1, le=10**6)]
AtObservation = Annotated[
    str | None,
    Query(alias="dimensionAtObservation", max_length=60, description="TIME_PERIOD or AllDimensions"),
]
UpdatedAfter = Annotated[
    str | None, Query(alias="updatedAfter", max_length=40, description="ISO 8601 date-time")
]
IncludeHistory = Annotated[
    str | None,
    Query(
        alias="includeHistory",
        max_length=10,
        description="true: every published version (SDMX-ML 2.1, SDMX-JSON 1.0/2.0, SDMX-CSV 2.0; else 501)",
    ),
]
References = Annotated[
    str | None,
    Query(
        max_length=40,
        description="none, parents, parentsandsiblings, children, descendants, all, or a resource",
    ),
]
StructureDetail = Annotated[str | None, Query(max_length=40, description="full, allstubs, referencestubs")]


def wants_sdmx_ml(request: Request) -> bool:
    """Errors are SDMX-ML 2.1 error messages for a client that accepts XML or an SDMX media type,
    problem+json for the others."""
    media = {a.split(";")[0].strip().lower() for a in (request.headers.get("accept") or "").split(",")}
    return any(m in ("application/xml", "text/xml") or m.startswith("application/vnd.sdmx.") for m in media)


def sdmx_answer(request: Request, build: Callable[[], Response]) -> Response:
    try:
        return build()
    except DomainError as exc:
        if not wants_sdmx_ml(request):  # problem+json, as every other error
            raise
        return Response(
            sdmx_structure.error_message(exc.status, exc.detail),
            status_code=exc.status,
            media_type="application/xml",
        )


def check_parameters(request: Request, known: frozenset[str]) -> None:
    """A query parameter this service does not read is a 400, never silently ignored."""
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise sdmx_rest.BadRequest(
            f"unknown query parameter {unknown[0][:40]!r}: this query reads {', '.join(sorted(known))}",
            parameter=unknown[0][:40],
        )


def data_response(
    request: Request,
    session,
    *,
    flow: str,
    keys: list[str | sdmx_rest.Query],
    start: str | None,
    end: str | None,
    first_n: int | None,
    last_n: int | None,
    fmt: str,
    level: str,
    at: str,
    updated: str | None,
    include_history: str | None,
) -> Response:
    """A data message for the union of ``keys`` (1.x and 2.0 routes alike), with its ETag."""
    history = sdmx_rest.wants_history(include_history, fmt)
    rows = sdmx_rest.query_keys(
        session,
        flow=flow,
        keys=keys,
        start=start,
        end=end,
        first_n=first_n,
        last_n=last_n,
        updated=updated,
        history=history,
    )
    body, media = sdmx_rest.render(session, rows, fmt, detail=level, at_observation=at, history=history)
    # the ETag names the observations served (ids and revisions) and the form, not the message's
    # prepared time
    digest = hashlib.sha256(
        repr((fmt, level, at, history, [(o.id, o.revision) for o in rows])).encode()
    ).hexdigest()
    etag = f'"{digest[:32]}"'
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if request.headers.get("if-none-match", "").strip() == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media, headers=headers)
