"""Units of measure matched by their code and common spellings, not by exact text.

An indicator states its unit as text (``per 100,000 live births``, ``% of GDP``, ``index (0-100)``).
A file's unit cell (``unit``, ``UNIT_MEASURE``) may spell it another way; both sides reduce to the
same *unit code* when they mean the same unit:

- case, spaces and punctuation do not matter (``Per 100,000`` = ``per 100,000`` = ``PER_100000``);
- digit groups may be written with commas, spaces (also no-break and thin spaces), apostrophes or
  not at all (``100,000`` = ``100 000`` = ``100000``); ``thousand`` and ``k`` after a number count
  as ``000`` (``per 1 thousand`` = ``per 1,000``, ``100k`` = ``100000``);
- ``%``, ``percent``, ``per cent``, ``percentage`` and ``pct`` are the same word (``PT``, the SDMX
  code of percent): ``% of GDP`` = ``percent of GDP`` = ``PT_OF_GDP``;
- a few SDMX CL_UNIT_MEASURE codes stand for the whole unit: ``PS`` persons, ``YR`` years,
  ``NUM`` number.

The code is what the file is checked against; what is stored is the indicator's own unit (an
observation has no unit of its own), so a file in ``per 100000`` keeps the indicator's
``per 100,000``. An unknown unit is a problem listing the accepted spellings (:func:`spellings`).
"""

from __future__ import annotations

import re
import unicodedata

#: a separator between digit groups (1,000 / 1 000 / 1'000 / 1_000) followed by exactly three digits
_GROUP = re.compile(r"(?<=\d)[,\s'’_](?=\d{3}(?!\d))")
_THOUSAND = re.compile(r"(?<=\d)\s*(?:thousand|k)\b")
_PERCENT = re.compile(r"%|\b(?:per\s?cent|percentage|percent|pct)\b")
_WORD = re.compile(r"[a-z0-9]+")
#: SDMX CL_UNIT_MEASURE codes (and their plain plurals) that stand for a whole unit
ALIASES = {"PS": "PERSONS", "PERSON": "PERSONS", "YR": "YEARS", "YEAR": "YEARS", "NUM": "NUMBER"}


def code(text: str | None) -> str:
    """The unit code of a spelling: equal codes mean the same unit (see the module docstring)."""
    t = unicodedata.normalize("NFKC", text or "").casefold()
    t = _GROUP.sub("", t)
    t = _THOUSAND.sub("000", t)
    t = _PERCENT.sub(" pt ", t)
    c = "_".join(_WORD.findall(t)).upper()
    return ALIASES.get(c, c)


def same(given: str | None, expected: str | None) -> bool:
    """Whether a file's unit cell names the indicator's unit."""
    return code(given) == code(expected)


def _grouped(text: str, sep: str) -> str:
    """``text`` with every number of more than four digits (or with separators) grouped by ``sep``."""

    def group(m: re.Match[str]) -> str:
        digits = re.sub(r"\D", "", m.group(0))
        if len(digits) < 4:
            return m.group(0)
        head = len(digits) % 3 or 3
        return sep.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])

    return re.sub(r"\d{1,3}(?:[,\s'’_]\d{3})+(?!\d)|\d{4,}", group, text)


def spellings(unit: str | None) -> list[str]:
    """Accepted spellings of ``unit`` (besides any change of case or spacing): the unit itself, its
    numbers grouped with commas, spaces or not at all, ``%`` written as ``percent``, and its code."""
    if not unit:
        return []
    out: list[str] = []
    forms = [unit]
    if "%" in unit:
        forms.append(re.sub(r"\s+", " ", unit.replace("%", "percent ")).strip())
    elif _PERCENT.search(unit.casefold()):
        forms.append(_PERCENT.sub("%", unit.casefold()).replace("% ", "% ").strip())
    for form in forms:
        for sep in (",", "", " "):
            text = _grouped(form, sep)
            if text not in out:
                out.append(text)
    if code(unit) not in out:
        out.append(code(unit))
    return out
