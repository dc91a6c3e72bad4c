"""Indicator data for a build, read from COINr's ``iData`` layout or from the platform's store.

Two layouts are accepted and told apart by their header:

- ``iData`` (COINr): one row per unit (and time point), columns ``uCode``, ``uName``, ``Time``,
  group and denominator columns and one column per indicator;
- the indicator store (``indicators_country_year.csv``): long rows
  ``series_code, country_iso3, period, value``; indicators and denominators name their series.

Numbers are parsed with Python's correctly rounded ``float()`` so that values written in shortest
round-trip form come back with the identical bits (pandas' fast parser does not guarantee that).
Rows are sorted by time and unit code, as COINr's ``new_coin()`` sorts them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import DataError, Problem

STORE_COLUMNS = ("series_code", "country_iso3", "period", "value")
MISSING = ("", "NA", "NaN", "nan")
MAX_PROBLEMS = 25


@dataclass
class Frame:
    """One data set of a build: rows are units (per time point), columns are codes."""

    units: np.ndarray  # unit code of each row
    times: np.ndarray | None  # time point of each row, or None for a single cross-section
    codes: tuple[str, ...]
    values: np.ndarray  # float64, rows x codes; NaN is missing

    def take(self, rows: np.ndarray) -> Frame:
        return Frame(
            self.units[rows], None if self.times is None else self.times[rows], self.codes, self.values[rows]
        )

    def with_values(self, values: np.ndarray, codes: tuple[str, ...] | None = None) -> Frame:
        return Frame(self.units, self.times, self.codes if codes is None else codes, values)

    def slices(self) -> list[tuple[int | None, np.ndarray]]:
        """Row indices of each time point (one slice of all rows when there is no time)."""
        if self.times is None:
            return [(None, np.arange(len(self.units)))]
        return [(int(t), np.flatnonzero(self.times == t)) for t in np.unique(self.times)]

    def column(self, code: str) -> np.ndarray:
        return self.values[:, self.codes.index(code)]

    def to_pandas(self, id_col: str = "uCode", time_col: str = "Time") -> pd.DataFrame:
        out = pd.DataFrame(self.values, columns=list(self.codes))
        out.insert(0, id_col, self.units)
        if self.times is not None:
            out.insert(1, time_col, self.times)
        return out


@dataclass
class Dataset:
    """The input of a build: indicator values plus the unit columns (names, groups, denominators)."""

    frame: Frame
    names: dict[str, str] = field(default_factory=dict)
    groups: dict[str, np.ndarray] = field(default_factory=dict)  # column -> value per row (None: missing)
    denominators: dict[str, np.ndarray] = field(default_factory=dict)  # column -> float per row
    source: str | None = None
    sha256: str | None = None
    layout: str = "idata"
    time: int | None = None  # the time point of a single cross-section

    @property
    def is_panel(self) -> bool:
        return self.frame.times is not None and len(np.unique(self.frame.times)) > 1


@dataclass(frozen=True)
class CsvText:
    """A CSV file's text, read once, with the name problems give and the digest of its bytes."""

    text: str
    file: str
    sha256: str
    folder: Path | None = None  # where a store's countries.csv would be

    @classmethod
    def of(cls, text: str, *, file: str) -> CsvText:
        """Text given directly (a request's field, a stored snapshot): no file is involved."""
        return cls(text.removeprefix("\ufeff"), file, hashlib.sha256(text.encode("utf-8")).hexdigest())

    @classmethod
    def read(cls, path: Path) -> CsvText:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(Problem(reason=f"cannot read the data: {exc.strerror}", file=str(path))) from None
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise DataError(Problem(reason=f"not a UTF-8 CSV file: {exc}", file=str(path), line=1)) from None
        return cls(text, str(path), hashlib.sha256(raw).hexdigest(), path.parent)


@dataclass(frozen=True)
class StoreRows:
    """The indicator store's long rows in memory: ``(series_code, country_iso3, period, value)``.

    What ``ascc index store --from-store`` reads from the database, with the member states' names;
    ``file`` names the source in problems and in the stored run's description, and ``sha256`` is the
    digest of the same rows written as a store CSV file (header, values in shortest round-trip form).
    """

    rows: tuple[tuple[str, str, str | int, float], ...]
    names: dict[str, str] = field(default_factory=dict)
    file: str = "approved-observations.csv"

    @property
    def sha256(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(STORE_COLUMNS)
        writer.writerows((s, u, p, repr(v)) for s, u, p, v in self.rows)
        return hashlib.sha256(out.getvalue().encode("utf-8")).hexdigest()


def _float(text: str) -> float:
    text = text.strip()
    if text in MISSING:
        return math.nan
    value = float(text)
    if math.isinf(value):
        raise ValueError(text)
    return value


def _header(source: CsvText) -> list[str]:
    try:
        return [c.strip() for c in next(csv.reader(io.StringIO(source.text, newline="")), [])]
    except csv.Error as exc:
        raise DataError(Problem(reason=f"not a UTF-8 CSV file: {exc}", file=source.file, line=1)) from None


def _read_csv(source: CsvText) -> pd.DataFrame:
    """All cells as text; a file that is not a well-formed CSV table is a DataError."""
    try:
        table = pd.read_csv(io.StringIO(source.text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise DataError(
            Problem(reason=f"not a readable CSV table: {str(exc).strip()}", file=source.file)
        ) from None
    table.columns = [str(c).strip() for c in table.columns]
    return table


def read_data(
    source: Path | str | CsvText | StoreRows,
    definition: IndexDefinition,
    *,
    allowed_extra: set[str] | None = None,
) -> Dataset:
    """Read iData or the indicator store (whichever ``source`` holds) for ``definition``.

    ``source``: a file's path, a ``CsvText`` (text without a file) or ``StoreRows`` (rows in memory).
    """
    if isinstance(source, StoreRows):
        return read_store(source, definition)
    if not isinstance(source, CsvText):
        source = CsvText.read(Path(source))
    header = _header(source)
    if all(c in header for c in STORE_COLUMNS):
        return read_store(source, definition)
    return read_idata(source, definition, allowed_extra=allowed_extra)


def read_idata(
    source: Path | str | CsvText, definition: IndexDefinition, *, allowed_extra: set[str] | None = None
) -> Dataset:
    if not isinstance(source, CsvText):
        source = CsvText.read(Path(source))
    file = source.file
    units = definition.units
    raw_header = _header(source)
    dupes = {c for c in raw_header if raw_header.count(c) > 1}
    if dupes:
        raise DataError([Problem(reason=f"duplicate column {c!r}", file=file, line=1) for c in sorted(dupes)])
    table = _read_csv(source)
    header = list(table.columns)
    problems: list[Problem] = []
    if units.id not in header:
        problems.append(Problem(reason=f"no unit code column {units.id!r}", file=file, line=1))
    known = set(definition.indicator_codes) | set(units.groups) | set(units.denominator_names)
    known |= (
        {units.id, units.name or "", units.time or ""} | set(definition.exclude) | (allowed_extra or set())
    )
    for column in header:
        if column not in known:
            problems.append(
                Problem(
                    reason=f"unknown code {column!r}: not an indicator of {definition.label()} nor a declared unit column",
                    file=file,
                    line=1,
                )
            )
    for node in definition.indicators:
        if node.code not in header:
            problems.append(
                Problem(
                    reason=f"indicator {node.code!r} ({node.where}) has no column in the data",
                    file=file,
                    line=1,
                )
            )
    for column in (*units.groups, *units.denominator_names):
        if column not in header:
            problems.append(Problem(reason=f"declared unit column {column!r} is missing", file=file, line=1))
    if problems:
        raise DataError(problems)

    def numbers(column: str) -> np.ndarray:
        out = np.empty(len(table))
        for i, text in enumerate(table[column]):
            try:
                out[i] = _float(text)
            except ValueError:
                problems.append(
                    Problem(reason=f"{column}: not a number: {text!r}", file=file, line=i + 2, column=column)
                )
                out[i] = math.nan
        return out

    codes = definition.indicator_codes
    values = np.column_stack([numbers(c) for c in codes]) if codes else np.empty((len(table), 0))
    denoms = {c: numbers(c) for c in units.denominator_names}
    unit_codes = table[units.id].str.strip().to_numpy(dtype=object)
    for i, code in enumerate(unit_codes):
        if not code:
            problems.append(Problem(reason=f"empty unit code in {units.id}", file=file, line=i + 2))
    times = None
    if units.time and units.time in header:
        raw_times = numbers(units.time)
        bad = ~np.isfinite(raw_times) | (raw_times != np.round(raw_times))
        for i in np.flatnonzero(bad):
            problems.append(
                Problem(reason=f"{units.time} must be a whole number", file=file, line=int(i) + 2)
            )
        times = np.where(bad, 0, raw_times).astype(int)
    if len(problems) > MAX_PROBLEMS:
        problems = [
            *problems[:MAX_PROBLEMS],
            Problem(reason=f"... and {len(problems) - MAX_PROBLEMS} more", file=file),
        ]
    if problems:
        raise DataError(problems)
    keys = list(zip(unit_codes, times if times is not None else [None] * len(unit_codes), strict=True))
    first: dict[tuple, int] = {}
    for i, key in enumerate(keys):
        if key in first:
            when = f" and {units.time} {key[1]}" if key[1] is not None else ""
            problems.append(
                Problem(
                    reason=f"duplicate unit {key[0]!r}{when} (first at line {first[key] + 2})",
                    file=file,
                    line=i + 2,
                )
            )
        else:
            first[key] = i
    if problems:
        raise DataError(problems)
    single_time = None
    if times is not None and len(np.unique(times)) == 1:
        single_time, times = int(times[0]), None  # one cross-section: keyed by unit only, as a coin
    order = np.lexsort((unit_codes.astype(str), times if times is not None else np.zeros(len(keys))))
    names = {}
    if units.name and units.name in header:
        names = dict(zip(table[units.id].str.strip(), table[units.name], strict=True))
    groups = {g: np.array([v.strip() or None for v in table[g]], dtype=object)[order] for g in units.groups}
    frame = Frame(unit_codes[order], None if times is None else times[order], codes, values[order])
    dataset = Dataset(
        frame,
        time=single_time,
        names=names,
        groups=groups,
        denominators={k: v[order] for k, v in denoms.items()},
        source=file,
        sha256=source.sha256,
        layout="idata",
    )
    check_coverage(dataset, definition)
    return dataset


def read_store(source: Path | str | CsvText | StoreRows, definition: IndexDefinition) -> Dataset:
    """Pivot the platform's long indicator store to the units and years the definition selects."""
    if isinstance(source, StoreRows):
        table = pd.DataFrame(list(source.rows), columns=list(STORE_COLUMNS), dtype=object)
        names = dict(source.names)
    else:
        if not isinstance(source, CsvText):
            source = CsvText.read(Path(source))
        table = _read_csv(source)
        names = _country_names(source.folder / "countries.csv") if source.folder is not None else {}
    file = source.file
    problems: list[Problem] = []
    wanted: dict[str, str] = {n.series or n.code: n.code for n in definition.indicators}
    denom_series = {series or name: name for name, series in definition.units.denominators}
    present = set(table["series_code"])
    for node in definition.indicators:
        series = node.series or node.code
        if series not in present:
            problems.append(
                Problem(
                    reason=f"indicator {node.code!r}: series {series!r} is not in the store {file}",
                    file=node.file,
                    line=node.line,
                )
            )
    for series, name in denom_series.items():
        if series not in present:
            problems.append(
                Problem(
                    reason=f"denominator {name!r}: series {series!r} is not in the store",
                    file=definition.file,
                )
            )
    if problems:
        raise DataError(problems)
    rows = table[table["series_code"].isin(set(wanted) | set(denom_series))]
    periods = pd.to_numeric(rows["period"], errors="coerce")
    if periods.isna().any():
        line = int(periods.isna().to_numpy().nonzero()[0][0])
        raise DataError(Problem(reason="period is not a year", file=file, line=int(rows.index[line]) + 2))
    rows = rows.assign(period=periods.astype(int))
    selection = definition.store
    if selection.years is not None:
        rows = rows[(rows["period"] >= selection.years[0]) & (rows["period"] <= selection.years[1])]
    unit_codes = list(selection.units) or sorted(set(rows["country_iso3"]))
    unknown = sorted(set(selection.units) - set(table["country_iso3"]))
    if unknown:
        raise DataError(
            Problem(
                reason=f"data.units: unknown unit code(s) {', '.join(unknown)} in the store",
                file=definition.file,
            )
        )
    rows = rows[rows["country_iso3"].isin(unit_codes)]
    values = []
    for text, line in zip(rows["value"], rows.index, strict=True):
        try:
            values.append(_float(text) if isinstance(text, str) else _float(repr(float(text))))
        except ValueError:
            problems.append(Problem(reason=f"value: not a number: {text!r}", file=file, line=int(line) + 2))
    if problems:
        raise DataError(problems[:MAX_PROBLEMS])
    rows = rows.assign(value=values)
    dupes = rows.duplicated(["series_code", "country_iso3", "period"], keep="first")
    if dupes.any():
        line = int(rows.index[dupes.to_numpy()][0]) + 2
        raise DataError(Problem(reason="duplicate series/unit/period row", file=file, line=line))
    years = sorted(set(rows["period"]))
    if not years:
        raise DataError(Problem(reason="no observations for the selected units and years", file=file))
    wide = rows.pivot_table(
        index=["period", "country_iso3"], columns="series_code", values="value", aggfunc="first"
    )
    full = pd.MultiIndex.from_product([years, sorted(unit_codes)], names=["period", "country_iso3"])
    wide = wide.reindex(full)
    codes = definition.indicator_codes
    matrix = np.column_stack(
        [wide[series].to_numpy(float) if series in wide else np.full(len(wide), np.nan) for series in wanted]
    )
    order = [list(wanted.values()).index(c) for c in codes]
    frame = Frame(
        wide.index.get_level_values(1).to_numpy(dtype=object),
        wide.index.get_level_values(0).to_numpy(dtype=int),
        codes,
        matrix[:, order],
    )
    denominators = {name: wide[series].to_numpy(float) for series, name in denom_series.items()}
    dataset = Dataset(
        frame,
        names=names,
        denominators=denominators,
        source=file,
        sha256=source.sha256,
        layout="store",
    )
    check_coverage(dataset, definition)
    return dataset


def _country_names(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    if "country_iso3" not in table or "name_long" not in table:
        return {}
    return dict(zip(table["country_iso3"], table["name_long"], strict=True))


def check_coverage(dataset: Dataset, definition: IndexDefinition) -> None:
    """An indicator without a single value in the data is an input error."""
    frame = dataset.frame
    problems: list[Problem] = []
    empty = np.all(np.isnan(frame.values), axis=0) if len(frame.units) else np.ones(len(frame.codes), bool)
    for code, is_empty in zip(frame.codes, empty, strict=True):
        if is_empty:
            node = definition.by_code[code]
            problems.append(
                Problem(
                    reason=f"indicator {code!r} ({node.where}) has no values at all in the data",
                    file=dataset.source,
                )
            )
    if problems:
        raise DataError(problems[:MAX_PROBLEMS])
