"""The request body limit: the outermost middleware, so an oversized body is refused before the
session cookie, the sign-in or any route sees it.

A ``Content-Length`` over the route's limit is refused at once (413) without reading the body; a
body without one (chunked) is counted as it streams in and refused when the count passes the
limit, so at most the limit is ever read. The answer is problem+json for the API (``/api/…``,
``/sdmx/…``, ``*.json``) and a short page otherwise. The limits are settings
(``ASCC_MAX_REQUEST_BYTES``, ``ASCC_MAX_DOCUMENT_BYTES``, ``ASCC_MAX_DATA_BYTES``): the upload
routes of documents and of data files get theirs, every other request the small default.
"""

from __future__ import annotations

import html

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ascc.config import Settings
from ascc.http.responses import problem
from ascc.web import i18n

#: the routes that take a document upload (PDF, DOCX, HTML, text)
DOCUMENT_PATHS = ("/documents", "/api/v1/documents")
#: the routes that take a data file or data as text (observations, an index's what-if)
DATA_PATHS = ("/submissions/upload", "/api/v1/submissions/drafts", "/api/v1/indices/what-if")


class _Over(Exception):
    """The streamed body passed the limit."""


def _wants_json(path: str) -> bool:
    return path.startswith(("/api/", "/sdmx/")) or path.endswith(".json")


def _language(scope: Scope) -> str:
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    for part in headers.get("cookie", "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == i18n.COOKIE and value in i18n.LANGUAGES:
            return value
    return i18n.negotiate(headers.get("accept-language")) or "en"


class BodyLimit:
    """Refuse request bodies over the route's limit with 413 (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.default = settings.max_request_bytes
        self.routes = {p: settings.max_document_bytes for p in DOCUMENT_PATHS} | {
            p: settings.max_data_bytes for p in DATA_PATHS
        }

    def limit_for(self, path: str) -> int:
        return self.routes.get(path.rstrip("/") or "/", self.default)

    async def _refuse(self, scope: Scope, send: Send, limit: int) -> None:
        path = scope.get("path", "")
        if _wants_json(path):
            response = problem(
                413,
                "Request too large",
                f"the request body is larger than the {limit} bytes allowed for {path}",
                instance=path,
                limit=limit,
            )
        else:
            from starlette.responses import HTMLResponse

            _ = i18n.translations(_language(scope)).gettext
            title = _("Request too large")
            detail = _("The request is larger than the %(limit)s bytes allowed here; nothing was stored.") % {
                "limit": limit
            }
            response = HTMLResponse(
                f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f"</head><body><h1>{html.escape(title)}</h1><p>{html.escape(detail)}</p></body></html>",
                status_code=413,
            )
        response.headers["Connection"] = "close"
        await response(scope, _drain_nothing, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        for key, value in scope.get("headers", []):
            if key == b"content-length" and value.strip().isdigit() and int(value) > limit:
                await self._refuse(scope, send, limit)
                return
        received = 0
        over = started = False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    over = True
                    raise _Over
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if over:  # the app's answer to a body cut short is dropped: ours is sent instead
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, guarded)
        except Exception:
            if not over:
                raise
        if over and not started:
            await self._refuse(scope, send, limit)


async def _drain_nothing() -> Message:
    return {"type": "http.disconnect"}
