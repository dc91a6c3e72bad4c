"""National plans and programmes of action: record, align, report, consult, adopt; the alignment
matrix of a regional plan and a member state's coverage, and their CSV exports.

Writes take the principal and check it first: the member state's own focal point, or the ASEAN
Secretariat (for any member state). A write that changes a plan (its fields, a measure, an
alignment, a result, the consultation, a comment and its handling, the adoption) moves the plan's
revision and needs its ETag (``If-Match``). Once adopted, the plan's text is locked: its fields,
measures, alignments, consultation and comments are refused with 409; results are still reported.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal, Role
from ascc.db.concurrency import check_version, hold
from ascc.kit import clock
from ascc.kit.errors import Conflict, Invalid, NotFound
from ascc.kit.spreadsheet import cells
from ascc.national import repository as repo
from ascc.national import schemas as s
from ascc.national.models import (
    NationalAlignment,
    NationalComment,
    NationalMeasure,
    NationalPlan,
    NationalResult,
)
from ascc.registry import service as registry_service
from ascc.results import framework

#: the regional plan a member state's coverage is measured against unless another is named
DEFAULT_REGIONAL_PLAN = "ascc-strategic-plan-2026-2035"


def etag(row: NationalPlan) -> str:
    return f'"national-plan-{row.id}-r{row.revision}"'


def _both(pair: tuple[str, str]) -> dict[str, str]:
    return {"en": pair[0], "id": pair[1]}


def _authorise(principal: Principal, *, member_state: str) -> None:
    """The Secretariat for any member state; a focal point only for its own."""
    permissions.require_signed_in(principal)
    if principal.role is Role.secretariat:
        return
    permissions.require_focal_point_of(principal, member_state=member_state)


def _raise(errors: list[dict[str, str]]) -> None:
    if errors:
        raise Invalid(
            "; ".join(f"{e['parameter']}: {e['message']}" for e in errors),
            parameter=errors[0]["parameter"],
            errors=errors,
        )


def _check_sources(sources: list[s.Source], bad, field: str = "sources") -> None:
    for i, src in enumerate(sources):
        if not (src.url or (src.file and src.quote)):
            bad(f"{field}[{i}]", "a source is a URL, or a seed file with a quote from it")


def _plan_exists(session: Session, plan_id: str) -> bool:
    try:
        registry_service.get_plan(session, plan_id=plan_id)
    except NotFound:
        return False
    return True


def check_plan(session: Session, data: s.PlanWrite) -> None:
    """Every problem with ``data``, each naming its field; raises ``Invalid`` listing them all."""
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"parameter": field, "message": message})

    members = {m.code for m in registry_service.list_member_states(session)}
    if data.member_state not in members:
        bad("member_state", f"{data.member_state!r} is not an ASEAN member state")
    if not (data.title_en or data.title_id):
        bad("title_en", "a title is required (title_en or title_id)")
    if data.period_start and data.period_end and data.period_end < data.period_start:
        bad("period_end", f"the period ends ({data.period_end}) before it starts ({data.period_start})")
    for field in ("registry_plan_id", "regional_plan_id"):
        value = getattr(data, field)
        if value and not _plan_exists(session, value):
            bad(field, f"no plan {value!r} in the registry")
    _check_sources(data.sources, bad)
    _raise(errors)


def source_dicts(items: list[s.Source]) -> list[dict[str, Any]]:
    return [x.model_dump(exclude_none=True) for x in items]


def apply_plan(row: NationalPlan, data: s.PlanWrite) -> None:
    values = data.model_dump(exclude={"sources"})
    for k, v in values.items():
        setattr(row, k, v)
    row.sources = source_dicts(data.sources)


def new_measure(plan_id: int, data: s.MeasureWrite) -> NationalMeasure:
    return NationalMeasure(
        plan_id=plan_id,
        code=data.code,
        title_en=data.title_en,
        title_id=data.title_id,
        ministry=data.ministry,
        section=data.section,
        sources=source_dicts(data.sources),
    )


def new_result(plan_id: int, measure_id: int | None, data: s.ResultWrite) -> NationalResult:
    return NationalResult(
        plan_id=plan_id,
        measure_id=measure_id,
        label_en=data.label_en,
        label_id=data.label_id,
        value=data.value,
        unit=data.unit,
        year=data.year,
        target=data.target,
        indicator_code=data.indicator_code,
        source_url=data.source_url,
        sources=source_dicts(data.sources),
    )


def create_plan(session: Session, *, principal: Principal, data: s.PlanWrite) -> dict[str, Any]:
    """Record a national plan as a draft."""
    _authorise(principal, member_state=data.member_state)
    check_plan(session, data)
    now = clock.now()
    row = NationalPlan(status="draft", revision=1, created_at=now, updated_at=now, consultation_ministries=[])
    apply_plan(row, data)
    session.add(row)
    session.flush()
    return plan_read(session, row)


def _load(session: Session, plan_id: int, *, lock: bool = False) -> NationalPlan:
    row = hold(session, NationalPlan, plan_id) if lock else session.get(NationalPlan, plan_id)
    if row is None:
        raise NotFound(f"no national plan {plan_id}")
    return row


def _change(
    session: Session, *, principal: Principal, plan_id: int, if_match: str | None, text: bool = True
) -> NationalPlan:
    """Hold the plan, check who asks, that its text is open (``text``) and that the client read its
    current revision; the caller then changes it and calls ``_moved``."""
    row = _load(session, plan_id, lock=True)
    _authorise(principal, member_state=row.member_state)
    if text and row.status == "adopted":
        raise Conflict(f"national plan {plan_id} is adopted: its text is locked")
    check_version(etag(row), if_match, what=f"national plan {plan_id}")
    return row


def _moved(session: Session, row: NationalPlan) -> dict[str, Any]:
    row.revision += 1
    row.updated_at = clock.now()
    session.flush()
    return plan_read(session, row)


def update_plan(
    session: Session, *, principal: Principal, plan_id: int, data: s.PlanWrite, if_match: str | None = None
) -> dict[str, Any]:
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    if data.member_state != row.member_state:
        raise Invalid("a plan stays with its member state", parameter="member_state")
    check_plan(session, data)
    apply_plan(row, data)
    return _moved(session, row)


def add_measure(
    session: Session, *, principal: Principal, plan_id: int, data: s.MeasureWrite, if_match: str | None = None
) -> dict[str, Any]:
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"parameter": field, "message": message})

    if not (data.title_en or data.title_id):
        bad("title_en", "a title is required (title_en or title_id)")
    if repo.measure_by_code(session, plan_id=row.id, code=data.code) is not None:
        bad("code", f"the plan already has a measure {data.code}")
    _check_sources(data.sources, bad)
    _raise(errors)
    session.add(new_measure(row.id, data))
    return _moved(session, row)


def _measure(session: Session, row: NationalPlan, code: str) -> NationalMeasure:
    measure = repo.measure_by_code(session, plan_id=row.id, code=code)
    if measure is None:
        raise NotFound(f"national plan {row.id} has no measure {code!r}")
    return measure


def align(
    session: Session,
    *,
    principal: Principal,
    plan_id: int,
    measure: str,
    data: s.AlignmentWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Link a measure to an outcome or output of a regional plan (again: changes the link's kind)."""
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    m = _measure(session, row, measure)
    found = framework.outcomes_and_outputs(session, keys=[data.element])
    if not found:
        raise Invalid(
            f"no outcome or output {data.element!r} (give plan-id/code, e.g. {DEFAULT_REGIONAL_PLAN}/G1.O1)",
            parameter="element",
        )
    element = found[0]
    if row.registry_plan_id and element.plan_id == row.registry_plan_id:
        raise Invalid(
            "a measure aligns to a regional plan, not to the national plan's own framework",
            parameter="element",
        )
    link = repo.alignment(session, measure_id=m.id, element_id=element.id)
    if link is None:
        session.add(NationalAlignment(measure_id=m.id, element_id=element.id, kind=data.kind, note=data.note))
    else:
        link.kind, link.note = data.kind, data.note
    return _moved(session, row)


def unalign(
    session: Session,
    *,
    principal: Principal,
    plan_id: int,
    measure: str,
    element: str,
    if_match: str | None = None,
) -> dict[str, Any]:
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    m = _measure(session, row, measure)
    found = framework.outcomes_and_outputs(session, keys=[element])
    link = repo.alignment(session, measure_id=m.id, element_id=found[0].id) if found else None
    if link is None:
        raise NotFound(f"measure {measure} is not aligned to {element}")
    session.delete(link)
    return _moved(session, row)


def add_result(
    session: Session, *, principal: Principal, plan_id: int, data: s.ResultWrite, if_match: str | None = None
) -> dict[str, Any]:
    """Report a national result (also once the plan is adopted: results follow its implementation)."""
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match, text=False)
    errors: list[dict[str, str]] = []

    def bad(field: str, message: str) -> None:
        errors.append({"parameter": field, "message": message})

    measure_id = None
    if data.measure:
        m = repo.measure_by_code(session, plan_id=row.id, code=data.measure)
        if m is None:
            bad("measure", f"national plan {row.id} has no measure {data.measure!r}")
        else:
            measure_id = m.id
    if not (data.label_en or data.label_id):
        bad("label_en", "say what was measured (label_en or label_id)")
    if not (data.source_url or data.sources):
        bad("source_url", "a result needs its source: a URL, or a seed file with a quote")
    if data.value is None and data.target is None and not data.sources:
        bad("value", "give the value (or the target); a result without one needs the source's own words")
    _check_sources(data.sources, bad)
    _raise(errors)
    session.add(new_result(row.id, measure_id, data))
    return _moved(session, row)


def open_consultation(
    session: Session,
    *,
    principal: Principal,
    plan_id: int,
    data: s.ConsultationWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Circulate the draft to the named ministries with a deadline (the member state's focal points
    are notified: ``national_consultation_opened``)."""
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    if row.status != "draft":
        raise Conflict(f"national plan {plan_id} is already in consultation")
    if data.deadline < clock.today():
        raise Invalid(f"the deadline {data.deadline} has passed", parameter="deadline")
    row.status = "in_consultation"
    row.consultation_ministries = list(data.ministries)
    row.consultation_deadline = data.deadline
    return _moved(session, row)


def add_comment(
    session: Session, *, principal: Principal, plan_id: int, data: s.CommentWrite, if_match: str | None = None
) -> dict[str, Any]:
    """Record a consulted ministry's comment on a section of the draft."""
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    if row.status != "in_consultation":
        raise Conflict(f"national plan {plan_id} is not in consultation: open the consultation first")
    if data.ministry not in (row.consultation_ministries or []):
        raise Invalid(
            f"{data.ministry!r} was not consulted (consulted: {', '.join(row.consultation_ministries)})",
            parameter="ministry",
        )
    session.add(
        NationalComment(
            plan_id=row.id,
            ministry=data.ministry,
            section=data.section,
            text=data.text,
            recorded_by=principal.label,
            recorded_at=clock.now(),
        )
    )
    return _moved(session, row)


def handle_comment(
    session: Session,
    *,
    principal: Principal,
    plan_id: int,
    comment_id: int,
    data: s.HandlingWrite,
    if_match: str | None = None,
) -> dict[str, Any]:
    """Record how a comment was handled: accepted, partly accepted or not accepted, with a note."""
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    comment = session.get(NationalComment, comment_id)
    if comment is None or comment.plan_id != row.id:
        raise NotFound(f"national plan {plan_id} has no comment {comment_id}")
    if data.handling != "accepted" and not data.note:
        raise Invalid("say why the comment was not (fully) accepted", parameter="note")
    comment.handling, comment.handling_note = data.handling, data.note
    return _moved(session, row)


def adopt(
    session: Session, *, principal: Principal, plan_id: int, if_match: str | None = None
) -> dict[str, Any]:
    """Adopt the plan: its text is locked from now on. Refused while a comment is not handled."""
    row = _change(session, principal=principal, plan_id=plan_id, if_match=if_match)
    open_comments = [c.id for c in repo.comments(session, plan_id=row.id) if c.handling is None]
    if open_comments:
        raise Conflict(
            f"record how each comment was handled first (comments {', '.join(map(str, open_comments))})"
        )
    row.status = "adopted"
    row.adopted_at = clock.now()
    return _moved(session, row)


# --- reads ---------------------------------------------------------------------------------------


def _element_key(e: Any) -> str:
    return f"{e.plan_id}/{e.code}"


def _num(v: Decimal | None) -> int | float | None:
    """A stored number as it was given: ``100``, not ``100.0000``."""
    if v is None:
        return None
    return int(v) if v == v.to_integral_value() else float(v)


def result_read(r: NationalResult, measures: dict[int, NationalMeasure]) -> dict[str, Any]:
    return {
        "id": r.id,
        "measure": measures[r.measure_id].code if r.measure_id in measures else None,
        "label": {"en": r.label_en, "id": r.label_id},
        "value": _num(r.value),
        "unit": r.unit,
        "year": r.year,
        "target": _num(r.target),
        "indicator_code": r.indicator_code,
        "source_url": r.source_url,
        "sources": r.sources or [],
    }


def plan_summary(row: NationalPlan) -> dict[str, Any]:
    return {
        "id": row.id,
        "etag": etag(row),
        "revision": row.revision,
        "member_state": row.member_state,
        "title": {"en": row.title_en, "id": row.title_id},
        "period_start": row.period_start,
        "period_end": row.period_end,
        "ministries": row.ministries or [],
        "status": row.status,
        "status_name": _both(s.STATUSES[row.status]),
        "registry_plan_id": row.registry_plan_id,
        "regional_plan_id": row.regional_plan_id,
        "note": row.note,
        "sources": row.sources or [],
        "consultation": {
            "ministries": row.consultation_ministries or [],
            "deadline": row.consultation_deadline,
        },
        "adopted_at": row.adopted_at,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def plan_read(session: Session, row: NationalPlan) -> dict[str, Any]:
    """The plan with its measures (each with its alignments and results), other results, comments."""
    measures = repo.measures(session, plan_ids=[row.id])
    by_id = {m.id: m for m in measures}
    links = repo.alignments(session, measure_ids=list(by_id))
    elements = {
        e.id: e for e in framework.outcomes_and_outputs(session, ids=sorted({a.element_id for a in links}))
    }
    results = repo.results(session, plan_ids=[row.id])
    comments = repo.comments(session, plan_id=row.id)
    out = plan_summary(row)
    out["measures"] = [
        {
            "id": m.id,
            "code": m.code,
            "title": {"en": m.title_en, "id": m.title_id},
            "ministry": m.ministry,
            "section": m.section,
            "sources": m.sources or [],
            "alignments": [
                {
                    "element": framework.element_read(elements[a.element_id]),
                    "kind": a.kind,
                    "kind_name": _both(s.ALIGNMENT_KINDS[a.kind]),
                    "note": a.note,
                }
                for a in links
                if a.measure_id == m.id and a.element_id in elements
            ],
            "results": [result_read(r, by_id) for r in results if r.measure_id == m.id],
        }
        for m in measures
    ]
    out["results"] = [result_read(r, by_id) for r in results if r.measure_id is None]
    out["comments"] = [
        {
            "id": c.id,
            "ministry": c.ministry,
            "section": c.section,
            "text": c.text,
            "handling": c.handling,
            "handling_name": _both(s.HANDLING[c.handling]) if c.handling else None,
            "handling_note": c.handling_note,
            "recorded_by": c.recorded_by,
            "recorded_at": c.recorded_at,
        }
        for c in comments
    ]
    out["open_comments"] = sum(1 for c in comments if c.handling is None)
    return out


def get_plan(session: Session, *, plan_id: int) -> dict[str, Any]:
    return plan_read(session, _load(session, plan_id))


def list_plans(
    session: Session,
    *,
    member_state: str | None = None,
    status: str | None = None,
    regional_plan_id: str | None = None,
) -> list[dict[str, Any]]:
    if status is not None and status not in s.STATUSES:
        raise Invalid(f"status {status!r} is not one of {', '.join(s.STATUSES)}", parameter="status")
    rows = repo.plans(
        session,
        member_state=member_state.upper() if member_state else None,
        status=status,
        regional_plan_id=regional_plan_id,
    )
    return [plan_summary(r) for r in rows]


def _aligned(session: Session, regional_plan_id: str, *, member_state: str | None = None):
    """The regional plan's outcomes and outputs, and per element the aligned measures:
    ``(elements, {element_id: [(plan, measure, alignment, results)]})``."""
    registry_service.get_plan(session, plan_id=regional_plan_id)
    elements = framework.outcomes_and_outputs(session, plan_id=regional_plan_id)
    links = repo.alignments(session, element_ids=[e.id for e in elements])
    measures = {m.id: m for m in repo.measures(session, ids=sorted({a.measure_id for a in links}))}
    plans = {
        p.id: p
        for p in repo.plans(
            session, ids=sorted({m.plan_id for m in measures.values()}), member_state=member_state
        )
    }
    results = repo.results(session, measure_ids=list(measures))
    cells: dict[int, list[tuple[NationalPlan, NationalMeasure, NationalAlignment, list[NationalResult]]]] = {}
    for a in links:
        m = measures[a.measure_id]
        if m.plan_id in plans:
            cells.setdefault(a.element_id, []).append(
                (plans[m.plan_id], m, a, [r for r in results if r.measure_id == m.id])
            )
    return elements, cells


def _cell(plan: NationalPlan, m: NationalMeasure, a: NationalAlignment, results: list[NationalResult]):
    return {
        "plan": {"id": plan.id, "title": {"en": plan.title_en, "id": plan.title_id}, "status": plan.status},
        "measure": {"code": m.code, "title": {"en": m.title_en, "id": m.title_id}, "ministry": m.ministry},
        "kind": a.kind,
        "kind_name": _both(s.ALIGNMENT_KINDS[a.kind]),
        "results": [result_read(r, {m.id: m}) for r in results],
    }


def _parent_codes(e: Any) -> str | None:
    """An output's outcome code (``G1.O2.P1`` → ``G1.O2``), else None."""
    return e.code.rsplit(".", 1)[0] if e.kind == "output" else None


def matrix(session: Session, *, plan_id: str) -> dict[str, Any]:
    """For a regional plan: its outcomes and outputs × the member states, each cell the measures
    aligned to it with their results; and the national plans that carry the regional plan home."""
    elements, cells = _aligned(session, plan_id)
    members = [m.code for m in registry_service.list_member_states(session)]
    rows = []
    for e in elements:
        by_state: dict[str, list] = {code: [] for code in members}
        for p, m, a, results in cells.get(e.id, []):
            by_state.setdefault(p.member_state, []).append(_cell(p, m, a, results))
        rows.append(
            {
                "element": framework.element_read(e),
                "outcome": _parent_codes(e),
                "cells": by_state,
                "member_states": sorted(c for c, v in by_state.items() if v),
            }
        )
    carrying = {
        code: [plan_summary(p) for p in repo.plans(session, regional_plan_id=plan_id, member_state=code)]
        for code in members
    }
    return {"plan_id": plan_id, "member_states": members, "rows": rows, "national_plans": carrying}


def coverage(session: Session, *, member_state: str, plan_id: str = DEFAULT_REGIONAL_PLAN) -> dict[str, Any]:
    """Which outcomes of the regional plan the member state's measures serve (directly or through one
    of the outcome's outputs), and the gaps."""
    code = registry_service.get_member_state(session, code=member_state.upper()).code
    elements, cells = _aligned(session, plan_id, member_state=code)
    outcomes = []
    for e in elements:
        if e.kind != "outcome":
            continue
        mine = [_cell(*c) for c in cells.get(e.id, [])]
        via = [
            _cell(*c) | {"output": o.code}
            for o in elements
            if _parent_codes(o) == e.code
            for c in cells.get(o.id, [])
        ]
        outcomes.append(
            {"element": framework.element_read(e), "measures": mine + via, "covered": bool(mine or via)}
        )
    covered = sum(1 for o in outcomes if o["covered"])
    return {
        "member_state": code,
        "plan_id": plan_id,
        "outcomes": outcomes,
        "covered": covered,
        "gaps": [o["element"]["code"] for o in outcomes if not o["covered"]],
        "national_plans": [plan_summary(p) for p in repo.plans(session, member_state=code)],
    }


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for r in rows:
        writer.writerow(cells(["" if v is None else v for v in r]))
    return out.getvalue()


RESULT_COLUMNS = ["result_en", "result_id", "value", "unit", "year", "target", "indicator_code", "source"]


def _result_cells(r: dict[str, Any] | None) -> list[Any]:
    if r is None:
        return [None] * len(RESULT_COLUMNS)
    source = r["source_url"] or "; ".join(
        f"{x.get('file') or x.get('url')}: {x.get('quote') or ''}".rstrip(": ") for x in r["sources"]
    )
    return [
        r["label"]["en"],
        r["label"]["id"],
        r["value"],
        r["unit"],
        r["year"],
        r["target"],
        r["indicator_code"],
        source,
    ]


def _cell_rows(prefix: list[Any], found: list[dict[str, Any]]) -> list[list[Any]]:
    rows = []
    for c in found:
        head = [
            *prefix,
            c["plan"]["id"],
            c["plan"]["title"]["en"] or c["plan"]["title"]["id"],
            c["plan"]["status"],
            c["measure"]["code"],
            c["measure"]["title"]["en"] or c["measure"]["title"]["id"],
            c["kind"],
        ]
        rows += [head + _result_cells(r) for r in c["results"]] or [head + _result_cells(None)]
    return rows or [prefix + [None] * (6 + len(RESULT_COLUMNS))]


CELL_COLUMNS = ["national_plan", "national_plan_title", "status", "measure", "measure_title", "alignment"]


def matrix_csv(session: Session, *, plan_id: str) -> str:
    """One line per element × member state × aligned measure × result (an empty cell: one line with
    the measure columns empty), so that the gaps show too."""
    m = matrix(session, plan_id=plan_id)
    rows = []
    for row in m["rows"]:
        e = row["element"]
        for code in m["member_states"]:
            rows += _cell_rows([e["plan"], e["code"], e["kind"], e["title"]["en"], code], row["cells"][code])
    return _csv(
        ["plan", "element", "kind", "element_title", "member_state", *CELL_COLUMNS, *RESULT_COLUMNS], rows
    )


def coverage_csv(session: Session, *, member_state: str, plan_id: str = DEFAULT_REGIONAL_PLAN) -> str:
    c = coverage(session, member_state=member_state, plan_id=plan_id)
    rows = []
    for o in c["outcomes"]:
        e = o["element"]
        rows += _cell_rows(
            [c["member_state"], e["plan"], e["code"], e["title"]["en"], "covered" if o["covered"] else "gap"],
            o["measures"],
        )
    return _csv(
        ["member_state", "plan", "outcome", "outcome_title", "coverage", *CELL_COLUMNS, *RESULT_COLUMNS], rows
    )
