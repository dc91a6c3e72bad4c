"""Indicator pages: the list with filters (sector, level), one indicator with its time-series chart
(member states as lines), the comparison across member states for one period (bars), the ASEAN
aggregate with its coverage, the table and downloads; chart export (SVG from the server or the page,
PNG drawn by ``static/charts.js``). Public pages show published values only (``monitoring.published``).

Sign-off pages: ``/submissions`` (the Secretariat's queue; a focal point's own history),
``/submissions/new`` (a focal point uploads a file as drafts for its own member state — with
JavaScript the upload streams its progress as server-sent events — and submits its drafts) and
``/submissions/{id}`` (the observations with their names beside the values published before them,
the change and a flag on large jumps; approve or reject, each confirmed on a second step).
"""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response, StreamingResponse

from ascc.accounts import permissions
from ascc.accounts.schemas import Role
from ascc.db.uow import unit_of_work
from ascc.drawing import charts
from ascc.http.auth import bind_principal, check_csrf
from ascc.http.openapi import XLSX, download
from ascc.kit.errors import DomainError, Forbidden, Invalid
from ascc.monitoring import datacalls, precision, published, signoff, terms
from ascc.monitoring.imports import entry
from ascc.monitoring.sdmx import rest as sdmx_rest
from ascc.registry import service as registry_service
from ascc.results import framework as results_framework
from ascc.web import chart_files, i18n
from ascc.web.pages import downloads, page, render

actions = APIRouter(include_in_schema=False)
LEVELS = {"national": ("National", "Nasional"), "subnational": ("Subnational", "Subnasional")}
APPROVALS = {
    "draft": ("Draft", "Draf"),
    "submitted": ("Submitted", "Diajukan"),
    "approved": ("Approved", "Disetujui"),
    "rejected": ("Rejected", "Ditolak"),
}


def _names(table: dict[str, tuple[str, str]]) -> dict[str, dict[str, str]]:
    return {k: {"en": en, "id": id_} for k, (en, id_) in table.items()}


def _lang(request: Request) -> str:
    return i18n.choose_language(request)[0]


def _name(text: dict[str, Any], lang: str) -> str:
    return text.get(lang) or text.get("en" if lang == "id" else "id") or ""


@page("/indicators", "indicators.html")
def indicators(session: Session, request: Request) -> dict[str, Any]:
    qp = request.query_params
    filters = {
        "sector": qp.get("sector") or None,
        "level": qp.get("level") or None,
        "q": (qp.get("q") or "").strip()[:200] or None,
    }
    result = published.list_indicators(session, **filters, limit=500)
    sectors = registry_service.list_sectors(session)
    used = {i["sector"] for i in published.list_indicators(session, limit=500).items}
    return {
        "indicators": result.items,
        "total": result.total,
        "filters": filters,
        "sectors": [s for s in sectors if s.id in used],
        "sector_names": {s.id: s.name for s in sectors},
        "levels": _names(LEVELS),
    }


def _source(indicator: dict[str, Any], lang: str) -> str:
    _ = i18n.translations(lang).gettext
    source = " · ".join(filter(None, (indicator["source"]["organisation"], indicator["source"]["dataset"])))
    return (_("Source: %(source)s") % {"source": source}) if source else ""


def _charts(session: Session, code: str, lang: str, period: str | None) -> dict[str, Any]:
    """The time series, the comparison for ``period`` (default the latest) and the aggregate."""
    _ = i18n.translations(lang).gettext
    indicator = published.get_indicator(session, code=code)
    names = published.member_state_names(session)
    series = published.national_series(session, code=code)
    known = published.periods(series)
    name = _name(indicator["name"], lang)
    unit = terms.unit_name(indicator["unit"], lang)
    source = _source(indicator, lang)
    colours = {ms: charts.PALETTE[i % len(charts.PALETTE)] for i, ms in enumerate(sorted(names))}
    lines = [
        charts.Series(ms, _name(names.get(ms, {}), lang) or ms, pts) for ms, pts in sorted(series.items())
    ]
    timeseries = charts.line(
        lines,
        name=f"{code}-timeseries",
        title=name,
        unit=unit,
        source=source,
        lang=lang,
        colours=colours,
        x_label=_("Year"),
        y_label=unit or _("Value"),
        desc=_(
            "%(name)s per member state, %(first)s to %(last)s; only values approved by the ASEAN Secretariat."
        )
        % {"name": name, "first": known[0] if known else "", "last": known[-1] if known else ""},
    )
    aggregate = published.regional_aggregate(session, code=code, period=period) if known else None
    comparison = None
    if aggregate is not None:
        coverage = i18n.coverage_text(aggregate["coverage"], lang)
        aggregate["coverage"]["text"] = coverage
        aggregate["partial_text"] = (
            i18n.partial_text(aggregate["partial"], lang) if aggregate["partial"] else ""
        )
        aggregate["mean_text"] = i18n.number(aggregate["mean"], lang, aggregate["decimals"])
        aggregate["total_text"] = i18n.number(aggregate["total"], lang, aggregate["decimals"])
        bars = [
            charts.Bar(ms, _name(names.get(ms, {}), lang) or ms, v) for ms, v in aggregate["values"].items()
        ]
        comparison = charts.bars(
            bars,
            name=f"{code}-{aggregate['period']}",
            title=f"{name}, {aggregate['period']}",
            unit=unit,
            lang=lang,
            colours=colours,
            source=source,
            reference=(_("ASEAN mean"), aggregate["mean"]) if aggregate["mean"] is not None else None,
            x_label=unit or _("Value"),
            y_label=_("Member state"),
            desc=_(
                "%(name)s in %(period)s by member state (%(coverage)s); the dashed line is the ASEAN mean."
            )
            % {"name": name, "period": aggregate["period"], "coverage": coverage},
        )
    return {
        "indicator": indicator,
        "series": series,
        "periods": known,
        "aggregate": aggregate,
        "names": names,
        "charts": {"timeseries": timeseries, "comparison": comparison},
    }


def _is_subnational(session: Session, code: str) -> bool:
    return published.get_indicator_row(session, code).level == "subnational"


def _areas(session: Session, request: Request, code: str, lang: str, period: str | None) -> dict[str, Any]:
    """For a subnational indicator: its areas in one member state (``?member_state=``) for a period
    (bars), and every period of those areas (a line per area: the chart over time such an
    indicator has instead of the national one)."""
    if not _is_subnational(session, code):
        return {"areas": None}
    _ = i18n.translations(lang).gettext
    sub = published.subnational(
        session, code=code, member_state=request.query_params.get("member_state") or None, period=period
    )
    if sub is None:
        return {"areas": None}
    indicator = published.get_indicator(session, code=code)
    name = _name(indicator["name"], lang)
    unit = terms.unit_name(indicator["unit"], lang)
    source = _source(indicator, lang)
    state = (
        _name(published.member_state_names(session).get(sub["member_state"], {}), lang) or sub["member_state"]
    )
    bars = [charts.Bar(a["code"], a["name"], a["value"]) for a in sub["areas"]]
    sub["chart"] = charts.bars(
        bars,
        name=f"{code}-{sub['member_state']}-{sub['period']}",
        kind="areas",
        title=f"{name}, {state}, {sub['period']}",
        unit=unit,
        lang=lang,
        source=source,
        x_label=unit or _("Value"),
        y_label=_("Area"),
        desc=_("%(name)s by area of %(state)s in %(period)s.")
        % {"name": name, "state": state, "period": sub["period"]},
    )
    sub["trend"] = charts.line(
        [charts.Series(h["code"], h["name"], h["points"]) for h in sub["history"]],
        name=f"{code}-{sub['member_state']}-areas-timeseries",
        kind="areas-timeseries",
        title=f"{name}, {state}",
        unit=unit,
        lang=lang,
        source=source,
        x_label=_("Year"),
        y_label=unit or _("Value"),
        desc=_("%(name)s per area of %(state)s over time; only values approved by the ASEAN Secretariat.")
        % {"name": name, "state": state},
    )
    places = precision.decimals(
        (a["value"] for a in sub["areas"]), published.get_indicator_row(session, code).decimals
    )
    sub["decimals"] = places
    for a in sub["areas"]:
        a["text"] = i18n.number(a["value"], lang, places)
    return {"areas": sub}


@page("/indicators/{code}", "indicator.html")
def indicator(session: Session, request: Request, code: str) -> dict[str, Any]:
    lang = _lang(request)
    period = request.query_params.get("period") or None
    ctx = _charts(session, code, lang, period if not _is_subnational(session, code) else None)
    series, periods = ctx["series"], ctx["periods"]
    states = sorted(series)
    places = precision.decimals(
        (v for pts in series.values() for _, v in pts), published.get_indicator_row(session, code).decimals
    )
    table = [
        {
            "period": p,
            "values": [
                next((i18n.number(v, lang, places) for q, v in series[ms] if q == p), "") for ms in states
            ],
        }
        for p in reversed(periods)
    ]
    sectors = {s.id: s.name for s in registry_service.list_sectors(session)}
    formula = ctx["indicator"]["computed"]
    rows = (
        [published.get_indicator_row(session, c) for c in (formula["numerator"], formula["denominator"])]
        if formula
        else []
    )
    inputs = {r.code: {"en": r.name_en, "id": r.name_id} for r in rows}
    # a subnational indicator has no national series: its SDMX key takes every area
    key = sdmx_rest.key_for(indicator=code, national=ctx["indicator"]["level"] != "subnational")
    return (
        ctx
        | _areas(session, request, code, lang, period)
        | {
            "sector_name": sectors.get(ctx["indicator"]["sector"] or ""),
            "inputs": inputs,
            "outcomes": results_framework.indicator_outcomes(session, code=code),
            "states": states,
            "table": table,
            "series": {ms: [{"period": p, "value": v} for p, v in pts] for ms, pts in series.items()},
            "downloads": {
                "csv": f"/indicators/{code}/data.csv",
                "sdmx_csv": f"/sdmx/data/{sdmx_rest.dataflow_ref()}/{key}?format=sdmx-csv",
                "sdmx_ml": f"/sdmx/data/{sdmx_rest.dataflow_ref()}/{key}?format=sdmx-ml",
            },
            "chart_urls": _chart_urls(code, ctx, request),
        }
    )


def _indicator_chart(request: Request, code: str) -> Callable[[Session], charts.Chart | None]:
    """The chart a download asks for, drawn by the page's builders with the page's query."""
    kind = chart_files.kind(request)
    lang = _lang(request)
    period = request.query_params.get("period") or None

    def build(session: Session) -> charts.Chart | None:
        if kind in ("timeseries", "comparison"):
            return _charts(session, code, lang, None if kind == "timeseries" else period)["charts"][kind]
        sub = _areas(session, request, code, lang, period)["areas"]
        return None if sub is None else sub["chart" if kind == "areas" else "trend"]

    return build


@chart_files.routes("/indicators/{code}", ("timeseries", "comparison", "areas", "areas-timeseries"))
def chart_file(request: Request, code: str) -> Response:
    """A chart of the indicator page as SVG (as shown, in the page's language) or as the CSV of the
    values it plots; ``period`` and ``member_state`` as on the page."""
    return chart_files.serve(
        request,
        _indicator_chart(request, code),
        chart_files.extension(request),
        f"{code} has no published values for this chart",
    )


def _chart_urls(code: str, ctx: dict[str, Any], request: Request) -> dict[str, str]:
    """Each chart's file without its extension: the page's query, so the file is the chart shown."""
    query = {"comparison": f"?period={ctx['aggregate']['period']}" if ctx["aggregate"] else ""}
    qp = request.query_params
    areas = "&".join(f"{k}={qp[k]}" for k in ("member_state", "period") if qp.get(k) and qp[k].isalnum())
    query["areas"] = query["areas-timeseries"] = f"?{areas}" if areas else ""
    return {
        kind.replace("-", "_"): {
            ext: f"/indicators/{code}/{kind}.{ext}{query.get(kind, '')}" for ext in ("svg", "csv")
        }
        for kind in ("timeseries", "comparison", "areas", "areas-timeseries")
    }


@downloads.get(
    "/indicators/{code}/data.csv",
    response_class=Response,
    responses=download("text/csv", "published observations, re-importable"),
)
def data_csv(request: Request, code: str) -> Response:
    """Published observations in the plain CSV template's columns (re-importable)."""
    with unit_of_work(request.app.state.session_factory) as session:
        published.get_indicator_row(session, code)
        body = entry.plain_csv(published.published_rows(session, codes=[code]), entry.area_schemes(session))
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{code}.csv"'},
    )


@downloads.get(
    "/submissions/template.csv",
    response_class=Response,
    responses=download("text/csv", "the observations template"),
)
def template_csv(request: Request) -> Response:
    return Response(
        entry.template_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ascc-observations-template.csv"'},
    )


@downloads.get(
    "/submissions/template.xlsx",
    response_class=Response,
    responses=download(XLSX, "the observations template"),
)
def template_xlsx(request: Request) -> Response:
    with unit_of_work(request.app.state.session_factory) as session:
        body = entry.template_xlsx(session)
    return Response(
        body,
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="ascc-observations-template.xlsx"'},
    )


# --- sign-off pages -------------------------------------------------------------------------------


@page("/submissions", "submissions.html")
def submissions(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    permissions.require_signed_in(principal)
    state = request.query_params.get("state") or None
    if principal.role is Role.secretariat and state is None and "state" not in request.query_params:
        state = "submitted"
    items = signoff.list_submissions(session, principal=principal, state=state)
    return {
        "submissions": items,
        "state": state,
        "approvals": _names(APPROVALS),
        "names": published.member_state_names(session),
        "is_secretariat": principal.role is Role.secretariat,
    }


def _new_context(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    permissions.require_signed_in(principal)
    if principal.role is not Role.focal_point or not principal.member_state:
        raise Forbidden("only a member state's focal point enters and submits data")
    return {
        "member_state": principal.member_state,
        "names": published.member_state_names(session),
        "drafts": signoff.drafts(session, principal=principal, member_state=principal.member_state),
        "submissions": signoff.list_submissions(session, principal=principal)[:10],
        "approvals": _names(APPROVALS),
        "formats": entry.FORMAT_NAMES,
        "max_mib": entry.MAX_BYTES // 2**20,
        "report": None,
        "problems": None,
        "error": None,
    }


@page("/submissions/new", "submission_new.html")
def new_submission(session: Session, request: Request) -> dict[str, Any]:
    return _new_context(session, request)


@page("/submissions/{submission_id}", "submission.html")
def submission(session: Session, request: Request, submission_id: str) -> dict[str, Any]:
    if not submission_id.isdigit() or len(submission_id) > 9:
        raise Invalid(f"{submission_id!r} is not a submission number", parameter="submission_id")
    principal = request.state.principal
    lang = _lang(request)
    detail = signoff.get_submission(session, principal=principal, submission_id=int(submission_id))

    def text(v: float | None, *, sign: bool = False) -> str:
        if v is None:
            return ""
        return ("+" if sign and v > 0 else "") + charts.number(v, lang, digits=4)

    shown = {
        i: {
            "value": text(o["value"]),
            "previous": text(o["previous_value"]),
            "published": text(o["published_value"]),
            "change": text(o["change"], sign=True),
            "share": ""
            if o["change_share"] is None
            else ("+" if o["change_share"] > 0 else "")
            + charts.number(100 * o["change_share"], lang, digits=1)
            + " %",
        }
        for i, o in enumerate(detail["observations"]["items"])
    }
    return {
        "submission": detail,
        "names": published.member_state_names(session),
        "approvals": _names(APPROVALS),
        "can_review": principal.role is Role.secretariat and detail["state"] == "submitted",
        "error": None,
        "threshold_pct": charts.number(100 * signoff.LARGE_CHANGE, lang, digits=0),
        "shown": shown,
        "confirm": None,
    }


def _again(request: Request, build, template: str, *args: str, **extra: Any) -> Response:
    with unit_of_work(request.app.state.session_factory) as session:
        bind_principal(request, session)
        ctx = build(session, request, *args)
    status = extra.pop("status", 422)
    return render(request, template, ctx | extra, status=status)


@actions.post("/submissions")
def submit_form(
    request: Request,
    csrf: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    indicators: Annotated[list[str] | None, Form()] = None,
) -> Response:
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            created = signoff.submit(
                session,
                principal=principal,
                member_state=principal.member_state or "",
                indicators=indicators or None,
                note=note,
            )
    except DomainError as exc:
        return _again(request, new_submission, "submission_new.html", error=exc.detail, status=exc.status)
    return RedirectResponse(f"/submissions/{created['id']}", status_code=303)


@actions.post("/submissions/{submission_id}/review")
def review_form(
    request: Request,
    submission_id: int,
    csrf: Annotated[str, Form()],
    decision: Annotated[str, Form()],
    comment: Annotated[str, Form()] = "",
    revision: Annotated[str | None, Form()] = None,
    confirmed: Annotated[str, Form()] = "",
) -> Response:
    """Two steps: the review form's button asks for a confirmation (the page again, with the decision
    spelled out and nothing written); the confirmation's button (``confirmed=yes``) reviews."""
    check_csrf(request, csrf)
    if confirmed != "yes":
        try:
            comment = signoff.check_review(decision=decision, comment=comment) or ""
        except DomainError as exc:
            return _again(
                request,
                submission,
                "submission.html",
                str(submission_id),
                error=exc.detail,
                status=exc.status,
            )
        return _again(
            request,
            submission,
            "submission.html",
            str(submission_id),
            status=200,
            confirm={"decision": decision, "comment": comment, "revision": revision or ""},
        )
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            signoff.review(
                session,
                principal=principal,
                submission_id=submission_id,
                decision=decision,
                comment=comment,
                if_match=revision,
            )
    except DomainError as exc:
        return _again(
            request, submission, "submission.html", str(submission_id), error=exc.detail, status=exc.status
        )
    return RedirectResponse(f"/submissions/{submission_id}", status_code=303)


def _sse(event: str, data: Any) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


@actions.post("/submissions/upload")
def upload_form(
    request: Request, csrf: Annotated[str, Form()], file: Annotated[UploadFile, File()]
) -> Response:
    """Import a file as drafts for the focal point's own member state. With ``Accept: text/event-stream``
    (the page's script) the response streams ``progress`` events and ends with ``done`` (stored) or
    ``problems`` (the complete report; nothing stored); without, the page comes back with the result."""
    check_csrf(request, csrf)
    early: DomainError | None = None
    content = b""
    try:
        content = entry.read_upload(file.file, file.filename or "upload")
    except DomainError as exc:
        early = exc
    filename = file.filename or "upload"
    factory = request.app.state.session_factory

    def run(progress) -> dict[str, Any]:
        with unit_of_work(factory) as session:
            principal = bind_principal(request, session)
            if early is not None:
                raise early
            return entry.import_drafts(
                session,
                principal=principal,
                member_state=principal.member_state or "",
                filename=filename,
                content=content,
                progress=progress,
            )

    if "text/event-stream" not in request.headers.get("accept", ""):
        try:
            report = run(None)
        except DomainError as exc:
            problems = exc.extra.get("problems")
            return _again(
                request,
                new_submission,
                "submission_new.html",
                error=exc.detail,
                problems=problems,
                status=exc.status,
            )
        return _again(request, new_submission, "submission_new.html", report=report, status=201)
    return StreamingResponse(
        _stream(run),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def _stream(run) -> Iterator[bytes]:
    """Run the import in its own thread (its own unit of work) and relay its progress as events; the
    last event is sent after the commit, so ``done`` means stored."""
    events: queue.Queue[tuple[str, Any]] = queue.Queue()
    last = [-1.0]

    def progress(stage: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        if share - last[0] >= 0.02 or done == total:
            last[0] = share
            events.put(("progress", {"stage": stage, "done": done, "total": total}))

    def work() -> None:
        try:
            events.put(("done", run(progress)))
        except DomainError as exc:
            events.put(
                (
                    "problems",
                    {"status": exc.status, "detail": exc.detail, "problems": exc.extra.get("problems") or []},
                )
            )
        except Exception as exc:  # reported to the page; the unit of work has rolled back
            events.put(
                (
                    "problems",
                    {"status": 500, "detail": f"the import failed: {type(exc).__name__}", "problems": []},
                )
            )

    threading.Thread(target=work, daemon=True, name="ascc-import").start()
    yield _sse("progress", {"stage": "start", "done": 0, "total": 0})
    while True:
        event, data = events.get()
        yield _sse(event, data)
        if event != "progress":
            return


# --- data calls -----------------------------------------------------------------------------------

CALL_STATUSES = {
    "approved": ("Approved", "Disetujui"),
    "submitted": ("Submitted", "Diajukan"),
    "draft": ("Draft", "Draf"),
    "rejected": ("Rejected", "Ditolak"),
    "missing": ("Missing", "Belum ada"),
}
TIMELINESS = {"on_time": ("on time", "tepat waktu"), "late": ("late", "terlambat")}


@page("/data-calls", "data_calls.html")
def data_calls(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    return {
        "calls": datacalls.list_calls(session, principal=principal),
        "names": published.member_state_names(session),
        "can_open": principal.role is Role.secretariat,
    }


def _new_call_context(session: Session, request: Request) -> dict[str, Any]:
    permissions.require_secretariat(request.state.principal)
    return {
        "indicators": [
            i
            for i in published.list_indicators(session, level="national", limit=500).items
            if not i.get("computed")
        ],
        "names": published.member_state_names(session),
        "v": {},
        "error": None,
    }


@page("/data-calls/new", "data_call_new.html")
def new_data_call(session: Session, request: Request) -> dict[str, Any]:
    return _new_call_context(session, request)


@page("/data-calls/{call_id}", "data_call.html")
def data_call(session: Session, request: Request, call_id: str) -> dict[str, Any]:
    if not call_id.isdigit() or len(call_id) > 9:
        raise Invalid(f"{call_id!r} is not a data call number", parameter="call_id")
    principal = request.state.principal
    call = datacalls.get_call(session, principal=principal, call_id=int(call_id))
    mine = principal.member_state if principal.role is Role.focal_point else None
    return {
        "call": call,
        "names": published.member_state_names(session),
        "statuses": _names(CALL_STATUSES),
        "timeliness": _names(TIMELINESS),
        "my_member_state": mine,
    }


@actions.post("/data-calls")
def create_data_call_form(
    request: Request,
    csrf: Annotated[str, Form()],
    title: Annotated[str, Form()] = "",
    indicators: Annotated[list[str] | None, Form()] = None,
    periods: Annotated[str, Form()] = "",
    member_states: Annotated[list[str] | None, Form()] = None,
    deadline: Annotated[str, Form()] = "",
    message_en: Annotated[str, Form()] = "",
    message_id: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            created = datacalls.create(
                session,
                principal=principal,
                title=title,
                indicators=indicators or [],
                periods=periods.replace(";", ",").split(","),
                member_states=member_states or [],
                deadline=deadline,
                message_en=message_en,
                message_id=message_id,
            )
    except DomainError as exc:
        given = {
            "title": title,
            "indicators": indicators or [],
            "periods": periods,
            "member_states": member_states or [],
            "deadline": deadline,
            "message_en": message_en,
            "message_id": message_id,
        }
        return _again(
            request, new_data_call, "data_call_new.html", error=exc.detail, v=given, status=exc.status
        )
    return RedirectResponse(f"/data-calls/{created['id']}", status_code=303)


def _template_rows(request: Request, call_id: int) -> tuple[list[dict[str, Any]], dict[str, Any], str]:
    member_state = (request.query_params.get("member_state") or "").strip().upper()
    with unit_of_work(request.app.state.session_factory) as session:
        principal = bind_principal(request, session)
        if not member_state and principal.role is Role.focal_point:
            member_state = principal.member_state or ""
        rows = datacalls.template_rows(
            session, principal=principal, call_id=call_id, member_state=member_state
        )
        call = datacalls.describe(session, principal=principal, call_id=call_id)
    return rows, call, member_state


@downloads.get(
    "/data-calls/{call_id}/template.csv",
    response_class=Response,
    responses=download("text/csv", "a data call's pre-filled template"),
)
def data_call_template_csv(request: Request, call_id: int) -> Response:
    """The call's pre-filled template for one member state (``?member_state=``; a focal point's own)."""
    rows, _call, ms = _template_rows(request, call_id)
    return Response(
        datacalls.template_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="data-call-{call_id}-{ms}.csv"'},
    )


@downloads.get(
    "/data-calls/{call_id}/template.xlsx",
    response_class=Response,
    responses=download(XLSX, "a data call's pre-filled template"),
)
def data_call_template_xlsx(request: Request, call_id: int) -> Response:
    rows, call, ms = _template_rows(request, call_id)
    return Response(
        datacalls.template_xlsx(rows, call),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="data-call-{call_id}-{ms}.xlsx"'},
    )
