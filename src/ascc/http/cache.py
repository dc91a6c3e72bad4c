"""A response cache for public GETs (JSON and pages), kept while the tables they were built from
are unchanged.

Each process keeps its own entries. While an answer is built, the tables its statements mention
are recorded (``db.version.tracking``), and the database's write counters are read before it is
built; every committed write anywhere moves the counter of each table it wrote, in its own
transaction (``db.version.watch``). An entry is used only while the counters of its tables (and of
the schema) are those read before it was built, so it never outlives the data it was built from,
even when the write happened in another process or on another machine sharing the database, and
a write of decisions leaves the cached bodies and pages that never read decisions in place. A
request costs one small query (the counters) when the entry is there.

Only what the public sees is kept: a request with an ``Authorization`` header or a signed-in
session is never served from here nor stored. A page is stored only if building it set no cookie
and did not use the session's form token (``http.auth.csrf_token``), so nothing of one visitor's
session reaches another; answers are kept per language (the ``lang`` cookie and
``Accept-Language``, which are what choose it), per ``Accept`` (some choose a format by it) and per
host. A streamed answer (no ``Content-Length``) is never kept. Every entry is for one day: answers
that depend on the date stay right across midnight.

Stale while revalidating (RFC 5861's idea, on the server): when an entry's tables were written and
another request is already rebuilding it, an anonymous reader gets the previous copy at once (with
an ``Age`` header) instead of queueing behind the rebuild — only if that copy was built at most
``ASCC_CACHE_STALE_SECONDS`` ago (default 2 s; 0 turns this off) and on the same day, before any
deadline it carries. Under a stream of writes the public pages then cost one rebuild at a time
instead of one per request. Nobody waits for, or is shown, anything older than that bound; a
signed-in user (and so whoever made the write) never reads from here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import time
from collections import OrderedDict

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ascc.db import version
from ascc.http.auth import PERSONAL
from ascc.kit import clock

#: answers that change with the time of day by themselves (current alerts end at their expiry);
#: those that change with the date are kept per day, and those with a deadline in them (a silence
#: procedure's item reads as adopted from its deadline on, before the job stores it) until it
#: (``db.version.valid_until``, which the read that derives it calls)
UNCACHED = (
    "/api/v1/disasters/alerts",
    "/disasters/alerts",
)
_NOT_KEPT = ("/openapi.json", "/docs", "/redoc", "/static/", "/login", "/logout")


def _cacheable(scope: Scope) -> bool:
    """Public reads only: what a signed-in user sees may depend on who they are."""
    path: str = scope["path"]
    if scope["method"] != "GET":
        return False
    if path.startswith(UNCACHED) or path.startswith(_NOT_KEPT) or path.endswith(".svg"):
        return False
    if path.startswith(("/sdmx/", "/api/")) and not path.startswith("/api/v1/"):
        return False
    if any(k == b"authorization" for k, _ in scope.get("headers", [])):
        return False
    return not (scope.get("session") or {}).get("user_id")


def _key(scope: Scope) -> tuple:
    headers = dict(scope.get("headers", []))
    lang = b""
    for part in headers.get(b"cookie", b"").split(b";"):
        name, _, value = part.strip().partition(b"=")
        if name == b"lang":
            lang = value
    return (
        clock.today(),
        scope["path"],
        scope.get("query_string", b""),
        lang,
        headers.get(b"accept-language", b""),
        headers.get(b"accept", b""),
        headers.get(b"host", b""),
        scope.get("scheme"),
    )


@dataclasses.dataclass
class _Entry:
    depends: dict[int, int]  # the counters of the tables it was built from, as read before
    until: dt.datetime | None
    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None
    built: float = dataclasses.field(default_factory=time.monotonic)  # when its counters were read

    def fresh_enough(self, stale_seconds: float) -> bool:
        """May stand in for the answer being rebuilt: young enough, and no deadline of its passed."""
        if self.until is not None and clock.now() >= self.until:
            return False
        return time.monotonic() - self.built <= stale_seconds

    def valid(self, counters: dict[int, int]) -> bool:
        if self.until is not None and clock.now() >= self.until:
            return False
        return all(counters.get(c, 0) == v for c, v in self.depends.items())


class ResponseCache:
    def __init__(self, app: ASGIApp, max_entries: int = 4096) -> None:
        self.app = app
        self.max_entries = max_entries
        self.entries: OrderedDict[tuple, _Entry] = OrderedDict()
        #: answers being built now: a request for the same answer that finds the counters it
        #: depends on as the builder read them waits for it instead of building it again
        self.building: dict[tuple, asyncio.Future[_Entry | None]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _cacheable(scope):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        reader = getattr(state, "counters", None)
        # on the event loop: a hit needs neither a worker thread nor a pooled connection
        counters = (
            reader.read() if reader is not None else await run_in_threadpool(version.versions, state.engine)
        )
        key = _key(scope)
        hit = self.entries.get(key)
        if hit is None or not hit.valid(counters):
            pending = self.building.get(key)
            stale_seconds = getattr(getattr(state, "settings", None), "cache_stale_seconds", 0)
            if pending is not None and hit is not None and stale_seconds and hit.fresh_enough(stale_seconds):
                await self._replay(
                    scope, send, hit.headers, hit.body, hit.etag, age=time.monotonic() - hit.built
                )
                return
            if pending is not None:
                # built from what this request would read: the tables it read have not been
                # written between the builder's start and this request's arrival
                hit = await asyncio.shield(pending)
        if hit is not None and hit.valid(counters):
            self.entries[key] = hit
            self.entries.move_to_end(key)
            await self._replay(scope, send, hit.headers, hit.body, hit.etag)
            return
        mine = None
        if key not in self.building:
            mine = self.building[key] = asyncio.get_running_loop().create_future()
        entry = None
        try:
            entry = await self._build(scope, receive, send, counters, mine)
        finally:
            if mine is not None:
                del self.building[key]
                if not mine.done():
                    mine.set_result(entry)
        if entry is not None:
            self.entries[key] = entry
            self.entries.move_to_end(key)
            if len(self.entries) > self.max_entries:
                self.entries.popitem(last=False)

    async def _build(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        counters: dict[int, int],
        waited: asyncio.Future | None,
    ) -> _Entry | None:
        """Answer the request; return what to keep of the answer, if anything. Those ``waited``
        for it are let go at once when the answer turns out not to be kept (a stream, a cookie)."""
        status: list[int] = []
        headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        built = time.monotonic()  # ``counters`` were read just before: the copy is as old as they are

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                headers.extend(message.get("headers", []))
                names = {k for k, _ in headers}
                kept = status == [200] and b"content-length" in names and b"set-cookie" not in names
                if not kept and waited is not None and not waited.done():
                    waited.set_result(None)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if message.get("more_body"):
                    status.append(0)  # streamed: not kept
            await send(message)

        with version.tracking() as tables:
            await self.app(scope, receive, capture)
        names = {k for k, _ in headers}
        if status != [200] or len(chunks) != 1 or b"set-cookie" in names or b"content-length" not in names:
            return None
        if (scope.get("state") or {}).get(PERSONAL):
            return None
        depends = {c: counters.get(c, 0) for c in map(version.table_counter, tables | {version.EVERYTHING})}
        return _Entry(depends, tables.until, headers, chunks[0], dict(headers).get(b"etag"), built)

    @staticmethod
    async def _replay(
        scope: Scope, send: Send, headers: list, body: bytes, etag: bytes | None, *, age: float | None = None
    ) -> None:
        if age is not None:  # a stale copy says how old it is (RFC 9111 §5.1)
            headers = [*headers, (b"age", str(int(age)).encode())]
        request_headers = dict(scope.get("headers", []))
        inm = request_headers.get(b"if-none-match", b"")
        tags = [t.strip().removeprefix(b"W/") for t in inm.split(b",")]
        if etag is not None and (etag in tags or inm.strip() == b"*"):
            kept = [(k, v) for k, v in headers if k not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
