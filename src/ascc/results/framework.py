"""Results frameworks: read ``data/frameworks.yaml``, check it, load it idempotently, read it back.

Checking names the file, line and field of every problem (unknown plan, priority the plan does not
have, duplicate code, record without a seed quote, malformed indicator code) and loads nothing
unless the whole file is clean. Loading keys each element on (plan, code): new elements are
created, changed ones updated, unchanged ones left alone, and elements gone from the file removed
— unless an activity links to that outcome, which is a conflict and stops the load.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.kit import yaml_lines
from ascc.kit.digest import digest
from ascc.kit.errors import Conflict
from ascc.kit.problems import Problem, ProblemsError
from ascc.reference.quotes import normalise
from ascc.registry import service as registry_service
from ascc.results.models import Activity, FrameworkElement

FRAMEWORKS = Path(__file__).parent / "data" / "frameworks.yaml"
INDICATOR_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{1,59}$")
LEVELS = (("goals", "goal"), ("outcomes", "outcome"), ("outputs", "output"))
FIELDS = {
    "code",
    "title_en",
    "title_id",
    "priorities",
    "indicators",
    "indicator_note",
    "note",
    "sources",
    "outcomes",
    "outputs",
}


class FrameworkError(ProblemsError):
    """A results framework file with problems: a 422 listing each."""


@dataclasses.dataclass(frozen=True)
class Element:
    plan_id: str
    code: str
    kind: str
    parent: str | None
    position: int
    line: int
    values: dict[str, Any]


@dataclasses.dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


def read_frameworks(session: Session, *, path: Path = FRAMEWORKS, seeds: Path | None = None) -> list[Element]:
    """Parse and check the file against the registry's plans (and, with ``seeds``, every quote
    against its seed). Raises ``FrameworkError`` listing every problem."""
    name = path.name
    try:
        doc = yaml_lines.stamp(yaml_lines.load(path.read_text(encoding="utf-8"), file=name))
    except (OSError, UnicodeDecodeError) as exc:
        raise FrameworkError([Problem(file=name, reason=f"cannot read: {exc}")]) from None
    except ProblemsError as exc:
        raise FrameworkError(exc.problems) from None
    if not isinstance(doc, list):
        raise FrameworkError([Problem(file=name, line=1, reason="expected a list of plans")])
    texts = {p.name: normalise(p.read_text(encoding="utf-8")) for p in seeds.glob("*.txt")} if seeds else None
    plans = {p.id: p for p in registry_service.list_plans(session)}
    problems: list[Problem] = []
    out: list[Element] = []
    seen: set[tuple[str, str]] = set()

    def walk(
        items: Any, plan_id: str, level: int, parent: str | None, priorities: set[str], line: int
    ) -> None:
        key, kind = LEVELS[level]
        if not isinstance(items, list):
            problems.append(Problem(file=name, line=line, field=key, reason="expected a list"))
            return
        for pos, item in enumerate(items):
            if not isinstance(item, dict):
                problems.append(Problem(file=name, line=line, field=key, reason="expected a mapping"))
                continue
            at = item.pop("__line__", line)
            for src in item.get("sources") or []:
                if isinstance(src, dict):
                    src.pop("__line__", None)
            unknown = set(item) - FIELDS
            if unknown:
                problems.append(
                    Problem(file=name, line=at, field=", ".join(sorted(unknown)), reason="unknown field")
                )
            code = str(item.get("code") or "")
            if not code:
                problems.append(Problem(file=name, line=at, field="code", reason="missing"))
            elif (plan_id, code) in seen:
                problems.append(
                    Problem(
                        file=name, line=at, field="code", reason=f"duplicate code {code!r} in plan {plan_id}"
                    )
                )
            seen.add((plan_id, code))
            if not (item.get("title_en") or item.get("title_id")):
                problems.append(
                    Problem(
                        file=name,
                        line=at,
                        field="title_id",
                        reason="a title (title_id or title_en) is required",
                    )
                )
            prios = [str(p) for p in item.get("priorities") or []]
            for p in prios:
                if p not in priorities:
                    problems.append(
                        Problem(
                            file=name,
                            line=at,
                            field="priorities",
                            reason=f"plan {plan_id} has no priority {p!r} (it has: {', '.join(sorted(priorities)) or 'none'})",
                        )
                    )
            indicators = [str(c) for c in item.get("indicators") or []]
            if indicators and kind != "outcome":
                problems.append(
                    Problem(
                        file=name,
                        line=at,
                        field="indicators",
                        reason="only outcomes are linked to indicators",
                    )
                )
            for c in indicators:
                if not INDICATOR_CODE.match(c):
                    problems.append(
                        Problem(
                            file=name, line=at, field="indicators", reason=f"{c!r} is not an indicator code"
                        )
                    )
            sources = item.get("sources") or []
            if not sources:
                problems.append(
                    Problem(
                        file=name,
                        line=at,
                        field="sources",
                        reason="every record needs a seed file and a quote",
                    )
                )
            for src in sources:
                if not isinstance(src, dict) or not src.get("file") or not src.get("quote"):
                    problems.append(
                        Problem(file=name, line=at, field="sources", reason="a source needs file and quote")
                    )
                elif texts is not None and src["file"] not in texts:
                    problems.append(
                        Problem(
                            file=name, line=at, field="sources", reason=f"seed file {src['file']} not found"
                        )
                    )
                elif texts is not None and normalise(src["quote"]) not in texts[src["file"]]:
                    problems.append(
                        Problem(
                            file=name,
                            line=at,
                            field="sources",
                            reason=f"quote not found in {src['file']}: {src['quote']!r}",
                        )
                    )
            values = {
                "title_en": item.get("title_en"),
                "title_id": item.get("title_id"),
                "priorities": prios,
                "indicators": indicators,
                "indicator_note": item.get("indicator_note"),
                "note": item.get("note"),
                "sources": [
                    {"file": s.get("file"), "quote": s.get("quote")} for s in sources if isinstance(s, dict)
                ],
            }
            out.append(Element(plan_id, code, kind, parent, pos, at, values))
            allowed = LEVELS[level + 1][0] if level + 1 < len(LEVELS) else None
            for other, _ in LEVELS:
                if other in item and other != allowed:
                    problems.append(
                        Problem(file=name, line=at, field=other, reason=f"a {kind} cannot hold {other}")
                    )
            if allowed and allowed in item:
                walk(item[allowed], plan_id, level + 1, code, priorities, at)

    for entry in doc:
        if not isinstance(entry, dict):
            problems.append(Problem(file=name, reason="expected a mapping with plan and goals"))
            continue
        line = entry.pop("__line__", None)
        plan_id = str(entry.get("plan") or "")
        if plan_id not in plans:
            problems.append(
                Problem(file=name, line=line, field="plan", reason=f"no plan {plan_id!r} in the registry")
            )
            continue
        priorities = {p.number for p in plans[plan_id].priorities}
        walk(entry.get("goals") or [], plan_id, 0, None, priorities, line)
    if problems:
        raise FrameworkError(problems)
    return out


def load_frameworks(session: Session, *, elements: list[Element]) -> LoadReport:
    """Write checked elements (see the module docstring). Flushes only."""
    report = LoadReport()
    rows = {(r.plan_id, r.code): r for r in session.scalars(select(FrameworkElement))}
    wanted = {(e.plan_id, e.code) for e in elements}
    linked = {key for a in session.scalars(select(Activity)) for key in a.outcomes or []}
    stale = [r for k, r in rows.items() if k not in wanted]
    blocked = sorted(f"{r.plan_id}/{r.code}" for r in stale if f"{r.plan_id}/{r.code}" in linked)
    if blocked:
        raise Conflict(f"outcomes linked to activities are no longer in the file: {', '.join(blocked)}")
    for r in sorted(stale, key=lambda r: -len(r.code)):  # outputs before their outcomes and goals
        session.delete(r)
        report.removed += 1
    session.flush()
    for e in elements:  # parents come before their children in the file's order
        parent = rows[(e.plan_id, e.parent)].id if e.parent else None
        values = e.values | {"kind": e.kind, "parent_id": parent, "position": e.position}
        fingerprint = digest(values)
        row = rows.get((e.plan_id, e.code))
        if row is None:
            row = FrameworkElement(plan_id=e.plan_id, code=e.code, ref_digest=fingerprint, **values)
            session.add(row)
            session.flush()
            rows[(e.plan_id, e.code)] = row
            report.created += 1
        elif row.ref_digest == fingerprint:
            report.unchanged += 1
        else:
            for k, v in values.items():
                setattr(row, k, v)
            row.ref_digest = fingerprint
            report.updated += 1
    session.flush()
    return report


def element_read(row: FrameworkElement) -> dict[str, Any]:
    return {
        "key": f"{row.plan_id}/{row.code}",
        "plan": row.plan_id,
        "code": row.code,
        "kind": row.kind,
        "title": {"en": row.title_en, "id": row.title_id},
        "priorities": row.priorities or [],
        "indicators": row.indicators or [],
        "indicator_note": row.indicator_note,
        "note": row.note,
        "sources": row.sources or [],
    }


def plan_framework(session: Session, *, plan_id: str) -> list[dict[str, Any]]:
    """The plan's goals, each with its outcomes, each with its outputs (empty when the seeds state none)."""
    registry_service.get_plan(session, plan_id=plan_id)
    rows = list(
        session.scalars(
            select(FrameworkElement)
            .where(FrameworkElement.plan_id == plan_id)
            .order_by(FrameworkElement.position, FrameworkElement.id)
        )
    )
    children: dict[int | None, list[FrameworkElement]] = {}
    for r in rows:
        children.setdefault(r.parent_id, []).append(r)

    def tree(parent: int | None) -> list[dict[str, Any]]:
        out = []
        for r in children.get(parent, []):
            node = element_read(r)
            kids = tree(r.id)
            if r.kind == "goal":
                node["outcomes"] = kids
            elif r.kind == "outcome":
                node["outputs"] = kids
            out.append(node)
        return out

    return tree(None)


def get_outcomes(session: Session, *, keys: list[str]) -> dict[str, FrameworkElement]:
    """The outcomes named ``plan-id/code`` that exist (missing keys are simply absent)."""
    found = {}
    for key in keys:
        plan_id, _, code = key.partition("/")
        row = session.scalar(
            select(FrameworkElement).where(FrameworkElement.plan_id == plan_id, FrameworkElement.code == code)
        )
        if row is not None and row.kind == "outcome":
            found[key] = row
    return found


def indicator_outcomes(session: Session, *, code: str) -> list[dict[str, Any]]:
    """The plan outcomes measured by indicator ``code``, each with its plan's title and page."""
    rows = session.scalars(
        select(FrameworkElement)
        .where(FrameworkElement.kind == "outcome")
        .order_by(FrameworkElement.plan_id, FrameworkElement.position, FrameworkElement.id)
    )
    measuring = [r for r in rows if code in (r.indicators or [])]
    titles = {p.id: p.title.model_dump() for p in registry_service.list_plans(session)} if measuring else {}
    return [
        element_read(r) | {"plan_title": titles[r.plan_id], "url": f"/plans/{r.plan_id}#{r.code}"}
        for r in measuring
    ]


def indicator_codes(session: Session) -> set[str]:
    """Every indicator code that an outcome names."""
    return {c for (codes,) in session.execute(select(FrameworkElement.indicators)) for c in codes or []}


def outcomes_and_outputs(
    session: Session,
    *,
    plan_id: str | None = None,
    keys: list[str] | None = None,
    ids: list[int] | None = None,
) -> list[FrameworkElement]:
    """Outcomes and outputs (what national measures align to), of one plan, or named ``plan-id/code``,
    or by id; in the plan's order."""
    stmt = select(FrameworkElement).where(FrameworkElement.kind.in_(("outcome", "output")))
    if plan_id is not None:
        stmt = stmt.where(FrameworkElement.plan_id == plan_id)
    if ids is not None:
        stmt = stmt.where(FrameworkElement.id.in_(ids or [-1]))
    rows = list(session.scalars(stmt.order_by(FrameworkElement.plan_id, FrameworkElement.code)))
    if keys is not None:
        wanted = set(keys)
        rows = [r for r in rows if f"{r.plan_id}/{r.code}" in wanted]
    return rows
