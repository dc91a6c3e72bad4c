"""Bulk storing of a file of several hundred rows: statements of 100 rows whose shared columns are
bound once, the rest row by row, a file tail shorter than a statement, and revisions on re-import."""

from __future__ import annotations

from sqlalchemy import select

from ascc.monitoring.models import Observation
from tests.monitoring.conftest import PLAIN_HEADER, query, run_import, write

STATES = ("IDN", "PHL", "THA")
YEARS = range(1950, 2037)  # 87 periods: statements straddle member states and indicators


def _rows(changed: bool = False) -> dict[tuple[str, str, str], tuple[float, str | None, str | None]]:
    rows = {}
    n = 0
    for ind, unit in (("SP.POP.TOTL", "persons"), ("SL.UEM.TOTL.ZS", "")):
        for ms in STATES:
            for year in YEARS:
                n += 1
                value = float(n % 90) + 0.25
                source = "WDI" if n % 3 else None
                note = f"note {n}, quoted" if n % 11 == 0 else None
                if changed and n % 7 == 0:
                    value += 1
                if changed and n % 13 == 0:
                    note = "revised note"
                rows[(ind, ms, str(year))] = (value, source, note, unit)
    return rows


def _csv(rows) -> str:
    lines = [PLAIN_HEADER]
    for (ind, ms, year), (value, source, note, unit) in rows.items():  # an empty unit is the indicator's
        quoted = f'"{note}"' if note else ""
        lines.append(f"{ind},{ms},{year},{value},{unit},{source or ''},{quoted}\n")
    return "".join(lines)


def _stored(session, current: bool):
    stmt = select(
        Observation.indicator_code,
        Observation.member_state,
        Observation.period,
        Observation.value,
        Observation.source,
        Observation.note,
        Observation.revision,
        Observation.area_code,
        Observation.sex,
        Observation.age,
        Observation.urbanisation,
        Observation.obs_status,
    )
    if current:
        stmt = stmt.where(Observation.is_current.is_(True))
    return [tuple(r) for r in session.execute(stmt)]


def test_a_file_of_several_statements_is_stored_row_for_row_and_revised(mon_url, tmp_path):
    first = _rows()
    report = run_import(mon_url, write(tmp_path, "first.csv", _csv(first)))
    assert report.ok and report.inserted == len(first) == 522
    stored = query(mon_url, _stored, current=True)
    assert len(stored) == len(first)
    for ind, ms, year, value, source, note, revision, area, sex, age, urb, status in stored:
        assert (value, source, note) == first[(ind, ms, year)][:3]
        assert (revision, area, sex, age, urb, status) == (1, "", "_T", "_T", "_T", "final")

    second = _rows(changed=True)
    revised = {k for k in first if first[k] != second[k]}
    report = run_import(mon_url, write(tmp_path, "second.csv", _csv(second)))
    assert report.ok and (report.inserted, report.revised) == (0, len(revised))
    current = {(r[0], r[1], r[2]): r for r in query(mon_url, _stored, current=True)}
    assert len(current) == len(second)
    for key, (value, source, note, _) in second.items():
        assert current[key][3:7] == (value, source, note, 2 if key in revised else 1)
    assert len(query(mon_url, _stored, current=False)) == len(first) + len(revised)

    report = run_import(mon_url, write(tmp_path, "again.csv", _csv(second)))
    assert report.ok and (report.inserted, report.revised, report.unchanged) == (0, 0, len(second))
