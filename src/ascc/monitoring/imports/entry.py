"""Focal points entering data: an uploaded file becomes draft observations of their own member state.

The file goes through the core importer (``monitoring.service.import_file``: SDMX-CSV, SDMX-ML, the
plain CSV or XLSX template; every rule, all or nothing). On top of its rules, every row must be of
the focal point's own member state: a row of another member state is a problem naming its line and
column, like any other, and nothing is stored. The report of a refused file lists every problem
(file, line, column, reason); the error carries it as ``problems``.

Also here: the downloadable templates and the plain CSV of published observations.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.accounts import permissions
from ascc.accounts.schemas import Principal
from ascc.kit.errors import DomainError, Invalid
from ascc.kit.problems import ProblemsError
from ascc.kit.spreadsheet import cells, template_workbook, xlsx_bytes
from ascc.monitoring import service as monitoring_service
from ascc.monitoring.imports import files, importer, profiles
from ascc.monitoring.imports.importer import PLAIN_COLUMNS, Catalogue, Problem
from ascc.monitoring.imports.reading import Progress
from ascc.monitoring.models import Area, Indicator, Observation

MAX_BYTES = 20 * 2**20
FORMAT_NAMES = (
    "SDMX-CSV",
    "SDMX-ML 2.1",
    "CSV (template)",
    "XLSX (template)",
    "UN SDG database (CSV)",
    "ILOSTAT bulk (CSV)",
)
TEMPLATE_HEADER = tuple(PLAIN_COLUMNS)
_STATE_COLUMN = {"sdmx-csv": "REF_AREA", "sdmx-ml": "REF_AREA", "csv": "country_iso3", "xlsx": "country_iso3"}


class TooLarge(DomainError):
    status = 413
    title = "Payload too large"


def read_upload(stream: IO[bytes], filename: str) -> bytes:
    """The uploaded bytes, refusing an empty file or one over ``MAX_BYTES``."""
    data = stream.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise TooLarge(f"{filename}: larger than {MAX_BYTES // 2**20} MiB", parameter="file")
    if not data:
        raise Invalid(f"{filename}: the file is empty", parameter="file")
    return data


def _foreign_rows(parsed: importer.Parsed, member_state: str) -> list[Problem]:
    frame = parsed.frame
    if frame is None or not len(frame):
        return []
    column = _STATE_COLUMN.get(parsed.format) or profiles.column_of(parsed.format, "member_state")
    unit = "row" if parsed.format == "xlsx" else ("observation" if parsed.format == "sdmx-ml" else "line")
    states = frame["member_state"].astype(str).to_numpy()
    lines = frame["line"].to_numpy()
    return [
        Problem(
            file=parsed.name,
            line=int(line),
            column=column,
            reason=f"{state} is not {member_state}: a focal point of "
            f"{member_state} enters only {member_state}'s data",
            unit=unit,
        )
        for state, line in zip(states, lines, strict=True)
        if state != member_state
    ]


def import_drafts(
    session: Session,
    *,
    principal: Principal,
    member_state: str,
    filename: str,
    content: bytes,
    progress: Progress | None = None,
    profile: str | None = None,
) -> dict[str, Any]:
    """Check and store a file as drafts of ``member_state`` (its focal point only). Raises ``Invalid``
    with every problem (``problems``) and stores nothing when any row is wrong."""
    permissions.require_focal_point_of(principal, member_state=member_state)
    name = Path(filename).name[:200] or "upload"
    cat = Catalogue.load(session)
    parsed = files.parse(Path(name), cat, name=name, data=content, progress=progress, profile=profile)
    problems = list(parsed.problems) + _foreign_rows(parsed, member_state)
    problems += monitoring_service.computed_rows(session, parsed)
    if parsed.frame is not None and principal.sectors and not problems:
        allowed = set(
            session.scalars(select(Indicator.code).where(Indicator.sector.in_(list(principal.sectors))))
        )
        codes = parsed.frame["indicator"].astype(str).to_numpy()
        for code, line in zip(codes, parsed.frame["line"].to_numpy(), strict=True):
            if code not in allowed:
                column = "INDICATOR" if parsed.format.startswith("sdmx") else "series_code"
                problems.append(
                    Problem(
                        file=name,
                        line=int(line),
                        column=column,
                        reason=f"{code} is outside this focal point's sectors",
                    )
                )
    if problems:
        problems.sort(key=lambda p: (p.line or 0, p.column or ""))
        raise ProblemsError(
            problems,
            f"{name}: {len(problems)} problem{'s' if len(problems) != 1 else ''}; nothing was stored",
            parameter="file",
        )
    parsed.problems = []
    report = monitoring_service.store(
        session, parsed, approval="draft", actor=session.info.get("actor"), progress=progress
    )
    if report.problems:  # e.g. ACTION=D of an observation that is not stored
        raise ProblemsError(
            report.problems,
            f"{name}: {len(report.problems)} problem(s); nothing was stored",
            parameter="file",
        )
    return {
        "notes": report.notes,
        "file": report.file,
        "format": report.format,
        "member_state": member_state,
        "rows": report.rows,
        "inserted": report.inserted,
        "revised": report.revised,
        "unchanged": report.unchanged,
        "batch_id": report.batch_id,
        "problems": [],
    }


# --- templates and downloads -------------------------------------------------------------------


def area_schemes(session: Session) -> dict[str, str]:
    return {code: scheme for code, scheme in session.execute(select(Area.code, Area.scheme))}


def template_csv() -> str:
    """The plain CSV template: its header row (UTF-8, comma-separated)."""
    return ",".join(TEMPLATE_HEADER) + "\n"


def template_xlsx(session: Session) -> bytes:
    """The XLSX template: the header on the first sheet (the one that is read), and the indicator
    codes with their units and the dimension codes on the following sheets for reference."""
    wb, _ = template_workbook(TEMPLATE_HEADER)
    ref = wb.create_sheet("indicators")
    ref.append(["series_code", "name", "unit", "level", "sector"])
    for row in session.scalars(select(Indicator).order_by(Indicator.code)):
        ref.append(cells([row.code, row.name_en, row.unit, row.level, row.sector]))
    codes = wb.create_sheet("codes")
    codes.append(["column", "codes"])
    codes.append(["sex", "_T total, F female, M male"])
    codes.append(["age", "_T all ages, Y15T24 15 to 24, Y_GE65 65 and over, Y_LT5 under 5"])
    codes.append(["urbanisation", "_T total, U urban, R rural"])
    codes.append(["obs_status", "final or provisional (empty: final)"])
    codes.append(["region_scheme", "empty at the national level; GDL or ISO3166-2 with region_code"])
    return xlsx_bytes(wb)


def plain_csv(rows: Iterable[Observation], schemes: dict[str, str]) -> str:
    """Observations in the plain CSV template's columns (``schemes``: area code → its scheme): the
    file imports back unchanged."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(TEMPLATE_HEADER)
    for o in rows:
        scheme = schemes.get(o.area_code, "") if o.area_code else ""
        values = {
            "series_code": o.indicator_code,
            "country_iso3": o.member_state,
            "region_scheme": scheme,
            "region_code": o.area_code,
            "period": o.period,
            "sex": o.sex,
            "age": o.age,
            "urbanisation": o.urbanisation,
            "value": "" if o.value is None else f"{o.value:.15g}",
            "obs_status": o.obs_status,
            "unit": "",
            "source_id": o.source or "",
            "note": o.note or "",
        }
        w.writerow(cells(values[c] for c in TEMPLATE_HEADER))  # texts neutralised for spreadsheets
    return buf.getvalue()
