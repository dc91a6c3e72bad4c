"""Read and check the reference data files.

``read_reference()`` parses every YAML file in ``data/``, validates each record against
``schema.py`` and then checks the set as a whole: unknown references, cycles in reporting lines,
duplicate identifiers. Every problem names the file, line and field, and nothing is returned
unless the whole set is clean, so ``ascc init`` loads all of it or none of it.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pydantic import ValidationError

from ascc.kit import yaml_lines
from ascc.kit.problems import Problem, ProblemsError
from ascc.reference import schema

DATA_DIR = Path(__file__).parent / "data"


class ReferenceDataError(ProblemsError):
    """The reference data has problems; ``problems`` lists every one of them."""


@dataclasses.dataclass
class ReferenceSet:
    records: dict[str, list[schema._Sourced]]
    lines: dict[tuple[str, int], int]

    def __getitem__(self, name: str) -> list:
        return self.records[name]


def read_reference(data_dir: Path = DATA_DIR) -> ReferenceSet:
    """Parse, validate and cross-check every file; raise ``ReferenceDataError`` listing all problems."""
    problems: list[Problem] = []
    records: dict[str, list] = {}
    lines: dict[tuple[str, int], int] = {}
    for name, model in schema.FILES.items():
        path = data_dir / f"{name}.yaml"
        fname = path.name
        records[name] = []
        if not path.exists():
            problems.append(Problem(file=fname, reason="file is missing"))
            continue
        try:
            data = yaml_lines.load(path.read_text(encoding="utf-8"), file=fname, dates=False)
        except ProblemsError as exc:
            problems.extend(exc.problems)
            continue
        if data is None:
            data = []
        if not isinstance(data, list):
            problems.append(Problem(file=fname, line=1, reason="the file must hold a list of records"))
            continue
        for index, item in enumerate(data):
            line = data.item_lines[index] if isinstance(data, yaml_lines.LineList) else None
            lines[(name, index)] = line or 0
            try:
                records[name].append(model.model_validate(item))
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(p) for p in err["loc"])
                    first = str(err["loc"][0]) if err["loc"] else None
                    at = yaml_lines.line_of(item, first) if first and isinstance(item, dict) else line
                    problems.append(
                        Problem(file=fname, line=at or line, field=loc or None, reason=err["msg"])
                    )
    if not problems:
        problems.extend(_cross_check(records, lines))
    if problems:
        raise ReferenceDataError(problems)
    return ReferenceSet(records, lines)


def _cross_check(records: dict[str, list], lines: dict[tuple[str, int], int]) -> list[Problem]:
    problems: list[Problem] = []

    def at(name: str, index: int, field: str, message: str) -> None:
        problems.append(
            Problem(file=f"{name}.yaml", line=lines.get((name, index)), field=field, reason=message)
        )

    ids: dict[str, set[str]] = {}
    for name, items in records.items():
        seen: set[str] = set()
        for index, rec in enumerate(items):
            key = _identity(name, rec)
            if key in seen:
                at(name, index, "id", f"duplicate record {key!r}")
            seen.add(key)
        ids[name] = seen

    def known(name: str, index: int, field: str, value: str | None, target: str) -> None:
        if value is not None and value not in ids[target]:
            at(name, index, field, f"unknown {_SINGULAR[target]} {value!r}")

    for i, ch in enumerate(records["asean_chairs"]):
        known("asean_chairs", i, "member_state", ch.member_state, "member_states")
    for i, s in enumerate(records["sectors"]):
        known("sectors", i, "pillar", s.pillar, "pillars")
    for i, f in enumerate(records["formats"]):
        for p in f.partners:
            known("formats", i, "partners", p, "partners")
    for i, b in enumerate(records["bodies"]):
        known("bodies", i, "sector", b.sector, "sectors")
        known("bodies", i, "pillar", b.pillar, "pillars")
        known("bodies", i, "partner_format", b.partner_format, "formats")
        for target in b.reports_to:
            known("bodies", i, "reports_to", target, "bodies")
            if target == b.id:
                at("bodies", i, "reports_to", f"{b.id!r} reports to itself")
        for bf in b.formats:
            known("bodies", i, "formats", bf.format, "formats")
        for other in b.other_sectors:
            known("bodies", i, "other_sectors", other, "sectors")
            if other == b.sector:
                at("bodies", i, "other_sectors", f"{other!r} is already the body's sector")
        for inf in b.inferences:
            if inf.field not in ("reports_to", "level"):
                at(
                    "bodies",
                    i,
                    "inferences",
                    f"only a reporting line or a level is inferred, not {inf.field!r}",
                )
            elif inf.value not in (b.reports_to if inf.field == "reports_to" else [str(b.level)]):
                at("bodies", i, "inferences", f"inferred {inf.field} {inf.value!r} is not the body's")
    for i, fp in enumerate(records["focal_points"]):
        known("focal_points", i, "member_state", fp.member_state, "member_states")
        known("focal_points", i, "sector", fp.sector, "sectors")
    for i, p in enumerate(records["plans"]):
        for s in p.sectors:
            known("plans", i, "sectors", s, "sectors")
        for b in p.bodies:
            known("plans", i, "bodies", b, "bodies")
    for i, p in enumerate(records["programmes"]):
        for s in p.sectors:
            known("programmes", i, "sectors", s, "sectors")
        for b in p.bodies:
            known("programmes", i, "bodies", b, "bodies")
        for pa in p.partners:
            known("programmes", i, "partners", pa, "partners")
        for ms in p.member_states:
            known("programmes", i, "member_states", ms, "member_states")
    for i, m in enumerate(records["meetings"]):
        known("meetings", i, "body", m.body, "bodies")
        known("meetings", i, "host", m.host, "member_states")
        for ms in m.member_states:
            known("meetings", i, "member_states", ms, "member_states")
        for pa in m.partners:
            known("meetings", i, "partners", pa, "partners")
        if m.date_start is not None and m.date_url is None and not _quoted_year(m.sources, m.date_start.year):
            at(
                "meetings",
                i,
                "date_start",
                "a date needs `date_url`, or a seed quote in `sources` that states it",
            )
    for i, st in enumerate(records["statistics"]):
        known("statistics", i, "sector", st.sector, "sectors")
    for i, sm in enumerate(records["statements"]):
        table, _, key = sm.subject.partition("/")
        if key not in ids[table]:
            at("statements", i, "subject", f"unknown subject {sm.subject!r}")

    index_of = {b.id: i for i, b in enumerate(records["bodies"])}
    for cycle in find_cycles({b.id: list(b.reports_to) for b in records["bodies"]}):
        at("bodies", index_of[cycle[0]], "reports_to", "reporting cycle: " + " → ".join([*cycle, cycle[0]]))
    return problems


def _quoted_year(sources: list[schema.Source], year: int) -> bool:
    """Whether one of the seed quotes among ``sources`` names ``year`` (a seed-dated meeting)."""
    return any(src.file and src.quote and str(year) in src.quote for src in sources)


_SINGULAR = {
    "member_states": "member state",
    "pillars": "pillar",
    "sectors": "sector",
    "partners": "partner",
    "formats": "partner format",
    "bodies": "body",
}


def _identity(name: str, rec) -> str:
    if name == "member_states":
        return rec.code
    if name == "focal_points":
        return f"{rec.member_state}/{rec.sector}/{rec.agency_name_id}"
    if name == "asean_chairs":
        return str(rec.year)
    return rec.id


def find_cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """Each elementary cycle reachable in ``graph`` once, as the list of its nodes."""
    cycles: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                if frozenset(cycle) not in seen_sets:
                    seen_sets.add(frozenset(cycle))
                    cycles.append(cycle)
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return cycles


if __name__ == "__main__":  # pragma: no cover - a helper for data editors
    try:
        ref = read_reference()
    except ReferenceDataError as exc:
        for p in exc.problems:
            print(p)
        raise SystemExit(1) from None
    for name, items in ref.records.items():
        print(f"{name}: {len(items)}")
