"""Fund services: funds, calls, proposals, review, the decision, the funded project.

Writes take the principal and check it first (nothing is written for a refused request), take an
``If-Match`` when they change an existing record (``db.concurrency``), and only flush. Who may act:

- open or change a call, check eligibility, recommend, start and close the project: the ASEAN
  Secretariat or a chair of the fund's owner body;
- score and declare a conflict of interest: a named reviewer, a chair of the owner body or a
  Secretariat officer (a reviewer who declared a conflict for a proposal cannot score it);
- submit and change a proposal (before the deadline and the eligibility check): a focal point of the
  member state it is for, its own; progress reports: those focal points or the owner side.

A proposal is read only by the owner side and the submitting member state's focal points; to anyone
else it does not exist (404). Its status is derived when read: the decision item made for its
recommendation decides it once adopted (``decisions.service``, silence procedures included).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal, Role
from ascc.db import version
from ascc.db.concurrency import check_version, hold
from ascc.decisions import schemas as decision_schemas
from ascc.decisions import service as decisions_service
from ascc.funds import repository as repo
from ascc.funds import schemas as s
from ascc.funds.models import ConflictOfInterest, Fund, FundCall, ProgressReport, Proposal, Score
from ascc.kit import clock
from ascc.kit.errors import Conflict, Forbidden, Invalid, NotFound
from ascc.registry import service as registry_service
from ascc.results import framework
from ascc.results import schemas as results_schemas
from ascc.results import service as results_service

FUNDS = Path(__file__).parent / "data" / "funds.yaml"
#: reads the decision item of a recommendation to derive a proposal's status (items for member
#: states: the Secretariat reads them all); never used to write
_READER = Principal(name="fund review", role=Role.secretariat)


# --- reference data -------------------------------------------------------------------------------


def read_funds(path: Path = FUNDS) -> list[dict[str, Any]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or []


def load_funds(session: Session, *, records: list[dict[str, Any]] | None = None) -> tuple[int, int]:
    """Write the funds of ``data/funds.yaml`` that are not there yet (an existing fund keeps what its
    owner recorded: rules, budget). Returns ``(created, kept)``. Flushes only."""
    created = kept = 0
    for rec in records if records is not None else read_funds():
        for key in ("id", "owner_body"):
            registry_service.get_body(session, body_id=rec[key])
        if session.get(Fund, rec["id"]) is not None:
            kept += 1
            continue
        session.add(
            Fund(
                id=rec["id"],
                owner_body=rec["owner_body"],
                name_en=rec["name_en"],
                name_id=rec.get("name_id"),
                rules_en=rec.get("rules_en"),
                rules_id=rec.get("rules_id"),
                budget=None,
                currency=None,
                sources=rec.get("sources") or [],
                revision=1,
            )
        )
        created += 1
    session.flush()
    return created, kept


# --- who may do what ------------------------------------------------------------------------------


def is_owner_side(principal: Principal, fund: Fund) -> bool:
    if principal.role is Role.secretariat:
        return True
    return principal.role is Role.chair and principal.body_id == fund.owner_body


def _require_owner_side(principal: Principal, fund: Fund) -> None:
    permissions.require_secretariat_or_chair(principal, body_id=fund.owner_body)


def can_read_proposal(principal: Principal, fund: Fund, proposal: Proposal) -> bool:
    if is_owner_side(principal, fund):
        return True
    return principal.role is Role.focal_point and principal.member_state == proposal.member_state


# --- funds ----------------------------------------------------------------------------------------


def fund_etag(fund: Fund) -> str:
    return f'"fund-{fund.id}-r{fund.revision}"'


def _fund(session: Session, fund_id: str, *, lock: bool = False) -> Fund:
    fund = hold(session, Fund, fund_id) if lock else session.get(Fund, fund_id)
    if fund is None:
        raise NotFound(f"no fund {fund_id!r}")
    return fund


def fund_read(session: Session, fund: Fund) -> dict[str, Any]:
    owner = registry_service.get_body(session, body_id=fund.owner_body)
    return {
        "id": fund.id,
        "etag": fund_etag(fund),
        "name": {"en": fund.name_en, "id": fund.name_id},
        "owner_body": fund.owner_body,
        "owner": {"acronym": owner.acronym, "name": owner.name.model_dump()},
        "rules": {"en": fund.rules_en, "id": fund.rules_id},
        "budget": fund.budget,
        "currency": fund.currency,
        "sources": fund.sources or [],
    }


def list_funds(session: Session) -> list[dict[str, Any]]:
    return [fund_read(session, f) for f in repo.funds(session)]


def get_fund(session: Session, *, fund_id: str) -> dict[str, Any]:
    return fund_read(session, _fund(session, fund_id))


def update_fund(
    session: Session, *, principal: Principal, fund_id: str, data: s.FundUpdate, if_match: str | None = None
) -> dict[str, Any]:
    permissions.require_signed_in(principal)
    fund = _fund(session, fund_id, lock=True)
    _require_owner_side(principal, fund)
    check_version(fund_etag(fund), if_match, what=f"fund {fund_id}")
    for key, value in data.model_dump().items():
        setattr(fund, key, value)
    fund.revision += 1
    session.flush()
    return fund_read(session, fund)


# --- calls ----------------------------------------------------------------------------------------


def call_etag(call: FundCall) -> str:
    return f'"fund-call-{call.id}-r{call.revision}"'


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def is_open(call: FundCall, now: dt.datetime | None = None) -> bool:
    return (now or clock.now()) <= _utc(call.deadline)


def _call(session: Session, call_id: int, *, lock: bool = False) -> FundCall:
    call = hold(session, FundCall, call_id) if lock else session.get(FundCall, call_id)
    if call is None:
        raise NotFound(f"no fund call {call_id}")
    return call


def call_read(call: FundCall, fund: Fund | None = None) -> dict[str, Any]:
    """The call as read now; an open call closes by itself at its deadline, so what is read now
    holds until then (``db.version.valid_until``: the public response cache keeps it no longer)."""
    if is_open(call):
        version.valid_until(_utc(call.deadline))
    return {
        "id": call.id,
        "etag": call_etag(call),
        "fund_id": call.fund_id,
        "fund": {"en": fund.name_en, "id": fund.name_id} if fund else None,
        "owner_body": fund.owner_body if fund else None,
        "title": {"en": call.title_en, "id": call.title_id},
        "themes": call.themes or [],
        "eligibility": call.eligibility,
        "ceiling": call.ceiling,
        "currency": call.currency,
        "deadline": _utc(call.deadline),
        "open": is_open(call),
        "required_documents": call.required_documents or [],
        "criteria": call.criteria or [],
        "opened_by": call.opened_by,
        "opened_at": call.opened_at,
    }


def _apply_call(call: FundCall, data: s.FundCallWrite, fund: Fund) -> None:
    currency = data.currency or fund.currency
    if currency is None:
        raise Invalid(f"give the call's currency: the fund {fund.id} has none recorded", parameter="currency")
    call.title_en, call.title_id, call.themes = data.title_en, data.title_id, data.themes
    call.eligibility, call.ceiling, call.currency = data.eligibility, data.ceiling, currency
    call.deadline = _utc(data.deadline)
    call.required_documents = data.required_documents
    call.criteria = [c.model_dump() for c in data.criteria]


def open_call(session: Session, *, principal: Principal, data: s.FundCallCreate) -> dict[str, Any]:
    permissions.require_signed_in(principal)
    fund = _fund(session, data.fund_id)
    _require_owner_side(principal, fund)
    if _utc(data.deadline) <= clock.now():
        raise Invalid(f"the deadline {data.deadline.isoformat()} has passed already", parameter="deadline")
    call = FundCall(fund_id=fund.id, opened_by=principal.label, opened_at=clock.now(), revision=1)
    _apply_call(call, data, fund)
    session.add(call)
    session.flush()
    return call_read(call, fund)


def update_call(
    session: Session,
    *,
    principal: Principal,
    call_id: int,
    data: s.FundCallWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    permissions.require_signed_in(principal)
    call = _call(session, call_id, lock=True)
    fund = _fund(session, call.fund_id)
    _require_owner_side(principal, fund)
    check_version(call_etag(call), if_match, what=f"fund call {call_id}")
    requested = [p.requested for p in repo.proposals(session, call_ids=[call.id])]
    if requested and data.ceiling < max(requested):
        raise Conflict(f"a proposal already requests {max(requested)}: the ceiling cannot go below it")
    _apply_call(call, data, fund)
    call.revision += 1
    session.flush()
    return call_read(call, fund)


def list_calls(session: Session, *, fund_id: str | None = None) -> list[dict[str, Any]]:
    """Calls, latest deadline first (public)."""
    funds = {f.id: f for f in repo.funds(session)}
    return [call_read(c, funds.get(c.fund_id)) for c in repo.calls(session, fund_id=fund_id)]


def get_call(session: Session, *, call_id: int) -> dict[str, Any]:
    call = _call(session, call_id)
    return call_read(call, session.get(Fund, call.fund_id))


# --- proposals ------------------------------------------------------------------------------------


def proposal_etag(p: Proposal) -> str:
    return f'"fund-proposal-{p.id}-r{p.revision}"'


def _decision(session: Session, p: Proposal) -> Any | None:
    if p.decision_item_id is None:
        return None
    try:
        return decisions_service.get_item(session, principal=_READER, item_id=p.decision_item_id)
    except NotFound:
        return None


def status(session: Session, p: Proposal, decision: Any | None = None) -> str:
    """The proposal's status as every read shows it (the decision item's adoption included)."""
    if p.closed_on is not None:
        return "closed"
    if p.activity_id is not None:
        return "funded"
    if p.eligible is None:
        return "submitted"
    if not p.eligible:
        return "ineligible"
    if p.recommendation is None:
        return "eligible"
    decision = decision if decision is not None else _decision(session, p)
    if decision is not None and decision.status == "adopted":
        return "approved" if p.recommendation == "fund" else "not_funded"
    return "recommended"


def _proposal(
    session: Session, principal: Principal, proposal_id: int, *, lock: bool = False
) -> tuple[Proposal, FundCall, Fund]:
    p = hold(session, Proposal, proposal_id) if lock else session.get(Proposal, proposal_id)
    if p is None:
        raise NotFound(f"no fund proposal {proposal_id}")
    call = _call(session, p.call_id)
    fund = _fund(session, call.fund_id)
    if not can_read_proposal(principal, fund, p):
        raise NotFound(f"no fund proposal {proposal_id}")
    return p, call, fund


def _held(session: Session, principal: Principal, proposal_id: int) -> tuple[Proposal, FundCall, Fund]:
    """The proposal held for a write (``db.concurrency.hold``), once the principal is signed in."""
    permissions.require_signed_in(principal)
    return _proposal(session, principal, proposal_id, lock=True)


def _stored(session: Session, p: Proposal, call: FundCall, fund: Fund) -> dict[str, Any]:
    """After a change of the proposal (or of what belongs to it): its revision moves."""
    p.revision += 1
    session.flush()
    return proposal_read(session, p, call, fund)


def _check_proposal(session: Session, data: s.FundProposalWrite, call: FundCall) -> None:
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"parameter": field, "message": message})

    if data.requested > call.ceiling:
        bad(
            "requested",
            f"{data.requested} {call.currency} is over the call's ceiling of {call.ceiling} {call.currency}",
        )
    if data.budget_lines:
        total = sum((b.amount for b in data.budget_lines), Decimal(0))
        if total != data.requested:
            bad("budget_lines", f"the budget lines add up to {total}, not to the {data.requested} requested")
    outcomes = framework.get_outcomes(session, keys=data.outcomes)
    for i, key in enumerate(data.outcomes):
        if key not in outcomes:
            bad(f"outcomes[{i}]", f"no plan outcome {key!r} (give plan-id/code, e.g. vnm-project-161/G1.O2)")
    if len(set(data.outcomes)) != len(data.outcomes):
        bad("outcomes", "lists an outcome twice")
    if errors:
        raise Invalid(
            "; ".join(f"{e['parameter']}: {e['message']}" for e in errors),
            parameter=errors[0]["parameter"],
            errors=errors,
        )


def _refuse_late(call: FundCall) -> None:
    if not is_open(call):
        raise Conflict(
            f"the call {call.id} closed on {_utc(call.deadline).strftime('%Y-%m-%d %H:%M UTC')}: "
            "submissions and changes are no longer accepted"
        )


def _apply_proposal(p: Proposal, data: s.FundProposalWrite) -> None:
    p.title_en, p.title_id, p.summary, p.requested = (
        data.title_en,
        data.title_id,
        data.summary,
        data.requested,
    )
    p.budget_lines = [{"item": b.item, "amount": str(b.amount)} for b in data.budget_lines]
    p.partners, p.outcomes = data.partners, data.outcomes
    p.references = [d.model_dump() for d in data.documents]


def submit_proposal(session: Session, *, principal: Principal, data: s.FundProposalCreate) -> dict[str, Any]:
    """A focal point submits a proposal for its own member state, before the call's deadline."""
    permissions.require_signed_in(principal)
    if principal.role is not Role.focal_point:
        raise Forbidden("only a member state's focal point submits a proposal")
    if principal.member_state != data.member_state:
        raise Forbidden(f"a focal point of {principal.member_state} cannot submit for {data.member_state}")
    call = _call(session, data.call_id, lock=True)  # held: the deadline check and the write are one step
    owner = registry_service.get_body(session, body_id=_fund(session, call.fund_id).owner_body)
    permissions.require_focal_point_of(principal, member_state=data.member_state, sector=owner.sector)
    _refuse_late(call)
    _check_proposal(session, data, call)
    p = Proposal(
        call_id=call.id,
        member_state=data.member_state,
        submitted_by=principal.label,
        submitted_at=clock.now(),
        revision=1,
    )
    _apply_proposal(p, data)
    session.add(p)
    session.flush()
    return proposal_read(session, p, call, _fund(session, call.fund_id))


def update_proposal(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundProposalWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    p, call, fund = _held(session, principal, proposal_id)
    permissions.require_focal_point_of(principal, member_state=p.member_state)
    check_version(proposal_etag(p), if_match, what=f"fund proposal {proposal_id}")
    _refuse_late(call)
    if p.eligible is not None:
        raise Conflict("the proposal's eligibility was checked: it can no longer be changed")
    _check_proposal(session, data, call)
    _apply_proposal(p, data)
    return _stored(session, p, call, fund)


def _owner_write(
    session: Session, principal: Principal, proposal_id: int, if_match: str | None
) -> tuple[Proposal, FundCall, Fund]:
    """The proposal held for a write of the owner side: principal first, then the version."""
    p, call, fund = _held(session, principal, proposal_id)
    _require_owner_side(principal, fund)
    check_version(proposal_etag(p), if_match, what=f"fund proposal {proposal_id}")
    return p, call, fund


def check_eligibility(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundEligibilityCheck,
    if_match: str | None = None,
) -> dict[str, Any]:
    p, call, fund = _owner_write(session, principal, proposal_id, if_match)
    if p.recommendation is not None:
        raise Conflict("the proposal is recommended already: its eligibility stands")
    p.eligible, p.eligibility_reason, p.eligibility_by = data.eligible, data.reason, principal.label
    return _stored(session, p, call, fund)


def _reviewer(principal: Principal, fund: Fund) -> int:
    permissions.require_signed_in(principal)
    if not is_owner_side(principal, fund):
        raise Forbidden("only a chair of the fund's owner body or the Secretariat reviews its proposals")
    assert principal.user_id is not None
    return principal.user_id


def declare_conflict(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundConflictDeclaration,
    if_match: str | None = None,
) -> dict[str, Any]:
    p, call, fund = _held(session, principal, proposal_id)
    reviewer = _reviewer(principal, fund)
    check_version(proposal_etag(p), if_match, what=f"fund proposal {proposal_id}")
    if repo.conflict(session, p.id, reviewer) is not None:
        raise Conflict("you declared a conflict of interest for this proposal already")
    for row in repo.scores(session, p.id):  # the reviewer's scores no longer count
        if row.reviewer_id == reviewer:
            session.delete(row)
    session.add(
        ConflictOfInterest(
            proposal_id=p.id,
            reviewer_id=reviewer,
            reviewer=principal.label,
            reason=data.reason,
            at=clock.now(),
        )
    )
    return _stored(session, p, call, fund)


def score_proposal(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundScoreSheet,
    if_match: str | None = None,
) -> dict[str, Any]:
    p, call, fund = _held(session, principal, proposal_id)
    reviewer = _reviewer(principal, fund)
    check_version(proposal_etag(p), if_match, what=f"fund proposal {proposal_id}")
    if repo.conflict(session, p.id, reviewer) is not None:
        raise Conflict("you declared a conflict of interest for this proposal: you cannot score it")
    if p.eligible is not True:
        raise Conflict("only a proposal found eligible is scored (check its eligibility first)")
    if p.recommendation is not None:
        raise Conflict("the committee has recommended already: scores are closed")
    keys = {c["key"] for c in call.criteria or []}
    unknown = sorted(set(data.scores) - keys)
    if unknown:
        raise Invalid(
            f"not a criterion of this call: {', '.join(unknown)} (one of {', '.join(sorted(keys))})",
            parameter="scores",
        )
    now = clock.now()
    for criterion, value in data.scores.items():
        row = repo.score(session, p.id, reviewer, criterion)
        if row is None:
            row = Score(proposal_id=p.id, reviewer_id=reviewer, criterion=criterion)
            session.add(row)
        row.reviewer, row.score, row.comment, row.at = principal.label, value, data.comment, now
    return _stored(session, p, call, fund)


def recommend(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundRecommendation,
    if_match: str | None = None,
) -> dict[str, Any]:
    """The committee's recommendation, put to the decision cycle as a new item of the owner body."""
    p, call, fund = _owner_write(session, principal, proposal_id, if_match)
    if p.eligible is not True:
        raise Conflict("only an eligible proposal is recommended")
    if p.recommendation is not None:
        raise Conflict(f"the proposal is recommended already (decision item {p.decision_item_id})")
    if data.amount is not None and data.amount > p.requested:
        raise Invalid(
            f"{data.amount} is more than the {p.requested} {call.currency} requested", parameter="amount"
        )
    verb = ("Fund", "Danai") if data.recommendation == "fund" else ("Do not fund", "Tidak mendanai")
    amount = f" ({data.amount} {call.currency})" if data.amount is not None else ""
    item = decisions_service.create_item(
        session,
        principal=principal,
        data=decision_schemas.ItemCreate(
            title_en=f"{fund.name_en}: {verb[0]} “{p.title_en}” of {p.member_state}{amount}"[:300],
            title_id=f"{fund.name_id or fund.name_en}: {verb[1]} “{p.title_id or p.title_en}” dari {p.member_state}{amount}"[
                :300
            ],
            summary=(
                f"Recommendation of the review committee on fund proposal {p.id} (call {call.id}). "
                + (data.text or "")
            )[:10000],
            body_id=fund.owner_body,
        ),
    )
    p.recommendation, p.recommended_amount = data.recommendation, data.amount
    p.recommendation_text, p.decision_item_id = data.text, item.id
    return _stored(session, p, call, fund)


def _activity_data(
    p: Proposal, call: FundCall, fund: Fund, data: s.FundProjectStart, adopted_on: dt.date | None
) -> results_schemas.ActivityWrite:
    return results_schemas.ActivityWrite(
        reporting_org_ref=data.reporting_org_ref,
        reporting_org_type=data.reporting_org_type,
        reporting_org_name=data.reporting_org_name,
        local_id=data.local_id,
        title_en=p.title_en,
        title_id=p.title_id,
        description_en=p.summary,
        sector=data.sector,
        responsible_body=fund.owner_body,
        budget=p.recommended_amount,
        currency=call.currency,
        budget_value_date=adopted_on,
        planned_start=data.planned_start,
        planned_end=data.planned_end,
        status=2,
        member_states=[p.member_state],
        outcomes=list(p.outcomes or []),
        decisions=[p.decision_item_id] if p.decision_item_id else [],
    )


def start_project(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundProjectStart,
    if_match: str | None = None,
) -> dict[str, Any]:
    """An approved proposal becomes a results-chain activity with its budget (and so an IATI activity)."""
    p, call, fund = _owner_write(session, principal, proposal_id, if_match)
    decision = _decision(session, p)
    now = status(session, p, decision)
    if now != "approved":
        raise Conflict(
            f"only an approved proposal becomes a project (this one is {s.STATUS_NAMES[now][0].lower()})"
        )
    write = _activity_data(p, call, fund, data, decision.adopted_on if decision else None)
    activity = results_service.create_activity(
        session,
        principal=principal,
        data=write,
        sources=[
            {
                "url": f"/funds/proposals/{p.id}",
                "quote": f"fund proposal {p.id}, decision item {p.decision_item_id}",
            }
        ],
    )
    p.activity_id = activity["id"]
    return _stored(session, p, call, fund)


def add_report(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundReportCreate,
    if_match: str | None = None,
) -> dict[str, Any]:
    p, call, fund = _held(session, principal, proposal_id)
    if not (is_owner_side(principal, fund) or principal.role is Role.focal_point):
        raise Forbidden("only the member state's focal points or the owner body report progress")
    check_version(proposal_etag(p), if_match, what=f"fund proposal {proposal_id}")
    if p.activity_id is None or p.closed_on is not None:
        raise Conflict("progress is reported on a funded project under way")
    session.add(
        ProgressReport(
            proposal_id=p.id, text=data.text, spent=data.spent, author=principal.label, at=clock.now()
        )
    )
    return _stored(session, p, call, fund)


def close_project(
    session: Session,
    *,
    principal: Principal,
    proposal_id: int,
    data: s.FundClosure,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Closure: the project's activity is closed (IATI status 4) with its actual end."""
    p, call, fund = _owner_write(session, principal, proposal_id, if_match)
    if p.activity_id is None:
        raise Conflict("only a funded project is closed")
    if p.closed_on is not None:
        raise Conflict(f"the project was closed on {p.closed_on}")
    activity = results_service.get_activity(session, activity_id=p.activity_id)
    start = activity["actual_start"] or activity["planned_start"]
    if start and data.closed_on < start:
        raise Invalid(
            f"closed_on {data.closed_on} is before the project's start {start}", parameter="closed_on"
        )
    results_service.update_activity(
        session,
        principal=principal,
        activity_id=p.activity_id,
        data=_activity_write(activity, status=4, actual_end=data.closed_on),
        if_match=activity["etag"],
    )
    p.closed_on, p.closure_text = data.closed_on, data.text
    return _stored(session, p, call, fund)


def _activity_write(a: dict[str, Any], **changes: Any) -> results_schemas.ActivityWrite:
    """The activity as read, as the write that states it whole, with ``changes``."""
    values = {
        k: a[k] for k in results_service.FIELDS if k in a and k not in ("partners", "outcomes", "events")
    }
    values |= {
        "title_en": a["title"]["en"],
        "title_id": a["title"]["id"],
        "description_en": a["description"]["en"],
        "description_id": a["description"]["id"],
        "sector": a["sector"],
        "partners": [{"partner": x["partner"], "role": x.get("role")} for x in a["partners"]],
        "outcomes": [o["key"] for o in a["outcomes"]],
        "events": [e["id"] for e in a["events"]],
    }
    return results_schemas.ActivityWrite(**(values | changes))


# --- reads ----------------------------------------------------------------------------------------


def _weighted(criteria: list[dict[str, Any]], scores: dict[str, int]) -> float | None:
    """A reviewer's weighted score 0-10 over the criteria scored."""
    weights = {c["key"]: c["weight"] for c in criteria}
    total = sum(weights[k] for k in scores if k in weights)
    if not total:
        return None
    return round(sum(weights[k] * v for k, v in scores.items() if k in weights) / total, 2)


def proposal_read(session: Session, p: Proposal, call: FundCall, fund: Fund) -> dict[str, Any]:
    decision = _decision(session, p)
    state = status(session, p, decision)
    by_reviewer: dict[int, dict[str, Any]] = {}
    for row in repo.scores(session, p.id):
        r = by_reviewer.setdefault(
            row.reviewer_id, {"reviewer": row.reviewer, "scores": {}, "comment": row.comment}
        )
        r["scores"][row.criterion] = row.score
    reviews = [r | {"weighted": _weighted(call.criteria or [], r["scores"])} for r in by_reviewer.values()]
    weighted = [r["weighted"] for r in reviews if r["weighted"] is not None]
    return {
        "id": p.id,
        "etag": proposal_etag(p),
        "call_id": call.id,
        "call": {"en": call.title_en, "id": call.title_id},
        "fund_id": fund.id,
        "owner_body": fund.owner_body,
        "member_state": p.member_state,
        "title": {"en": p.title_en, "id": p.title_id},
        "summary": p.summary,
        "requested": p.requested,
        "currency": call.currency,
        "budget_lines": p.budget_lines or [],
        "partners": p.partners or [],
        "outcomes": p.outcomes or [],
        "documents": p.references or [],
        "missing_documents": [
            d for d in call.required_documents or [] if d not in {r["name"] for r in p.references or []}
        ],
        "submitted_by": p.submitted_by,
        "submitted_at": p.submitted_at,
        "status": state,
        "status_name": dict(zip(("en", "id"), s.STATUS_NAMES[state], strict=True)),
        "eligible": p.eligible,
        "eligibility_reason": p.eligibility_reason,
        "eligibility_by": p.eligibility_by,
        "reviews": reviews,
        "score": round(sum(weighted) / len(weighted), 2) if weighted else None,
        "conflicts": [
            {"reviewer": c.reviewer, "reason": c.reason, "at": c.at} for c in repo.conflicts(session, p.id)
        ],
        "recommendation": p.recommendation,
        "recommended_amount": p.recommended_amount,
        "recommendation_text": p.recommendation_text,
        "decision_item_id": p.decision_item_id,
        "decision": {
            "status": decision.status,
            "stage": decision.stage.value,
            "adopted_on": decision.adopted_on,
        }
        if decision
        else None,
        "activity_id": p.activity_id,
        "closed_on": p.closed_on,
        "closure_text": p.closure_text,
        "reports": [
            {"id": r.id, "text": r.text, "spent": r.spent, "author": r.author, "at": r.at}
            for r in repo.reports(session, p.id)
        ],
    }


def get_proposal(session: Session, *, principal: Principal, proposal_id: int) -> dict[str, Any]:
    p, call, fund = _proposal(session, principal, proposal_id)
    return proposal_read(session, p, call, fund)


def list_proposals(
    session: Session, *, principal: Principal, call_id: int | None = None
) -> list[dict[str, Any]]:
    """The proposals ``principal`` may read (of ``call_id``), in order of submission."""
    if call_id is not None:
        _call(session, call_id)
    calls = {c.id: c for c in repo.calls(session)}
    funds = {f.id: f for f in repo.funds(session)}
    out = []
    for p in repo.proposals(session, call_ids=[call_id] if call_id is not None else None):
        call = calls[p.call_id]
        fund = funds[call.fund_id]
        if can_read_proposal(principal, fund, p):
            out.append(proposal_read(session, p, call, fund))
    return out


def funded_projects(
    session: Session, *, member_state: str | None = None, year: int | None = None
) -> dict[str, Any]:
    """Public: the approved proposals (and their projects) with the amounts, by member state and year
    of the decision; only what the decision made public (title, member state, fund, amount)."""
    calls = {c.id: c for c in repo.calls(session)}
    funds = {f.id: f for f in repo.funds(session)}
    items = []
    for p in repo.decided(session):
        decision = _decision(session, p)
        state = status(session, p, decision)
        if state not in ("approved", "funded", "closed") or decision is None:
            continue
        adopted_year = decision.adopted_on.year if decision.adopted_on else None
        if (member_state and p.member_state != member_state) or (year and adopted_year != year):
            continue
        call = calls[p.call_id]
        fund = funds[call.fund_id]
        items.append(
            {
                "proposal_id": p.id,
                "title": {"en": p.title_en, "id": p.title_id},
                "member_state": p.member_state,
                "fund_id": fund.id,
                "fund": {"en": fund.name_en, "id": fund.name_id},
                "call_id": call.id,
                "amount": p.recommended_amount,
                "currency": call.currency,
                "year": adopted_year,
                "status": state,
                "status_name": dict(zip(("en", "id"), s.STATUS_NAMES[state], strict=True)),
                "activity_id": p.activity_id,
            }
        )
    totals: dict[tuple[str, int | None, str], Decimal] = {}
    for i in items:
        key = (i["member_state"], i["year"], i["currency"])
        totals[key] = totals.get(key, Decimal(0)) + (i["amount"] or Decimal(0))
    return {
        "items": items,
        "totals": [
            {"member_state": ms, "year": y, "currency": cur, "amount": amt}
            for (ms, y, cur), amt in sorted(totals.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))
        ],
    }
