"""The one reader of small CSV tables (accounts, disaster events and areas, targets, computed
indicator definitions, index metadata): rows with the line each starts on, and every problem of the
table's form as a :class:`~ascc.kit.problems.Problem`.

Line numbers are the file's own: a blank line, a comment or a quoted cell that spans lines does not
shift the lines of the rows after it (``csv.DictReader`` over ``splitlines()`` does). The bulk
observation importer has its own chunked readers (``monitoring.imports.reading``).
"""

from __future__ import annotations

import csv
import dataclasses
import io
from collections.abc import Iterable, Iterator

from ascc.kit.problems import Problem


@dataclasses.dataclass(frozen=True)
class Table:
    """A CSV table: its header (stripped) and its rows, each as (line, {column: stripped value})."""

    file: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return iter(self.rows)


def decode(data: bytes, *, file: str) -> tuple[str | None, list[Problem]]:
    """UTF-8 text (a byte-order mark dropped), or the problem naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [
            Problem(file=file, line=line, reason=f"not UTF-8 text ({exc.reason} at byte {exc.start})")
        ]


class _Unreadable(Exception):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def _physical_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """Every row of ``text`` with the line it starts on (a row of a quoted cell spans lines)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _Unreadable(start, str(exc)) from None
        yield start, cells
        start = reader.line_num + 1


def read_table(
    text: str,
    *,
    file: str,
    required: Iterable[str] = (),
    known: Iterable[str] | None = None,
    comments: bool = False,
    short_rows: bool = False,
    lowercase_header: bool = False,
) -> tuple[Table | None, list[Problem]]:
    """The table in ``text``, or None with the problems of its header.

    The header is the first row that is not blank (nor a comment); its names are stripped (and
    lower-cased with ``lowercase_header``). A duplicate name, a name outside ``known`` (when given)
    or a ``required`` name missing is a problem of the header, and then no row is read. Blank rows
    are skipped, and with ``comments`` rows whose first cell starts with ``#``. A row with more cells
    than the header is a problem (the row is left out); one with fewer is a problem too unless
    ``short_rows``, which reads the missing cells as empty. The problems of the rows come with the
    table.
    """
    text = text.removeprefix("\ufeff")
    rows = _physical_rows(text)
    header: list[str] | None = None
    header_line = 1
    problems: list[Problem] = []
    try:
        for line, cells in rows:
            if not any(c.strip() for c in cells) or (comments and cells[0].lstrip().startswith("#")):
                continue
            header_line = line
            header = [c.strip().lower() if lowercase_header else c.strip() for c in cells]
            break
        if header is None:
            return None, [Problem(file=file, line=1, reason="the file is empty: no header row")]
        seen: set[str] = set()
        for name in header:
            if name in seen:
                problems.append(Problem(file=file, line=header_line, column=name, reason="duplicate column"))
            seen.add(name)
        if known is not None:
            allowed = list(known)
            problems += [
                Problem(
                    file=file,
                    line=header_line,
                    column=name,
                    reason=f"column {name!r} is not one of {', '.join(allowed)}",
                )
                for name in header
                if name not in allowed
            ]
        problems += [
            Problem(file=file, line=header_line, column=name, reason=f"column {name!r} is missing")
            for name in required
            if name not in seen
        ]
        if problems:
            return None, problems
        out: list[tuple[int, dict[str, str]]] = []
        width = len(header)
        for line, cells in rows:
            if not any(c.strip() for c in cells) or (comments and cells[0].lstrip().startswith("#")):
                continue
            if len(cells) > width or (len(cells) < width and not short_rows):
                problems.append(
                    Problem(file=file, line=line, reason=f"{len(cells)} cells where the header has {width}")
                )
                continue
            values = [c.strip() for c in cells] + [""] * (width - len(cells))
            out.append((line, dict(zip(header, values, strict=True))))
    except _Unreadable as exc:
        return None, [Problem(file=file, line=exc.line, reason=f"not a readable CSV table: {exc}")]
    return Table(file, header, out), problems
