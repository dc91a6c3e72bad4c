"""A response cache for JSON GETs, keyed on the database's data version.

Each process keeps its own entries; every committed write anywhere bumps the version in the
database (``db.version``), so an entry is used only while the data it was built from is current.
A request costs one tiny query (the version) when the entry is there.
"""

from __future__ import annotations

from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ascc.db.version import current_version

#: answers that change with the clock too (silence procedures end at their deadline)
UNCACHED = (
    "/api/v1/decisions",
    "/decisions",
    "/api/v1/meetings/expected",
    "/calendar",
    "/api/v1/disasters/alerts",
    "/disasters/alerts",
)


def _cacheable(scope: Scope) -> bool:
    """Public JSON reads only: what a signed-in user sees may depend on who they are."""
    path: str = scope["path"]
    if scope["method"] not in ("GET", "HEAD"):
        return False
    if not (path.startswith("/api/v1/") or (path.endswith(".json") and path != "/openapi.json")):
        return False
    if path.startswith(UNCACHED):
        return False
    if any(k == b"authorization" for k, _ in scope.get("headers", [])):
        return False
    return not (scope.get("session") or {}).get("user_id")


class ResponseCache:
    def __init__(self, app: ASGIApp, max_entries: int = 4096) -> None:
        self.app = app
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, tuple[list[tuple[bytes, bytes]], bytes, bytes]] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _cacheable(scope):
            await self.app(scope, receive, send)
            return
        engine = scope["app"].state.engine
        version = await run_in_threadpool(current_version, engine)
        key = (version, scope["path"], scope.get("query_string", b""))
        hit = self.entries.get(key)
        if hit is not None:
            self.entries.move_to_end(key)
            await self._replay(scope, send, *hit)
            return
        status: list[int] = []
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers.extend(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        etag = dict(headers).get(b"etag")
        if status == [200] and etag is not None:
            self.entries[key] = (headers, b"".join(chunks), etag)
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    @staticmethod
    async def _replay(scope: Scope, send: Send, headers: list, body: bytes, etag: bytes) -> None:
        request_headers = dict(scope.get("headers", []))
        inm = request_headers.get(b"if-none-match", b"")
        tags = [t.strip().removeprefix(b"W/") for t in inm.split(b",")]
        if etag in tags or inm.strip() == b"*":
            kept = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
