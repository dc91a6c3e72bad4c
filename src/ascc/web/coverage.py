"""The Secretariat's page of the seed coverage audit (``ascc check --coverage``): every sentence,
list item and table row of the seeds, the reference records that carry it or the reason it carries
nothing. The audit reads the reference files shipped with this version and the seed documents the
knowledge base holds (``ascc documents seed``)."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.knowledge import service as knowledge_service
from ascc.reference import coverage
from ascc.reference.files import DATA_DIR, ReferenceSet, read_reference
from ascc.reference.schema import SEED_FILES
from ascc.web.pages import page

#: where a record of each reference file is shown (``{key}``: its id; statements go to their subject)
PLACES = {
    "member_states": "/member-states/{key}",
    "pillars": "/sectors",
    "sectors": "/sectors/{key}",
    "partners": "/partners",
    "formats": "/partners",
    "bodies": "/bodies/{key}",
    "focal_points": "/member-states/{key}",
    "plans": "/plans/{key}",
    "programmes": "/programmes/{key}",
    "meetings": "/meetings/{key}",
    "statistics": "/sectors",
}


@functools.cache
def _reference() -> tuple[ReferenceSet, list[coverage.Entry]]:
    return read_reference(), coverage.read_entries(DATA_DIR / coverage.COVERAGE_FILE)


def _link(label: str, subjects: dict[str, str]) -> str:
    name, _, key = label.partition("/")
    if name == "statements":
        return f"/{subjects[key]}#st-{key}"
    return PLACES[name].format(key=key.partition("/")[0])


@functools.lru_cache(maxsize=2)
def _report(texts: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    ref, entries = _reference()
    report = coverage.audit(ref, dict(texts), entries)
    subjects = {st.id: st.subject for st in ref["statements"]}
    seeds = [
        {
            "seed": seed,
            "units": [
                {
                    "number": a.unit.number,
                    "kind": a.unit.kind,
                    "text": a.unit.text,
                    "records": [{"label": r, "href": _link(r, subjects)} for r in a.records],
                    "reasons": [{"reason": str(e.reason), "note": e.note} for e in a.reasons],
                }
                for a in items
            ],
        }
        for seed, items in report.units.items()
    ]
    summary = [
        {"seed": seed, "units": row[0], "carried": row[1], "reasoned": row[2], "unaccounted": row[3]}
        for seed, row in coverage.summary(report).items()
    ]
    return {
        "summary": summary,
        "seeds": seeds,
        "problems": [p.read() for p in report.problems],
        "unaccounted": len(report.unaccounted()),
    }


@page("/coverage", "coverage.html")
def coverage_page(session: Session, request: Request) -> dict[str, Any]:
    principal = request.state.principal
    permissions.require_secretariat(principal)
    texts = knowledge_service.seed_texts(session, principal=principal)
    missing = [seed for seed in SEED_FILES if seed not in texts]
    return {**_report(tuple(sorted(texts.items()))), "missing": missing}
