"""The shape of the reference data files in ``reference/data/*.yaml``.

Every record carries ``sources``: either a seed file name from ``../shared/seeds`` with a short
verbatim quote, or a URL. Values the sources do not give stay empty (``null`` / ``[]``); where a
seed is wrong or garbled the corrected value is stored and a ``corrections`` entry records what the
seed said and why it was changed.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

SEED_FILES = (
    "000_3e512ae5cc0f38a8.txt",
    "001_d33e6d815b66a0f8.txt",
    "002_eab9d6f4c0f00047.txt",
    "003_7591d795653bab0c.txt",
    "004_78eb73488eeb3ca3.txt",
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_C = TypeVar("_C", bound=BaseModel)


def _cited(obj: _C, missing: str) -> _C:
    """``obj`` (with ``url``, ``file``, ``quote``) names a URL, or a known seed and a quote from it."""
    if obj.url is None and not (obj.file and obj.quote):  # type: ignore[attr-defined]
        raise ValueError(missing)
    if obj.file is not None and obj.file not in SEED_FILES:  # type: ignore[attr-defined]
        raise ValueError(f"unknown seed file {obj.file!r}")  # type: ignore[attr-defined]
    return obj


class Source(_Strict):
    """Where a record comes from: a seed file and a short verbatim quote, or a URL."""

    file: str | None = None
    quote: str | None = None
    url: str | None = None

    @model_validator(mode="after")
    def _file_with_quote_or_url(self) -> Source:
        return _cited(self, "a source needs `file` and `quote`, or `url`")


class Correction(_Strict):
    """A value the seed gives wrongly, kept next to the corrected value, and where the correct
    value comes from: a public source (``url``) or the seed itself, where it gives the value
    right elsewhere (``file`` and a verbatim ``quote``)."""

    field: str
    seed_text: str
    value: str
    note: str
    url: str | None = Field(default=None, pattern=r"^https?://")
    file: str | None = None
    quote: str | None = None

    @model_validator(mode="after")
    def _cites_the_correct_value(self) -> Correction:
        return _cited(self, "a correction cites the correct value: `url`, or `file` and `quote`")


class _Sourced(_Strict):
    sources: list[Source] = Field(min_length=1)
    corrections: list[Correction] = []


class MemberState(_Sourced):
    code: str = Field(pattern=r"^[A-Z]{3}$", description="ISO 3166-1 alpha-3")
    iso2: str = Field(pattern=r"^[A-Z]{2}$")
    name_en: str
    name_id: str
    joined: dt.date


class Summit(_Strict):
    """A numbered ASEAN Summit of the chair's year: where and when it met (its first day, and its
    last day ``date_end`` where the same source gives it), from ``url``."""

    number: int = Field(ge=1)
    city: str
    date: dt.date
    date_end: dt.date | None = None
    url: str = Field(pattern=r"^https?://")

    @model_validator(mode="after")
    def _ends_after_it_starts(self) -> Summit:
        if self.date_end is not None and self.date_end < self.date:
            raise ValueError("`date_end` is before `date`")
        return self


class AseanChair(_Sourced):
    """The member state chairing ASEAN in ``year`` (read by the meeting-cycle engine), and the
    summits it hosted that year where a source gives them (``summits``; empty: not recorded)."""

    year: int = Field(ge=1967)
    member_state: str
    summits: list[Summit] = []


class Pillar(_Sourced):
    id: str
    name_en: str
    name_id: str
    description_en: str | None = None
    description_id: str | None = None


class Sector(_Sourced):
    id: str
    name_en: str
    name_id: str
    pillar: str
    summary_en: str | None = None
    summary_id: str | None = None


class PartnerKind(StrEnum):
    dialogue_partner = "dialogue_partner"
    international_organisation = "international_organisation"
    development_partner = "development_partner"
    civil_society = "civil_society"


class Partner(_Sourced):
    id: str
    name_en: str
    name_id: str | None = None
    kind: PartnerKind


class PartnerFormat(_Sourced):
    """A standing cooperation format of ASEAN with partners, e.g. ASEAN Plus Three."""

    id: str
    name_en: str
    name_id: str | None = None
    partners: list[str] = []


class Level(StrEnum):
    """A body's level, as the seed's table headers and wording name it (a body the seed lists
    under "Kelompok Kerja" is a working group; "badan sektoral tingkat senior official" is
    senior officials, whatever its name says)."""

    council = "council"
    ministerial = "ministerial"
    senior_officials = "senior_officials"
    commission = "commission"
    committee = "committee"
    sub_committee = "sub_committee"
    board = "board"
    working_group = "working_group"
    cluster = "cluster"
    task_force = "task_force"
    centre = "centre"
    network = "network"
    consortium = "consortium"
    foundation = "foundation"
    forum = "forum"
    dialogue = "dialogue"
    platform = "platform"
    fund = "fund"
    award = "award"
    secretariat_unit = "secretariat_unit"


class MeetingInterval(StrEnum):
    annual = "annual"
    at_least_annual = "at_least_annual"
    biennial = "biennial"
    triennial = "triennial"


class RotationRule(StrEnum):
    alphabetical = "alphabetical"
    expression_of_interest = "expression_of_interest"


class ChairRotation(_Strict):
    rule: RotationRule
    term_years: int | None = None
    host_follows_asean_chair: bool = False


class BodyFormat(_Strict):
    """A related meeting of a body with partners, e.g. ``AMCA+3`` in format ``asean-plus-three``."""

    name: str
    format: str


class DateEvent(StrEnum):
    signed = "signed"
    adopted = "adopted"
    entered_into_force = "entered_into_force"
    established = "established"
    launched = "launched"


class Dated(_Strict):
    """A dated event of an instrument or a body (signed, entered into force, established …),
    always with the public source that gives the date (``url``) or the seed quote that states it."""

    event: DateEvent
    date: dt.date
    place: str | None = None
    url: str | None = Field(default=None, pattern=r"^https?://")
    file: str | None = None
    quote: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _sourced(self) -> Dated:
        return _cited(self, "a date needs `url`, or `file` and `quote` from a seed")


class Inference(_Strict):
    """A value no source states as such but a user needs (e.g. an obvious reporting line), kept
    as an inference with its reasoning; it never borrows a quote that does not state it."""

    field: str
    value: str
    reasoning: str


class Body(_Sourced):
    id: str
    acronym: str | None = None
    name_en: str
    name_id: str | None = None
    level: Level
    sector: str | None = None
    #: further sectors a body serves (the seed lists it in each sector's table, e.g. COCI)
    other_sectors: list[str] = []
    pillar: str | None = None
    reports_to: list[str] = []
    inferences: list[Inference] = []
    partner_format: str | None = None
    meeting_interval: MeetingInterval | None = None
    chair_rotation: ChairRotation | None = None
    established: int | None = None
    #: dated events (establishment …), each with its source; ``dates_note`` says what no source gives
    dates: list[Dated] = []
    dates_note: str | None = None
    formats: list[BodyFormat] = []
    mandate_id: str | None = None
    mandate_en: str | None = None
    composition_id: str | None = None


class FocalPoint(_Sourced):
    member_state: str
    sector: str
    agency_name_id: str
    agency_name_en: str | None = None
    agency_acronym: str | None = None


class Priority(_Strict):
    number: str
    title_id: str | None = None
    title_en: str | None = None


class PlanKind(StrEnum):
    vision = "vision"
    blueprint = "blueprint"
    strategic_plan = "strategic_plan"
    work_plan = "work_plan"
    work_programme = "work_programme"
    action_plan = "action_plan"
    agenda = "agenda"
    roadmap = "roadmap"
    strategy = "strategy"
    index = "index"


class Plan(_Sourced):
    id: str
    title_en: str
    title_id: str | None = None
    kind: PlanKind
    sectors: list[str] = []
    bodies: list[str] = []
    period_start: int | None = None
    period_end: int | None = None
    adopted: dt.date | None = None
    priority_label_en: str | None = None
    priority_label_id: str | None = None
    priorities: list[Priority] = []
    summary_id: str | None = None
    summary_en: str | None = None


class ProgrammeKind(StrEnum):
    programme = "programme"
    project = "project"
    fund = "fund"
    agreement = "agreement"
    declaration = "declaration"
    event = "event"
    designation = "designation"
    award = "award"
    framework = "framework"


class Programme(_Sourced):
    id: str
    name_en: str
    name_id: str | None = None
    acronym: str | None = None
    kind: ProgrammeKind
    sectors: list[str] = []
    bodies: list[str] = []
    partners: list[str] = []
    member_states: list[str] = []
    period_start: int | None = None
    period_end: int | None = None
    #: signature, adoption, entry into force …, each with its source; ``dates_note`` says what
    #: no source gives
    dates: list[Dated] = []
    dates_note: str | None = None
    description_id: str | None = None
    description_en: str | None = None


class Outcome(_Strict):
    kind: str
    text_id: str | None = None
    text_en: str | None = None


class Meeting(_Sourced):
    id: str
    body: str
    number: int | None = None
    title_en: str
    title_id: str | None = None
    host: str | None = None
    venue: str | None = None
    city: str | None = None
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    #: the public source of the dates (and place) where no seed quote states them; a date with
    #: neither is refused by ``ascc check``. ``dates_note`` says what no source was found for.
    date_url: str | None = Field(default=None, pattern=r"^https?://")
    dates_note: str | None = None
    member_states: list[str] = []
    partners: list[str] = []
    outcomes: list[Outcome] = []

    @model_validator(mode="after")
    def _dates_in_order(self) -> Meeting:
        if self.date_end is not None and (self.date_start is None or self.date_end < self.date_start):
            raise ValueError("`date_end` needs a `date_start` on or before it")
        return self


class Statistic(_Sourced):
    id: str
    label_en: str
    label_id: str
    value: float
    unit: str
    year: int | None = None
    scope: str | None = None
    sector: str | None = None


class StatementKind(StrEnum):
    """What a seed states about a subject, in the seed's own terms."""

    goal = "goal"
    aim = "aim"
    aspiration = "aspiration"
    characteristic = "characteristic"
    principle = "principle"
    priority = "priority"
    focus_area = "focus_area"
    highlight = "highlight"
    challenge = "challenge"
    recommendation = "recommendation"
    trend = "trend"
    opportunity = "opportunity"
    potential = "potential"
    example = "example"
    comparison = "comparison"
    channel = "channel"
    attendance = "attendance"
    speaker = "speaker"
    conclusion = "conclusion"
    event = "event"
    mechanism = "mechanism"
    name = "name"


#: the files a statement's ``subject`` may point into (``sectors/education``, ``plans/ascc-blueprint-2025``)
STATEMENT_SUBJECTS = ("pillars", "sectors", "bodies", "plans", "programmes", "meetings")


class Statement(_Sourced):
    """A goal, challenge, priority, aspiration … that a seed states about a pillar, sector, body,
    plan, programme or meeting, kept in the seed's words (``text_id``) with an English rendering."""

    id: str
    kind: StatementKind
    subject: str = Field(pattern=r"^(pillars|sectors|bodies|plans|programmes|meetings)/[^/]+$")
    text_id: str
    text_en: str | None = None


#: file name (without .yaml) → record model. Files load in this order (references point backwards).
FILES: dict[str, type[_Sourced]] = {
    "member_states": MemberState,
    "asean_chairs": AseanChair,
    "pillars": Pillar,
    "sectors": Sector,
    "partners": Partner,
    "formats": PartnerFormat,
    "bodies": Body,
    "focal_points": FocalPoint,
    "plans": Plan,
    "programmes": Programme,
    "meetings": Meeting,
    "statistics": Statistic,
    "statements": Statement,
}
