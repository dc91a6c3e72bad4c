"""Cells of every spreadsheet-bound export (CSV and XLSX): text that a spreadsheet would run as a
formula is neutralised, numbers stay numbers.

OWASP's rule for CSV injection: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return gets a single quote in front (``=HYPERLINK("http://x","y")`` is written
``'=HYPERLINK("http://x","y")``), so Excel, LibreOffice and Google Sheets show it as text.
Numbers are not text: an ``int`` or ``float`` is written as it is, and so is a text that is
entirely a decimal number (``-1.5``, ``+2``, ``-3e-4``), which no spreadsheet reads as a formula.
Every CSV and XLSX export writes its rows through :func:`cells` (or :func:`cell`), and a stored
CSV text served as it was uploaded goes through :func:`csv_text`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

#: the first characters that make a spreadsheet read a cell as a formula (OWASP)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: a decimal number, written as ``float()``/``repr()`` and spreadsheets write them
NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|nan)", re.IGNORECASE)

T = TypeVar("T")


def cell(value: T) -> T | str:
    """``value`` as a spreadsheet should get it: a text starting a formula with a quote in front;
    numbers, empty and other texts unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def cells(values: Iterable[T]) -> list[T | str]:
    """:func:`cell` of each value of a row."""
    return [cell(v) for v in values]


def record(row: Mapping[str, T]) -> dict[str, T | str]:
    """:func:`cell` of each value of a ``csv.DictWriter`` row."""
    return {k: cell(v) for k, v in row.items()}


def frame(table: Any) -> Any:
    """A pandas table with :func:`cell` applied to its text cells (numeric columns untouched)."""
    from pandas.api.types import is_object_dtype, is_string_dtype

    text_columns = [c for c in table.columns if is_object_dtype(table[c]) or is_string_dtype(table[c])]
    if not text_columns:
        return table
    table = table.copy()
    for c in text_columns:
        table[c] = table[c].map(cell)
    return table


def csv_text(text: str) -> str:
    """A stored CSV text (kept as it was read, e.g. for its digest) with :func:`cell` applied to
    every cell, for a download; a text without such cells is returned as it is."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not any(c != cell(c) for row in rows for c in row):
        return text
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(cells(row) for row in rows)
    return out.getvalue()


def template_workbook(header: Iterable[str], *, title: str = "observations") -> tuple[Any, Any]:
    """A workbook whose first sheet (the one an upload reads) is ``title`` with ``header`` in bold,
    frozen below it; returns the workbook and that sheet, for the caller to add rows and sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(list(header))
    for c in ws[1]:
        c.font = Font(bold=True)
    ws.freeze_panes = "A2"
    return wb, ws


def xlsx_bytes(wb: Any) -> bytes:
    """The workbook as the bytes of an XLSX file."""
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
