"""The coverage audit: every sentence and list item of the seeds, and what carries it.

``ascc check --coverage`` splits each seed into units and reports, for each unit, the reference
records whose source quote lies in it, or the reason recorded in ``data/coverage.yaml`` why it
carries nothing. A unit with neither is *unaccounted*; the audit fails while one is.

The splitting rule (deterministic, no language model):

1. The seed is read line by line; each line is stripped. A line with no letter or digit (``-``,
   ``---|---|``, ``×``) is not a unit.
2. A line holding ``|`` is a table row: one unit, not split further.
3. Any other line is split into sentences after ``.``, ``!``, ``?`` or ``…`` (and any closing
   quote or bracket right after it) followed by white space and then an upper-case letter, a
   digit or an opening quote or bracket. A line that starts with a list marker (``-``, ``•``,
   ``*``, ``1.``, ``(i)``, ``a.``) makes list items instead of sentences.
4. Units are numbered from 1 in each seed: ``§n`` is the n-th unit.

Texts are compared normalised as the quote check does (``quotes.normalise``: white space
collapsed, quote marks unified, lower case). A record *carries* a unit when one occurrence of one
of its seed quotes in that seed lies inside the unit, covers the whole unit, or overlaps it by at
least ``MIN_OVERLAP`` characters (a quote that runs over a sentence boundary carries both). Every
occurrence counts, so a passage the seed repeats is carried wherever it appears.

A record also carries a unit of a seed it cites when it holds, in one of its Indonesian texts
(fields ending in ``_id``: names, titles, priorities, outcomes, statements; or the seed's own text of
a value it corrects, ``corrections[].seed_text``), the unit's text without
its list marker and final ``;``/``.``/``dan`` (a plan's priorities carry the seed's list of them), or
a text of at least ``MIN_TEXT`` characters that occurs in the unit (a name inside a sentence does
not carry the sentence); and when the unit is just
the record's English name or title, with or without its acronym in brackets (a list of bodies).

A reason in ``coverage.yaml`` names its units by verbatim ``fragments``: a fragment of at least
``MIN_FRAGMENT`` characters accounts for every unit of its seed that contains it; a shorter one only
for units that consist of exactly it. A fragment that accounts for no unit is a problem (the file
went stale). A unit may have records and a reason both; the report then shows the records.
"""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import re
from enum import StrEnum
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field

from ascc.reference import schema
from ascc.reference.files import DATA_DIR, Problem, ReferenceSet
from ascc.reference.quotes import normalise

COVERAGE_FILE = "coverage.yaml"
#: where ``ascc check --coverage --write`` writes the report (from the repository's root)
REPORT = Path("docs/coverage.md")
MIN_OVERLAP = 12
MIN_FRAGMENT = 12
#: a record's text carries a unit it lies inside only from this length (a passage, not a name)
MIN_TEXT = 40

_LETTER = re.compile(r"\w", re.UNICODE)
_MARKER = re.compile(r"^(?:[-•*·]\s*|\(?(?:[0-9]{1,2}|[ivxlc]{1,5}|[a-z])[.)](?:\s+|$))", re.IGNORECASE)
_TAIL = re.compile(r"(?:[\s;:,.]|\bdan$)+$")
_BOUNDARY = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+(?=[A-Z0-9\"'“‘(\[])")


class Reason(StrEnum):
    """Why a unit carries no record."""

    #: framing, rhetoric or a general statement that names nothing a user looks up
    narrative = "narrative"
    #: the same statement as an earlier unit, named in the note (``duplicate of §n``)
    duplicate = "duplicate"
    #: the page's own furniture: titles, menus, share buttons, comment forms, tables of contents
    navigation = "navigation"
    #: a heading whose content is carried by the units under it
    heading = "heading"
    #: a seed error: the record holds the corrected value (``corrections`` on the record)
    corrected_defect = "corrected_defect"
    #: the seed itself says the figure is unverified, so no record presents it as a fact
    unverified = "unverified"
    #: a link to a related page; the link is the seed's, not a fact about ASEAN
    link = "link"
    #: modelled by another part of the platform, named in the note
    elsewhere = "elsewhere"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Entry(_Strict):
    """One reason, the seed it applies to and the fragments naming its units."""

    seed: str
    reason: Reason
    note: str
    fragments: list[str] = Field(min_length=1)


@dataclasses.dataclass(frozen=True, eq=False)
class Unit:
    seed: str
    number: int
    kind: str  # sentence | item | row
    text: str
    norm: str
    start: int  # offsets into the seed's normalised text
    end: int

    @functools.cached_property
    def core(self) -> str:
        return core(self.text)


@dataclasses.dataclass
class Accounted:
    unit: Unit
    records: list[str] = dataclasses.field(default_factory=list)
    reasons: list[Entry] = dataclasses.field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.records or self.reasons)


@dataclasses.dataclass
class Report:
    units: dict[str, list[Accounted]]
    problems: list[Problem]

    def unaccounted(self) -> list[Unit]:
        return [a.unit for items in self.units.values() for a in items if not a.ok]


def _sentences(line: str) -> list[str]:
    parts: list[str] = []
    for part in (p.strip() for p in _BOUNDARY.split(line)):
        if not part:
            continue
        if parts and _MARKER.fullmatch(parts[-1] + " "):  # "1." then "Data dan Statistik Gender;"
            parts[-1] = f"{parts[-1]} {part}"
        else:
            parts.append(part)
    return parts


def core(text: str) -> str:
    """A unit's normalised text without its list marker and trailing ``;``, ``.``, ``dan``."""
    text = _MARKER.sub("", normalise(text), count=1)
    return _TAIL.sub("", text).strip()


def split(seed: str, text: str) -> list[Unit]:
    """The units of one seed, by the rule in the module docstring."""
    units: list[Unit] = []
    offset = 0  # where the next line starts in the normalised text (lines joined by one space)
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        norm_line = normalise(line)
        if _LETTER.search(line):
            if "|" in line:
                parts, kind = [line], "row"
            else:
                parts, kind = _sentences(line), "item" if _MARKER.match(line) else "sentence"
            cursor = offset
            for part in parts:
                norm = normalise(part)
                start = norm_line.find(norm, cursor - offset) + offset
                units.append(Unit(seed, len(units) + 1, kind, part, norm, start, start + len(norm)))
                cursor = start + len(norm)
        offset += len(norm_line) + 1
    return units


def read_entries(path: Path) -> list[Entry]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Entry.model_validate(item) for item in data]


def _occurrences(text: str, needle: str) -> list[tuple[int, int]]:
    found, at = [], text.find(needle)
    while needle and at >= 0:
        found.append((at, at + len(needle)))
        at = text.find(needle, at + 1)
    return found


def _carries(unit: Unit, start: int, end: int) -> bool:
    overlap = min(unit.end, end) - max(unit.start, start)
    if overlap <= 0:
        return False
    return (
        (start >= unit.start and end <= unit.end)
        or (start <= unit.start and end >= unit.end)
        or (overlap >= MIN_OVERLAP)
    )


def _indonesian(value: object) -> list[str]:
    """Every Indonesian text a record holds (fields ending in ``_id``: names, titles, priorities …)."""
    if isinstance(value, dict):
        return [
            t
            for k, v in value.items()
            for t in (
                [v] if k.endswith("_id") and isinstance(v, str) else _indonesian(v) if k != "sources" else []
            )
        ]
    if isinstance(value, list):
        return [t for v in value for t in _indonesian(v)]
    return []


def _names(rec: schema._Sourced) -> list[str]:
    """A record's English name or title, alone and followed by its acronym in brackets."""
    name = getattr(rec, "name_en", None) or getattr(rec, "title_en", None)
    acronym = getattr(rec, "acronym", None)
    return [n for n in (name, name and acronym and f"{name} ({acronym})") if n]


def _holds(values: list[str], names: list[str], unit: Unit) -> bool:
    here = unit.core
    return here in names or any(v == here or (len(v) >= MIN_TEXT and v in unit.norm) for v in values)


def record_label(name: str, rec: schema._Sourced) -> str:
    if name == "member_states":
        return f"{name}/{rec.code}"
    if name == "focal_points":
        return f"{name}/{rec.member_state}/{rec.sector}"
    if name == "asean_chairs":
        return f"{name}/{rec.year}"
    return f"{name}/{rec.id}"


def read_seeds(seeds_dir: Path) -> dict[str, str]:
    """The text of each seed file found in ``seeds_dir``, by file name."""
    paths = (seeds_dir / seed for seed in schema.SEED_FILES)
    return {p.name: p.read_text(encoding="utf-8") for p in paths if p.exists()}


def audit(ref: ReferenceSet, seeds: dict[str, str], entries: list[Entry]) -> Report:
    """Account for every unit of every seed text in ``seeds`` (by file name); see the module docstring."""
    units: dict[str, list[Accounted]] = {}
    joined: dict[str, str] = {}
    for seed in schema.SEED_FILES:
        if seed not in seeds:
            continue
        text = seeds[seed]
        joined[seed] = " ".join(normalise(line) for line in text.splitlines() if line.strip())
        units[seed] = [Accounted(u) for u in split(seed, text)]
    for name, records in ref.records.items():
        for rec in records:
            label = record_label(name, rec)
            held = _indonesian(rec.model_dump(mode="json")) + [c.seed_text for c in rec.corrections]
            texts = [_TAIL.sub("", normalise(t)).strip() for t in held]
            names = [normalise(n) for n in _names(rec)]
            for seed in {source.file for source in rec.sources} & units.keys():
                values = [v for v in texts if v and v in joined[seed]]  # most are not in this seed
                if not (values or names):
                    continue
                for acc in units[seed]:
                    if label not in acc.records and _holds(values, names, acc.unit):
                        acc.records.append(label)
            for source in rec.sources:
                if source.file not in units or not source.quote:
                    continue
                starts = [acc.unit.start for acc in units[source.file]]
                for start, end in _occurrences(joined[source.file], normalise(source.quote)):
                    first = max(bisect.bisect_right(starts, start) - 1, 0)
                    for acc in itertools.takewhile(
                        lambda a, end=end: a.unit.start < end, units[source.file][first:]
                    ):
                        if _carries(acc.unit, start, end) and label not in acc.records:
                            acc.records.append(label)
    problems: list[Problem] = []
    for index, entry in enumerate(entries):
        where = f"entry {index + 1} ({entry.seed})"
        if entry.seed not in units:
            problems.append(
                Problem(file=COVERAGE_FILE, field="seed", reason=f"{where}: unknown seed {entry.seed!r}")
            )
            continue
        for fragment in entry.fragments:
            norm = normalise(fragment)
            hits = [
                acc
                for acc in units[entry.seed]
                if (norm in acc.unit.norm if len(norm) >= MIN_FRAGMENT else norm == acc.unit.norm)
            ]
            if not hits:
                problems.append(
                    Problem(
                        file=COVERAGE_FILE, field="fragments", reason=f"{where}: no unit holds {fragment!r}"
                    )
                )
            for acc in hits:
                if entry not in acc.reasons:
                    acc.reasons.append(entry)
    return Report(units, problems)


def run(ref: ReferenceSet, seeds_dir: Path, data_dir: Path = DATA_DIR) -> Report:
    return audit(ref, read_seeds(seeds_dir), read_entries(data_dir / COVERAGE_FILE))


def _cell(text: str, limit: int = 160) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def summary(report: Report) -> dict[str, tuple[int, int, int, int]]:
    """Per seed: units, carried by records, accounted by a reason only, unaccounted."""
    out = {}
    for seed, items in report.units.items():
        carried = sum(1 for a in items if a.records)
        reasoned = sum(1 for a in items if a.reasons and not a.records)
        out[seed] = (len(items), carried, reasoned, len(items) - carried - reasoned)
    return out


def render(report: Report) -> str:
    """The report as Markdown (``docs/coverage.md``)."""
    out = [
        "# Seed coverage",
        "",
        "Generated by `ascc check --coverage --write`; do not edit by hand. Each seed is split into",
        "sentences, list items and table rows (the rule is in `src/ascc/reference/coverage.py`); each",
        "unit lists the reference records whose source quote lies in it, or the reason recorded in",
        "`src/ascc/reference/data/coverage.yaml` why it carries nothing.",
        "",
        "| seed | units | carried by records | accounted by a reason | unaccounted |",
        "|---|---:|---:|---:|---:|",
    ]
    for seed, row in summary(report).items():
        out.append(f"| {seed} | " + " | ".join(str(v) for v in row) + " |")
    for seed, items in report.units.items():
        out += ["", f"## {seed}", "", "| § | unit | carried by / reason |", "|---:|---|---|"]
        for a in items:
            if a.records:
                what = ", ".join(f"`{r}`" for r in a.records)
            elif a.reasons:
                what = "; ".join(f"*{e.reason}*: {e.note}" for e in a.reasons)
            else:
                what = "**UNACCOUNTED**"
            kind = "" if a.unit.kind == "sentence" else f"({a.unit.kind}) "
            out.append(f"| {a.unit.number} | {kind}{_cell(a.unit.text)} | {_cell(what, 400)} |")
    return "\n".join(out) + "\n"
