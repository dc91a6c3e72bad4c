"""Targets: a baseline and a target value per indicator, regional (``member_state`` None) or per member
state, optionally for one plan. Only the ASEAN Secretariat writes them; everyone reads them.

A target is a fact someone published, never a guess: every one names its ``source`` (a URL or a
document) and may carry the verbatim ``quote``. The demo data has no targets because no seed and no
shared data file states one for an indicator we hold (see ``docs/progress.md``).

Files (``ascc targets import``) are CSV with a header row, UTF-8: the columns of ``COLUMNS``. Any bad
row, anywhere: every problem is reported as ``file:line [column]: reason`` (``kit.problems``) and nothing is written.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.db.concurrency import check_version, hold, hold_writes
from ascc.kit import clock
from ascc.kit.digest import content_etag
from ascc.kit.errors import Invalid, NotFound
from ascc.kit.problems import Problem, ProblemsError
from ascc.kit.table import read_table
from ascc.monitoring import models as m
from ascc.monitoring.targets.models import Target
from ascc.registry import service as registry_service

COLUMNS = (
    "indicator_code",
    "member_state",
    "plan_id",
    "sector",
    "baseline_year",
    "baseline_value",
    "target_year",
    "target_value",
    "source",
    "quote",
    "notes",
)
REQUIRED = ("indicator_code", "target_year", "target_value", "source")
MAX_CELL = 5000
MAX_ROWS = 100_000


class TargetWrite(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    indicator_code: str = Field(min_length=1, max_length=60)
    member_state: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO3; None = regional")
    plan_id: str | None = Field(default=None, max_length=80)
    sector: str | None = Field(default=None, max_length=64)
    baseline_year: int | None = Field(default=None, ge=1900, le=2100)
    baseline_value: float | None = None
    target_year: int = Field(ge=1900, le=2100)
    target_value: float
    source: str = Field(min_length=1, max_length=1000, description="URL or document the target comes from")
    quote: str | None = Field(default=None, max_length=MAX_CELL)
    notes: str | None = Field(default=None, max_length=MAX_CELL)

    @field_validator("baseline_value", "target_value")
    @classmethod
    def _finite(cls, v: float | None) -> float | None:
        if v is not None and not math.isfinite(v):
            raise ValueError("must be a finite number")
        return v

    @field_validator("member_state", "plan_id", "sector", "quote", "notes", mode="before")
    @classmethod
    def _empty(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @model_validator(mode="after")
    def _years(self) -> TargetWrite:
        if self.baseline_value is not None and self.baseline_year is None:
            raise ValueError("baseline_value needs baseline_year")
        if self.baseline_year is not None and self.baseline_year >= self.target_year:
            raise ValueError("baseline_year must be before target_year")
        return self


class TargetFileError(ProblemsError):
    def __init__(self, problems: list[Problem]):
        detail = f"{len(problems)} problem(s); nothing was imported: " + "; ".join(map(str, problems[:20]))
        super().__init__(problems, detail)


def scope_of(indicator_code: str, member_state: str | None, plan_id: str | None) -> str:
    return f"{indicator_code}|{member_state or '*'}|{plan_id or '*'}"


def read(row: Target) -> dict[str, Any]:
    return {
        "id": row.id,
        "indicator_code": row.indicator_code,
        "member_state": row.member_state,
        "regional": row.member_state is None,
        "plan_id": row.plan_id,
        "sector": row.sector,
        "baseline_year": row.baseline_year,
        "baseline_value": row.baseline_value,
        "target_year": row.target_year,
        "target_value": row.target_value,
        "source": row.source,
        "quote": row.quote,
        "notes": row.notes,
        "updated_by": row.updated_by,
        "updated_at": row.updated_at,
    }


def list_targets(
    session: Session,
    *,
    indicator: str | None = None,
    member_state: str | None = None,
    plan_id: str | None = None,
) -> list[dict[str, Any]]:
    stmt = select(Target).order_by(Target.indicator_code, Target.member_state, Target.plan_id, Target.id)
    if indicator:
        stmt = stmt.where(Target.indicator_code == indicator)
    if member_state:
        stmt = stmt.where(Target.member_state == member_state.upper())
    if plan_id:
        stmt = stmt.where(Target.plan_id == plan_id)
    return [read(r) | {"etag": etag(r)} for r in session.scalars(stmt)]


def etag(row: Target) -> str:
    """Its values and who set them (not the time: a database may hand it back in another zone)."""
    return content_etag({k: v for k, v in read(row).items() if k != "updated_at"})


def get_target(session: Session, *, target_id: int) -> dict[str, Any]:
    row = session.get(Target, target_id)
    if row is None:
        raise NotFound(f"no target {target_id}")
    return read(row) | {"etag": etag(row)}


class _Known:
    """The codes a target may refer to, read once per import."""

    def __init__(self, session: Session):
        self.indicators = set(session.scalars(select(m.Indicator.code)))
        self.member_states = {s.code for s in registry_service.list_member_states(session)}
        self.plans = {p.id for p in registry_service.list_plans(session)}
        self.sectors = {s.id for s in registry_service.list_sectors(session)}

    def problems(self, data: TargetWrite) -> list[tuple[str, str]]:
        out = []
        if data.indicator_code not in self.indicators:
            out.append(("indicator_code", f"unknown indicator {data.indicator_code!r}"))
        if data.member_state is not None and data.member_state not in self.member_states:
            out.append(("member_state", f"unknown member state {data.member_state!r}"))
        if data.plan_id is not None and data.plan_id not in self.plans:
            out.append(("plan_id", f"unknown plan {data.plan_id!r}"))
        if data.sector is not None and data.sector not in self.sectors:
            out.append(("sector", f"unknown sector {data.sector!r}"))
        return out


def _store(session: Session, principal: Principal, data: TargetWrite) -> tuple[Target, str]:
    scope = scope_of(data.indicator_code, data.member_state, data.plan_id)
    row = session.scalar(select(Target).where(Target.scope == scope))
    values = data.model_dump() | {
        "scope": scope,
        "updated_by": principal.name or principal.actor,
        "updated_at": clock.now(),
    }
    if row is None:
        row = Target(**values)
        session.add(row)
        verb = "created"
    else:
        changed = {
            k: v for k, v in values.items() if k not in ("updated_by", "updated_at") and getattr(row, k) != v
        }
        if not changed:
            return row, "unchanged"
        for k, v in values.items():
            setattr(row, k, v)
        verb = "updated"
    session.flush()
    return row, verb


def set_target(
    session: Session, *, principal: Principal, data: TargetWrite, if_match: str | None = None
) -> dict[str, Any]:
    """Create the target for (indicator, member state or regional, plan), or replace it: replacing
    needs the stored target's ETag (If-Match), checked and written in one step."""
    permissions.require_secretariat(principal)
    problems = _Known(session).problems(data)
    if problems:
        field = problems[0][0]
        raise Invalid("; ".join(r for _, r in problems), parameter=field)
    hold_writes(session)
    scope = scope_of(data.indicator_code, data.member_state, data.plan_id)
    existing = session.scalar(select(Target).where(Target.scope == scope).with_for_update())
    if existing is not None:
        check_version(etag(existing), if_match, what=f"target {existing.id}")
    row, verb = _store(session, principal, data)
    return read(row) | {"result": verb, "etag": etag(row)}


def delete_target(
    session: Session, *, principal: Principal, target_id: int, if_match: str | None = None
) -> None:
    permissions.require_secretariat(principal)
    row = hold(session, Target, target_id)
    if row is None:
        raise NotFound(f"no target {target_id}")
    check_version(etag(row), if_match, what=f"target {target_id}")
    session.delete(row)
    session.flush()


def parse_file(
    text: str, *, filename: str, known: _Known | None = None
) -> tuple[list[TargetWrite], list[Problem]]:
    """Every row of a target CSV, or every problem in it (file, line, column)."""
    rows: list[TargetWrite] = []
    table, problems = read_table(text, file=filename, known=COLUMNS, required=REQUIRED)
    if table is None:
        return [], problems
    header = table.header
    seen: dict[str, int] = {}
    for line, row in table:
        if line > MAX_ROWS + 1:
            problems.append(Problem(file=filename, line=line, reason=f"more than {MAX_ROWS} rows"))
            break
        cells = [row[name] for name in header]
        record, bad = _row(cells, header, filename, line)
        problems += bad
        if record is None:
            continue
        for name, reason in known.problems(record) if known else []:
            problems.append(Problem(file=filename, line=line, column=name, reason=reason))
        scope = scope_of(record.indicator_code, record.member_state, record.plan_id)
        if scope in seen:
            problems.append(
                Problem(
                    file=filename,
                    line=line,
                    column="indicator_code",
                    reason=f"the same target (indicator, member state, plan) as line {seen[scope]}",
                )
            )
        seen.setdefault(scope, line)
        rows.append(record)
    return rows, problems


def _row(
    cells: list[str], header: list[str], filename: str, line: int
) -> tuple[TargetWrite | None, list[Problem]]:
    col = {name: i + 1 for i, name in enumerate(header)}
    values: dict[str, Any] = {}
    bad: list[Problem] = []
    for name, cell in zip(header, cells, strict=True):
        cell = cell.strip()
        if len(cell) > MAX_CELL:
            bad.append(
                Problem(file=filename, line=line, column=name, reason=f"longer than {MAX_CELL} characters")
            )
        elif "\x00" in cell:
            bad.append(Problem(file=filename, line=line, column=name, reason="contains a NUL character"))
        elif cell:
            values[name] = cell
    for name in REQUIRED:
        if name not in values and not any(p.column == name for p in bad):
            bad.append(Problem(file=filename, line=line, column=name, reason="required"))
    if bad:
        return None, bad
    try:
        return TargetWrite(**values), []
    except ValueError as exc:
        out = []
        for e in getattr(exc, "errors", lambda: [])():
            name = str(e["loc"][0]) if e.get("loc") else None
            reason = e["msg"].removeprefix("Value error, ")
            if name in col:
                out.append(
                    Problem(file=filename, line=line, column=name, reason=f"{reason} ({values.get(name)!r})")
                )
            else:
                out.append(Problem(file=filename, line=line, reason=reason))
        return None, out


def import_file(
    session: Session,
    *,
    principal: Principal,
    path: Path | None = None,
    text: str | None = None,
    filename: str | None = None,
) -> dict[str, int]:
    """All rows or none. Raises ``TargetFileError`` listing every problem; returns counts otherwise."""
    permissions.require_secretariat(principal)
    name = filename or (str(path) if path else "targets.csv")
    if text is None:
        assert path is not None
        try:
            text = path.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TargetFileError(
                [Problem(file=name, line=1, reason=f"not UTF-8 (byte {exc.start})")]
            ) from None
        except OSError as exc:
            raise TargetFileError(
                [Problem(file=name, line=1, reason=f"cannot read: {exc.strerror}")]
            ) from None
    rows, problems = parse_file(text, filename=name, known=_Known(session))
    if problems:
        raise TargetFileError(problems)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for data in rows:
        _, verb = _store(session, principal, data)
        counts[verb] += 1
    return counts


def targets_for(
    session: Session, *, indicators: list[str]
) -> dict[tuple[str, str | None, str | None], Target]:
    """The targets of these indicators keyed by (indicator, member state or None, plan or None)."""
    if not indicators:
        return {}
    rows = session.scalars(select(Target).where(Target.indicator_code.in_(indicators)))
    return {(r.indicator_code, r.member_state, r.plan_id): r for r in rows}
