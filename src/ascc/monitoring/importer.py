"""Read and validate observation files: SDMX-CSV 1.0/2.0, the plain CSV template and the XLSX template.

Every file is turned into the same canonical table, then checked as a whole. The checks are
vectorised: each text column is factorised once and the rules run on its distinct values, so a
million rows cost a few hundred distinct checks, not a million. Problems are collected, never
raised one by one, so a report lists every problem in the file with its line and column.

SDMX-ML messages are read by :mod:`ascc.monitoring.sdmx` into the same canonical table and checked
by the same code (their "line" is the observation's position in the message).
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.monitoring import rules
from ascc.monitoring.models import Area, Indicator
from ascc.registry.models import MemberState

FORMATS = ("sdmx-csv", "csv", "xlsx", "sdmx-ml")
#: the dataflow of the platform's indicator data (agency ASEAN, id, version)
DATAFLOW = "ASEAN:DF_ASCC_IND(1.0)"
DATAFLOW_ID = "DF_ASCC_IND"
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
SDMX_CONTROL = ("DATAFLOW", "STRUCTURE", "STRUCTURE_ID", "ACTION")
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
CHUNK_ROWS = 200_000

Progress = Callable[[str, int, int], None]


@dataclasses.dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    column: str | None
    reason: str
    #: what ``line`` counts: a line of a text file, a row of a sheet, an observation of a message
    unit: str = "line"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}: {self.unit} {self.line}"
        return f"{where}: {self.column}: {self.reason}" if self.column else f"{where}: {self.reason}"


@dataclasses.dataclass
class Catalogue:
    """The codes a file may use: indicators (unit, level), member states and areas."""

    indicators: dict[str, tuple[str | None, str]]
    member_states: set[str]
    areas: dict[str, tuple[str, str]]

    @classmethod
    def load(cls, session: Session) -> Catalogue:
        return cls(
            indicators={
                c: (u, lv)
                for c, u, lv in session.execute(select(Indicator.code, Indicator.unit, Indicator.level))
            },
            member_states=set(session.scalars(select(MemberState.code))),
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
    def rows(self) -> int:
        return 0 if self.frame is None else len(self.frame)


def detect_format(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") or head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if suffix == ".xml" or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "sdmx-ml"
    first = head.split(b"\n", 1)[0].lstrip(b"\xef\xbb\xbf").upper()
    if b"DATAFLOW" in first or b"STRUCTURE" in first or b"OBS_VALUE" in first:
        return "sdmx-csv"
    return "csv"


# --- reading -----------------------------------------------------------------------------------


def encoding_problems(name: str, data: bytes) -> list[Problem]:
    """Every run of bytes that is not UTF-8, with its byte offset and line."""
    if data.isascii():  # the usual case, and a fast scan
        return []
    check = codecs.getincrementaldecoder("utf-8")()
    try:  # a block at a time: no text copy of the whole file in memory
        for off in range(0, len(data), 1 << 23):
            check.decode(data[off : off + (1 << 23)], final=off + (1 << 23) >= len(data))
        return []
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", errors="surrogateescape")
    problems, line, last, offset = [], 1, 0, 0
    for m in re.finditer("[\udc80-\udcff]+", text):
        line += text.count("\n", last, m.start())
        offset += len(text[last : m.start()].encode("utf-8", "surrogateescape"))
        bad = m.group().encode("utf-8", "surrogateescape")
        problems.append(
            Problem(
                name,
                line,
                None,
                f"not UTF-8 at byte offset {offset}: {bad[:8].hex(' ')} (save the file as UTF-8)",
            )
        )
        offset += len(bad)
        last = m.end()
    return problems


def _line_layout(data: bytes, start: int, width: int) -> tuple[np.ndarray, list[tuple[int, int]], int]:
    """Line numbers of the data records after the header, and the records whose field count is not
    ``width``; blank lines are skipped (and counted).

    The bytes are scanned with numpy a block at a time (bounded memory): a comma or line break inside
    double quotes belongs to its field, so the quote state is carried through each block with an
    exclusive-or scan. A record that spans lines (a quoted line break) is numbered by its first line.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    block = 1 << 23
    ends, counts, phys = [], [], []
    in_quote, pending, newlines_before = False, 0, 0
    for off in range(start, len(arr), block):
        blk = arr[off : off + block]
        all_nl = np.flatnonzero(blk == 10)
        commas = np.flatnonzero(blk == 44)
        quotes = np.flatnonzero(blk == 34)
        if len(quotes) or in_quote:
            # a position is inside quotes when an odd number of quotes (plus the carried state) precede it
            nl = all_nl[(np.searchsorted(quotes, all_nl) + in_quote) % 2 == 0]
            commas = commas[(np.searchsorted(quotes, commas) + in_quote) % 2 == 0]
            in_quote = bool((len(quotes) + in_quote) % 2)
            phys.append(newlines_before + np.searchsorted(all_nl, nl))
        else:
            nl = all_nl
            phys.append(newlines_before + np.arange(len(nl)))
        before = np.searchsorted(commas, nl)
        per = np.diff(np.concatenate(([0], before)))
        if len(nl):
            per[0] += pending
            pending = len(commas) - int(before[-1])
        else:
            pending += len(commas)
        newlines_before += len(all_nl)
        ends.append(nl + off)
        counts.append(per)
    end_pos = np.concatenate(ends) if ends else np.empty(0, dtype=np.int64)
    per_line = np.concatenate(counts) if counts else np.empty(0, dtype=np.int64)
    end_idx = np.concatenate(phys) if phys else np.empty(0, dtype=np.int64)
    if len(arr) > start and (not len(end_pos) or end_pos[-1] != len(arr) - 1):  # no final line break
        end_pos = np.append(end_pos, len(arr))
        per_line = np.append(per_line, pending)
        end_idx = np.append(end_idx, newlines_before)
    if not len(end_pos):
        return np.empty(0, dtype=np.int64), [], 0
    begins = np.concatenate(([start], end_pos[:-1] + 1))
    length = end_pos - begins
    last = np.minimum(begins, len(arr) - 1)
    blank = (length == 0) | ((length == 1) & (arr[last] == 13))
    # the first line of record k is the line after the previous record's last line; the header is line 1
    numbers = np.concatenate(([0], end_idx[:-1] + 1)) + 2
    keep = ~blank
    wrong = keep & (per_line + 1 != width)
    bad = [(int(n), int(c) + 1) for n, c in zip(numbers[wrong], per_line[wrong], strict=True)]
    return numbers[keep], bad, int(blank.sum())


def _fast_read(
    data: bytes, body_start: int, header: list[str], value_col: str, known: dict[str, list[str]]
) -> tuple[pd.DataFrame, np.ndarray] | None:
    """The whole file in one multithreaded pass of Arrow's CSV reader, with the line of each record.

    Every text column comes back dictionary-encoded (a categorical); a column with a known code list
    gets exactly those codes as its categories. Values are read as floats, an empty cell as NaN.
    None, and the careful path then finds and reports each problem, unless the file is plainly
    well-formed: every record has as many fields as the header (Arrow refuses any other count),
    every cell of a coded column is a known code, every value is a finite number or empty, and
    every line break ends one record (no blank lines, no quoted line breaks, no lone carriage
    returns), so that record ``k`` is on line ``k + 2``.
    """
    import pyarrow as pa
    from pyarrow import compute as pc
    from pyarrow import csv as pacsv

    newlines = data.count(b"\n", body_start)
    returns = data.find(b"\r", body_start) >= 0 and data.count(b"\r", body_start)  # find: a fast scan
    if returns and returns != data.count(b"\r\n", body_start):
        return None
    text = pa.dictionary(pa.int32(), pa.string())
    types = {c: (pa.float64() if c == value_col else text) for c in header}
    try:
        table = pacsv.read_csv(
            pa.py_buffer(memoryview(data)[body_start:]),
            read_options=pacsv.ReadOptions(column_names=header, use_threads=True),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                column_types=types, null_values=[""], strings_can_be_null=False,
                quoted_strings_can_be_null=False, auto_dict_encode=False,
            ),
        )  # fmt: skip
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, ValueError):
        pa.default_memory_pool().release_unused()
        return None
    n = table.num_rows
    if n != newlines + (not data.endswith(b"\n")):  # the last line may lack its line break
        return None
    values = table.column(value_col)
    if pc.any(pc.is_inf(values)).as_py() or pc.any(pc.is_nan(values)).as_py():  # "inf", "nan" typed out
        return None
    columns: dict[str, object] = {}
    for c in header:
        if c == value_col:
            columns[c] = values.to_numpy()  # null → NaN
            continue
        col = table.column(c).to_pandas()
        if c in known:
            col = col.cat.set_categories(known[c])
            if col.isna().any():
                return None
        columns[c] = col
    del table, values
    pa.default_memory_pool().release_unused()  # the parser's buffers, back to the system
    return pd.DataFrame(columns), np.arange(2, n + 2, dtype=np.int64)


def known_codes(fmt: str, cat: Catalogue, today: dt.date | None = None) -> dict[str, list[str]]:
    """Per file column, the complete list of acceptable cell values, where there is one."""
    by_canon = {
        "indicator": list(cat.indicators),
        "member_state": sorted(cat.member_states),
        "area": [*cat.areas, "", "_Z"],
        "scheme": ["", "GDL", "ISO3166-2"],
        "period": [str(y) for y in range(rules.FIRST_YEAR, rules.last_year(today) + 1)],
        "sex": ["", *rules.SEX_CODES],
        "urbanisation": ["", *rules.URBANISATION_CODES],
        "obs_status": ["", "final", "provisional", *rules.SDMX_STATUS],
        "unit": sorted({"", *(u or "" for u, _ in cat.indicators.values())}),
    }
    columns = SDMX_COLUMNS if fmt == "sdmx-csv" else PLAIN_COLUMNS
    out = {col: by_canon[canon] for col, canon in columns.items() if canon in by_canon}
    if fmt == "sdmx-csv":
        out |= {
            "DATAFLOW": [DATAFLOW],
            "STRUCTURE_ID": [DATAFLOW],
            "STRUCTURE": ["dataflow"],
            "ACTION": ["", "I", "A", "R", "M"],
        }
    return out


def _csv_chunks(
    name: str, data: bytes, progress: Progress | None, known: dict[str, list[str]] | None = None
) -> Iterator[tuple[list[str], pd.DataFrame, np.ndarray] | Problem]:
    """The header, then chunks of rows as text with their line numbers (or a structural problem)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    header_text = data[start:end].decode("utf-8").rstrip("\r")
    if not header_text.strip():
        yield Problem(name, 1, None, "the file is empty or has no header row")
        return
    header = next(csv.reader([header_text]))
    value_col = next((c for c in ("OBS_VALUE", "value") if c in header), None)
    if value_col and known is not None and len(set(header)) == len(header) and end < len(data):
        fast = _fast_read(data, end + 1, header, value_col, known)
        if fast is not None:
            del data  # the bytes are not needed any more (parse() lets go of them too)
            if progress:
                progress("read", len(fast[1]), len(fast[1]))
            yield header, *fast
            return
    lines, bad, _ = _line_layout(data, end + 1, len(header))
    if bad:
        for line, count in bad:
            yield Problem(name, line, None, f"{count} fields, the header has {len(header)}")
        return
    names = [f"{h}\x00{i}" if h in header[:i] else h for i, h in enumerate(header)]  # pandas needs unique
    reader = pd.read_csv(
        io.BytesIO(data),
        skiprows=1,
        header=None,
        names=names,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=True,
        chunksize=CHUNK_ROWS,
        encoding="utf-8-sig",
        engine="c",
    )
    done = 0
    for chunk in reader:
        n = len(chunk)
        yield header, chunk, lines[done : done + n]
        done += n
        if progress:
            progress("read", done, len(lines))


def _xlsx_chunks(
    name: str, data: bytes, progress: Progress | None
) -> Iterator[tuple[list[str], pd.DataFrame, np.ndarray] | Problem]:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        yield Problem(name, None, None, f"not a readable XLSX workbook ({exc.__class__.__name__})")
        return
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None or all(c is None for c in first):
        yield Problem(name, 1, None, "the first sheet is empty or has no header row", unit="row")
        return
    header = [_cell(c) for c in first]
    while header and header[-1] == "":
        header.pop()
    width = len(header)
    buf: list[list[str]] = []
    lines: list[int] = []
    extra: list[Problem] = []
    total = ws.max_row or 0
    for number, row in enumerate(rows, start=2):
        cells = [_cell(c) for c in row]
        if not any(cells):
            continue
        if any(cells[width:]):
            extra.append(Problem(name, number, None, f"cells beyond the {width} header columns", unit="row"))
        cells = (cells + [""] * width)[:width]
        buf.append(cells)
        lines.append(number)
        if len(buf) >= CHUNK_ROWS and not extra:
            yield header, pd.DataFrame(buf, columns=header, dtype=str), np.asarray(lines)
            if progress:
                progress("read", number, total)
            buf, lines = [], []
    wb.close()
    if extra:
        yield from extra
        return
    yield header, pd.DataFrame(buf, columns=header, dtype=str), np.asarray(lines, dtype=np.int64)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


# --- checking ----------------------------------------------------------------------------------


def _columns(name: str, fmt: str, header: list[str], unit: str) -> tuple[dict[str, str], list[Problem]]:
    """Map the file's columns to canonical names; missing, unknown and repeated columns."""
    problems = []
    known, required = (SDMX_COLUMNS, SDMX_REQUIRED) if fmt == "sdmx-csv" else (PLAIN_COLUMNS, PLAIN_REQUIRED)
    control = SDMX_CONTROL if fmt == "sdmx-csv" else ()
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem(name, 1, col, "the column appears twice", unit=unit))
        seen.add(col)
        if col not in known and col not in control:
            problems.append(
                Problem(
                    name, 1, col, f"unknown column (expected: {', '.join([*control, *known])})", unit=unit
                )
            )
    for col in required:
        if col not in seen:
            problems.append(Problem(name, 1, col, "required column is missing", unit=unit))
    if fmt == "sdmx-csv" and "DATAFLOW" not in seen and not {"STRUCTURE", "STRUCTURE_ID"} <= seen:
        problems.append(
            Problem(
                name,
                1,
                "DATAFLOW",
                "SDMX-CSV needs DATAFLOW (1.0) or STRUCTURE and STRUCTURE_ID (2.0)",
                unit=unit,
            )
        )
    return {c: known[c] for c in header if c in known}, problems


class _Checker:
    """Collects problems for one chunk; every rule is a boolean mask over the rows."""

    def __init__(self, name: str, lines: np.ndarray, unit: str):
        self.name, self.lines, self.unit, self.problems = name, lines, unit, []

    def flag(self, mask: np.ndarray, column: str, reason: Callable[[int], str]) -> None:
        for i in np.flatnonzero(mask):
            self.problems.append(
                Problem(self.name, int(self.lines[i]), column, reason(int(i)), unit=self.unit)
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
    for alias in {"", *same} - {default}:
        if alias not in uniques:
            continue
        at = int(np.flatnonzero(uniques == alias)[0])
        if default in uniques:
            codes = np.where(codes == at, int(np.flatnonzero(uniques == default)[0]), codes)
        else:
            uniques[at] = default
    return codes, uniques


def _check_chunk(
    name: str, fmt: str, chunk: pd.DataFrame, lines: np.ndarray, colmap: dict[str, str], cat: Catalogue,
    unit: str, today: dt.date,
) -> tuple[dict, list[Problem]]:  # fmt: skip
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
        unknown_ms, ms_col, lambda i: f"unknown member state {cell('member_state', i)!r} (ISO 3166-1 alpha-3)"
    )
    last = rules.last_year(today)

    def good_period(u: str) -> bool:
        return u == "" or (bool(rules.PERIOD_PATTERN.match(u)) and rules.FIRST_YEAR <= int(u) <= last)

    ck.flag(per_unique("period", good_period), period_col,
            lambda i: f"impossible period {cell('period', i)!r} (a year from {rules.FIRST_YEAR} to {last})")  # fmt: skip
    for canon, allowed in (("sex", rules.SEX_CODES), ("urbanisation", rules.URBANISATION_CODES)):
        if canon in col_of:
            ck.flag(per_unique(canon, lambda u, a=allowed: u in a), col_of[canon],
                    lambda i, c=canon, a=allowed: f"unknown code {cell(c, i)!r} (one of {', '.join(a)})")  # fmt: skip
    if "age" in col_of:
        ck.flag(per_unique("age", lambda u: bool(rules.AGE_PATTERN.match(u))), col_of["age"],
                lambda i: f"unknown age code {cell('age', i)!r} (e.g. _T, Y15T24, Y_GE65)")  # fmt: skip

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
            ck.flag(wrong, col_of["area"],
                    lambda i: f"area {cell('area', i)!r} is in {cat.areas[cell('area', i)][0]}, not {cell('member_state', i)}")  # fmt: skip
        if "scheme" in col_of:
            s_codes, s_uniq = factors["scheme"]
            area_scheme = np.array([cat.areas.get(u, ("", ""))[1] for u in a_uniq], dtype=object)
            given = (s_uniq != "")[s_codes]
            bad_scheme = given & has_area & (area_scheme[a_codes] != s_uniq[s_codes])
            ck.flag(bad_scheme, col_of["scheme"],
                    lambda i: f"area {cell('area', i)!r} is a {cat.areas[cell('area', i)][1]} code, not {cell('scheme', i)}")  # fmt: skip
            ck.flag(
                given & (a_uniq == "")[a_codes],
                col_of["scheme"],
                lambda i: "a region scheme without a region code",
            )

    # values: numeric, finite, empty only with a note, in the unit's range
    val_col = col_of.get("value")
    raw_values = chunk[val_col] if val_col is not None else pd.Series([""] * n)
    if raw_values.dtype == np.float64:  # the fast path parsed them already; only empty cells are NaN
        values = raw_values.to_numpy()
        empty_value = np.isnan(values)
    else:
        values = pd.to_numeric(raw_values, errors="coerce").to_numpy(dtype=np.float64)
        empty_value = (raw_values == "").to_numpy()
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
    ck.flag(out_of_range, val_col,
            lambda i: f"{values[i]:g} is outside {lo[i]:g}–{hi[i]:g} for {cell('indicator', i)} "
                      f"({cat.indicators[cell('indicator', i)][0]})")  # fmt: skip
    if "unit" in col_of:
        u_codes, u_uniq = factors["unit"]
        expected = np.array([cat.indicators.get(u, ("", ""))[0] or "" for u in i_uniq], dtype=object)
        given = (u_uniq != "")[u_codes]
        wrong_unit = given & ~unknown_ind & (u_uniq[u_codes] != expected[i_codes])
        ck.flag(wrong_unit, col_of["unit"],
                lambda i: f"unit {cell('unit', i)!r} is not the indicator's unit {expected[i_codes[i]]!r}")  # fmt: skip

    # status: from the status cell, or from the note when empty
    s_codes, s_uniq = factors["obs_status"]
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
        ck.flag(status < 0, col_of["obs_status"],
                lambda i: f"unknown status {cell('obs_status', i)!r} (final, provisional or an SDMX code A, E, P, F)")  # fmt: skip
    # SDMX-CSV control columns
    if fmt == "sdmx-csv":
        for col in ("DATAFLOW", "STRUCTURE_ID"):
            if col in chunk.columns:
                c, u = _factor(chunk[col], n, "")
                ok = np.array(
                    [v == DATAFLOW or v.split(":")[-1].split("(")[0] == DATAFLOW_ID for v in u], dtype=bool
                )
                ck.flag(~ok[c], col, lambda i, cc=col: f"dataflow {chunk[cc].iat[i]!r} is not {DATAFLOW}")
        if "STRUCTURE" in chunk.columns:
            c, u = _factor(chunk["STRUCTURE"], n, "")
            ok = np.array([v.lower() in ("dataflow", "datastructure") for v in u], dtype=bool)
            ck.flag(~ok[c], "STRUCTURE", lambda i: f"{chunk['STRUCTURE'].iat[i]!r}: expected dataflow")
        if "ACTION" in chunk.columns:
            c, u = _factor(chunk["ACTION"], n, "")
            ok = np.array([v in ("", "I", "A", "R", "M") for v in u], dtype=bool)
            ck.flag(~ok[c], "ACTION",
                    lambda i: f"action {chunk['ACTION'].iat[i]!r} is not supported (I, A, M or R; observations are never deleted)")  # fmt: skip

    for canon in (*KEY, "source", "note"):
        codes, uniq = factors[canon]
        out[canon] = (codes, uniq)
    out["obs_status"] = (status, np.array(statuses, dtype=object))
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
                    name,
                    int(line),
                    None,
                    f"duplicate key: the same observation as {unit} {int(f)}",
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
                    problems.append(Problem(
                        name, int(lines.loc[idx, "_T"]), colnames.get("value"),
                        f"female {f:g} + male {m:g} = {f + m:g}, not the total {t:g} "
                        f"(tolerance {rules.SEX_TOLERANCE:.0%}; female {unit} {int(lines.loc[idx, 'F'])}, "
                        f"male {unit} {int(lines.loc[idx, 'M'])})", unit=unit,
                    ))  # fmt: skip
    return problems


def check_frames(
    name: str, fmt: str, chunks: Iterator, cat: Catalogue, *, unit: str = "line", today: dt.date | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Check a stream of ``(header, rows, line numbers)`` chunks (or problems) of one file."""
    today = today or dt.date.today()
    problems: list[Problem] = []
    parts: list[dict] = []
    colmap: dict[str, str] | None = None
    for item in chunks:
        if isinstance(item, Problem):
            problems.append(item)
            continue
        header, chunk, lines = item
        if colmap is None:
            colmap, bad = _columns(name, fmt, header, unit)
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
            problems.append(Problem(name, None, None, "no observations in the file"))
        return None, problems
    frame = _assemble(parts)
    if not len(frame) and not problems:
        problems.append(Problem(name, None, None, "no observations in the file"))
    problems += _whole_file(name, frame, cat, unit, {v: k for k, v in colmap.items()})
    problems.sort(key=lambda p: p.line or 0)
    return frame, problems


def parse(path: Path, cat: Catalogue, *, fmt: str | None = None, name: str | None = None,
          data: bytes | None = None, progress: Progress | None = None, today: dt.date | None = None) -> Parsed:  # fmt: skip
    """Read and check one file; ``Parsed.problems`` lists everything wrong with it."""
    name = name or path.name
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            return Parsed(
                name,
                fmt or "?",
                "",
                None,
                [Problem(name, None, None, f"cannot read the file: {exc.strerror}")],
            )
    digest = hashlib.sha256(data).hexdigest()
    fmt = fmt or detect_format(path, data[:4096])
    if fmt not in FORMATS:
        return Parsed(
            name,
            fmt,
            digest,
            None,
            [Problem(name, None, None, f"unknown format {fmt!r} ({', '.join(FORMATS)})")],
        )
    if fmt == "xlsx":
        frame, problems = check_frames(
            name, fmt, _xlsx_chunks(name, data, progress), cat, unit="row", today=today
        )
        return Parsed(name, fmt, digest, frame, problems)
    problems = encoding_problems(name, data)
    if problems:
        return Parsed(name, fmt, digest, None, problems)
    if fmt == "sdmx-ml":
        from ascc.monitoring import sdmx

        frame, problems = sdmx.parse_message(name, data, cat, today=today)
        return Parsed(name, fmt, digest, frame, problems)
    chunks = _csv_chunks(name, data, progress, known_codes(fmt, cat, today))
    del data  # held by the reader only as long as it needs the bytes
    frame, problems = check_frames(name, fmt, chunks, cat, today=today)
    return Parsed(name, fmt, digest, frame, problems)
