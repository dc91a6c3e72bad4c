"""``create_app(settings)``: the API and the web pages on one ASGI app; the engine lives in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp

from ascc import __version__
from ascc.api import decisions as decisions_api
from ascc.api import disasters as disasters_api
from ascc.api import funds as funds_api
from ascc.api import geo as geo_api
from ascc.api import indices as indices_api
from ascc.api import knowledge as knowledge_api
from ascc.api import meetings as meetings_api
from ascc.api import monitoring as monitoring_api
from ascc.api import national as national_api
from ascc.api import progress as progress_api
from ascc.api import registry as registry_api
from ascc.api import results as results_api
from ascc.api import sdmx_v2 as sdmx_v2_api
from ascc.config import Settings
from ascc.db import version
from ascc.db.engine import make_engine
from ascc.db.migrate import schema_problem
from ascc.http import api_docs, openapi
from ascc.http.cache import ResponseCache
from ascc.http.headers import SecurityHeaders
from ascc.http.responses import problem
from ascc.http.sessions import RotatingSessionMiddleware, key_problem
from ascc.kit.errors import DomainError
from ascc.web import account, pages
from ascc.web import coverage as coverage_web  # noqa: F401 - registers /coverage (the Secretariat's)
from ascc.web import decisions as decisions_web
from ascc.web import disasters as disasters_web
from ascc.web import funds as funds_web
from ascc.web import indices as indices_web  # noqa: F401 - registers the index pages
from ascc.web import knowledge as knowledge_web
from ascc.web import me as me_web  # noqa: F401 - registers /me and the header's count
from ascc.web import meetings as meetings_web
from ascc.web import monitoring as monitoring_web
from ascc.web import national as national_web
from ascc.web import notifications as notifications_web
from ascc.web import progress as progress_web
from ascc.web import results as results_web
from ascc.web.limits import BodyLimit
from ascc.wiring import session_factory

STATIC = Path(__file__).resolve().parent / "web" / "static"


#: downloads: a client that asked for a file gets its error as problem+json, not a page
DOWNLOADS = (".json", ".ics", ".atom", ".csv", ".xlsx", ".xml", ".yaml", ".svg", ".pdf")
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return (
        path.startswith(("/api/", "/sdmx/"))
        or path.endswith(DOWNLOADS)
        or openapi.PROBLEM in request.headers.get("accept", "")
    )


def _allowed(request: Request) -> str:
    """The methods some route takes at this path (RFC 9110 §15.5.6), over every router: a path's GET
    and POST are often two routes, and Starlette's own 405 names only the first one it matched."""
    routes = request.app.router.routes
    allowed = [
        m for m in METHODS if any(r.matches({**request.scope, "method": m})[0] == Match.FULL for r in routes)
    ]
    return ", ".join(allowed)


class App(FastAPI):
    """The application with its security headers outside everything else, Starlette's own error
    middleware included: a 413 from the body limit and an unhandled 500 carry them too."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack())

    def openapi(self) -> dict:
        if self.openapi_schema is None:
            self.openapi_schema = openapi.complete(super().openapi())
        return self.openapi_schema


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    refused = key_problem(settings)
    if refused:
        raise RuntimeError(refused)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        problem = schema_problem(engine)
        if problem:
            engine.dispose()
            raise RuntimeError(problem)
        app.state.engine = engine
        app.state.session_factory = session_factory(engine)
        app.state.counters = version.Counters(engine)
        try:
            yield
        finally:
            app.state.counters.close()
            engine.dispose()

    app = App(
        title="ASCC platform API",
        version=__version__,
        description="The ASEAN Socio-Cultural Community registry: member states, partners, sectors, "
        "bodies, focal points, plans and programmes. Errors are RFC 9457 problem+json.",
        lifespan=lifespan,
        docs_url=None,  # served by api_docs from the installed Swagger UI, not a CDN
        redoc_url=None,
    )
    app.state.settings = settings

    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        headers = {"WWW-Authenticate": openapi.WWW_AUTHENTICATE} if exc.status == 401 else None
        if _wants_json(request):
            return problem(
                exc.status, exc.title, exc.detail, instance=request.url.path, headers=headers, **exc.extra
            )
        response = pages.render(
            request, "error.html", {"title": exc.title, "detail": exc.detail}, status=exc.status
        )
        response.headers.update(headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {
                "parameter": str(e["loc"][-1]) if e.get("loc") else None,
                "in": e["loc"][0] if e.get("loc") else None,
                "message": e["msg"],
            }
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['parameter']}: {e['message']}" for e in errors)
        return problem(422, "Invalid parameter", detail, instance=request.url.path, errors=errors)

    @app.exception_handler(IntegrityError)
    async def concurrent_insert(request: Request, exc: IntegrityError) -> Response:
        # the unit of work has rolled back: a record with the same key was written first (by a
        # concurrent request, as the services check every key they know of before writing)
        detail = "a record with the same key was written at the same time; reload and try again"
        if _wants_json(request):
            return problem(409, "Conflict", detail, instance=request.url.path)
        return pages.render(request, "error.html", {"title": "Conflict", "detail": detail}, status=409)

    @app.exception_handler(DataError)
    @app.exception_handler(OverflowError)
    async def unstorable(request: Request, exc: Exception) -> Response:
        # the unit of work has rolled back; values the database cannot hold are the client's to fix
        detail = "a value is out of range or contains characters that cannot be stored (e.g. NUL)"
        if _wants_json(request):
            return problem(422, "Invalid parameter", detail, instance=request.url.path)
        return pages.render(
            request, "error.html", {"title": "Invalid parameter", "detail": detail}, status=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "Error")
        detail = str(exc.detail) if exc.detail else title
        headers = dict(exc.headers or {})
        if exc.status_code == 404:
            detail = f"nothing at {request.url.path}"
        if exc.status_code == 405:
            headers["Allow"] = _allowed(request) or headers.get("Allow", "")
            detail = (
                f"{request.method} is not one of the methods {request.url.path} takes: {headers['Allow']}"
            )
        if _wants_json(request):
            return problem(exc.status_code, title, detail, instance=request.url.path, headers=headers)
        response = pages.render(
            request, "error.html", {"title": title, "detail": detail}, status=exc.status_code
        )
        response.headers.update(headers)
        return response

    app.include_router(registry_api.router)
    app.include_router(decisions_api.router)
    app.include_router(meetings_api.router)
    app.include_router(disasters_api.router)
    app.include_router(indices_api.router)
    app.include_router(knowledge_api.router)
    app.include_router(progress_api.router)
    app.include_router(results_api.router)
    app.include_router(geo_api.router)
    app.include_router(national_api.router)
    app.include_router(funds_api.router)
    app.include_router(monitoring_api.router)
    # the 2.0 paths first: /sdmx/{resource}/… of 1.x would take /sdmx/v2/…
    app.include_router(sdmx_v2_api.router)
    app.include_router(monitoring_api.sdmx_router)
    app.include_router(decisions_web.actions)
    app.include_router(meetings_web.actions)
    app.include_router(disasters_web.actions)
    app.include_router(knowledge_web.actions)
    app.include_router(progress_web.router)
    app.include_router(results_web.actions)
    app.include_router(national_web.actions)
    app.include_router(funds_web.actions)
    app.include_router(monitoring_web.actions)
    app.include_router(notifications_web.actions)
    app.include_router(pages.downloads)  # before the pages: `/decisions/feed.atom` is no decision
    app.include_router(pages.router)
    app.include_router(account.router)
    app.include_router(api_docs.router)
    app.mount(api_docs.ASSETS, StaticFiles(directory=api_docs.swagger_ui_path), name="swagger-ui")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(ResponseCache)
    app.add_middleware(
        RotatingSessionMiddleware,
        keys=settings.session_keys(),
        session_cookie="ascc_session",
        same_site="lax",
        https_only=settings.secure_cookies,
        max_age=8 * 3600,
    )
    app.add_middleware(BodyLimit, settings=settings)  # before sessions and sign-in
    return app
