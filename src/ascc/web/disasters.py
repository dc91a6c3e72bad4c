"""Disaster pages: the event list with filters, one event (timeline, map, impacts, situation reports,
requests and offers), the regional map, statistics with charts, alerts, and the forms of
assistance between member states and of the AHA Centre's situation reports."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.db.uow import unit_of_work
from ascc.disasters import assistance, sitreps
from ascc.disasters import schemas as s
from ascc.disasters import service as disasters_service
from ascc.disasters.hazards import HAZARDS
from ascc.drawing import charts, maps
from ascc.http.auth import bind_principal, check_csrf
from ascc.kit import clock
from ascc.kit.errors import DomainError, Invalid
from ascc.registry import service as registry_service
from ascc.results import service as results_service
from ascc.web import chart_files, i18n
from ascc.web.pages import page, registry_names, render

actions = APIRouter(include_in_schema=False)
HAZARD_NAMES = {k: {"en": v[1], "id": v[2]} for k, v in HAZARDS.items()}
CATEGORIES = {k: {"en": v[0], "id": v[1]} for k, v in s.NEED_CATEGORIES.items()}
KINDS = {k: {"en": v[0], "id": v[1]} for k, v in s.OFFER_KINDS.items()}


def _int(request: Request, name: str, default: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if not raw:
        return default
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{name}={raw!r} is not a whole number", parameter=name)
    return int(raw)


def _id(raw: str, what: str, parameter: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{raw!r} is not {what}", parameter=parameter)
    return int(raw)


@page("/disasters", "disasters.html")
def disasters(session: Session, request: Request) -> dict[str, Any]:
    qp = request.query_params
    filters = {
        "member_state": qp.get("member_state") or None,
        "hazard": qp.get("hazard") or None,
        "year": _int(request, "year"),
    }
    offset = _int(request, "offset", 0)
    result = disasters_service.list_events(session, **filters, limit=50, offset=offset)
    return {
        "events": result.items,
        "total": result.total,
        "offset": offset,
        "limit": 50,
        "pages": math.ceil(result.total / 50) if result.total else 1,
        "filters": filters,
        "hazards": HAZARD_NAMES,
        "member_states": registry_service.list_member_states(session),
    }


STAT_CHARTS = ("events-by-year", "affected-by-state", "events-by-hazard")


def _stat_charts(session: Session, stats: dict[str, Any], lang: str) -> dict[str, charts.Chart]:
    """The statistics' three charts, drawn by the one chart module (``drawing.charts``)."""
    _ = i18n.translations(lang).gettext
    states = {
        k: (v.get(lang) or v.get("en") or k) for k, v in registry_names(session)["member_states"].items()
    }
    per_year = [
        charts.Series("events", _("Events"), [(str(r["key"]), float(r["events"])) for r in stats["by_year"]])
    ]
    src = _("Source: the disaster events recorded on this platform")
    return {
        "events-by-year": charts.line(
            per_year,
            name="disasters-events-by-year",
            kind="events-by-year",
            title=_("Events per year"),
            lang=lang,
            x_label=_("Year"),
            y_label=_("Events"),
            source=src,
            desc=_("Number of recorded disaster events per year of their start."),
        ),
        "affected-by-state": charts.bars(
            [
                charts.Bar(r["key"], states.get(r["key"], r["key"]), float(r["affected"]))
                for r in stats["by_member_state"]
            ],
            name="disasters-affected-by-state",
            kind="affected-by-state",
            lang=lang,
            digits=0,
            source=src,
            title=_("People affected per member state"),
            x_label=_("People affected"),
            y_label=_("Member state"),
            desc=_("People affected by the recorded events, per member state, largest first."),
        ),
        "events-by-hazard": charts.bars(
            [
                charts.Bar(
                    r["key"], (HAZARD_NAMES.get(r["key"]) or {}).get(lang) or r["key"], float(r["events"])
                )
                for r in stats["by_hazard"]
            ],
            name="disasters-events-by-hazard",
            kind="events-by-hazard",
            lang=lang,
            digits=0,
            source=src,
            title=_("Events per hazard"),
            x_label=_("Events"),
            y_label=_("Hazard"),
            desc=_("Number of recorded events per hazard, largest first."),
        ),
    }


@page("/disasters/stats", "disaster_stats.html")
def disaster_stats(session: Session, request: Request) -> dict[str, Any]:
    stats = disasters_service.statistics(session)
    return {
        "stats": stats,
        "hazards": HAZARD_NAMES,
        "charts": _stat_charts(session, stats, i18n.choose_language(request)[0]),
    }


@chart_files.routes("/disasters/stats", STAT_CHARTS)
def stats_chart_file(request: Request) -> Response:
    """A chart of the disaster statistics as SVG (in the page's language) or as the CSV of its values."""
    kind = chart_files.kind(request)
    lang = i18n.choose_language(request)[0]

    def build(session: Session) -> charts.Chart:
        return _stat_charts(session, disasters_service.statistics(session), lang)[kind]

    return chart_files.serve(request, build, chart_files.extension(request), "no such chart")


@page("/disasters/alerts", "disaster_alerts.html")
def disaster_alerts(session: Session, request: Request) -> dict[str, Any]:
    return {
        "alerts": disasters_service.list_alerts(
            session, current=True, language=i18n.choose_language(request)[0]
        )
    }


@page("/disasters/map", "disaster_map.html")
def disaster_map(session: Session, request: Request) -> dict[str, Any]:
    days = _int(request, "days", 60)
    if not 1 <= days <= 3660:
        raise Invalid("days must be between 1 and 3660", parameter="days")
    events = disasters_service.current_events(session, days=days)
    as_of = None
    if not events and "days" not in request.query_params:
        # the feed is older than the window: show the window that ends at the latest recorded event
        latest = disasters_service.list_events(session, limit=1).items
        if latest:
            as_of = latest[0]["start_date"]
            events = disasters_service.current_events(session, days=days, today=as_of)
    alerts = disasters_service.list_alerts(session, current=True, language=i18n.choose_language(request)[0])
    names = {m.code: m.name for m in registry_service.list_member_states(session)}
    return {
        "days": days,
        "as_of": as_of,
        "events": [{k: v for k, v in e.items() if k != "sources"} for e in events],
        "alerts": alerts,
        "map": maps.regional_map(events, alerts),
        "hazards": HAZARD_NAMES,
        "state_names": names,
    }


@page("/disasters/requests/{request_id}", "disaster_request.html")
def disaster_request(session: Session, request: Request, request_id: str) -> dict[str, Any]:
    detail = assistance.get_request(session, request_id=_id(request_id, "a request number", "request_id"))
    event = disasters_service.get_event(session, event_id=detail["event_id"])
    return {
        "req": detail,
        "event": {k: event[k] for k in ("id", "name", "hazard_name", "start_date", "member_states")},
        "offerers": assistance.known_offerers(session),
        "categories": CATEGORIES,
        "kinds": KINDS,
        "today": clock.today(),
    }


@page("/disasters/sitreps/{sitrep_id}", "disaster_sitrep.html")
def disaster_sitrep(session: Session, request: Request, sitrep_id: str) -> dict[str, Any]:
    sid = _id(sitrep_id, "a situation report number", "sitrep_id")
    version = _int(request, "version")
    detail = sitreps.get_sitrep(session, sitrep_id=sid, version=version)
    event = disasters_service.get_event(session, event_id=detail["event_id"])
    return {
        "sitrep": detail,
        "event": {k: event[k] for k in ("id", "name", "hazard_name", "start_date")},
        "latest": sitreps.get_sitrep(session, sitrep_id=sid) if version else detail,
    }


def _timeline(event: dict[str, Any], reports: list, requests: list, alerts: list) -> list[dict[str, Any]]:
    items = [{"on": event["start_date"], "kind": "start", "text": None}]
    if event["end_date"] and event["end_date"] != event["start_date"]:
        items.append({"on": event["end_date"], "kind": "end", "text": None})
    items += [{"on": a["sent"].date(), "kind": "alert", "text": a["headline"] or a["event"]} for a in alerts]
    items += [
        {
            "on": r["as_of"],
            "kind": "sitrep",
            "text": f"#{r['number']}",
            "title": r["title"],
            "href": f"/disasters/sitreps/{r['id']}",
        }
        for r in reports
    ]
    for req in requests:
        items.append(
            {
                "on": req["created_at"].date(),
                "kind": "request",
                "text": req["title"],
                "href": f"/disasters/requests/{req['id']}",
            }
        )
        for o in req["offers"]:
            items.append({"on": o["created_at"].date(), "kind": "offer", "text": o["offered_by"]})
            if o["decided_at"]:
                items.append({"on": o["decided_at"].date(), "kind": o["status"], "text": o["offered_by"]})
            for stage in assistance.STAGES:
                if o[f"{stage}_on"]:
                    items.append({"on": o[f"{stage}_on"], "kind": stage, "text": o["offered_by"]})
    return sorted(items, key=lambda i: i["on"])


@page("/disasters/{event_id}", "disaster.html")
def disaster(session: Session, request: Request, event_id: str) -> dict[str, Any]:
    eid = _id(event_id, "an event number", "event_id")
    event = disasters_service.get_event(session, event_id=eid)
    reports = sitreps.list_sitreps(session, event_id=eid)
    requests = [
        assistance.get_request(session, request_id=r["id"])
        for r in assistance.list_requests(session, event_id=eid)
    ]
    alerts = [
        a
        for a in disasters_service.list_alerts(session, language=i18n.choose_language(request)[0])
        if a["event_id"] == eid
    ]
    return {
        "event": event,
        "map": maps.event_map(event),
        "sitreps": reports,
        "requests": requests,
        "alerts": alerts,
        "timeline": _timeline(event, reports, requests, alerts),
        "categories": CATEGORIES,
        "programmes": results_service.list_activities(session, event_id=eid),
        "today": clock.today(),
        "names": registry_names(session),
    }


# --- forms ------------------------------------------------------------------------------------


def _act(request: Request, csrf: str, work: Callable, again: tuple[Callable, str, str]) -> Response:
    """Run one form action in its own unit of work; a refusal shows the page again with the reason
    (and nothing written). ``again``: the page builder, its template and its path parameter."""
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            target = work(session, principal)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = Invalid(
                "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                )
            )
        build, template, arg = again
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            ctx = build(session, request, arg)
        return render(request, template, ctx | {"error": exc.detail}, status=exc.status)
    return RedirectResponse(target, status_code=303)


Csrf = Annotated[str, Form()]
Revision = Annotated[str | None, Form()]
Many = Annotated[list[str], Form()]


def _opt(value: str) -> str | None:
    return value.strip() or None


@actions.post("/disasters/{event_id}/requests")
def create_request(
    request: Request,
    event_id: int,
    csrf: Csrf,
    member_state: Annotated[str, Form()],
    title: Annotated[str, Form()],
    need_category: Many = [],  # noqa: B006
    need_description: Many = [],  # noqa: B006
    need_quantity: Many = [],  # noqa: B006
    need_unit: Many = [],  # noqa: B006
    need_location: Many = [],  # noqa: B006
    need_start: Many = [],  # noqa: B006
    need_end: Many = [],  # noqa: B006
) -> Response:
    def work(session, principal):
        needs = []
        for i, category in enumerate(need_category):
            cells = [
                col[i] if i < len(col) else ""
                for col in (need_description, need_quantity, need_unit, need_location, need_start, need_end)
            ]
            if not any(c.strip() for c in cells[:3]):
                continue  # an empty row of the form
            desc, qty, unit, loc, start, end = cells
            needs.append(
                s.NeedCreate(
                    category=category,
                    description=desc,
                    quantity=qty,
                    unit=unit,
                    location=_opt(loc),
                    period_start=_opt(start),
                    period_end=_opt(end),
                )
            )
        data = s.RequestCreate(member_state=member_state, title=title, needs=needs)
        created = assistance.create_request(session, principal=principal, event_id=event_id, data=data)
        return f"/disasters/requests/{created['id']}"

    return _act(request, csrf, work, (disaster, "disaster.html", str(event_id)))


@actions.post("/disasters/requests/{request_id}/offers")
def make_offer(
    request: Request,
    request_id: int,
    csrf: Csrf,
    line_need: Many = [],  # noqa: B006
    line_kind: Many = [],  # noqa: B006
    line_description: Many = [],  # noqa: B006
    line_quantity: Many = [],  # noqa: B006
) -> Response:
    def work(session, principal):
        lines = []
        for i, need in enumerate(line_need):
            qty = line_quantity[i] if i < len(line_quantity) else ""
            if not qty.strip():
                continue
            lines.append(
                s.OfferLineCreate(
                    need_id=need,
                    kind=line_kind[i] if i < len(line_kind) else "",
                    description=line_description[i] if i < len(line_description) else "",
                    quantity=qty,
                )
            )
        assistance.make_offer(
            session, principal=principal, request_id=request_id, data=s.OfferCreate(lines=lines)
        )
        return f"/disasters/requests/{request_id}#offers"

    return _act(request, csrf, work, (disaster_request, "disaster_request.html", str(request_id)))


def _request_of_offer(request: Request, offer_id: int) -> str:
    with unit_of_work(request.app.state.session_factory) as session:
        return str(assistance.get_offer(session, offer_id=offer_id)["request_id"])


@actions.post("/disasters/offers/{offer_id}/decision")
def decide_offer(
    request: Request,
    offer_id: int,
    csrf: Csrf,
    decision: Annotated[str, Form()],
    revision: Revision = None,
    reason: Annotated[str, Form()] = "",
) -> Response:
    rid = _request_of_offer(request, offer_id)

    def work(session, principal):
        assistance.decide_offer(
            session,
            principal=principal,
            offer_id=offer_id,
            if_match=revision,
            data=s.OfferDecision(decision=decision, reason=_opt(reason)),
        )
        return f"/disasters/requests/{rid}#offer-{offer_id}"

    return _act(request, csrf, work, (disaster_request, "disaster_request.html", rid))


@actions.post("/disasters/offers/{offer_id}/progress")
def offer_progress(
    request: Request,
    offer_id: int,
    csrf: Csrf,
    stage: Annotated[str, Form()],
    on: Annotated[str, Form()],
    revision: Revision = None,
) -> Response:
    rid = _request_of_offer(request, offer_id)

    def work(session, principal):
        assistance.record_progress(
            session,
            principal=principal,
            offer_id=offer_id,
            if_match=revision,
            data=s.OfferProgress(stage=stage, on=on),
        )
        return f"/disasters/requests/{rid}#offer-{offer_id}"

    return _act(request, csrf, work, (disaster_request, "disaster_request.html", rid))


@actions.post("/disasters/requests/{request_id}/needs")
def add_need(
    request: Request,
    request_id: int,
    csrf: Csrf,
    category: Annotated[str, Form()],
    description: Annotated[str, Form()],
    quantity: Annotated[str, Form()],
    unit: Annotated[str, Form()],
    location: Annotated[str, Form()] = "",
    period_start: Annotated[str, Form()] = "",
    period_end: Annotated[str, Form()] = "",
    revision: Revision = None,
) -> Response:
    def work(session, principal):
        data = s.NeedCreate(
            category=category,
            description=description,
            quantity=quantity,
            unit=unit,
            location=_opt(location),
            period_start=_opt(period_start),
            period_end=_opt(period_end),
        )
        assistance.add_need(session, principal=principal, request_id=request_id, data=data, if_match=revision)
        return f"/disasters/requests/{request_id}#matching"

    return _act(request, csrf, work, (disaster_request, "disaster_request.html", str(request_id)))


@actions.post("/disasters/requests/{request_id}/status")
def request_status(
    request: Request, request_id: int, csrf: Csrf, status: Annotated[str, Form()], revision: Revision = None
) -> Response:
    def work(session, principal):
        assistance.set_request_status(
            session,
            principal=principal,
            request_id=request_id,
            if_match=revision,
            data=s.RequestStatus(status=status),
        )
        return f"/disasters/requests/{request_id}"

    return _act(request, csrf, work, (disaster_request, "disaster_request.html", str(request_id)))


def _sitrep_data(title_en: str, title_id: str, body_en: str, body_id: str, as_of: str) -> s.SitrepWrite:
    return s.SitrepWrite(
        title_en=title_en, title_id=_opt(title_id), body_en=body_en, body_id=_opt(body_id), as_of=as_of
    )


@actions.post("/disasters/{event_id}/sitreps")
def create_sitrep(
    request: Request,
    event_id: int,
    csrf: Csrf,
    title_en: Annotated[str, Form()],
    body_en: Annotated[str, Form()],
    as_of: Annotated[str, Form()],
    title_id: Annotated[str, Form()] = "",
    body_id: Annotated[str, Form()] = "",
) -> Response:
    def work(session, principal):
        created = sitreps.create_sitrep(
            session,
            principal=principal,
            event_id=event_id,
            data=_sitrep_data(title_en, title_id, body_en, body_id, as_of),
        )
        return f"/disasters/sitreps/{created['id']}"

    return _act(request, csrf, work, (disaster, "disaster.html", str(event_id)))


@actions.post("/disasters/sitreps/{sitrep_id}")
def revise_sitrep(
    request: Request,
    sitrep_id: int,
    csrf: Csrf,
    title_en: Annotated[str, Form()],
    body_en: Annotated[str, Form()],
    as_of: Annotated[str, Form()],
    title_id: Annotated[str, Form()] = "",
    body_id: Annotated[str, Form()] = "",
    revision: Revision = None,
) -> Response:
    def work(session, principal):
        sitreps.revise_sitrep(
            session,
            principal=principal,
            sitrep_id=sitrep_id,
            if_match=revision,
            data=_sitrep_data(title_en, title_id, body_en, body_id, as_of),
        )
        return f"/disasters/sitreps/{sitrep_id}"

    return _act(request, csrf, work, (disaster_sitrep, "disaster_sitrep.html", str(sitrep_id)))
