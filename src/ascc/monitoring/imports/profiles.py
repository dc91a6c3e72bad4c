"""Mapping profiles: the layouts member states' data arrives in, read into the importer's rows.

A profile names the file's column of each canonical field (indicator, member state, period, value,
status, source, note and the disaggregations) and translates the cells: a source's series code to a
platform indicator, a UN M49 area code to ISO alpha-3, ``FEMALE``/``SEX_F`` to ``F``, an age band
to its SDMX code, a source's status to SDMX CL_OBS_STATUS. Built in:

- ``un-sdg``: the UN SDG Global Database download (the SDG API's CSV, https://unstats.un.org/SDGAPI/swagger/):
  Goal, Target, Indicator, SeriesCode, SeriesDescription, GeoAreaCode (M49), GeoAreaName, TimePeriod,
  Value, Time_Detail, Source, FootNote, Nature, Units and dimension columns ([Sex], [Age], [Location], …);
- ``ilostat``: the ILOSTAT bulk download (https://ilostat.ilo.org/data/bulk/): ref_area, source,
  indicator, sex, classif1, classif2, time, obs_value, obs_status, note_classif, note_indicator,
  note_source.

A mapping file (YAML) states the same for any other layout, or adds to a built-in profile (see
``load_mapping``). A series code the platform does not know is a problem naming it, unless the mapping
maps it to an indicator or skips it. Columns a profile does not use are ignored with a note.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ascc.kit.errors import Invalid
from ascc.monitoring import rules
from ascc.monitoring.imports.reading import Problem

#: the canonical fields a profile maps a column to (see ``importer.TEXT``)
FIELDS = (
    "indicator",
    "member_state",
    "area",
    "period",
    "sex",
    "age",
    "urbanisation",
    "value",
    "obs_status",
    "unit",
    "source",
    "note",
)
REQUIRED = ("indicator", "member_state", "period", "value")

#: UN SDG ``Nature`` (C country data, CA country adjusted, E estimated, G global monitoring, M modelled,
#: N non-relevant, NA not available) → SDMX CL_OBS_STATUS: country data is normal (A), the rest estimated
UN_SDG_NATURE = {"C": "A", "N": "A", "NA": "A", "": "", "CA": "E", "E": "E", "G": "E", "M": "E"}
UN_SDG_SEX = {"BOTHSEX": "_T", "FEMALE": "F", "MALE": "M", "": "_T"}
UN_SDG_LOCATION = {"ALLAREA": "_T", "URBAN": "U", "RURAL": "R", "": "_T"}
ILOSTAT_SEX = {"SEX_T": "_T", "SEX_F": "F", "SEX_M": "M", "": "_T"}


@dataclasses.dataclass
class Profile:
    name: str
    #: canonical field → the file's column (matched without case, brackets or spaces)
    columns: dict[str, str]
    #: columns whose non-empty cells are joined into the note
    note_columns: tuple[str, ...] = ()
    #: source series code → platform indicator code
    indicators: dict[str, str] = dataclasses.field(default_factory=dict)
    #: per canonical field, source values whose rows are left out (e.g. an indicator, an aggregate area)
    skip: dict[str, set[str]] = dataclasses.field(default_factory=dict)
    #: per canonical field, source value → platform code (before the profile's own translation)
    codes: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    #: what the source calls its series code in messages
    series_label: str = "series"
    #: columns with a breakdown the platform does not model: only their total may occur
    breakdowns: tuple[str, ...] = ()
    #: the layout's own code tables, per canonical field (matched without case)
    tables: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)


UN_SDG = Profile(
    "un-sdg",
    {
        "indicator": "SeriesCode",
        "member_state": "GeoAreaCode",
        "period": "TimePeriod",
        "value": "Value",
        "obs_status": "Nature",
        "source": "Source",
        "note": "FootNote",
        "sex": "Sex",
        "age": "Age",
        "urbanisation": "Location",
    },
    series_label="UN SDG series",
    tables={"sex": UN_SDG_SEX, "urbanisation": UN_SDG_LOCATION, "obs_status": UN_SDG_NATURE},
)
ILOSTAT = Profile(
    "ilostat",
    {
        "indicator": "indicator",
        "member_state": "ref_area",
        "period": "time",
        "value": "obs_value",
        "obs_status": "obs_status",
        "source": "source",
        "sex": "sex",
        "age": "classif1",
    },
    note_columns=("note_classif", "note_indicator", "note_source"),
    series_label="ILOSTAT indicator",
    breakdowns=("classif2",),
    tables={"sex": ILOSTAT_SEX},
)
BUILT_IN = {p.name: p for p in (UN_SDG, ILOSTAT)}
PROFILES = ("sdmx-csv", *BUILT_IN)


def column_of(profile: str, field: str) -> str:
    """The column a built-in profile reads ``field`` from (the field's name for any other layout)."""
    return BUILT_IN[profile].columns.get(field, field) if profile in BUILT_IN else field


def _norm(column: str) -> str:
    return re.sub(r"[\s\[\]_]", "", column).lower()


def recognise(header: list[str]) -> str | None:
    """The built-in profile whose columns the header has (None: none of them)."""
    have = {_norm(c) for c in header}
    for p in BUILT_IN.values():
        if {_norm(p.columns[f]) for f in REQUIRED} <= have:
            return p.name
    return None


class MappingError(Invalid, ValueError):
    """A mapping file that cannot be used (its problem names the file and the entry)."""


def load_mapping(path: Path) -> Profile:
    """A profile from a mapping file::

    profile: ilostat            # optional: start from a built-in profile
    columns:                    # canonical field: the file's column
      indicator: series
      member_state: country
      period: year
      value: amount
    indicators: {UNE_2EAP_SEX_AGE_RT: SL.UEM.TOTL.ZS}
    skip: {indicator: [EMP_2EMP_SEX_AGE_NB], member_state: ["35"]}
    codes: {age: {AGE_YTHADULT_YGE15: _T}}
    """
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise MappingError(f"{path.name}: not a readable YAML mapping ({exc})") from None
    if not isinstance(raw, dict):
        raise MappingError(f"{path.name}: a mapping file is a YAML mapping (columns:, indicators:, …)")
    unknown = set(raw) - {"profile", "columns", "note_columns", "indicators", "skip", "codes"}
    if unknown:
        raise MappingError(f"{path.name}: unknown entries {', '.join(sorted(unknown))}")
    base = raw.get("profile")
    if base is not None and base not in BUILT_IN:
        raise MappingError(f"{path.name}: profile: {base!r} is not one of {', '.join(BUILT_IN)}")
    start = BUILT_IN[base] if base else Profile(path.stem, {})
    columns = {**start.columns, **_strings(path, raw, "columns")}
    if bad := set(columns) - set(FIELDS):
        raise MappingError(
            f"{path.name}: columns: unknown fields {', '.join(sorted(bad))} ({', '.join(FIELDS)})"
        )
    if missing := [f for f in REQUIRED if f not in columns]:
        raise MappingError(f"{path.name}: columns: {', '.join(missing)} must be given")
    skip = {f: {str(v) for v in values} for f, values in (raw.get("skip") or {}).items()}
    codes = {f: {str(k): str(v) for k, v in (m or {}).items()} for f, m in (raw.get("codes") or {}).items()}
    for entry, fields in (("skip", skip), ("codes", codes)):
        if bad := set(fields) - set(FIELDS):
            raise MappingError(f"{path.name}: {entry}: unknown fields {', '.join(sorted(bad))}")
    return dataclasses.replace(
        start,
        name=start.name if base else "mapping",
        columns=columns,
        note_columns=tuple(raw.get("note_columns") or start.note_columns),
        indicators={**start.indicators, **_strings(path, raw, "indicators")},
        skip={**start.skip, **skip},
        codes={**start.codes, **codes},
    )


def _strings(path: Path, raw: dict[str, Any], entry: str) -> dict[str, str]:
    value = raw.get(entry) or {}
    if not isinstance(value, dict):
        raise MappingError(f"{path.name}: {entry}: a mapping of names")
    return {str(k): str(v) for k, v in value.items()}


# --- translating the cells ---------------------------------------------------------------------


def _age(value: str) -> str:
    """An age band as the UN SDG database (``15-24``, ``15+``, ``<5``, ``ALLAGE``) or ILOSTAT
    (``AGE_YTHADULT_Y15-24``, ``AGE_YTHADULT_YGE15``, ``AGE_AGGREGATE_TOTAL``) writes it, as SDMX."""
    v = re.sub(r"^AGE_[A-Z0-9]+_", "", value.strip().upper())
    if v in ("", "ALLAGE", "TOTAL", "_T") or (v.endswith("_TOTAL") and not v.startswith("AGE_")):
        return "_T"  # also another classification's total in ILOSTAT's classif1 (ECO_SECTOR_TOTAL)
    if m := re.fullmatch(r"Y?(\d{1,3})-(\d{1,3})", v):
        return f"Y{m[1]}T{m[2]}"
    if m := re.fullmatch(r"(?:Y?GE(\d{1,3})|(\d{1,3})\+)", v):
        return f"Y_GE{m[1] or m[2]}"
    if m := re.fullmatch(r"(?:<|Y?LT)(\d{1,3})", v):
        return f"Y_LT{m[1]}"
    return value


def _translate(profile: Profile, field: str, value: str) -> str:
    if field in profile.codes and value in profile.codes[field]:
        return profile.codes[field][value]
    if field == "member_state":
        return rules.from_m49(value) or value
    if field == "age":
        return _age(value)
    return profile.tables.get(field, {}).get(value.upper(), value)


def translate(
    name: str, profile: Profile, chunks: Iterator, known: set[str], sdmx_ids: dict[str, str]
) -> Iterator[tuple[list[str], pd.DataFrame, np.ndarray] | Problem | dict[str, Any]]:
    """The file's chunks with their cells translated by ``profile``: first a dict ``{"columns": file
    column of each field, "notes": …}``, then ``(header, rows, lines)`` chunks or problems."""
    first = True
    column: dict[str, str] = {}
    notes_from: list[str] = []
    unknown: dict[str, list[int]] = {}
    skipped = 0
    for item in chunks:
        if isinstance(item, Problem):
            yield item
            continue
        header, chunk, lines = item
        if first:
            first = False
            by_norm = {_norm(c): c for c in header}
            column = {f: by_norm[_norm(c)] for f, c in profile.columns.items() if _norm(c) in by_norm}
            missing = [profile.columns[f] for f in REQUIRED if f not in column]
            for c in missing:
                yield Problem(
                    file=name,
                    line=1,
                    column=c,
                    reason=f"required column of the {profile.name} layout is missing",
                )
            if missing:
                return
            notes_from = [by_norm[_norm(c)] for c in profile.note_columns if _norm(c) in by_norm]
            if "note" in column:
                notes_from.insert(0, column["note"])
            used = {
                *column.values(),
                *notes_from,
                *(c for c in header if _norm(c) in map(_norm, profile.breakdowns)),
            }
            ignored = [c for c in header if c not in used]
            notes = [f"the {profile.name} layout: column {c} is not used and was ignored" for c in ignored]
            canon_columns = {c: f for f, c in column.items() if f != "note"}
            if notes_from:
                canon_columns[notes_from[0]] = "note"
            yield {"columns": canon_columns, "notes": notes}
        keep = np.ones(len(chunk), dtype=bool)
        out: dict[str, pd.Series] = {}
        for field, col in column.items():
            cells = chunk[col].astype(str).fillna("") if field != "value" else chunk[col]
            if field == "value":
                out[col] = cells.astype(str)
                continue
            if field in profile.skip:
                keep &= ~cells.isin(profile.skip[field]).to_numpy()
            if field == "indicator":  # a code the platform does not know: one problem per code
                mapped = {code: profile.indicators.get(code, code) for code in pd.unique(cells)}
                for code, target in mapped.items():
                    if target not in known and target not in sdmx_ids:
                        hit = (cells == code).to_numpy() & keep
                        unknown.setdefault(code, []).extend(lines[hit].tolist())
                        keep &= ~hit
                out[col] = cells.map(mapped)
                continue
            distinct = pd.unique(cells)
            out[col] = cells.map({v: _translate(profile, field, v) for v in distinct})
        if notes_from:  # the note columns joined: "note; other note"
            parts = [chunk[c].astype(str).tolist() for c in notes_from]
            joined = ["; ".join(x for x in row if x) for row in zip(*parts, strict=True)]
            out[notes_from[0]] = pd.Series(joined, index=chunk.index, dtype=object)
        for b in profile.breakdowns:
            col = next((c for c in chunk.columns if _norm(c) == _norm(b)), None)
            if col is None:
                continue
            cells = chunk[col].astype(str).fillna("")
            bad = ~(cells.eq("") | cells.str.endswith("_TOTAL") | cells.str.endswith("_T")).to_numpy() & keep
            for i in np.flatnonzero(bad):
                yield Problem(
                    file=name,
                    line=int(lines[i]),
                    column=col,
                    reason=f"breakdown {cells.iat[i]!r}: the platform models no such breakdown (only its total)",
                )
        skipped += int((~keep).sum())
        frame = pd.DataFrame(out).loc[keep].reset_index(drop=True)
        yield list(frame.columns), frame, lines[keep]
    for code, at in unknown.items():
        if at:
            yield Problem(
                file=name,
                line=at[0],
                column=column.get("indicator"),
                reason=f"{profile.series_label} {code!r} is not a platform indicator ({len(at)} row(s)): map it to "
                f"one in a mapping file (indicators:) or skip it (skip: indicator:)",
            )
    if skipped:
        yield {"notes": [f"{skipped} row(s) skipped as the mapping says"]}
