"""Reading observation files into text: the CSV files (SDMX-CSV and the plain template) and the
XLSX template, a chunk of rows at a time with each row's line, and the problems a file's bytes or
layout have (encoding, field counts). What the rows mean is checked by :mod:`ascc.monitoring.imports.importer`.

A well-formed CSV file is read in one multithreaded pass of Arrow's reader (:func:`fast_read`);
anything unusual goes to the careful reader, which finds and reports each problem.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from ascc.kit.archive import ZipLimits, zip_problem
from ascc.kit.problems import Problem

CHUNK_ROWS = 200_000
#: an XLSX workbook may have this many parts and expand to this many bytes (the sheets' XML)
XLSX_LIMITS = ZipLimits(parts=5_000, expanded=128 * 2**20)

Progress = Callable[[str, int, int], None]


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
                file=name,
                line=line,
                reason=f"not UTF-8 at byte offset {offset}: {bad[:8].hex(' ')} (save the file as UTF-8)",
            )
        )
        offset += len(bad)
        last = m.end()
    return problems


def header_of(data: bytes) -> list[str]:
    """The cells of the first line of a CSV file."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", start)
    line = data[start : len(data) if end < 0 else end].decode("utf-8", errors="replace").rstrip("\r")
    return next(csv.reader([line]), [])


def semicolons(data: bytes) -> bool:
    """Whether a CSV file separates its fields with semicolons (its header has more ``;`` than ``,``)."""
    end = data.find(b"\n")
    first = data[: len(data) if end < 0 else end]
    return first.count(b";") > first.count(b",")


def to_commas(data: bytes) -> bytes:
    """A semicolon-separated file rewritten with commas, record for record: every record keeps its
    lines (a quoted line break stays in its field, a blank line stays blank), so that the problems
    name the lines of the file as it was."""
    text = data.decode("utf-8-sig", errors="surrogateescape")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=";"):
        writer.writerow(row)
    return out.getvalue().encode("utf-8", errors="surrogateescape")


def line_layout(data: bytes, start: int, width: int) -> tuple[np.ndarray, list[tuple[int, int]], int]:
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


def fast_read(
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
                column_types=types,
                null_values=[""],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                auto_dict_encode=False,
            ),
        )
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


def csv_chunks(
    name: str, data: bytes, progress: Progress | None, known: dict[str, list[str]] | None = None
) -> Iterator[tuple[list[str], pd.DataFrame, np.ndarray] | Problem]:
    """The header, then chunks of rows as text with their line numbers (or a structural problem)."""
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    end = data.find(b"\n", start)
    end = len(data) if end < 0 else end
    header_text = data[start:end].decode("utf-8").rstrip("\r")
    if not header_text.strip():
        yield Problem(file=name, line=1, reason="the file is empty or has no header row")
        return
    header = next(csv.reader([header_text]))
    value_col = next((c for c in ("OBS_VALUE", "value") if c in header), None)
    if value_col and known is not None and len(set(header)) == len(header) and end < len(data):
        fast = fast_read(data, end + 1, header, value_col, known)
        if fast is not None:
            del data  # the bytes are not needed any more (parse() lets go of them too)
            if progress:
                progress("read", len(fast[1]), len(fast[1]))
            yield header, *fast
            return
    lines, bad, _ = line_layout(data, end + 1, len(header))
    if bad:
        for line, count in bad:
            yield Problem(file=name, line=line, reason=f"{count} fields, the header has {len(header)}")
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


def xlsx_chunks(
    name: str, data: bytes, progress: Progress | None
) -> Iterator[tuple[list[str], pd.DataFrame, np.ndarray] | Problem]:
    import zipfile

    from openpyxl import load_workbook

    over = zip_problem(data, XLSX_LIMITS)  # before openpyxl decompresses or parses any of it
    if over is not None:
        yield Problem(file=name, reason=f"{over[1]} (save the sheet as CSV for more data)")
        return
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        yield Problem(file=name, reason=f"not a readable XLSX workbook ({exc.__class__.__name__})")
        return
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    first = next(rows, None)
    if first is None or all(c is None for c in first):
        yield Problem(file=name, line=1, reason="the first sheet is empty or has no header row", unit="row")
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
            extra.append(
                Problem(file=name, line=number, reason=f"cells beyond the {width} header columns", unit="row")
            )
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
