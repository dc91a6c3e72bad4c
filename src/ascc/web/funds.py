"""Fund pages: the funds and their calls, funded projects by member state and year (public), one
call (with the submission form for focal points) and one proposal with the review forms its reader
may use (the owner body's chairs and the Secretariat; the submitting member state's focal points)."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.responses import RedirectResponse, Response

from ascc.accounts import permissions
from ascc.accounts.schemas import Role
from ascc.db.uow import unit_of_work
from ascc.funds import schemas as s
from ascc.funds import service as funds_service
from ascc.http.auth import bind_principal, check_csrf
from ascc.kit.errors import DomainError, Forbidden, Invalid
from ascc.registry import service as registry_service
from ascc.web.pages import page, registry_names, render

actions = APIRouter(include_in_schema=False)
PAGE = 50


def _number(raw: str, name: str) -> int:
    if not raw.isdigit() or len(raw) > 9:
        raise Invalid(f"{raw!r} is not a {name} number", parameter=name)
    return int(raw)


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset", "0")
    if not raw.isdigit():
        raise Invalid("offset must be a whole number", parameter="offset")
    return int(raw)


@page("/funds", "funds.html")
def funds(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    fund_id = request.query_params.get("fund") or None
    offset = _offset(request)
    calls = funds_service.list_calls(session, fund_id=fund_id)
    listed = funds_service.list_funds(session)
    owned = [
        f
        for f in listed
        if principal.role is Role.secretariat
        or (principal.role is Role.chair and principal.body_id == f["owner_body"])
    ]
    return {
        "funds": listed,
        "calls": calls[offset : offset + PAGE],
        "total": len(calls),
        "offset": offset,
        "limit": PAGE,
        "pages": math.ceil(len(calls) / PAGE) if calls else 1,
        "fund": fund_id,
        "owned": owned,
        "form": {},
    }


@page("/funds/projects", "fund_projects.html")
def projects(session: Session, request: Request) -> dict[str, Any]:
    qp = request.query_params
    member_state = qp.get("member_state") or None
    year = qp.get("year") or None
    if year is not None and (not year.isdigit() or len(year) != 4):
        raise Invalid(f"year={year!r} is not a year", parameter="year")
    result = funds_service.funded_projects(
        session, member_state=member_state, year=int(year) if year else None
    )
    return result | {
        "filters": {"member_state": member_state, "year": year},
        "member_states": registry_service.list_member_states(session),
    }


@page("/funds/calls/{call_id}", "fund_call.html")
def call(session: Session, request: Request, call_id: str) -> dict[str, Any]:
    principal = request.state.principal
    detail = funds_service.get_call(session, call_id=_number(call_id, "call_id"))
    proposals = funds_service.list_proposals(session, principal=principal, call_id=detail["id"])
    return {
        "call": detail,
        "proposals": proposals,
        "names": registry_names(session),
        "form": {},
        "can_submit": principal.role is Role.focal_point and detail["open"],
    }


@page("/funds/proposals/{proposal_id}", "fund_proposal.html")
def proposal(session: Session, request: Request, proposal_id: str) -> dict[str, Any]:
    principal = request.state.principal
    detail = funds_service.get_proposal(
        session, principal=principal, proposal_id=_number(proposal_id, "proposal_id")
    )
    owner = principal.role is Role.secretariat or (
        principal.role is Role.chair and principal.body_id == detail["owner_body"]
    )
    conflicted = any(c["reviewer"] == principal.label for c in detail["conflicts"])
    current = {
        "title_en": detail["title"]["en"],
        "title_id": detail["title"]["id"] or "",
        "summary": detail["summary"],
        "requested": detail["requested"],
        "partners": "\n".join(detail["partners"]),
        "budget_lines": "\n".join(f"{b['item']} | {b['amount']}" for b in detail["budget_lines"]),
        "outcomes": " ".join(detail["outcomes"]),
        "documents": "\n".join(f"{d['name']} | {d['url']}" for d in detail["documents"]),
    }
    return {
        "proposal": detail,
        "call": funds_service.get_call(session, call_id=detail["call_id"]),
        "owner": owner,
        "conflicted": conflicted,
        "names": registry_names(session),
        "form": {},
        "current": current,
    }


# --- forms ----------------------------------------------------------------------------------------


def _lines(raw: str | None) -> list[str]:
    return [line.strip() for line in (raw or "").splitlines() if line.strip()]


def _pairs(raw: str | None, *keys: str) -> list[dict[str, str]]:
    """Lines of ``a | b | …`` as dicts with ``keys`` (a missing part is empty)."""
    out = []
    for line in _lines(raw):
        parts = [p.strip() for p in line.split("|")]
        out.append(dict(zip(keys, parts + [""] * (len(keys) - len(parts)), strict=False)))
    return out


def _message(exc: ValidationError) -> Invalid:
    return Invalid(
        "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {e['msg'].removeprefix('Value error, ')}" for e in exc.errors()
        )
    )


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in form}
    check_csrf(request, values.get("csrf"))
    return values


def _act(
    request: Request, values: dict[str, Any], work: Callable, again: tuple[Callable, str, str | None]
) -> Response:
    """One write in its own unit of work; a refusal shows the page again with the reason and the
    values as typed, and writes nothing."""
    try:
        with unit_of_work(request.app.state.session_factory) as session:
            principal = bind_principal(request, session)
            target = work(session, principal)
    except (DomainError, ValidationError) as exc:
        if isinstance(exc, ValidationError):
            exc = _message(exc)
        build, template, arg = again
        with unit_of_work(request.app.state.session_factory) as session:
            bind_principal(request, session)
            ctx = build(session, request, arg) if arg is not None else build(session, request)
        form = {k: v for k, v in values.items() if k != "csrf"}
        return render(request, template, ctx | {"error": exc.detail, "form": form}, status=exc.status)
    return RedirectResponse(target, status_code=303)


def _deadline(raw: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid(
            f"deadline: {raw!r} is not a date and time (YYYY-MM-DDTHH:MM, UTC)", parameter="deadline"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@actions.post("/funds/calls")
async def open_call(request: Request) -> Response:
    values = await _form(request)

    def work(session, principal):
        permissions.require_signed_in(principal)  # who may not write learns that first
        criteria = [
            {"key": c["key"], "name_en": c["name_en"], "name_id": c["name_id"] or None, "weight": c["weight"]}
            for c in _pairs(values.get("criteria"), "key", "name_en", "name_id", "weight")
        ]
        data = s.FundCallCreate(
            fund_id=values.get("fund_id", ""),
            title_en=values.get("title_en", ""),
            title_id=values.get("title_id") or None,
            themes=_lines(values.get("themes")),
            eligibility=values.get("eligibility") or None,
            ceiling=values.get("ceiling") or "0",
            currency=values.get("currency") or None,
            deadline=_deadline(values.get("deadline", "")),
            required_documents=_lines(values.get("required_documents")),
            criteria=criteria,
        )
        return f"/funds/calls/{funds_service.open_call(session, principal=principal, data=data)['id']}"

    return _act(request, values, work, (funds, "funds.html", None))


def _proposal_data(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "title_en": values.get("title_en", ""),
        "title_id": values.get("title_id") or None,
        "summary": values.get("summary", ""),
        "requested": values.get("requested") or "0",
        "budget_lines": _pairs(values.get("budget_lines"), "item", "amount"),
        "partners": _lines(values.get("partners")),
        "outcomes": [w for w in re.split(r"[\s,;]+", values.get("outcomes", "")) if w],
        "documents": _pairs(values.get("documents"), "name", "url"),
    }


@actions.post("/funds/calls/{call_id}/proposals")
async def submit(request: Request, call_id: int) -> Response:
    values = await _form(request)

    def work(session, principal):
        permissions.require_signed_in(principal)
        if principal.role is not Role.focal_point:
            raise Forbidden("only a member state's focal point submits a proposal")
        data = s.FundProposalCreate(
            call_id=call_id, member_state=principal.member_state or "", **_proposal_data(values)
        )
        return (
            f"/funds/proposals/{funds_service.submit_proposal(session, principal=principal, data=data)['id']}"
        )

    return _act(request, values, work, (call, "fund_call.html", str(call_id)))


def _scores(values: dict[str, Any]) -> dict[str, Any]:
    scores = {}
    for key, raw in values.items():
        if key.startswith("score_") and raw.strip():
            if not raw.strip().isdigit():
                raise Invalid(
                    f"{key.removeprefix('score_')}: a score is a whole number 0-{s.MAX_SCORE}",
                    parameter="scores",
                )
            scores[key.removeprefix("score_")] = int(raw)
    return {"scores": scores, "comment": values.get("comment") or None}


#: the review forms: step → (service, the input made from the form)
STEPS: dict[str, tuple[Callable, Callable[[dict[str, Any]], Any]]] = {
    "edit": (funds_service.update_proposal, lambda v: s.FundProposalWrite(**_proposal_data(v))),
    "eligibility": (
        funds_service.check_eligibility,
        lambda v: s.FundEligibilityCheck(eligible=v.get("eligible") == "yes", reason=v.get("reason", "")),
    ),
    "conflicts": (
        funds_service.declare_conflict,
        lambda v: s.FundConflictDeclaration(reason=v.get("reason", "")),
    ),
    "scores": (funds_service.score_proposal, lambda v: s.FundScoreSheet(**_scores(v))),
    "recommendation": (
        funds_service.recommend,
        lambda v: s.FundRecommendation(
            recommendation=v.get("recommendation", ""),
            amount=v.get("amount") or None,
            text=v.get("text") or None,
        ),
    ),
    "project": (
        funds_service.start_project,
        lambda v: s.FundProjectStart(
            **{
                k: v.get(k) or None
                for k in (
                    "planned_start",
                    "planned_end",
                    "reporting_org_ref",
                    "reporting_org_type",
                    "reporting_org_name",
                    "local_id",
                    "sector",
                )
            }
        ),
    ),
    "reports": (
        funds_service.add_report,
        lambda v: s.FundReportCreate(text=v.get("text", ""), spent=v.get("spent") or None),
    ),
    "closure": (
        funds_service.close_project,
        lambda v: s.FundClosure(closed_on=v.get("closed_on") or None, text=v.get("text", "")),
    ),
}


@actions.post("/funds/proposals/{proposal_id}/{step}")
async def review(request: Request, proposal_id: int, step: str) -> Response:
    if step not in STEPS:
        raise Invalid(f"no form {step!r}", parameter="step")
    values = await _form(request)
    service, make = STEPS[step]

    def work(session, principal):
        permissions.require_signed_in(principal)
        service(
            session,
            principal=principal,
            proposal_id=proposal_id,
            data=make(values),
            if_match=values.get("revision") or None,
        )
        return f"/funds/proposals/{proposal_id}"

    return _act(request, values, work, (proposal, "fund_proposal.html", str(proposal_id)))
