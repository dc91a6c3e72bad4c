"""The pages. Each builds one context; it renders as HTML at ``/path`` and as JSON at ``/path.json``."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.encoders import jsonable_encoder
from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from ascc.accounts.schemas import PUBLIC
from ascc.db.uow import unit_of_work
from ascc.decisions import service as decisions_service
from ascc.disasters import service as disasters_service
from ascc.http.auth import bind_principal, csrf_token
from ascc.http.responses import json_response
from ascc.kit import clock
from ascc.kit.errors import Invalid, NotFound
from ascc.knowledge import service as knowledge_service
from ascc.meetings import service as meetings_service
from ascc.monitoring import terms
from ascc.monitoring.targets import scorecards
from ascc.national import service as national_service
from ascc.registry import service as registry_service
from ascc.results import framework as results_framework
from ascc.results import service as results_service
from ascc.web import i18n

TEMPLATES = Path(__file__).resolve().parent / "templates"
router = APIRouter(include_in_schema=False)
#: the files the site serves (calendar, feed, CSV/XLSX, index files, charts, reports): in the OpenAPI
#: document with their media types (``http.openapi.download``), unlike the pages
downloads = APIRouter(tags=["downloads"])
#: ``(session, principal) → int``: what waits for a signed-in user, shown next to "My work" in
#: the header of every page built here (``web.me`` sets it)
waiting_count: Callable[[Session, Any], int] | None = None

LEVEL_NAMES = {
    "council": ("Council", "Dewan"),
    "ministerial": ("Ministerial", "Tingkat menteri"),
    "senior_officials": ("Senior officials", "Pejabat senior"),
    "commission": ("Commission", "Komisi"),
    "committee": ("Committee", "Komite"),
    "sub_committee": ("Sub-committee", "Sub-komite"),
    "board": ("Governing board", "Dewan pengurus"),
    "working_group": ("Working group", "Kelompok kerja"),
    "cluster": ("Cluster", "Klaster"),
    "task_force": ("Task force", "Gugus tugas"),
    "centre": ("Centre", "Pusat"),
    "network": ("Network", "Jejaring"),
    "consortium": ("Consortium", "Konsorsium"),
    "foundation": ("Foundation", "Yayasan"),
    "forum": ("Forum", "Forum"),
    "dialogue": ("Dialogue", "Dialog"),
    "platform": ("Platform", "Platform"),
    "fund": ("Fund", "Dana"),
    "award": ("Award", "Penghargaan"),
    "secretariat_unit": ("ASEAN Secretariat unit", "Unit Sekretariat ASEAN"),
}
STAGE_NAMES = {
    "identify": ("Identify the issue", "Identifikasi isu"),
    "consult": ("Discuss and consult", "Diskusi dan konsultasi"),
    "formulate": ("Formulate the policy", "Rumusan kebijakan"),
    "implement": ("Implement", "Implementasi"),
    "monitor": ("Monitor and evaluate", "Monitoring dan evaluasi"),
}
STATUS_NAMES = {"open": ("Open", "Terbuka"), "adopted": ("Adopted", "Diadopsi")}
POSITION_NAMES = {
    "join": ("Joins", "Bergabung"),
    "reservation": ("Joins with a reservation", "Bergabung dengan reservasi"),
    "ad_referendum": ("Ad referendum", "Ad referendum"),
    "object": ("Objects", "Keberatan"),
}
#: the kinds of registry programmes and instruments, as readers call them
PROGRAMME_KIND_NAMES = {
    "programme": ("Programme", "Program"),
    "project": ("Project", "Proyek"),
    "fund": ("Fund", "Dana"),
    "agreement": ("Agreement", "Perjanjian"),
    "declaration": ("Declaration", "Deklarasi"),
    "event": ("Event", "Acara"),
    "designation": ("Designation", "Penetapan"),
    "award": ("Award", "Penghargaan"),
    "framework": ("Framework", "Kerangka kerja"),
}
INTERVAL_NAMES = {
    "annual": ("Every year", "Setiap tahun"),
    "at_least_annual": ("At least once a year", "Setidaknya sekali setahun"),
    "biennial": ("Every two years", "Setiap dua tahun"),
    "triennial": ("Every three years", "Setiap tiga tahun"),
}


@cache
def environment(lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(lang), newstyle=True)  # type: ignore[attr-defined]
    env.filters["number"] = i18n.number_filter(lang)  # numbers in the reader's format, with a precision
    env.filters["unit_name"] = lambda unit: terms.unit_name(unit, lang)  # a unit in the reader's language
    return env


def _field(record: Any, name: str) -> Any:
    """``record[name]`` or ``record.name``: sources are dicts in some reads, models in others."""
    return record.get(name) if isinstance(record, dict) else getattr(record, name, None)


def _localiser(lang: str) -> Callable[[Any], str]:
    other = "id" if lang == "en" else "en"

    def loc(text: Any) -> str:
        if text is None:
            return ""
        if isinstance(text, dict):
            return text.get(lang) or text.get(other) or ""
        return getattr(text, lang, None) or getattr(text, other, None) or ""

    return loc


class _FormToken:
    """The session's form token, made only if the page shows it: a page without a form leaves the
    session (and so the cookie) as it was, and may be kept by the response cache for everyone."""

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    __html__ = __str__

    def __bool__(self) -> bool:
        return True


def render(request: Request, template: str, context: dict[str, Any], *, status: int = 200) -> Response:
    lang, remember = i18n.choose_language(request)
    loc = _localiser(lang)
    i = 0 if lang == "en" else 1

    def url_with(**params: Any) -> str:
        query = dict(request.query_params)
        query.update({k: v for k, v in params.items() if v is not None})
        return request.url.path + "?" + urlencode(query)

    html = (
        environment(lang)
        .get_template(template)
        .render(
            **context,
            lang=lang,
            languages=i18n.LANGUAGE_NAMES,
            loc=loc,
            level_name=lambda lvl: LEVEL_NAMES.get(lvl, (lvl, lvl))[0 if lang == "en" else 1],
            stages=list(STAGE_NAMES),
            stage_name=lambda st: STAGE_NAMES.get(str(st), (st, st))[i],
            status_name=lambda st: STATUS_NAMES.get(str(st), (st, st))[i],
            position_name=lambda k: POSITION_NAMES.get(str(k), (k, k))[i],
            cite=lambda source: knowledge_service.citation(
                getattr(request.state, "seed_index", {}), _field(source, "file"), _field(source, "quote")
            ),
            kind_name=lambda k: PROGRAMME_KIND_NAMES.get(str(k), (k, k))[i],
            interval_name=lambda iv: INTERVAL_NAMES.get(iv, (iv, iv))[0 if lang == "en" else 1] if iv else "",
            url_with=url_with,
            principal=getattr(request.state, "principal", PUBLIC),
            waiting=getattr(request.state, "waiting", None),
            csrf=_FormToken(request) if "session" in request.scope else "",
            path=request.url.path,
            json_url=request.url.path.rstrip("/") + (".json" if request.url.path != "/" else "index.json"),
        )
    )
    response = HTMLResponse(html, status_code=status)
    response.headers["Content-Language"] = lang
    response.headers["Vary"] = "Accept-Language, Cookie"
    if remember:
        response.set_cookie(i18n.COOKIE, lang, max_age=365 * 24 * 3600, samesite="lax", httponly=True)
    return response


def page(path: str, template: str) -> Callable:
    """Register ``path`` (HTML) and its JSON twin for a function ``(session, request, **params) → ctx``."""

    def register(build: Callable[..., dict[str, Any]]) -> Callable:
        json_path = "/index.json" if path == "/" else path + ".json"

        def html_view(request: Request) -> Response:
            return render(request, template, _build(build, request, header=True))

        def json_view(request: Request) -> Response:
            return json_response(request, jsonable_encoder(_build(build, request)))

        # the twin first: "/bodies/{body_id}" would otherwise take "asoen.json" as the id
        router.add_api_route(json_path, json_view, methods=["GET"], name=build.__name__ + "_json")
        router.add_api_route(path, html_view, methods=["GET"], name=build.__name__)
        return build

    return register


def _build(build: Callable[..., dict[str, Any]], request: Request, *, header: bool = False) -> dict[str, Any]:
    """``header``: for HTML, also count what waits for a signed-in user (the header's "My work")."""
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        context = build(session, request, **request.path_params)
        if header:  # sources citing a seed link to its passage in the knowledge base
            request.state.seed_index = knowledge_service.seed_index(session)
        counted = getattr(request.state, "waiting", None) is not None
        if header and principal.is_authenticated and waiting_count is not None and not counted:
            request.state.waiting = waiting_count(session, principal)
        return context


def registry_names(session: Session) -> dict[str, dict[str, dict[str, str]]]:
    """The registry's names by id (``{"en": …, "id": …}``; a body or programme by its acronym), for
    pages that list records by id: they show ``loc(names.bodies[id])``, never the id itself."""

    def both(text: Any) -> dict[str, str]:
        return (
            {"en": text, "id": text} if isinstance(text, str) else {"en": text.en or "", "id": text.id or ""}
        )

    bodies = registry_service.list_bodies(session, limit=500).items
    return {
        "sectors": {x.id: both(x.name) for x in registry_service.list_sectors(session)},
        "bodies": {x.id: both(x.acronym or x.name) for x in bodies},
        "member_states": {x.code: both(x.name) for x in registry_service.list_member_states(session)},
        "programmes": {x.id: both(x.acronym or x.name) for x in registry_service.list_programmes(session)},
    }


def _on(request: Request) -> dt.date:
    raw = request.query_params.get("on")
    if not raw:
        return clock.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Invalid(f"on={raw!r} is not a date (YYYY-MM-DD)", parameter="on") from None


#: the home page's lists: rows each, and the window of "disasters under way" in days
HOME_ROWS = 5
HOME_DISASTER_DAYS = 60


@page("/", "home.html")
def home(session: Session, request: Request) -> dict[str, Any]:
    """What changed first — headline figures with their trend, disasters under way (or the latest
    recorded, said so, when none began in the window) and current alerts, decisions open and
    recently adopted, the next meetings — then the registry."""
    today = clock.today()
    principal = request.state.principal
    bodies = registry_service.list_bodies(session, limit=500)
    counts: dict[str, int] = {}
    for b in bodies.items:
        if b.sector:
            counts[b.sector] = counts.get(b.sector, 0) + 1
    current = disasters_service.current_events(session, days=HOME_DISASTER_DAYS, today=today)
    items = decisions_service.list_items(session, principal=principal)  # newest first, statuses as read
    adopted = sorted(
        (i for i in items if i.status == "adopted"),
        key=lambda i: (i.adopted_on or dt.date.min, i.id),
        reverse=True,
    )
    upcoming = [
        m
        for m in meetings_service.visible_meetings(session, principal=principal)
        if m.date_start and (m.date_end or m.date_start) >= today
    ]
    upcoming.sort(key=lambda m: (m.date_start, m.id))
    return {
        "headlines": scorecards.headlines(session),
        "disaster_days": HOME_DISASTER_DAYS,
        "current_events": current[:HOME_ROWS],
        "latest_events": [] if current else disasters_service.list_events(session, limit=HOME_ROWS).items,
        "alerts": disasters_service.list_alerts(
            session, current=True, language=i18n.choose_language(request)[0]
        )[:HOME_ROWS],
        "open_decisions": [i for i in items if i.status == "open"][:HOME_ROWS],
        "adopted_decisions": adopted[:HOME_ROWS],
        "next_meetings": upcoming[:HOME_ROWS],
        "names": registry_names(session),
        "pillars": registry_service.list_pillars(session),
        "sectors": registry_service.list_sectors(session),
        "body_counts": counts,
        "member_states": registry_service.list_member_states(session, on=today),
        "body_total": bodies.total,
        "plans": registry_service.list_plans(session)[:6],
        "statistics": registry_service.list_statistics(session),
    }


@page("/sectors", "sectors.html")
def sectors(session: Session, request: Request) -> dict[str, Any]:
    return {
        "pillars": registry_service.list_pillars(session),
        "sectors": registry_service.list_sectors(session),
        "pillar_statements": {
            p.id: registry_service.list_statements(session, subject=f"pillars/{p.id}")
            for p in registry_service.list_pillars(session)
        },
    }


@page("/sectors/{sector_id}", "sector.html")
def sector(session: Session, request: Request, sector_id: str) -> dict[str, Any]:
    return {
        "sector": registry_service.get_sector(session, sector_id=sector_id),
        "org_chart": registry_service.org_chart(session, sector_id=sector_id),
        "bodies": registry_service.list_bodies(session, sector=sector_id, limit=500).items,
        "focal_points": registry_service.list_focal_points(session, sector=sector_id),
        "names": registry_names(session),
        "plans": registry_service.list_plans(session, sector=sector_id),
        "programmes": registry_service.list_programmes(session, sector=sector_id),
        "statistics": registry_service.list_statistics(session, sector=sector_id),
        "statements": registry_service.list_statements(session, subject=f"sectors/{sector_id}"),
    }


@page("/bodies", "bodies.html")
def bodies(session: Session, request: Request) -> dict[str, Any]:
    qp = request.query_params
    level = qp.get("level") or None
    sector_id = qp.get("sector") or None
    q = qp.get("q") or None
    try:
        offset = max(int(qp.get("offset", 0)), 0)
    except ValueError:
        raise Invalid("offset must be a whole number", parameter="offset") from None
    result = registry_service.list_bodies(
        session, sector=sector_id, level=level, q=q, limit=50, offset=offset
    )
    return {
        "bodies": result.items,
        "total": result.total,
        "offset": offset,
        "limit": 50,
        "pages": math.ceil(result.total / 50) if result.total else 1,
        "filters": {"sector": sector_id, "level": level, "q": q},
        "sectors": registry_service.list_sectors(session),
        "levels": list(LEVEL_NAMES),
    }


@page("/bodies/{body_id}", "body.html")
def body(session: Session, request: Request, body_id: str) -> dict[str, Any]:
    detail = registry_service.get_body(session, body_id=body_id)
    try:
        anchor = meetings_service.get_anchor(session, body_id=body_id)
    except NotFound:
        anchor = None
    return {
        "body": detail,
        "sector": registry_service.get_sector(session, sector_id=detail.sector) if detail.sector else None,
        "other_sectors": [registry_service.get_sector(session, sector_id=x) for x in detail.sectors[1:]],
        "inferred": {(i.field, i.value) for i in detail.inferences},
        "meetings": meetings_service.visible_meetings(
            session, principal=request.state.principal, body=body_id
        ),
        # the rotation's records, each with the ETag its edit form sends back (If-Match)
        "anchor": anchor and {**anchor.model_dump(), "etag": meetings_service.record_etag(anchor)},
        "overrides": [
            {**o.model_dump(), "etag": meetings_service.record_etag(o)}
            for o in meetings_service.list_overrides(session, body_id=body_id)
        ],
        "statements": registry_service.list_statements(session, subject=f"bodies/{body_id}"),
    }


@page("/member-states", "member_states.html")
def member_states(session: Session, request: Request) -> dict[str, Any]:
    on = _on(request)
    return {"on": on, "member_states": registry_service.list_member_states(session, on=on)}


@page("/member-states/{code}", "member_state.html")
def member_state(session: Session, request: Request, code: str) -> dict[str, Any]:
    """A member state's profile: its focal points, the bodies it is expected to chair or host this
    year and next, its indicators beside the ASEAN figure, its latest disasters, its positions on
    the decisions the reader may see."""
    state = registry_service.get_member_state(session, code=code)
    sectors = {s.id: s for s in registry_service.list_sectors(session)}
    principal = request.state.principal
    year = clock.today().year
    expected = meetings_service.expected_meetings(session, principal=principal, start_year=year, years=2)
    roles = [
        {"meeting": e, "chair": e.chair == state.code, "host": e.host == state.code}
        for e in expected
        if state.code in (e.chair, e.host)
    ]
    return {
        "state": state,
        "focal_points": registry_service.list_focal_points(session, member_state=state.code),
        "sectors": sectors,
        "years": [year, year + 1],
        "roles": roles,
        "names": registry_names(session),
        "indicators": scorecards.against_region(session, code=state.code),
        "disasters": disasters_service.list_events(session, member_state=state.code, limit=10),
        "positions": decisions_service.member_state_positions(
            session, principal=principal, member_state=state.code
        ),
        "national_plans": national_service.list_plans(session, member_state=state.code),
    }


@page("/partners", "partners.html")
def partners(session: Session, request: Request) -> dict[str, Any]:
    return {
        "partners": registry_service.list_partners(session),
        "formats": registry_service.list_formats(session),
    }


@page("/plans", "plans.html")
def plans(session: Session, request: Request) -> dict[str, Any]:
    return {"plans": registry_service.list_plans(session, sector=request.query_params.get("sector") or None)}


@page("/plans/{plan_id}", "plan.html")
def plan(session: Session, request: Request, plan_id: str) -> dict[str, Any]:
    return {
        "plan": registry_service.get_plan(session, plan_id=plan_id),
        "framework": results_framework.plan_framework(session, plan_id=plan_id),
        "activities": results_service.list_activities(session, plan_id=plan_id),
        "names": registry_names(session),
        "statements": registry_service.list_statements(session, subject=f"plans/{plan_id}"),
    }


@page("/programmes", "programmes.html")
def programmes(session: Session, request: Request) -> dict[str, Any]:
    return {"programmes": registry_service.list_programmes(session)}


@page("/programmes/{programme_id}", "programme.html")
def programme(session: Session, request: Request, programme_id: str) -> dict[str, Any]:
    return {
        "programme": registry_service.get_programme(session, programme_id=programme_id),
        "activities": results_service.list_activities(session, programme_id=programme_id),
        "names": registry_names(session),
        "statements": registry_service.list_statements(session, subject=f"programmes/{programme_id}"),
    }


@page("/network", "network.html")
def network(session: Session, request: Request) -> dict[str, Any]:
    """Who meets with whom: the member states in every body, and the partner formats drawn as a
    two-column figure (formats left, partners right, a line where a partner takes part), with the
    bodies meeting in each format listed below it."""
    net = registry_service.cooperation_network(session, on=_on(request))
    involved = sorted({pid for f in net.formats for pid in f.partners})
    row, top = 44, 30
    height = top * 2 + row * max(len(net.formats), len(involved), 1)
    left = {f.id: top + row * i + row / 2 for i, f in enumerate(net.formats)}
    right = {pid: top + row * i + row / 2 for i, pid in enumerate(involved)}
    return {
        "network": net,
        "figure": {"height": height, "formats": left, "partners": right},
        "partner_names": {p.id: p.name for p in net.partners},
    }


@router.api_route("/favicon.ico", methods=["GET", "HEAD"])
def favicon() -> RedirectResponse:
    """Browsers ask for /favicon.ico whatever a page links: send them to the SVG icon."""
    return RedirectResponse("/static/favicon.svg", status_code=301)


# /search is the knowledge base's unified search page (ascc.web.knowledge)
