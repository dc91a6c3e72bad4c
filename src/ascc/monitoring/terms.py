"""Indonesian terms of the demo series: names, definitions and units (``data/indicators_id.yaml``).

The sources give their names and definitions in English, but for two BPS series whose Indonesian
name the source itself gives. The file says of each name (``source``) and definition
(``definition_source``, by default a translation) whether it is the source's own or the
platform's translation; the loader marks the translations in the indicator's ``sources``.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ascc.monitoring import units

FILE = Path(__file__).parent / "data" / "indicators_id.yaml"
#: the two notes a ``source`` may carry
OWN = "the source's own Indonesian name"
TRANSLATED = "translated by the platform; the source gives English only"


@cache
def _file() -> dict[str, Any]:
    raw = yaml.safe_load(FILE.read_text(encoding="utf-8"))
    for code, entry in raw["series"].items():
        for key in ("source", "definition_source"):
            if entry.get(key, TRANSLATED) not in (OWN, TRANSLATED):
                raise ValueError(f"{FILE.name}: {code}: {key} must be {OWN!r} or {TRANSLATED!r}")
    return raw


def series() -> dict[str, dict[str, Any]]:
    """Per series code: ``name``, ``definition`` (None if the source gives none) and whether each is
    the platform's translation (``name_translated``, ``definition_translated``)."""
    return {
        code: {
            "name": e["name"],
            "definition": e.get("definition"),
            "name_translated": e["source"] == TRANSLATED,
            "definition_translated": e.get("definition_source", TRANSLATED) == TRANSLATED,
        }
        for code, e in _file()["series"].items()
    }


@cache
def _units_id() -> dict[str, str]:
    return {units.code(en): idn for en, idn in _file()["units"].items()}


def unit_name(unit: str | None, lang: str) -> str:
    """``unit`` in the reader's language: Indonesian where the file gives it (matched by unit code,
    so ``per 1000 live births`` finds ``per 1,000 live births``); the stored text in English and for
    a unit the file does not list."""
    if not unit:
        return ""
    if lang == "id":
        return _units_id().get(units.code(unit), unit)
    return unit


def translated_fields(sources: list[Any] | None) -> list[str]:
    """The fields (``name_id``, ``definition_id``) an indicator's ``sources`` mark as the platform's
    translation (``kind: translation``): the pages say so once."""
    return [s["field"] for s in sources or [] if isinstance(s, dict) and s.get("kind") == "translation"]
