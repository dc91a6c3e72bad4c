"""Computed indicators: ``numerator / denominator × multiplier`` of two other indicators.

A computed indicator is an ordinary ``Indicator`` row whose ``numerator`` and ``denominator`` name
its inputs; the multiplier (e.g. 100000 for "per 100,000 population") and the formula are kept in
its ``sources`` as the entry with ``kind: "computed"``, next to the provenance of the definition.

Definitions come from a YAML or CSV file (``define_file``) or one at a time (``define``), and are
checked all or nothing: unknown fields or codes, a code that is already an ordinary indicator,
self-reference and cycles (a computed indicator may use another computed one), a denominator that
is not a count, a bad multiplier, missing provenance. Every problem names the file, line and field.

Values are materialised as ordinary observations, so every reader sees them. ``recompute`` takes
the *published* values of the inputs (per key the latest approved revision; a draft or submitted
value is ignored), pairs them on the same member state, area, period and disaggregation, and writes
the quotients through ``service.store`` as one approved batch: a changed value becomes a new
revision, an unchanged one is left alone, so running it again changes nothing. A zero or missing
denominator (or a missing numerator) gives no value; a value computed before whose inputs are gone
gets a new revision without a value, so nothing stale stays published. Approving a submission
recomputes the indicators that depend on it in the same transaction (``signoff.review``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.audit.provenance import Kept, is_person, last_actors
from ascc.kit import yaml_lines
from ascc.kit.problems import ProblemsError
from ascc.kit.table import decode, read_table
from ascc.monitoring import published, rules, service
from ascc.monitoring.imports.importer import KEY, Parsed, Problem
from ascc.monitoring.models import DIRECTIONS, Indicator, Observation
from ascc.monitoring.published import computed_entry, formula, formula_text
from ascc.registry import service as registry_service

DATA = Path(__file__).parent / "data" / "computed.yaml"
CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,60}$")
REQUIRED = ("code", "name_en", "unit", "numerator", "denominator", "sources")
OPTIONAL = ("name_id", "definition_en", "definition_id", "direction", "sector", "multiplier")
FIELDS = (*REQUIRED, *OPTIONAL)
#: CSV columns: the fields, with one source given as ``source_quote`` and ``source_url``
CSV_FIELDS = (*tuple(f for f in FIELDS if f != "sources"), "source_quote", "source_url")
MAX_MULTIPLIER = 1e9
BATCH_FORMAT = "computed"


@dataclasses.dataclass
class Definition:
    code: str
    name_en: str
    unit: str
    numerator: str
    denominator: str
    sources: list[dict[str, Any]]
    name_id: str | None = None
    definition_en: str | None = None
    definition_id: str | None = None
    direction: str | None = None
    sector: str | None = None
    multiplier: float = 1.0
    file: str = "<definition>"
    line: int | None = None

    @property
    def formula(self) -> str:
        return formula_text(self.numerator, self.denominator, self.multiplier)


class DefinitionError(ProblemsError, ValueError):
    """Computed-indicator definitions with problems: a 422 listing each (file, line, field)."""


# --- reading definitions ----------------------------------------------------------------------


def read_file(path: Path, *, name: str | None = None, data: bytes | None = None) -> list[dict[str, Any]]:
    """The raw records of a YAML (a list, or ``{computed: [...]}``) or CSV definitions file, each with
    ``__line__``; unreadable files raise ``DefinitionError``."""
    name = name or path.name
    try:
        raw = path.read_bytes() if data is None else data
    except OSError as exc:
        raise DefinitionError([Problem(file=name, reason=f"cannot read the file: {exc.strerror}")]) from None
    text, problems = decode(raw, file=name)
    if text is None:
        raise DefinitionError(problems)
    if name.lower().endswith(".csv"):
        table, problems = read_table(text, file=name, known=CSV_FIELDS, short_rows=True)
        if table is None or problems:
            raise DefinitionError(problems)
        out = []
        for line, rec in table:
            item: dict[str, Any] = {k: v for k, v in rec.items() if v != ""}
            quote, url = item.pop("source_quote", None), item.pop("source_url", None)
            if quote or url:
                item["sources"] = [{k: v for k, v in (("quote", quote), ("url", url)) if v}]
            item["__line__"] = line
            out.append(item)
        return out
    try:
        doc = yaml_lines.stamp(yaml_lines.load(text, file=name))
    except ProblemsError as exc:
        raise DefinitionError(exc.problems) from None
    if isinstance(doc, dict):
        doc = doc.get("computed")
    if not isinstance(doc, list):
        raise DefinitionError(
            [Problem(file=name, reason="expected a list of definitions (or computed: [...])")]
        )
    return doc


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def check(session: Session, records: list[dict[str, Any]], *, name: str = "<definition>") -> list[Definition]:
    """Validate definitions against each other and the database; raise ``DefinitionError`` listing
    every problem (file, line, field)."""
    problems: list[Problem] = []
    known = {r.code: r for r in session.scalars(select(Indicator))}
    sectors = {s.id for s in registry_service.list_sectors(session)}
    out: list[Definition] = []
    seen: dict[str, int | None] = {}
    for rec in records:
        line = rec.get("__line__") if isinstance(rec, dict) else None
        bad_count = len(problems)

        def bad(field: str | None, reason: str, line: int | None = line) -> None:
            problems.append(Problem(file=name, line=line, field=field, reason=reason))

        if not isinstance(rec, dict):
            bad(None, "a definition must be a mapping of fields")
            continue
        for f in sorted(set(rec) - set(FIELDS) - {"__line__"}):
            bad(f, f"unknown field (fields: {', '.join(FIELDS)})")
        for f in REQUIRED:
            if rec.get(f) in (None, "", []):
                bad(f, "required")
        code = _text(rec.get("code")) or ""
        if code and not CODE.match(code):
            bad("code", f"{code!r}: letters, digits, '.', '_' and '-', at most 60")
        if code in seen:
            bad("code", f"{code} is defined twice (also line {seen[code]})")
        seen[code] = line
        if code in known and computed_entry(known[code]) is None:
            bad("code", f"{code} is an ordinary indicator with its own data; choose another code")
        for f in ("numerator", "denominator"):
            ref = _text(rec.get(f))
            if ref and ref == code:
                bad(f, f"{code} cannot be computed from itself")
        mult: Any = rec.get("multiplier", 1)
        try:
            if isinstance(mult, bool):
                raise ValueError
            mult = float(str(mult).replace(" ", "").replace("_", ""))
            if not math.isfinite(mult) or mult <= 0 or mult > MAX_MULTIPLIER:
                raise ValueError
        except ValueError:
            bad("multiplier", f"{rec.get('multiplier')!r}: a positive number up to {MAX_MULTIPLIER:g}")
            mult = 1.0
        direction = _text(rec.get("direction"))
        if direction is not None and direction not in DIRECTIONS:
            bad("direction", f"{direction!r}: higher or lower (or empty)")
        sector = _text(rec.get("sector"))
        if sector is not None and sector not in sectors:
            bad("sector", f"{sector!r} is not a registry sector")
        sources = rec.get("sources")
        if sources not in (None, "", []) and (
            not isinstance(sources, list)
            or not all(
                isinstance(s, dict) and (_text(s.get("quote")) or _text(s.get("url"))) for s in sources
            )
        ):
            bad("sources", "a list of sources, each with a quote or a url")
            sources = []
        for f in ("name_en", "name_id", "definition_en", "definition_id", "unit"):
            if len(str(rec.get(f) or "")) > (200 if f == "unit" else 500 if f.startswith("name") else 4000):
                bad(f, "too long")
        if len(problems) > bad_count:
            continue
        out.append(
            Definition(
                code=code,
                name_en=_text(rec["name_en"]) or "",
                unit=_text(rec["unit"]) or "",
                numerator=_text(rec["numerator"]) or "",
                denominator=_text(rec["denominator"]) or "",
                sources=[{k: v for k, v in s.items() if k != "__line__"} for s in sources or []],
                name_id=_text(rec.get("name_id")),
                definition_en=_text(rec.get("definition_en")),
                definition_id=_text(rec.get("definition_id")),
                direction=direction,
                sector=sector,
                multiplier=mult,
                file=name,
                line=line,
            )
        )
    # references, units and cycles, across the file and the database
    defined = {d.code: d for d in out}
    levels = {c: r.level for c, r in known.items()}
    units = {c: r.unit for c, r in known.items()} | {d.code: d.unit for d in out}
    inputs = {c: (r.numerator, r.denominator) for c, r in known.items() if computed_entry(r) is not None}
    inputs |= {d.code: (d.numerator, d.denominator) for d in out}
    for d in out:
        for f in ("numerator", "denominator"):
            ref = getattr(d, f)
            if ref not in known and ref not in defined:
                problems.append(Problem(file=name, line=d.line, field=f, reason=f"unknown indicator {ref!r}"))
        if not problems or all(p.line != d.line for p in problems):
            den_unit = units.get(d.denominator)
            if den_unit is not None and not _is_count(den_unit):
                problems.append(
                    Problem(
                        file=name,
                        line=d.line,
                        field="denominator",
                        reason=f"{d.denominator} is in {den_unit!r}: a denominator must be a count "
                        "(persons, number, …), not a share, rate or index",
                    )
                )
            if d.unit.startswith("%") and units.get(d.numerator) != den_unit:
                problems.append(
                    Problem(
                        file=name,
                        line=d.line,
                        field="unit",
                        reason=f"a share (%) needs numerator and denominator in the same unit "
                        f"({units.get(d.numerator)!r} and {den_unit!r})",
                    )
                )
            lv = {
                levels.get(d.numerator, _level(d.numerator, defined, levels)),
                levels.get(d.denominator, _level(d.denominator, defined, levels)),
            }
            if len(lv - {None}) > 1:
                problems.append(
                    Problem(
                        file=name,
                        line=d.line,
                        field="denominator",
                        reason=f"{d.numerator} and {d.denominator} are not at the same level "
                        "(national / subnational)",
                    )
                )
    for d in out:
        cycle = _cycle(d.code, inputs)
        if cycle:
            problems.append(
                Problem(file=name, line=d.line, field="numerator", reason="cycle: " + " → ".join(cycle))
            )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.field or ""))
        raise DefinitionError(problems)
    return out


def _is_count(unit: str | None) -> bool:
    u = (unit or "").strip().lower()
    return bool(u) and not (u.startswith("%") or "per " in u or "index" in u or "ratio" in u or "rate" in u)


def _level(code: str, defined: dict[str, Definition], levels: dict[str, str], depth: int = 0) -> str | None:
    d = defined.get(code)
    if d is None or depth > 50:
        return levels.get(code)
    return levels.get(d.numerator) or _level(d.numerator, defined, levels, depth + 1)


def _cycle(start: str, inputs: dict[str, tuple[str | None, str | None]]) -> list[str] | None:
    """A path ``start → … → start`` through the inputs of computed indicators, if there is one."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    visited: set[str] = set()
    while stack:
        code, path = stack.pop()
        for ref in inputs.get(code, ()):
            if ref is None:
                continue
            if ref == start:
                return [*path, ref]
            if ref not in visited:
                visited.add(ref)
                stack.append((ref, [*path, ref]))
    return None


# --- storing definitions ----------------------------------------------------------------------


def _level_of(session: Session, d: Definition) -> str:
    row = session.get(Indicator, d.numerator)
    return row.level if row is not None else "national"


def save(session: Session, definitions: list[Definition], *, kept: Kept | None = None) -> tuple[int, int]:
    """Create or update the indicator rows of checked definitions (inputs first): (created, updated).
    ``kept``: as a loader (``define-computed --file`` in ``make init``), a definition a person edited
    last (``POST /api/v1/indicators/computed``) is left as it is and counted there."""
    created = updated = 0
    edited = (
        last_actors(session, entity=Indicator.__tablename__, ids=[d.code for d in definitions])
        if kept is not None
        else {}
    )
    pending = {d.code: d for d in definitions}
    ordered: list[Definition] = []
    while pending:  # a definition after the definitions it uses (check() refused cycles)
        ready = [d for d in pending.values() if d.numerator not in pending and d.denominator not in pending]
        for d in ready or list(pending.values()):
            ordered.append(pending.pop(d.code))
    for d in ordered:
        record = {
            "name_en": d.name_en,
            "name_id": d.name_id,
            "definition_en": d.definition_en,
            "definition_id": d.definition_id,
            "unit": d.unit,
            "direction": d.direction,
            "sector": d.sector,
            "sector_tag": None,
            "level": _level_of(session, d),
            "frequency": "annual",
            "disaggregations": ["area"] if _level_of(session, d) == "subnational" else [],
            "numerator": d.numerator,
            "denominator": d.denominator,
            "source_org": "ASCC platform (computed)",
            "source_dataset": d.formula,
            "source_url": None,
            "licence": None,
            "sources": [
                {
                    "kind": "computed",
                    "formula": d.formula,
                    "numerator": d.numerator,
                    "denominator": d.denominator,
                    "multiplier": d.multiplier,
                },
                *d.sources,
            ],
        }
        row = session.get(Indicator, d.code)
        if row is None:
            session.add(Indicator(code=d.code, **record))
            created += 1
        else:
            changes = {f: v for f, v in record.items() if getattr(row, f) != v}
            if changes and kept is not None and is_person(edited.get(d.code)):
                kept.add(d.code, f"definition edited by {edited[d.code]}")
                continue
            for field, value in changes.items():
                setattr(row, field, value)
            updated += bool(changes)
        session.flush()
    return created, updated


def define(
    session: Session, records: list[dict[str, Any]], *, name: str = "<definition>", kept: Kept | None = None
) -> tuple[int, int]:
    """Check and save definitions, all or nothing (``DefinitionError`` lists every problem)."""
    return save(session, check(session, records, name=name), kept=kept)


def define_file(
    session: Session,
    path: Path,
    *,
    name: str | None = None,
    data: bytes | None = None,
    kept: Kept | None = None,
) -> tuple[int, int]:
    name = name or path.name
    return define(session, read_file(path, name=name, data=data), name=name, kept=kept)


# --- computing values -------------------------------------------------------------------------


@dataclasses.dataclass
class ComputeReport:
    indicators: list[str] = dataclasses.field(default_factory=list)
    values: int = 0
    inserted: int = 0
    revised: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    batch_id: int | None = None


def computed_rows(session: Session) -> dict[str, Indicator]:
    rows = session.scalars(
        select(Indicator).where(Indicator.numerator.is_not(None), Indicator.denominator.is_not(None))
    )
    return {r.code: r for r in rows if computed_entry(r) is not None}


def dependants(session: Session, codes: Iterable[str]) -> list[str]:
    """The computed indicators that use any of ``codes``, directly or through another computed one."""
    rows = computed_rows(session)
    found: set[str] = set()
    frontier = set(codes)
    while frontier:
        new = {
            c
            for c, r in rows.items()
            if c not in found and (r.numerator in frontier or r.denominator in frontier)
        }
        found |= new
        frontier = new
    return sorted(found)


Values = dict[tuple[str, ...], tuple[float | None, str]]


def _published(session: Session, code: str) -> Values:
    return {
        (r.member_state, r.area_code, r.period, r.sex, r.age, r.urbanisation): (r.value, r.obs_status)
        for r in published.published_rows(session, codes=[code], areas=None)
    }


def quotients(num: Values, den: Values, multiplier: float) -> Values:
    """``num / den × multiplier`` on the keys both have; a zero or missing value gives none. A
    quotient is provisional when either input is. Quotients keep six significant digits, as the
    source series do (more would claim a precision the inputs don't have)."""
    out: Values = {}
    for key, (n, n_status) in num.items():
        d, d_status = den.get(key, (None, "final"))
        if n is None or d is None or d == 0:
            continue
        status = "provisional" if {n_status, d_status} & rules.PROVISIONAL else "final"
        out[key] = (float(f"{n / d * multiplier:.6g}"), status)
    return out


def recompute(
    session: Session, *, codes: Iterable[str] | None = None, actor: str | None = None
) -> ComputeReport:
    """Recompute the computed indicators (``codes``, else all) from the published values of their
    inputs, and store the changes as one approved batch."""
    rows = computed_rows(session)
    wanted = set(rows) if codes is None else set(codes) & set(rows)
    # a computed input of a wanted indicator is computed first, in memory
    order: list[str] = []
    pending = set(wanted)
    while pending:
        ready = sorted(
            c for c in pending if rows[c].numerator not in pending and rows[c].denominator not in pending
        )
        for c in ready or sorted(pending):
            order.append(c)
            pending.discard(c)
    report = ComputeReport(indicators=order)
    fresh: dict[str, Values] = {}
    records: list[tuple[str, tuple[str, ...], float | None, str, str, str]] = []
    for code in order:
        row = rows[code]
        f = formula(row)
        assert f is not None
        num = fresh[row.numerator] if row.numerator in fresh else _published(session, row.numerator)
        den = fresh[row.denominator] if row.denominator in fresh else _published(session, row.denominator)
        values = quotients(num, den, f["multiplier"])
        fresh[code] = values
        source = f"computed: {f['text']}"[:300]
        note = f"{f['text']} from the published values of {row.numerator} and {row.denominator}"
        report.values += len(values)
        for key, (v, status) in values.items():
            records.append((code, key, v, status, source, note))
        for key, (old, status) in _published(session, code).items():  # inputs gone: withdraw the value
            if key not in values and old is not None:
                records.append(
                    (
                        code,
                        key,
                        None,
                        status,
                        source,
                        f"no value: {row.numerator} or "
                        f"{row.denominator} has no published value, or the denominator is zero",
                    )
                )
                report.withdrawn += 1
    if not records:
        return report
    parsed = Parsed(
        name="computed indicators",
        format=BATCH_FORMAT,
        sha256=_digest(records),
        frame=_frame(records),
        problems=[],
    )
    stored = service.store(session, parsed, approval="approved", actor=actor)
    report.inserted, report.revised, report.unchanged = stored.inserted, stored.revised, stored.unchanged
    report.batch_id = stored.batch_id
    session.flush()
    return report


def _digest(records: list) -> str:
    h = hashlib.sha256()
    for r in records:
        h.update(repr(r).encode())
    return h.hexdigest()


def _frame(records: list[tuple[str, tuple[str, ...], float | None, str, str, str]]) -> pd.DataFrame:
    """The canonical frame ``service.store`` takes (the importer's columns, categorical text)."""
    cols: dict[str, list] = {k: [] for k in (*KEY, "source", "note", "obs_status")}
    values = np.empty(len(records), dtype=np.float64)
    for i, (code, key, v, status, source, note) in enumerate(records):
        cols["indicator"].append(code)
        for k, part in zip(KEY[1:], key, strict=True):
            cols[k].append(part)
        cols["source"].append(source)
        cols["note"].append(note)
        cols["obs_status"].append(status)
        values[i] = np.nan if v is None else v
    frame = pd.DataFrame({k: pd.Categorical(v) for k, v in cols.items()})
    frame["value"] = values
    frame["line"] = np.arange(1, len(records) + 1)
    return frame


def current_computed(session: Session, code: str) -> list[Observation]:
    """Current observations of a computed indicator (for tests and the CLI)."""
    return list(
        session.scalars(
            select(Observation).where(Observation.indicator_code == code, Observation.is_current.is_(True))
        )
    )


def define_by(session: Session, *, principal: Principal, definitions: list[dict[str, Any]]) -> dict[str, Any]:
    """The Secretariat defines (or updates) computed indicators and computes their values; any
    problem → ``Invalid`` listing each (``definitions[i]``, field, reason), nothing written."""
    permissions.require_secretariat(principal)
    records = [d | {"__line__": i} if isinstance(d, dict) else d for i, d in enumerate(definitions)]
    try:
        created, updated = define(session, records, name="definitions")
    except DefinitionError as exc:
        where = [
            Problem(field=f"definitions[{p.line}]" + (f".{p.field}" if p.field else ""), reason=p.reason)
            for p in exc.problems
        ]
        raise ProblemsError(
            where, f"{len(exc.problems)} problem(s); nothing was defined", parameter="definitions"
        ) from None
    codes = [d["code"] for d in definitions if isinstance(d, dict)]
    report = recompute(session, codes=codes, actor=session.info.get("actor"))
    return {
        "created": created,
        "updated": updated,
        "indicators": codes,
        "values": report.values,
        "inserted": report.inserted,
        "revised": report.revised,
    }
