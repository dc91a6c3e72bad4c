"""Progress pages: scorecards per plan, sector and member state; the choropleth map of an indicator;
the plan progress report as HTML and PDF. Public: they show approved, current data only."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts.schemas import Role
from ascc.db.uow import unit_of_work
from ascc.drawing import charts, choropleth, report_pdf
from ascc.http.auth import bind_principal, check_csrf
from ascc.http.openapi import download
from ascc.kit.errors import DomainError, Invalid
from ascc.monitoring import models as monitoring_models
from ascc.monitoring import terms
from ascc.monitoring.targets import progress, reports, scorecards
from ascc.monitoring.targets import service as targets_service
from ascc.registry import service as registry_service
from ascc.web import chart_files, i18n
from ascc.web.pages import downloads, page, render

router = APIRouter(include_in_schema=False)


def N_(message: str) -> str:
    """Marks a message for the catalog; ``report_pdf`` translates it with the reader's gettext."""
    return message


PDF_MESSAGES = (
    N_("Plan progress report"),
    N_("Base year"),
    N_("Generated"),
    N_("Period"),
    N_("Indicators by progress status"),
    N_("Only approved, current values are used. Progress status by the compound-growth method of Open SDG:"),
    N_("Scorecard"),
    N_("Indicator"),
    N_("Unit"),
    N_("Regional status"),
    N_("Member states assessed"),
    N_("Years"),
    N_("No indicator is linked to this plan's sectors."),
    N_("Coverage"),
    N_("No approved data."),
    N_("Source"),
    N_("Latest approved value per member state, coloured by its progress status"),
    N_("Target"),
    N_("regional"),
    N_("Sources"),
)

STATUS_NAMES = {
    "target_achieved": ("Target achieved", "Target tercapai"),
    "substantial_progress": ("Substantial progress / on track", "Kemajuan substansial / sesuai jalur"),
    "moderate_progress": ("Moderate progress, acceleration needed", "Kemajuan sedang, perlu percepatan"),
    "limited_progress": ("Limited progress", "Kemajuan terbatas"),
    "deterioration": ("Deterioration", "Kemunduran"),
    "no_significant_change": ("No significant change", "Tidak ada perubahan berarti"),
    "insufficient_data": ("Insufficient data", "Data tidak cukup"),
}
STATUS_SYMBOLS = {
    "target_achieved": "★",
    "substantial_progress": "▲",
    "moderate_progress": "◆",
    "limited_progress": "▸",
    "deterioration": "▼",
    "no_significant_change": "=",
    "insufficient_data": "?",
}


REASONS = {
    "the indicator has no direction (higher or lower is better)": "indikator tidak memiliki arah (makin tinggi atau makin rendah makin baik)",
    "a target needs a target year": "target memerlukan tahun target",
    "no approved data": "tidak ada data yang disetujui",
    "at least two years of data are needed": "diperlukan data sekurang-kurangnya dua tahun",
    "the base and latest values have different signs": "nilai dasar dan nilai terakhir berbeda tanda",
    "the target year must come after the base year": "tahun target harus setelah tahun dasar",
    "the target and the base value have different signs": "target dan nilai dasar berbeda tanda",
    "the target equals the baseline but is not reached": "target sama dengan nilai dasar tetapi belum tercapai",
}
NO_DATA_FROM = re.compile(r"^no data from (\d{4}) on$")


def reason_text(reason: str | None) -> dict[str, str] | None:
    """The method's reason for *insufficient data*, in both languages."""
    if reason is None:
        return None
    if found := NO_DATA_FROM.match(reason):
        return {"en": reason, "id": f"tidak ada data sejak {found.group(1)}"}
    return {"en": reason, "id": REASONS.get(reason, reason)}


def _bilingual(card: dict[str, Any]) -> dict[str, Any]:
    for row in card.get("rows", []):
        for cell in row["cells"].values():
            cell["reason"] = reason_text(cell["reason"])
    return card


def status_labels(lang: str) -> dict[str, str]:
    i = 0 if lang == "en" else 1
    return {k: v[i] for k, v in STATUS_NAMES.items()}


def _legend() -> list[dict[str, Any]]:
    return [
        {
            "status": s.value,
            "name": {"en": STATUS_NAMES[s.value][0], "id": STATUS_NAMES[s.value][1]},
            "symbol": STATUS_SYMBOLS[s.value],
            "colour": reports.COLOURS[s.value],
        }
        for s in reversed(progress.ORDER)
    ]


def _base(request: Request) -> int | None:
    raw = request.query_params.get("base")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) != 4:
        raise Invalid(f"base={raw!r} is not a year", parameter="base")
    return int(raw)


def _focus(request: Request, card: dict[str, Any], session: Session) -> dict[str, Any]:
    """``?member_state=IDN`` shows that member state's baseline, latest value, target and status."""
    raw = (request.query_params.get("member_state") or "").upper()
    if raw and raw not in card["member_states"]:
        raise Invalid(f"member_state={raw!r} is not a member state", parameter="member_state")
    sectors = {s.id: s.name for s in registry_service.list_sectors(session)}
    states = {m.code: m.name for m in registry_service.list_member_states(session)}
    return {"focus": raw or None, "sector_names": sectors, "member_state_names": states}


def _common() -> dict[str, Any]:
    return {
        "legend": _legend(),
        "symbols": STATUS_SYMBOLS,
        "colours": reports.COLOURS,
        "thresholds": {"target": progress.TARGET_THRESHOLDS, "trend": progress.TREND_THRESHOLDS},
        "method_url": progress.SOURCE_URL,
        "status_names": {k: {"en": v[0], "id": v[1]} for k, v in STATUS_NAMES.items()},
    }


@page("/progress", "progress_index.html")
def progress_index(session: Session, request: Request) -> dict[str, Any]:
    plans = [p for p in registry_service.list_plans(session) if p.sectors]
    ctx = _common() | {
        "plans": plans,
        "sectors": registry_service.list_sectors(session),
        "member_states": registry_service.list_member_states(session),
        "targets": targets_service.list_targets(session),
    }
    if request.state.principal.role is Role.secretariat:  # the form to set targets
        ctx["indicators"] = [
            {"code": i.code, "name": {"en": i.name_en, "id": i.name_id}}
            for i in session.scalars(
                select(monitoring_models.Indicator).order_by(monitoring_models.Indicator.code)
            )
        ]
        ctx["all_plans"] = [{"id": p.id, "title": p.title} for p in registry_service.list_plans(session)]
    return ctx


def _opt(value: str) -> str | None:
    return value.strip() or None


def _act(request: Request, csrf: str, work) -> Response:
    """One form action in its own unit of work; a refusal shows /progress again with the reason."""
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            work(session, bind_principal(request, session))
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = Invalid(
                "; ".join(
                    f"{'.'.join(map(str, e['loc'])) or 'target'}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                )
            )
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            ctx = progress_index(session, request)
        return render(request, "progress_index.html", ctx | {"error": exc.detail}, status=exc.status)
    return RedirectResponse("/progress#targets", status_code=303)


Field = Annotated[str, Form()]


@router.post("/progress/targets")
def set_target_form(
    request: Request,
    csrf: Field,
    indicator_code: Field,
    target_year: Field,
    target_value: Field,
    source: Field,
    member_state: Field = "",
    plan_id: Field = "",
    baseline_year: Field = "",
    baseline_value: Field = "",
    quote: Field = "",
    notes: Field = "",
) -> Response:
    """The Secretariat sets (creates or replaces) a target."""

    def work(session: Session, principal) -> None:
        data = targets_service.TargetWrite(
            indicator_code=indicator_code,
            member_state=_opt(member_state),
            plan_id=_opt(plan_id),
            baseline_year=_opt(baseline_year),
            baseline_value=_opt(baseline_value),
            target_year=target_year,
            target_value=target_value,
            source=source,
            quote=_opt(quote),
            notes=_opt(notes),
        )
        # the form states the whole target for its scope: it replaces whatever is stored ("*")
        targets_service.set_target(session, principal=principal, data=data, if_match="*")

    return _act(request, csrf, work)


@router.post("/progress/targets/{target_id}/delete")
def delete_target_form(request: Request, target_id: int, csrf: Field, revision: Field = "") -> Response:
    return _act(
        request,
        csrf,
        lambda session, principal: targets_service.delete_target(
            session, principal=principal, target_id=target_id, if_match=revision or None
        ),
    )


@page("/progress/plans/{plan_id}", "progress_scorecard.html")
def plan_scorecard(session: Session, request: Request, plan_id: str) -> dict[str, Any]:
    card = scorecards.plan_scorecard(session, plan_id=plan_id, base_year=_base(request))
    return _common() | _bilingual(card) | {"kind": "plan"} | _focus(request, card, session)


@page("/progress/sectors/{sector_id}", "progress_scorecard.html")
def sector_scorecard(session: Session, request: Request, sector_id: str) -> dict[str, Any]:
    card = scorecards.sector_scorecard(session, sector_id=sector_id, base_year=_base(request))
    return _common() | _bilingual(card) | {"kind": "sector"} | _focus(request, card, session)


@page("/progress/member-states/{code}", "progress_member_state.html")
def member_state_scorecard(session: Session, request: Request, code: str) -> dict[str, Any]:
    card = scorecards.member_state_scorecard(session, code=code, base_year=_base(request))
    sectors = {s.id: s for s in registry_service.list_sectors(session)}
    return (
        _common()
        | _bilingual(card)
        | {"kind": "member_state", "sector_names": {k: v.name for k, v in sectors.items()}}
    )


def _period(request: Request) -> int | None:
    raw = request.query_params.get("period")
    if not raw:
        return None
    if not raw.isdigit() or len(raw) != 4:
        raise Invalid(f"period={raw!r} is not a year", parameter="period")
    return int(raw)


@page("/indicators/{code}/map", "progress_map.html")
def indicator_map(session: Session, request: Request, code: str) -> dict[str, Any]:
    return {"map": choropleth.indicator_map(session, code=code, period=_period(request))}


@downloads.get(
    "/indicators/{code}/map.svg", response_class=Response, responses=download("image/svg+xml", "map")
)
def indicator_map_svg(request: Request, code: str) -> Response:
    """The map alone, as a standalone SVG file (export)."""
    from ascc.web.pages import environment

    with unit_of_work(request.app.state.session_factory) as session:
        bind_principal(request, session)
        ctx = choropleth.indicator_map(session, code=code, period=_period(request))
    lang, _ = i18n.choose_language(request)
    other = "id" if lang == "en" else "en"
    svg = (
        environment(lang)
        .get_template("progress_map_svg.html")
        .render(
            map=ctx,
            standalone=True,
            lang=lang,
            loc=lambda t: (t or {}).get(lang) or (t or {}).get(other) or "",
        )
    )
    return Response(svg, media_type="image/svg+xml", headers={"Content-Language": lang})


def _report_charts(session: Session, ctx: dict[str, Any], lang: str) -> dict[str, charts.Chart]:
    """The report's charts (``drawing.charts``): indicators per regional status, and per indicator
    its latest value per member state. A bar's length is the value, on a value axis from zero (with the
    regional target as a dashed line where there is one); its colour is the progress status only, named
    in the chart's legend."""
    _ = i18n.translations(lang).gettext
    labels = status_labels(lang)
    states = {
        m.code: (m.name.get(lang) if isinstance(m.name, dict) else getattr(m.name, lang, None)) or m.code
        for m in registry_service.list_member_states(session)
    }
    plan = ctx["plan"]
    out = {
        "status": charts.bars(
            [
                charts.Bar(b["status"], labels.get(b["status"], b["status"]), float(b["count"]))
                for b in ctx["status_chart"]["bars"]
                if ctx["rows"]
            ],
            name=f"{plan['id']}-progress-status",
            kind="status",
            sort=False,
            lang=lang,
            digits=0,
            colours={b["status"]: b["colour"] for b in ctx["status_chart"]["bars"]},
            title=_("Indicators by progress status"),
            x_label=_("Indicators"),
            y_label=_("Progress status"),
            desc=_("How many of the plan's indicators have each regional progress status, best first."),
        )
    }
    for r in ctx["rows"]:
        ind = r["indicator"]
        name = ind["name"].get(lang) or ind["name"].get("en") or ind["code"]
        unit = terms.unit_name(ind["unit"], lang) if ind.get("unit") else ""
        bars = r["chart"]["bars"]
        target = next((t for t in r["targets"] if not t.get("member_state")), None)
        shown = list(dict.fromkeys(b["status"] for b in bars))
        out[ind["code"]] = charts.bars(
            [
                charts.Bar(
                    b["member_state"],
                    f"{states.get(b['member_state'], b['member_state'])} ({b['year']})",
                    float(b["value"]),
                )
                for b in bars
            ],
            name=f"{plan['id']}-progress-{ind['code']}",
            kind="latest",
            lang=lang,
            title=name,
            unit=unit,
            digits=ind.get("decimals") if ind.get("decimals") is not None else 2,
            colours={b["member_state"]: b["colour"] for b in bars},
            reference=(_("Regional target"), float(target["target_value"])) if target else None,
            legend=[(reports.COLOURS[s], labels.get(s, s)) for s in shown],
            x_label=unit or _("Value"),
            y_label=_("Member state"),
            desc=_("%(name)s: latest approved value per member state; the colour is its progress status.")
            % {"name": name},
        )
    return out


@downloads.get(
    "/indicators/{code}/map.csv", response_class=Response, responses=download("text/csv", "the map's values")
)
def indicator_map_csv(request: Request, code: str) -> Response:
    """The values the map colours: one row per area drawn (code, name, value, period; empty: no data)."""
    with unit_of_work(request.app.state.session_factory) as session:
        bind_principal(request, session)
        ctx = choropleth.indicator_map(session, code=code, period=_period(request))
    shapes = sorted(ctx["shapes"], key=lambda s: s["code"])
    chart = charts.Chart(
        "map",
        f"{code}-map",
        "",
        ("code", "name", "value", "period"),
        tuple((s["code"], s["name"], s["value"], s["period"]) for s in shapes),
    )
    return chart_files.body(chart, "csv")


@page("/plans/{plan_id}/progress", "progress_report.html")
def plan_report(session: Session, request: Request, plan_id: str) -> dict[str, Any]:
    base = _base(request)
    ctx = reports.plan_report(session, plan_id=plan_id, base_year=base)
    return (
        _common()
        | ctx
        | {
            "charts": _report_charts(session, ctx, i18n.choose_language(request)[0]),
            "chart_query": f"?base={base}" if base else "",
        }
    )


@chart_files.routes("/plans/{plan_id}/progress/charts", ("{chart}",))
def plan_report_chart(request: Request, plan_id: str, chart: str) -> Response:
    """A chart of the progress report (``status`` or an indicator's code) as SVG or as its values' CSV."""
    lang = i18n.choose_language(request)[0]
    base = _base(request)

    def build(session: Session) -> charts.Chart | None:
        ctx = reports.plan_report(session, plan_id=plan_id, base_year=base)
        return _report_charts(session, ctx, lang).get(chart)

    return chart_files.serve(
        request, build, chart_files.extension(request), f"the report has no chart {chart!r}"
    )


@downloads.get(
    "/plans/{plan_id}/progress.pdf",
    response_class=Response,
    responses=download("application/pdf", "the plan's progress report"),
)
def plan_report_pdf(request: Request, plan_id: str) -> Response:
    lang, _ = i18n.choose_language(request)
    with unit_of_work(request.app.state.session_factory) as session:
        bind_principal(request, session)
        ctx = reports.plan_report(session, plan_id=plan_id, base_year=_base(request))
    gettext = i18n.translations(lang).gettext
    labels = status_labels(lang)
    pdf = report_pdf.render(ctx, lang=lang, t=gettext, status_name=lambda s: labels.get(s, s))
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{plan_id}-progress-{lang}.pdf"',
            "Content-Language": lang,
        },
    )
