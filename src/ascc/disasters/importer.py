"""Read disaster event files and report every problem before anything is written.

The layout is the tidy CSV of ``../shared/data/disaster_events.csv`` (NOAA significant
earthquakes, PHIL-DIS, GDACS floods): ``source_id, event_id, hazard_type, …, source_url``.
Problems name the file, line, column and reason; a file with any problem loads nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from ascc.disasters.hazards import glide_code
from ascc.kit import clock, table
from ascc.kit.problems import Problem

REQUIRED = ("source_id", "event_id", "hazard_type", "country_iso3", "start_date")
COUNTS = ("deaths", "missing", "injured", "affected", "houses_destroyed", "houses_damaged")
GLIDE = re.compile(r"^[A-Z]{2}-\d{4}-\d{6}-[A-Z]{3}$")


@dataclasses.dataclass
class Record:
    feed: str
    record_id: str
    hazard: str
    name: str | None
    member_state: str
    start_date: dt.date
    end_date: dt.date | None
    glide: str | None
    location: str | None
    counts: dict[str, int | None]
    damage_value: float | None
    damage_unit: str | None
    url: str | None
    raw: dict[str, Any]


def _date(text: str) -> dt.date:
    """ISO date; a partial ``YYYY`` or ``YYYY-MM`` means its first day.

    A slash date ``M/D/YYYY`` (PHIL-DIS has one) is read only when it cannot be misread: one of the
    first two numbers is above 12. ``3/4/2005`` could be March or April and is refused.
    """
    slash = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if slash:
        a, b, year = (int(x) for x in slash.groups())
        if a > 12 >= b:
            return dt.date(year, b, a)
        if b > 12 >= a:
            return dt.date(year, a, b)
        raise ValueError(f"ambiguous day and month in {text!r}; write YYYY-MM-DD")
    if re.fullmatch(r"\d{4}", text):
        return dt.date(int(text), 1, 1)
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return dt.date(int(text[:4]), int(text[5:]), 1)
    return dt.date.fromisoformat(text)


def read_events(
    path: Path, *, member_states: set[str], today: dt.date | None = None
) -> tuple[list[Record], list[Problem]]:
    """Parse and validate ``path``; returns the records and every problem found."""
    today = today or clock.today()
    name = path.name
    records: list[Record] = []
    text, problems = table.decode(path.read_bytes(), file=name)
    if text is None:
        return [], problems
    rows, problems = table.read_table(text, file=name, required=REQUIRED, short_rows=True)
    if rows is None:
        return [], problems
    seen: dict[tuple[str, str], int] = {}
    for line, row in rows:
        bad = len(problems)

        def fail(column: str | None, reason: str, line: int = line) -> None:
            problems.append(Problem(file=name, line=line, column=column, reason=reason))

        for column in REQUIRED:
            if not (row.get(column) or "").strip():
                fail(column, "required value is empty")
        if len(problems) > bad:
            continue
        key = (row["source_id"], row["event_id"])
        if key in seen:
            fail("event_id", f"duplicate of line {seen[key]}")
        seen[key] = line
        hazard = glide_code(row["hazard_type"])
        if hazard is None:
            fail("hazard_type", f"unknown hazard {row['hazard_type']!r}")
        ms = row["country_iso3"].strip().upper()
        if ms not in member_states:
            fail("country_iso3", f"{ms!r} is not an ASEAN member state")
        start = end = None
        try:
            start = _date(row["start_date"].strip())
        except ValueError as exc:
            fail("start_date", f"not a date: {row['start_date']!r} ({exc})")
        if (row.get("end_date") or "").strip():
            try:
                end = _date(row["end_date"].strip())
            except ValueError as exc:
                fail("end_date", f"not a date: {row['end_date']!r} ({exc})")
        if start and start > today:
            fail("start_date", f"{start} is in the future")
        if start and end and end < start:
            fail("end_date", f"ends ({end}) before it starts ({start})")
        counts: dict[str, int | None] = {}
        for column in COUNTS:
            raw = (row.get(column) or "").strip()
            if not raw:
                counts[column] = None
                continue
            try:
                value = float(raw)
            except ValueError:
                fail(column, f"not a number: {raw!r}")
                continue
            if value < 0 or value != int(value):
                fail(column, f"must be a whole number of zero or more, not {raw}")
                continue
            counts[column] = int(value)
        damage = None
        if (row.get("damage_value") or "").strip():
            try:
                damage = float(row["damage_value"])
                if damage < 0:
                    fail("damage_value", "must not be negative")
            except ValueError:
                fail("damage_value", f"not a number: {row['damage_value']!r}")
        glide = (row.get("glide") or "").strip() or None
        if glide and not GLIDE.match(glide):
            fail("glide", f"{glide!r} is not a GLIDE number like FL-2024-000199-IDN")
        if len(problems) > bad:
            continue
        records.append(
            Record(
                feed=row["source_id"].strip(),
                record_id=row["event_id"].strip(),
                hazard=hazard,
                name=(row.get("event_name") or "").strip() or None,
                member_state=ms,
                start_date=start,
                end_date=end,
                glide=glide,
                location=(row.get("location") or "").strip() or None,
                counts=counts,
                damage_value=damage,
                damage_unit=(row.get("damage_unit") or "").strip() or None if damage is not None else None,
                url=(row.get("source_url") or "").strip() or None,
                raw={k: v for k, v in row.items() if v},
            )
        )
    return records, problems


# --- subnational impacts (PHIL-DIS provinces and municipalities) ------------------------------

AREA_REQUIRED = ("country_iso3", "disaster_id", "record_type", "psgc", "area_name")
AREA_COUNTS = (
    "affected_families",
    "affected_persons",
    "dead",
    "injured",
    "missing",
    "damaged_houses_full",
    "damaged_houses_partial",
)
AREA_AMOUNTS = (
    "damaged_properties_agri",
    "damaged_properties_infra",
    "damaged_properties_private",
    "damage_total",
)
PSGC = re.compile(r"^\d{9}$")


@dataclasses.dataclass
class AreaRecord:
    line: int
    feed: str
    record_id: str
    member_state: str
    code: str
    name: str
    impacts: dict[str, Any]
    source: str


def read_areas(
    path: Path, *, member_states: set[str], feed: str = "PHIL-DIS", today: dt.date | None = None
) -> tuple[list[AreaRecord], list[Problem], list[str]]:
    """Rows of ``disaster_impacts_phl_subnational.csv``: returns the areas, the problems (any one:
    nothing is loaded) and notes on rows kept aside (aggregates without a single date)."""
    today = today or clock.today()
    name = path.name
    text, problems = table.decode(path.read_bytes(), file=name)
    if text is None:
        return [], problems, []
    rows, problems = table.read_table(text, file=name, required=AREA_REQUIRED, short_rows=True)
    if rows is None:
        return [], problems, []
    notes: list[str] = []
    areas: list[AreaRecord] = []
    for line, row in rows:
        bad = len(problems)

        def fail(column: str | None, reason: str, line: int = line) -> None:
            problems.append(Problem(file=name, line=line, column=column, reason=reason))

        for column in ("country_iso3", "disaster_id", "area_name"):
            if not (row.get(column) or "").strip():
                fail(column, "required value is empty")
        ms = (row.get("country_iso3") or "").strip().upper()
        if ms and ms not in member_states:
            fail("country_iso3", f"{ms!r} is not an ASEAN member state")
        if len(problems) == bad and (row.get("record_type") or "").strip() != "event":
            # the source mixes in yearly or multi-event totals (no single date, no event to attach to)
            notes.append(f"{name}:{line}: kept aside: {row['record_type'].strip()} ({row['disaster_id']})")
            continue
        start = None
        for column in ("date_start", "date_end"):
            raw = (row.get(column) or "").strip()
            if raw:
                try:
                    value = _date(raw)
                except ValueError as exc:
                    fail(column, f"not a date: {raw!r} ({exc})")
                    continue
                if value > today:
                    fail(column, f"{value} is in the future")
                if column == "date_start":
                    start = value
                elif start and value < start:
                    fail("date_end", f"ends ({value}) before it starts ({start})")
        impacts: dict[str, Any] = {}
        for column in (*AREA_COUNTS, *AREA_AMOUNTS):
            raw = (row.get(column) or "").strip()
            if not raw:
                continue
            try:
                value = float(raw)
            except ValueError:
                fail(column, f"not a number: {raw!r}")
                continue
            if value < 0 or (column in AREA_COUNTS and value != int(value)):
                fail(
                    column,
                    f"must be a {'whole ' if column in AREA_COUNTS else ''}number of zero or more, not {raw}",
                )
                continue
            impacts[column] = int(value) if column in AREA_COUNTS else value
        if impacts and any(k in impacts for k in AREA_AMOUNTS):
            impacts["damage_unit"] = (row.get("damage_unit") or "").strip() or None
        if len(problems) > bad:
            continue
        psgc = row["psgc"].strip()
        if not PSGC.match(psgc):  # the source has one place description in the code column: keep it as text
            notes.append(f"{name}:{line}: {psgc[:60]!r} is not a 9-digit PSGC; the area is kept by name only")
            psgc = ""
        areas.append(
            AreaRecord(
                line=line,
                feed=feed,
                record_id=row["disaster_id"].strip(),
                member_state=ms,
                code=psgc,
                name=row["area_name"].strip(),
                impacts=impacts,
                source=f"{name}:{line}",
            )
        )
    return (areas if not problems else []), problems, notes
