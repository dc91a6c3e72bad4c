"""JSON responses with strong ETags and conditional GET, and RFC 9457 problem documents.

The ETag is a digest of the response body itself, so it needs no server-side state and is the
same on every process serving the same database; any write that changes the data changes it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi.encoders import jsonable_encoder
from starlette.requests import Request
from starlette.responses import Response

PROBLEM = "application/problem+json"


def _encode(data: Any) -> bytes:
    return json.dumps(jsonable_encoder(data), ensure_ascii=False, separators=(",", ":")).encode()


def body_etag(data: Any) -> str:
    """The ETag ``json_response`` gives ``data``: compare it with If-Match to refuse stale edits."""
    return '"' + hashlib.sha256(_encode(data)).hexdigest()[:32] + '"'


def json_response(request: Request, data: Any, *, status: int = 200, etag: str | None = None) -> Response:
    """JSON with an ETag: the given one (e.g. a record revision for If-Match), else a body digest."""
    body = _encode(data)
    etag = etag or '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache", "Vary": "Accept, Accept-Language, Cookie"}
    if status == 200 and request.method in ("GET", "HEAD"):
        inm = request.headers.get("if-none-match", "")
        if etag in [t.strip().removeprefix("W/") for t in inm.split(",")] or inm.strip() == "*":
            return Response(status_code=304, headers=headers)
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def problem(
    status: int,
    title: str,
    detail: str,
    *,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    doc = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    if instance:
        doc["instance"] = instance
    doc.update({k: v for k, v in extra.items() if v is not None})
    return Response(
        json.dumps(jsonable_encoder(doc), ensure_ascii=False),
        status_code=status,
        media_type=PROBLEM,
        headers=headers,
    )


GEOJSON = "application/geo+json"


def geojson(doc: dict[str, Any], filename: str) -> Response:
    """A GeoJSON document (RFC 7946) shown inline, named ``filename`` when saved."""
    return Response(
        json.dumps(doc, ensure_ascii=False, default=str),
        media_type=GEOJSON,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def csv_attachment(body: str, filename: str) -> Response:
    """CSV text as a download named ``filename``."""
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
