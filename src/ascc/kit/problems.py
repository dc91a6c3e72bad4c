"""Bad input, reported one way everywhere: a ``Problem`` names where (file, line, column, field) and
why (``reason``); a ``ProblemsError`` (HTTP 422) carries every problem found in one input.

Every reader of a data file (observations, targets, disaster events, CAP alerts, reference YAML,
results frameworks, computed indicators, index definitions and data) collects ``Problem``s and
raises (or returns) all of them, so that one run shows every mistake. problem+json carries them as
``problems``: a list of ``Problem.read()`` objects, every key present (null when unknown); the CLI
prints ``str(problem)``, one line each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from ascc.kit.errors import Invalid

#: what ``Problem.line`` counts: a line of a text file, a row of a sheet, an observation of a message
UNITS = ("line", "row", "observation")
#: the keys of ``Problem.read()``, in order
KEYS = ("file", "line", "unit", "column", "field", "reason")


@dataclasses.dataclass(frozen=True, kw_only=True)
class Problem:
    """One thing wrong with an input: where it is and what is wrong.

    ``column`` is a column of a table as the file names it (its header); ``field`` a field of a
    record (a YAML key, an XML element, a JSON member). ``unit`` says what ``line`` counts.
    """

    reason: str
    file: str | None = None
    line: int | None = None
    column: str | None = None
    field: str | None = None
    unit: str = "line"

    def __str__(self) -> str:
        where = self.file or ""
        if self.line is not None:
            at = str(self.line) if self.unit == "line" else f"{self.unit} {self.line}"
            where = f"{where}:{at}" if where else f"{self.unit} {self.line}"
        for name in (self.column, self.field):
            if name:
                where = f"{where} [{name}]" if where else f"[{name}]"
        return f"{where}: {self.reason}" if where else self.reason

    def read(self) -> dict[str, Any]:
        """The problem+json shape: every key of ``KEYS``, null when unknown."""
        return {
            "file": self.file,
            "line": self.line,
            "unit": self.unit if self.line is not None else None,
            "column": self.column,
            "field": self.field,
            "reason": self.reason,
        }


def summary(problems: list[Problem], limit: int = 20) -> str:
    """The problems as one text: each on its own line, the first ``limit`` of them."""
    text = "\n".join(str(p) for p in problems[:limit])
    if len(problems) > limit:
        text += f"\n… and {len(problems) - limit} more"
    return text


class ProblemsError(Invalid):
    """An input with problems: a 422 whose ``problems`` lists each (``Problem.read()`` objects).

    ``detail`` defaults to the problems themselves, one a line. Domains subclass it to keep their
    names and titles; ``problems`` is the list of ``Problem`` objects.
    """

    title = "Invalid input"

    def __init__(self, problems: Problem | Iterable[Problem], detail: str | None = None, **extra: Any):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__(
            summary(self.problems) if detail is None else detail,
            problems=[p.read() for p in self.problems],
            **extra,
        )

    def __str__(self) -> str:
        return self.detail
