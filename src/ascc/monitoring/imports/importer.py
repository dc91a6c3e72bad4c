"""Read and validate observation files: SDMX-CSV 1.0/2.0, the plain CSV template and the XLSX template.

Every file is read (:mod:`ascc.monitoring.imports.reading`) and turned into the same canonical table, then
checked as a whole. The checks are
vectorised: each text column is factorised once and the rules run on its distinct values, so a
million rows cost a few hundred distinct checks, not a million. Problems are collected, never
raised one by one, so a report lists every problem in the file with its line and column.

SDMX-ML messages are read by :mod:`ascc.monitoring.sdmx.messages` into the same canonical table and checked
by the same code (their "line" is the observation's position in the message).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.kit import clean, clock
from ascc.kit.problems import Problem
from ascc.monitoring import rules, units
from ascc.monitoring.models import Area, Indicator
from ascc.monitoring.sdmx.ids import DATAFLOW, DATAFLOW_ID, DATASTRUCTURE, DATASTRUCTURE_ID
from ascc.registry import service as registry_service

FORMATS = ("sdmx-csv", "csv", "xlsx", "sdmx-ml")
KEY = ("indicator", "member_state", "area", "period", "sex", "age", "urbanisation")
TEXT = (*KEY, "scheme", "obs_status", "unit", "source", "note")

SDMX_COLUMNS = {
    "INDICATOR": "indicator",
    "REF_AREA": "member_state",
    "SUBNATIONAL": "area",
    "TIME_PERIOD": "period",
    "SEX": "sex",
    "AGE": "age",
    "URBANISATION": "urbanisation",
    "OBS_VALUE": "value",
    "OBS_STATUS": "obs_status",
    "UNIT_MEASURE": "unit",
    "DATA_SOURCE": "source",
    "COMMENT_OBS": "note",
}
SDMX_CONTROL = ("DATAFLOW", "DATASTRUCTURE", "STRUCTURE", "STRUCTURE_ID", "ACTION")
#: standard SDMX columns the platform models beyond its own: FREQ (only annual data, A), UNIT_MULT
#: (the value is multiplied by 10 to that power) and OBS_CONF (only free observations, F: the
#: platform publishes every observation it stores, so a confidential one is refused, not stored);
#: any other column of an SDMX-CSV file (DECIMALS, TIME_FORMAT, …) is ignored with a note
SDMX_MODELLED = ("FREQ", "UNIT_MULT", "OBS_CONF")
#: SDMX-CSV ACTION: I (information), A (append), R (replace) store the row as given; M (merge)
#: keeps the stored source, note and status where the row's cell is empty; D deletes the observation
ACTIONS = ("", "I", "A", "R", "M", "D")
DELETED_NOTE = "deleted (SDMX ACTION=D)"
SDMX_REQUIRED = ("REF_AREA", "INDICATOR", "TIME_PERIOD", "OBS_VALUE")
PLAIN_COLUMNS = {
    "series_code": "indicator",
    "country_iso3": "member_state",
    "region_scheme": "scheme",
    "region_code": "area",
    "period": "period",
    "sex": "sex",
    "age": "age",
    "urbanisation": "urbanisation",
    "value": "value",
    "obs_status": "obs_status",
    "unit": "unit",
    "source_id": "source",
    "note": "note",
}
PLAIN_REQUIRED = ("series_code", "country_iso3", "period", "value")
#: columns of a data call's pre-filled template that are there to be read, not imported
PLAIN_INFO = ("indicator_name", "published_value")


@dataclasses.dataclass
class Catalogue:
    """The codes a file may use: indicators (unit, level), member states and areas."""

    indicators: dict[str, tuple[str | None, str]]
    member_states: set[str]
    areas: dict[str, tuple[str, str]]

    @functools.cached_property
    def sdmx_ids(self) -> dict[str, str]:
        """The SDMX id of each indicator whose code is not one (``SP_POP_TOTL``: ``SP.POP.TOTL``)."""
        return {rules.sdmx_id(c): c for c in self.indicators if rules.sdmx_id(c) not in self.indicators}

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        return cls(
            indicators={
                c: (u, lv)
                for c, u, lv in session.execute(select(Indicator.code, Indicator.unit, Indicator.level))
            },
            member_states=registry_service.member_state_codes(session),
            areas={
                c: (ms, s) for c, ms, s in session.execute(select(Area.code, Area.member_state, Area.scheme))
            },
        )


@dataclasses.dataclass
class Parsed:
    """A validated file: the canonical frame (categorical text columns, float ``value``, ``line``)."""

    name: str
    format: str
    sha256: str
    frame: pd.DataFrame | None
    problems: list[Problem]

    @property
    def notes(self) -> list[str]:
        """What the import left out or changed without it being a problem (ignored columns, …)."""
        return [] if self.frame is None else list(self.frame.attrs.get("notes", ()))

    @property
    def rows(self) -> int:
        return 0 if self.frame is None else len(self.frame)


def known_codes(fmt: str, cat: Catalogue, today: dt.date | None = None) -> dict[str, list[str]]:
    """Per file column, the complete list of acceptable cell values, where there is one."""
    by_canon = {
        "indicator": list(cat.indicators),
        "area": [*cat.areas, "", "_Z"],
        "scheme": ["", "GDL", "ISO3166-2"],
        "period": [str(y) for y in range(rules.FIRST_YEAR, rules.last_year(today) + 1)],
        "sex": ["", *rules.SEX_CODES],
        "urbanisation": ["", *rules.URBANISATION_CODES],
        "obs_status": ["", "final", "provisional", *rules.SDMX_STATUS],
        "member_state": [
            *sorted(cat.member_states),
            *(m for m, iso in rules.M49.items() if iso in cat.member_states),
        ],
        "unit": sorted({"", *(u or "" for u, _ in cat.indicators.values())}),
    }
    columns = SDMX_COLUMNS if fmt == "sdmx-csv" else PLAIN_COLUMNS
    out = {col: by_canon[canon] for col, canon in columns.items() if canon in by_canon}
    if fmt == "sdmx-csv":
        out |= {
            "DATAFLOW": [DATAFLOW],
            "DATASTRUCTURE": [DATASTRUCTURE],
            "STRUCTURE_ID": [DATAFLOW, DATASTRUCTURE],
            "STRUCTURE": ["dataflow", "datastructure"],
            "ACTION": list(ACTIONS),
        }
    return out


# --- checking ----------------------------------------------------------------------------------


def _columns(
    name: str, fmt: str, header: list[str], unit: str
) -> tuple[dict[str, str], list[Problem], list[str]]:
    """Map the file's columns to canonical names; missing, unknown and repeated columns, and the notes
    on the columns of an SDMX-CSV file that are ignored."""
    problems, notes = [], []
    known, required = (SDMX_COLUMNS, SDMX_REQUIRED) if fmt == "sdmx-csv" else (PLAIN_COLUMNS, PLAIN_REQUIRED)
    control = (*SDMX_CONTROL, *SDMX_MODELLED) if fmt == "sdmx-csv" else PLAIN_INFO
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(
                Problem(file=name, line=1, column=col, reason="the column appears twice", unit=unit)
            )
        seen.add(col)
        if col not in known and col not in control:
            if fmt == "sdmx-csv":  # a producer's other attributes and dimensions: never a failure
                notes.append(f"column {col} is not modelled by the platform and was ignored")
                continue
            problems.append(
                Problem(
                    file=name,
                    line=1,
                    column=col,
                    reason=f"unknown column (expected: {', '.join([*control, *known])})",
                    unit=unit,
                )
            )
    for col in required:
        if col not in seen:
            problems.append(
                Problem(file=name, line=1, column=col, reason="required column is missing", unit=unit)
            )
    if (
        fmt == "sdmx-csv"
        and not {"DATAFLOW", "DATASTRUCTURE"} & seen
        and not {"STRUCTURE", "STRUCTURE_ID"} <= seen
    ):
        problems.append(
            Problem(
                file=name,
                line=1,
                column="DATAFLOW",
                reason="SDMX-CSV needs DATAFLOW or DATASTRUCTURE (1.0) or STRUCTURE and STRUCTURE_ID (2.0)",
                unit=unit,
            )
        )
    return {c: known[c] for c in header if c in known}, problems, notes


class _Checker:
    """Collects problems for one chunk; every rule is a boolean mask over the rows."""

    def __init__(self, name: str, lines: np.ndarray, unit: str):
        self.name, self.lines, self.unit, self.problems = name, lines, unit, []

    def flag(self, mask: np.ndarray, column: str, reason: Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask):
            self.problems.append(
                Problem(
                    file=self.name,
                    line=int(self.lines[i]),
                    column=column,
                    reason=reason(int(i)),
                    unit=self.unit,
                )
            )


def _factor(
    series: pd.Series | None, n: int, default: str, same: tuple[str, ...] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of a text column; ``default`` stands in for an empty cell and for
    each value in ``same`` (e.g. SDMX ``_Z``, not applicable, for the national level)."""
    if series is None:
        return np.zeros(n, dtype=np.int64), np.array([default], dtype=object)
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy()  # int8 for a short code list: a million rows in 1 MB
        uniques = series.cat.categories.to_numpy(dtype=object).copy()
    else:
        codes, uniques = pd.factorize(series.to_numpy(dtype=object))
    uniques = np.asarray(uniques, dtype=object)
    return _rename(codes, uniques, dict.fromkeys({"", *same} - {default}, default))


def _rename(codes: np.ndarray, uniques: np.ndarray, renamed: dict[str, str]) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values renamed (``old: new``), merged into ``new`` when it is among them already."""
    for old, new in renamed.items():
        if old not in uniques:
            continue
        at = int(np.flatnonzero(uniques == old)[0])
        if new in uniques:
            codes = np.where(codes == at, int(np.flatnonzero(uniques == new)[0]), codes)
        else:
            uniques[at] = new
    return codes, uniques


def _check_chunk(
    name: str,
    fmt: str,
    chunk: pd.DataFrame,
    lines: np.ndarray,
    colmap: dict[str, str],
    cat: Catalogue,
    unit: str,
    today: dt.date,
) -> tuple[dict, list[Problem]]:
    n = len(chunk)
    col_of = {canon: col for col, canon in colmap.items()}
    ck = _Checker(name, lines, unit)
    out: dict[str, object] = {}
    factors: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    defaults = {"sex": "_T", "age": "_T", "urbanisation": "_T"}
    for canon in TEXT:
        col = col_of.get(canon)
        series = chunk[col] if col is not None else None
        codes, uniq = _factor(series, n, defaults.get(canon, ""), ("_Z",) if canon == "area" else ())
        if canon == "indicator":  # the SDMX id of a dotted code (SP_POP_TOTL) names it too
            codes, uniq = _rename(codes, uniq, {a: cat.sdmx_ids[a] for a in uniq if a in cat.sdmx_ids})
        if canon == "member_state":  # a UN M49 code (360) names the member state too
            m49 = {a: rules.from_m49(a) for a in uniq if a not in cat.member_states}
            codes, uniq = _rename(codes, uniq, {a: iso for a, iso in m49.items() if iso is not None})
        factors[canon] = (codes, uniq)
        if col is not None:
            limit = rules.MAX_CELL if canon in ("source", "note", "unit") else rules.MAX_CODE
            lens = np.fromiter((len(u) for u in uniq), dtype=np.int64, count=len(uniq))
            too_long = lens > limit
            if too_long.any():
                ck.flag(
                    too_long[codes],
                    col,
                    lambda i, c=col, lim=limit: (
                        f"cell of {len(chunk[c].iat[i]):,} characters (at most {lim:,})"
                    ),
                )
            # NUL and bidirectional controls (ascc.kit.clean): rows go in with Core, past the ORM check
            unsafe = np.fromiter(
                (clean.UNSAFE.search(u) is not None for u in uniq), dtype=bool, count=len(uniq)
            )
            if unsafe.any():
                ck.flag(unsafe[codes], col, lambda i, u=uniq, k=codes: clean.reason(str(u[k[i]])) or "")
    # rows are judged through the distinct values of each column (u = distinct value, codes → rows)

    def per_unique(canon: str, test: Callable[[str], bool]) -> np.ndarray:
        codes, uniq = factors[canon]
        ok = np.fromiter((test(u) for u in uniq), dtype=bool, count=len(uniq))
        return ~ok[codes]

    def cell(canon: str, i: int) -> str:
        codes, uniq = factors[canon]
        return uniq[codes[i]]

    for canon in ("indicator", "member_state", "period"):
        if canon in col_of:
            empty = per_unique(canon, lambda u: u != "")
            ck.flag(empty, col_of[canon], lambda i: "required value is empty")
    ind_col, ms_col, period_col = col_of.get("indicator"), col_of.get("member_state"), col_of.get("period")
    unknown_ind = per_unique("indicator", lambda u: u == "" or u in cat.indicators)
    ck.flag(unknown_ind, ind_col, lambda i: f"unknown indicator {cell('indicator', i)!r}")
    unknown_ms = per_unique("member_state", lambda u: u == "" or u in cat.member_states)
    ck.flag(
        unknown_ms,
        ms_col,
        lambda i: f"unknown member state {cell('member_state', i)!r} (ISO 3166-1 alpha-3 or UN M49)",
    )
    last = rules.last_year(today)

    def good_period(u: str) -> bool:
        return u == "" or (bool(rules.PERIOD_PATTERN.match(u)) and rules.FIRST_YEAR <= int(u) <= last)

    ck.flag(
        per_unique("period", good_period),
        period_col,
        lambda i: f"impossible period {cell('period', i)!r} (a year from {rules.FIRST_YEAR} to {last})",
    )
    for canon, allowed in (("sex", rules.SEX_CODES), ("urbanisation", rules.URBANISATION_CODES)):
        if canon in col_of:
            ck.flag(
                per_unique(canon, lambda u, a=allowed: u in a),
                col_of[canon],
                lambda i, c=canon, a=allowed: f"unknown code {cell(c, i)!r} (one of {', '.join(a)})",
            )
    if "age" in col_of:
        ck.flag(
            per_unique("age", lambda u: bool(rules.AGE_PATTERN.match(u))),
            col_of["age"],
            lambda i: f"unknown age code {cell('age', i)!r} (e.g. _T, Y15T24, Y_GE65)",
        )

    # areas: known, in the row's member state, of the stated scheme
    if "area" in col_of:
        a_codes, a_uniq = factors["area"]
        m_codes, m_uniq = factors["member_state"]
        known_area = np.fromiter((u == "" or u in cat.areas for u in a_uniq), dtype=bool, count=len(a_uniq))
        ck.flag(~known_area[a_codes], col_of["area"], lambda i: f"unknown area {cell('area', i)!r}")
        area_ms = np.array([cat.areas.get(u, ("", ""))[0] for u in a_uniq], dtype=object)
        has_area = (a_uniq != "")[a_codes] & known_area[a_codes]
        if has_area.any():
            wrong = has_area & (area_ms[a_codes] != m_uniq[m_codes]) & ~unknown_ms
            ck.flag(
                wrong,
                col_of["area"],
                lambda i: (
                    f"area {cell('area', i)!r} is in {cat.areas[cell('area', i)][0]}, not {cell('member_state', i)}"
                ),
            )
        if "scheme" in col_of:
            s_codes, s_uniq = factors["scheme"]
            area_scheme = np.array([cat.areas.get(u, ("", ""))[1] for u in a_uniq], dtype=object)
            given = (s_uniq != "")[s_codes]
            bad_scheme = given & has_area & (area_scheme[a_codes] != s_uniq[s_codes])
            ck.flag(
                bad_scheme,
                col_of["scheme"],
                lambda i: (
                    f"area {cell('area', i)!r} is a {cat.areas[cell('area', i)][1]} code, not {cell('scheme', i)}"
                ),
            )
            ck.flag(
                given & (a_uniq == "")[a_codes],
                col_of["scheme"],
                lambda i: "a region scheme without a region code",
            )

    # SDMX-CSV ACTION per row: D deletes (no value needed), M merges (empty attributes keep theirs)
    if fmt == "sdmx-csv" and "ACTION" in chunk.columns:
        a_codes, a_uniq = _factor(chunk["ACTION"], n, "")
        ok = np.array([v in ACTIONS for v in a_uniq], dtype=bool)
        ck.flag(
            ~ok[a_codes],
            "ACTION",
            lambda i: f"action {chunk['ACTION'].iat[i]!r} is not one of I, A, R, M or D",
        )
        action = np.where(ok, a_uniq, "").astype(object)[a_codes]
    else:
        action = np.full(n, "", dtype=object)
    deleting = action == "D"
    # values: numeric, finite, empty only with a note, in the unit's range
    val_col = col_of.get("value")
    raw_values = chunk[val_col] if val_col is not None else pd.Series([""] * n)
    if raw_values.dtype == np.float64:  # the fast path parsed them already; only empty cells are NaN
        values = raw_values.to_numpy()
        empty_value = np.isnan(values)
    else:
        values = pd.to_numeric(raw_values, errors="coerce").to_numpy(dtype=np.float64)
        empty_value = (raw_values == "").to_numpy()
    if deleting.any():  # a deleted observation's value and note: none, and what says it was deleted
        values = np.where(deleting, np.nan, values)
        empty_value = empty_value | deleting
        n_codes, n_uniq = factors["note"]
        n_uniq = np.append(n_uniq, DELETED_NOTE)
        factors["note"] = (np.where(deleting, len(n_uniq) - 1, n_codes), n_uniq)
    if fmt == "sdmx-csv" and "UNIT_MULT" in chunk.columns:  # SDMX: the value is × 10^UNIT_MULT
        m_codes, m_uniq = _factor(chunk["UNIT_MULT"], n, "0")
        power = np.array([int(u) if re.fullmatch(r"-?\d{1,2}", u) else 99 for u in m_uniq], dtype=np.int64)
        ck.flag(
            (np.abs(power) > 15)[m_codes],
            "UNIT_MULT",
            lambda i: f"unit multiplier {chunk['UNIT_MULT'].iat[i]!r} is not a power of ten from -15 to 15",
        )
        scale = 10.0 ** np.clip(power, -15, 15).astype(np.float64)
        if (power[m_codes] != 0).any():
            values = values * scale[m_codes]
    if fmt == "sdmx-csv" and "FREQ" in chunk.columns:
        f_codes, f_uniq = _factor(chunk["FREQ"], n, "A")
        ck.flag(
            (f_uniq != "A")[f_codes],
            "FREQ",
            lambda i: f"frequency {chunk['FREQ'].iat[i]!r}: the platform holds annual data (A)",
        )
    if fmt == "sdmx-csv" and "OBS_CONF" in chunk.columns:  # published as stored: free observations only
        c_codes, c_uniq = _factor(chunk["OBS_CONF"], n, "F")
        ck.flag(
            (c_uniq != "F")[c_codes],
            "OBS_CONF",
            lambda i: (
                f"confidentiality {chunk['OBS_CONF'].iat[i]!r}: the platform publishes every "
                "observation it stores; leave observations that are not free (F) out of the file"
            ),
        )
    n_codes, n_uniq = factors["note"]
    has_note = (n_uniq != "")[n_codes]
    ck.flag(np.isnan(values) & ~empty_value, val_col, lambda i: f"not a number: {raw_values.iat[i][:40]!r}")
    ck.flag(np.isinf(values), val_col, lambda i: f"not a finite number: {raw_values.iat[i]!r}")
    ck.flag(
        empty_value & ~has_note, val_col, lambda i: "the value is empty: give a note saying why it is missing"
    )
    i_codes, i_uniq = factors["indicator"]
    bounds = np.array(
        [rules.value_range(cat.indicators.get(u, (None, ""))[0]) for u in i_uniq], dtype=np.float64
    ).reshape(-1, 2)
    lo, hi = bounds[i_codes, 0], bounds[i_codes, 1]
    with np.errstate(invalid="ignore"):
        out_of_range = np.isfinite(values) & ((values < lo) | (values > hi)) & ~unknown_ind
    ck.flag(
        out_of_range,
        val_col,
        lambda i: (
            f"{values[i]:g} is outside {lo[i]:g}–{hi[i]:g} for {cell('indicator', i)} "
            f"({cat.indicators[cell('indicator', i)][0]})"
        ),
    )
    if "unit" in col_of:
        u_codes, u_uniq = factors["unit"]
        # matched by unit code, not text: "per 100000" is "per 100,000" (monitoring.units)
        expected = np.array([cat.indicators.get(u, ("", ""))[0] or "" for u in i_uniq], dtype=object)
        given_code = np.array([units.code(u) for u in u_uniq], dtype=object)
        expected_code = np.array([units.code(u) for u in expected], dtype=object)
        given = (u_uniq != "")[u_codes]
        # a cell that is the unit's code itself (the export's UNIT_MEASURE: INDEX_0_100) names it too
        as_code = np.array([u.strip().upper() for u in u_uniq], dtype=object)
        wrong_unit = (
            given
            & ~unknown_ind
            & (given_code[u_codes] != expected_code[i_codes])
            & (as_code[u_codes] != expected_code[i_codes])
        )

        def unit_reason(i: int) -> str:
            unit_of = expected[i_codes[i]]
            if not unit_of:
                return f"unit {cell('unit', i)!r}: {cell('indicator', i)} has no unit (leave the cell empty)"
            accepted = ", ".join(repr(s) for s in units.spellings(unit_of))
            return (
                f"unknown unit {cell('unit', i)!r} for {cell('indicator', i)}, whose unit is {unit_of!r}; "
                f"accepted: {accepted} (any case and spacing)"
            )

        ck.flag(wrong_unit, col_of["unit"], unit_reason)

    # status: from the status cell, or from the note when empty
    s_codes, s_uniq = factors["obs_status"]
    # cells a merge (ACTION=M) or a deletion leaves to the stored observation: source, note, status
    blank = np.zeros(n, dtype=np.int8)
    keeping = (action == "M") | deleting
    if keeping.any():
        for bit, canon in ((1, "source"), (2, "note"), (4, "obs_status")):
            c, u = factors[canon]
            empty = (u == "")[c] if canon in col_of else np.ones(n, dtype=bool)
            blank |= np.where(keeping & empty, bit, 0).astype(np.int8)
    pair = s_codes.astype(np.int64) * (len(n_uniq) + 1) + n_codes
    pairs, inverse = np.unique(pair, return_inverse=True)
    per_pair = [
        rules.status_from(s_uniq[p // (len(n_uniq) + 1)], n_uniq[p % (len(n_uniq) + 1)]) for p in pairs
    ]
    statuses = sorted({v for v in per_pair if v is not None})
    # codes into the statuses, -1 for an unknown one: no text per row
    status = np.array([-1 if v is None else statuses.index(v) for v in per_pair], dtype=np.int64)[
        inverse.reshape(-1)
    ]
    if "obs_status" in col_of:
        ck.flag(
            status < 0,
            col_of["obs_status"],
            lambda i: (
                f"unknown status {cell('obs_status', i)!r} (final, provisional or an SDMX CL_OBS_STATUS code: "
                f"{', '.join(rules.OBS_STATUS_CODES)})"
            ),
        )
    # SDMX-CSV control columns: the dataflow or its data structure
    if fmt == "sdmx-csv":
        for col, kind in (
            ("DATAFLOW", "dataflow"),
            ("DATASTRUCTURE", "datastructure"),
            ("STRUCTURE_ID", None),
        ):
            if col not in chunk.columns:
                continue
            kinds = (
                chunk["STRUCTURE"].astype(str).str.lower() if kind is None and "STRUCTURE" in chunk else None
            )
            c, u = _factor(chunk[col] if kinds is None else chunk[col].astype(str) + "\x00" + kinds, n, "")
            ok = np.array([_structure_ok(v, kind) for v in u], dtype=bool)
            ck.flag(
                ~ok[c],
                col,
                lambda i, cc=col: (
                    f"{chunk[cc].iat[i]!r} is not {DATAFLOW} (nor its data structure {DATASTRUCTURE})"
                ),
            )
        if "STRUCTURE" in chunk.columns:
            c, u = _factor(chunk["STRUCTURE"], n, "")
            ok = np.array([v.lower() in ("dataflow", "datastructure") for v in u], dtype=bool)
            ck.flag(
                ~ok[c],
                "STRUCTURE",
                lambda i: f"{chunk['STRUCTURE'].iat[i]!r}: expected dataflow or datastructure",
            )

    for canon in (*KEY, "source", "note"):
        codes, uniq = factors[canon]
        out[canon] = (codes, uniq)
    out["obs_status"] = (status, np.array(statuses, dtype=object))
    out["action"] = action
    out["blank"] = blank
    out["value"] = values
    out["line"] = lines
    return out, ck.problems


def _assemble(parts: list[dict]) -> pd.DataFrame:
    """One frame from the checked chunks, text columns as categoricals with shared categories."""
    data: dict[str, object] = {}
    for canon in (*KEY, "source", "note", "obs_status"):  # an unknown status (code -1) is missing
        cats = [
            pd.Categorical.from_codes(p[canon][0], categories=pd.Index(p[canon][1], dtype=object))
            for p in parts
        ]
        data[canon] = pd.api.types.union_categoricals(cats) if len(cats) > 1 else cats[0]
    data["value"] = np.concatenate([p["value"] for p in parts])
    action = np.concatenate([p["action"] for p in parts])
    if (action != "").any():  # only a file with ACTION M or D rows carries them
        data["action"] = pd.Categorical(action)
        data["blank"] = np.concatenate([p["blank"] for p in parts])
    data["line"] = np.concatenate([p["line"] for p in parts])
    frame = pd.DataFrame(data)
    key = key_rank(frame)
    order = np.argsort(key, kind="stable")  # equal keys side by side, the first line first
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    frame["key"] = key
    # the row's place in key order: one sort serves the checks and the insert
    frame["key_position"] = position
    return frame


def key_order(frame: pd.DataFrame) -> np.ndarray:
    """The rows of ``frame`` in key order (equal keys in line order), without sorting again when
    :func:`_assemble` has placed them already."""
    if "key_position" in frame:
        order = np.empty(len(frame), dtype=np.int64)
        order[frame["key_position"].to_numpy()] = np.arange(len(frame))
        return order
    return np.argsort(frame["key"].to_numpy() if "key" in frame else key_rank(frame), kind="stable")


def key_rank(frame: pd.DataFrame) -> np.ndarray:
    """For each row, an integer that orders the rows as the unique index orders their keys (text in
    code-point order, which is SQLite's BINARY collation of UTF-8) and is equal only for equal keys.

    Each key column's codes become ranks among the sorted categories that occur (so that the
    number does not depend on unused categories); the ranks combine into one number, the first
    column the most significant. Should they be too many for one int64, the ranks are sorted
    together instead and the number is the key's position. A missing cell ranks last."""
    ranks, sizes = [], []
    for k in KEY:
        cats = frame[k].cat.categories.to_numpy(dtype=object)
        codes = frame[k].cat.codes.to_numpy().astype(np.int64)
        codes[codes < 0] = len(cats)
        used = np.bincount(codes, minlength=len(cats) + 1) > 0
        present = np.flatnonzero(used[:-1])
        rank = np.full(len(cats) + 1, len(present), dtype=np.int64)
        rank[present[np.argsort(cats[present], kind="stable")]] = np.arange(len(present))
        ranks.append(rank[codes])
        sizes.append(len(present) + 1)
    if float(np.prod(sizes, dtype=np.float64)) < 2.0**62:
        key = np.zeros(len(frame), dtype=np.int64)
        for rank, size in zip(ranks, sizes, strict=True):
            key = key * size + rank
        return key
    order = np.lexsort(ranks[::-1])  # np.lexsort: the last key is the primary one
    step = np.zeros(len(order), dtype=bool)
    for rank in ranks:
        sorted_rank = rank[order]
        step[1:] |= sorted_rank[1:] != sorted_rank[:-1]
    key = np.empty(len(order), dtype=np.int64)
    key[order] = np.cumsum(step)
    return key


def _structure_ok(value: str, kind: str | None) -> bool:
    """A DATAFLOW, DATASTRUCTURE or STRUCTURE_ID cell (``STRUCTURE_ID\\0STRUCTURE`` for the last):
    a reference to the platform's dataflow or data structure, of the kind the row states."""
    ref, _, stated = value.partition("\x00")
    kind = kind or stated or None
    target = ref.split(":")[-1].split("(")[0]
    if kind == "dataflow":
        return ref == DATAFLOW or target == DATAFLOW_ID
    if kind == "datastructure":
        return ref == DATASTRUCTURE or target == DATASTRUCTURE_ID
    return target in (DATAFLOW_ID, DATASTRUCTURE_ID)


def _whole_file(
    name: str, frame: pd.DataFrame, cat: Catalogue, unit: str, colnames: dict[str, str]
) -> list[Problem]:
    """Rules across rows: duplicate keys, and female + male = total for additive units."""
    problems: list[Problem] = []
    key = frame["key"].to_numpy()
    order = key_order(frame)  # equal keys side by side, the first line first
    ordered = key[order]
    same_as_previous = np.zeros(len(key), dtype=bool)
    same_as_previous[1:] = ordered[1:] == ordered[:-1]
    if same_as_previous.any():
        lines = frame["line"].to_numpy()[order]
        group_start = np.maximum.accumulate(np.where(same_as_previous, 0, np.arange(len(key))))
        for at in np.flatnonzero(same_as_previous):
            line, f = lines[at], lines[group_start[at]]
            problems.append(
                Problem(
                    file=name,
                    line=int(line),
                    reason=f"duplicate key: the same observation as {unit} {int(f)}",
                    unit=unit,
                )
            )
    sexes = frame["sex"].cat.categories
    if {"F", "M", "_T"} <= set(sexes):
        additive = [
            c
            for c in frame["indicator"].cat.categories
            if rules.is_additive(cat.indicators.get(c, (None, ""))[0])
        ]
        sub = frame[frame["indicator"].isin(additive) & frame["sex"].isin(["F", "M", "_T"])]
        if len(sub):
            rest = [k for k in KEY if k != "sex"]
            wide = sub.pivot_table(index=rest, columns="sex", values="value", aggfunc="first", observed=True)
            lines = sub.pivot_table(index=rest, columns="sex", values="line", aggfunc="first", observed=True)
            if {"F", "M", "_T"} <= set(wide.columns):
                total = wide["_T"]
                diff = (wide["F"] + wide["M"] - total).abs()
                bad = diff > np.maximum(rules.SEX_TOLERANCE * total.abs(), 1e-9)
                for idx in wide.index[bad.fillna(False).to_numpy()]:
                    f, m, t = wide.loc[idx, "F"], wide.loc[idx, "M"], wide.loc[idx, "_T"]
                    problems.append(
                        Problem(
                            file=name,
                            line=int(lines.loc[idx, "_T"]),
                            column=colnames.get("value"),
                            reason=f"female {f:g} + male {m:g} = {f + m:g}, not the total {t:g} "
                            f"(tolerance {rules.SEX_TOLERANCE:.0%}; female {unit} {int(lines.loc[idx, 'F'])}, "
                            f"male {unit} {int(lines.loc[idx, 'M'])})",
                            unit=unit,
                        )
                    )
    return problems


def check_frames(
    name: str,
    fmt: str,
    chunks: Iterator,
    cat: Catalogue,
    *,
    unit: str = "line",
    today: dt.date | None = None,
    columns: dict[str, str] | None = None,
    notes: list[str] | None = None,
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check a stream of ``(header, rows, line numbers)`` chunks (or problems) of one file; ``columns``:
    the file's column of each canonical one, when a mapping profile chose them (``notes``: its notes)."""
    today = today or clock.today()
    problems: list[Problem] = []
    parts: list[dict] = []
    colmap: dict[str, str] | None = columns
    notes: list[str] = list(notes or ())
    for item in chunks:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        if isinstance(item, dict):  # from a mapping profile: its columns, its notes
            colmap = item.get("columns", colmap)
            notes += item.get("notes", ())
            continue
        header, chunk, lines = item
        if colmap is None:
            colmap, bad, ignored = _columns(name, fmt, header, unit)
            notes += ignored
            problems += bad
            if bad:
                return None, problems
        if not len(chunk):
            continue
        part, bad = _check_chunk(name, fmt, chunk, lines, colmap, cat, unit, today)
        parts.append(part)
        problems += bad
    if colmap is None or not parts:
        if not problems:
            problems.append(Problem(file=name, reason="no observations in the file"))
        return None, problems
    frame = _assemble(parts)
    # attribute columns the file does not have: the stored source and note stay (not "cleared")
    frame.attrs["absent"] = tuple(c for c in ("source", "note") if c not in colmap.values())
    frame.attrs["notes"] = notes
    if not len(frame) and not problems:
        problems.append(Problem(file=name, reason="no observations in the file"))
    problems += _whole_file(name, frame, cat, unit, {v: k for k, v in colmap.items()})
    problems.sort(key=lambda p: p.line or 0)
    return frame, problems
