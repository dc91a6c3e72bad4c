"""National plan pages: the list, one plan with the forms its member state's focal point (or the
Secretariat) may use, the plan form, a regional plan's alignment matrix and a member state's
coverage, with their CSV downloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal, Role
from ascc.db.uow import unit_of_work
from ascc.http.auth import bind_principal, check_csrf
from ascc.http.openapi import download
from ascc.http.responses import csv_attachment
from ascc.kit.errors import DomainError, Forbidden, Invalid
from ascc.national import schemas as s
from ascc.national import service
from ascc.registry import service as registry_service
from ascc.web.pages import downloads, page, registry_names, render

actions = APIRouter(include_in_schema=False)
STATUSES = {k: {"en": v[0], "id": v[1]} for k, v in s.STATUSES.items()}
KINDS = {k: {"en": v[0], "id": v[1]} for k, v in s.ALIGNMENT_KINDS.items()}
HANDLING = {k: {"en": v[0], "id": v[1]} for k, v in s.HANDLING.items()}


def may_write(principal: Principal, member_state: str) -> bool:
    return principal.role is Role.secretariat or (
        principal.role is Role.focal_point and principal.member_state == member_state
    )


@page("/national-plans", "national_plans.html")
def national_plans(session: Session, request: Request) -> dict[str, Any]:
    member_state = request.query_params.get("member_state") or None
    principal = request.state.principal
    return {
        "plans": service.list_plans(session, member_state=member_state),
        "member_state": member_state,
        "names": registry_names(session),
        "statuses": STATUSES,
        "may_create": principal.role in (Role.secretariat, Role.focal_point),
    }


def _plan_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{raw!r} is not a national plan number", parameter="national_plan_id")
    return int(raw)


def national_plan(session: Session, request: Request, national_plan_id: str) -> dict[str, Any]:
    plan = service.get_plan(session, plan_id=_plan_id(national_plan_id))
    regional = plan["regional_plan_id"]
    return {
        "plan": plan,
        "names": registry_names(session),
        "statuses": STATUSES,
        "kinds": KINDS,
        "handling": HANDLING,
        "may_write": may_write(request.state.principal, plan["member_state"]),
        "regional_plan": registry_service.get_plan(session, plan_id=regional) if regional else None,
        "registry_plan": registry_service.get_plan(session, plan_id=plan["registry_plan_id"])
        if plan["registry_plan_id"]
        else None,
        "plans": registry_service.list_plans(session),
    }


def _form(session: Session, request: Request, national_plan_id: str | None) -> dict[str, Any]:
    principal = request.state.principal
    choices = {
        "member_states": registry_service.list_member_states(session),
        "plans": registry_service.list_plans(session),
    }
    if national_plan_id is None:
        permissions.require_signed_in(principal)
        if principal.role not in (Role.secretariat, Role.focal_point):
            raise Forbidden("only a focal point or the Secretariat records national plans")
        values = {"member_state": principal.member_state, "title": {}, "ministries": []}
        return {"values": values, "action": "/national-plans/new", "revision": None} | choices
    plan = service.get_plan(session, plan_id=_plan_id(national_plan_id))
    permissions.require_signed_in(principal)
    if not may_write(principal, plan["member_state"]):
        raise Forbidden("only this member state's focal point or the Secretariat edits this plan")
    return {
        "values": plan,
        "action": f"/national-plans/{plan['id']}/edit",
        "revision": plan["etag"],
    } | choices


@page("/national-plans/new", "national_plan_form.html")
def new_plan(session: Session, request: Request) -> dict[str, Any]:
    return _form(session, request, None)


@page("/national-plans/{national_plan_id}/edit", "national_plan_form.html")
def edit_plan(session: Session, request: Request, national_plan_id: str) -> dict[str, Any]:
    return _form(session, request, national_plan_id)


@page("/plans/{plan_id}/alignment", "alignment_matrix.html")
def alignment_matrix(session: Session, request: Request, plan_id: str) -> dict[str, Any]:
    return {
        "plan": registry_service.get_plan(session, plan_id=plan_id),
        "matrix": service.matrix(session, plan_id=plan_id),
        "names": registry_names(session),
        "statuses": STATUSES,
    }


@page("/member-states/{code}/alignment", "alignment_coverage.html")
def alignment_coverage(session: Session, request: Request, code: str) -> dict[str, Any]:
    plan_id = request.query_params.get("plan") or service.DEFAULT_REGIONAL_PLAN
    return {
        "state": registry_service.get_member_state(session, code=code.upper()),
        "plan": registry_service.get_plan(session, plan_id=plan_id),
        "coverage": service.coverage(session, member_state=code, plan_id=plan_id),
        "statuses": STATUSES,
    }


CSV = download("text/csv", "CSV, one line per element, member state, measure and result")


@downloads.get("/plans/{plan_id}/alignment.csv", response_class=Response, responses=CSV)
def alignment_matrix_csv(request: Request, plan_id: str) -> Response:
    with unit_of_work(request.app.state.session_factory) as session:
        body = service.matrix_csv(session, plan_id=plan_id)
    return csv_attachment(body, f"{plan_id}-alignment.csv")


@downloads.get("/member-states/{code}/alignment.csv", response_class=Response, responses=CSV)
def alignment_coverage_csv(request: Request, code: str) -> Response:
    plan_id = request.query_params.get("plan") or service.DEFAULT_REGIONAL_PLAN
    with unit_of_work(request.app.state.session_factory) as session:
        body = service.coverage_csv(session, member_state=code, plan_id=plan_id)
    return csv_attachment(body, f"{code.upper()}-{plan_id}-coverage.csv")


# --- forms ---------------------------------------------------------------------------------------


def _act(
    request: Request,
    csrf: str,
    plan_id: int | None,
    work: Callable,
    form: dict[str, Any],
    again: tuple[str, Callable] | None = None,
    anchor: str = "",
) -> Response:
    """Run one form action in its own unit of work; a refusal shows the page (the plan, or the form
    given in ``again``) with the reason and the values as typed, and writes nothing."""
    check_csrf(request, csrf)
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            detail = work(session, principal)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = Invalid(
                "; ".join(
                    f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}"
                    for e in exc.errors()
                )
            )
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            if again is not None:
                template, build = again
                ctx = build(session, request)
                typed = ctx["values"] | form
                typed["title"] = {"en": form.get("title_en"), "id": form.get("title_id")}
                typed["ministries"] = _lines(form.get("ministries", ""))
                ctx["values"] = typed
            else:
                if plan_id is None:
                    raise exc from None
                template, ctx = "national_plan.html", national_plan(session, request, str(plan_id))
        extra = {"error": exc.detail, "error_field": exc.extra.get("parameter"), "form": form}
        return render(request, template, ctx | extra, status=exc.status)
    return RedirectResponse(f"/national-plans/{detail['id']}{anchor}", status_code=303)


def _lines(raw: str) -> list[str]:
    return [x.strip() for x in raw.splitlines() if x.strip()]


Csrf = Annotated[str, Form()]
Revision = Annotated[str | None, Form()]
Text = Annotated[str, Form()]


def _plan_data(form: dict[str, Any]) -> s.PlanWrite:
    def opt(k: str) -> str | None:
        return (form.get(k) or "").strip() or None

    return s.PlanWrite(
        member_state=form.get("member_state") or "",
        title_en=opt("title_en"),
        title_id=opt("title_id"),
        period_start=opt("period_start"),
        period_end=opt("period_end"),
        ministries=_lines(form.get("ministries", "")),
        registry_plan_id=opt("registry_plan_id"),
        regional_plan_id=opt("regional_plan_id"),
        note=opt("note"),
        sources=[s.Source(url=u) for u in _lines(form.get("source_urls", ""))],
    )


async def _submitted(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: form.get(k) for k in form}


@actions.post("/national-plans/new")
async def create_plan(request: Request) -> Response:
    form = await _submitted(request)
    return _act(
        request,
        form.get("csrf") or "",
        None,
        lambda session, p: service.create_plan(session, principal=p, data=_plan_data(form)),
        form,
        again=("national_plan_form.html", new_plan),
    )


@actions.post("/national-plans/{national_plan_id}/edit")
async def edit_plan_form(request: Request, national_plan_id: int) -> Response:
    form = await _submitted(request)

    def work(session, p):
        data = _plan_data(form)  # the form edits the URLs; the seed quotes stay
        quotes = [
            s.Source(**x)
            for x in service.get_plan(session, plan_id=national_plan_id)["sources"]
            if x.get("file")
        ]
        data.sources = quotes + data.sources
        return service.update_plan(
            session, principal=p, plan_id=national_plan_id, data=data, if_match=form.get("revision") or None
        )

    return _act(
        request,
        form.get("csrf") or "",
        national_plan_id,
        work,
        form,
        again=(
            "national_plan_form.html",
            lambda session, req: edit_plan(session, req, str(national_plan_id)),
        ),
    )


@actions.post("/national-plans/{national_plan_id}/measures")
def add_measure(
    request: Request,
    national_plan_id: int,
    csrf: Csrf,
    code: Text,
    revision: Revision = None,
    title_en: Text = "",
    title_id: Text = "",
    ministry: Text = "",
    section: Text = "",
) -> Response:
    form = {
        "code": code,
        "title_en": title_en,
        "title_id": title_id,
        "ministry": ministry,
        "section": section,
    }

    def work(session, p):
        data = s.MeasureWrite(
            code=code,
            title_en=title_en or None,
            title_id=title_id or None,
            ministry=ministry or None,
            section=section or None,
        )
        return service.add_measure(
            session, principal=p, plan_id=national_plan_id, data=data, if_match=revision
        )

    return _act(request, csrf, national_plan_id, work, form, anchor="#measures")


@actions.post("/national-plans/{national_plan_id}/alignments")
def align(
    request: Request,
    national_plan_id: int,
    csrf: Csrf,
    measure: Text,
    element: Text,
    kind: Text,
    revision: Revision = None,
    note: Text = "",
) -> Response:
    form = {"measure": measure, "element": element, "kind": kind, "note": note}

    def work(session, p):
        data = s.AlignmentWrite(element=element, kind=kind, note=note or None)
        return service.align(
            session, principal=p, plan_id=national_plan_id, measure=measure, data=data, if_match=revision
        )

    return _act(request, csrf, national_plan_id, work, form, anchor="#measures")


@actions.post("/national-plans/{national_plan_id}/results")
def add_result(
    request: Request,
    national_plan_id: int,
    csrf: Csrf,
    revision: Revision = None,
    measure: Text = "",
    label_en: Text = "",
    label_id: Text = "",
    value: Text = "",
    unit: Text = "",
    year: Text = "",
    target: Text = "",
    indicator_code: Text = "",
    source_url: Text = "",
) -> Response:
    form = {
        "measure": measure,
        "label_en": label_en,
        "label_id": label_id,
        "value": value,
        "unit": unit,
        "year": year,
        "target": target,
        "indicator_code": indicator_code,
        "source_url": source_url,
    }

    def work(session, p):
        data = s.ResultWrite(**{k: v.strip() or None for k, v in form.items()})
        return service.add_result(
            session, principal=p, plan_id=national_plan_id, data=data, if_match=revision
        )

    return _act(request, csrf, national_plan_id, work, form, anchor="#results")


@actions.post("/national-plans/{national_plan_id}/consultation")
def open_consultation(
    request: Request,
    national_plan_id: int,
    csrf: Csrf,
    ministries: Text,
    deadline: Text,
    revision: Revision = None,
) -> Response:
    form = {"ministries": ministries, "deadline": deadline}

    def work(session, p):
        data = s.ConsultationWrite(ministries=_lines(ministries), deadline=deadline)
        return service.open_consultation(
            session, principal=p, plan_id=national_plan_id, data=data, if_match=revision
        )

    return _act(request, csrf, national_plan_id, work, form, anchor="#consultation")


@actions.post("/national-plans/{national_plan_id}/comments")
def add_comment(
    request: Request,
    national_plan_id: int,
    csrf: Csrf,
    ministry: Text,
    text: Text,
    revision: Revision = None,
    section: Text = "",
) -> Response:
    form = {"ministry": ministry, "text": text, "section": section}

    def work(session, p):
        data = s.CommentWrite(ministry=ministry, text=text, section=section or None)
        return service.add_comment(
            session, principal=p, plan_id=national_plan_id, data=data, if_match=revision
        )

    return _act(request, csrf, national_plan_id, work, form, anchor="#consultation")


@actions.post("/national-plans/{national_plan_id}/comments/{comment_id}/handling")
def handle_comment(
    request: Request,
    national_plan_id: int,
    comment_id: int,
    csrf: Csrf,
    handling: Text,
    revision: Revision = None,
    note: Text = "",
) -> Response:
    form = {"handling": handling, "note": note, "comment": comment_id}

    def work(session, p):
        data = s.HandlingWrite(handling=handling, note=note or None)
        return service.handle_comment(
            session,
            principal=p,
            plan_id=national_plan_id,
            comment_id=comment_id,
            data=data,
            if_match=revision,
        )

    return _act(request, csrf, national_plan_id, work, form, anchor="#consultation")


@actions.post("/national-plans/{national_plan_id}/adopt")
def adopt(request: Request, national_plan_id: int, csrf: Csrf, revision: Revision = None) -> Response:
    return _act(
        request,
        csrf,
        national_plan_id,
        lambda session, p: service.adopt(session, principal=p, plan_id=national_plan_id, if_match=revision),
        {},
    )


# registered after /national-plans/new, which "/national-plans/{national_plan_id}" would otherwise take
page("/national-plans/{national_plan_id}", "national_plan.html")(national_plan)
