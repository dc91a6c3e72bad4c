"""Read shapes of registry records, as the API, the pages' JSON twins and the exports give them."""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")


class Text(BaseModel):
    """The same text in English and Bahasa Indonesia; either may be missing."""

    en: str | None = None
    id: str | None = None


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class SourceRead(_Read):
    file: str | None = None
    quote: str | None = None
    url: str | None = None


class CorrectionRead(SourceRead):
    """A corrected value; its ``url`` or ``file`` + ``quote`` say where the correct value comes
    from (a public source, or the seed where it gives it right)."""

    field: str
    seed_text: str
    value: str
    note: str


class _SourcedRead(_Read):
    sources: list[SourceRead]
    corrections: list[CorrectionRead] = []


class MemberStateRead(_SourcedRead):
    code: str
    iso2: str
    name: Text
    joined: dt.date


class PillarRead(_SourcedRead):
    id: str
    name: Text
    description: Text


class SectorRead(_SourcedRead):
    id: str
    name: Text
    pillar: str
    summary: Text


class PartnerRead(_SourcedRead):
    id: str
    name: Text
    kind: str


class PartnerFormatRead(_SourcedRead):
    id: str
    name: Text
    partners: list[str]


class BodyLink(_Read):
    id: str
    acronym: str | None
    name: Text


class ChairRotationRead(_Read):
    rule: str
    term_years: int | None = None
    host_follows_asean_chair: bool = False


class DatedRead(SourceRead):
    """A dated event (signed, entered into force, established …) and the source that gives it."""

    event: str
    date: dt.date
    place: str | None = None
    note: str | None = None


class InferenceRead(_Read):
    """A value no source states, shown as an inference with its reasoning."""

    field: str
    value: str
    reasoning: str


class BodyRead(_SourcedRead):
    id: str
    acronym: str | None
    name: Text
    level: str
    sector: str | None
    #: every sector the body serves, its main one first
    sectors: list[str] = []
    pillar: str | None
    reports_to: list[str]
    reports_to_ids: list[str]
    #: values (reporting lines …) that the sources imply but do not state, with the reasoning
    inferences: list[InferenceRead] = []
    partner_format: str | None
    meeting_interval: str | None
    chair_rotation: ChairRotationRead | None
    established: int | None
    dates: list[DatedRead] = []
    dates_note: str | None = None
    formats: list[str]
    mandate: Text
    composition_id: str | None


class BodyDetail(BodyRead):
    reports_to_bodies: list[BodyLink]
    reported_by: list[BodyLink]


class FocalPointRead(_SourcedRead):
    id: int
    member_state: str
    sector: str
    agency: Text
    agency_acronym: str | None


class PriorityRead(_Read):
    number: str
    title: Text


class PlanRead(_SourcedRead):
    id: str
    title: Text
    kind: str
    sectors: list[str]
    bodies: list[str]
    period_start: int | None
    period_end: int | None
    adopted: dt.date | None
    priority_label: Text
    priorities: list[PriorityRead]
    summary: Text


class ProgrammeRead(_SourcedRead):
    id: str
    name: Text
    acronym: str | None
    kind: str
    sectors: list[str]
    bodies: list[str]
    partners: list[str]
    member_states: list[str]
    period_start: int | None
    period_end: int | None
    dates: list[DatedRead] = []
    dates_note: str | None = None
    description: Text


class OutcomeRead(_Read):
    kind: str
    text: Text


class MeetingRead(_SourcedRead):
    id: str
    body: str
    number: int | None
    title: Text
    host: str | None
    chair: str | None = None
    audience: str = "public"
    venue: str | None
    city: str | None
    date_start: dt.date | None
    date_end: dt.date | None
    #: the public page that gives the dates where no seed quote does; ``dates_note``: not found
    date_url: str | None = None
    dates_note: str | None = None
    member_states: list[str]
    partners: list[str]
    outcomes: list[OutcomeRead]


class MeetingWrite(BaseModel):
    """A meeting record entered by the Secretariat or the body's chair."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,79}$")
    body: str
    number: int | None = Field(default=None, ge=1, le=1000)
    title_en: str = Field(min_length=3, max_length=400)
    title_id: str | None = Field(default=None, max_length=400)
    host: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    chair: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    audience: Literal["member_states", "partners", "public"] = "public"
    venue: str | None = Field(default=None, max_length=300)
    city: str | None = Field(default=None, max_length=120)
    date_start: dt.date | None = None
    date_end: dt.date | None = None
    member_states: list[str] = []
    partners: list[str] = []
    outcomes: list[dict[str, str]] = []

    @model_validator(mode="after")
    def _dates(self) -> MeetingWrite:
        if self.date_start and self.date_end and self.date_end < self.date_start:
            raise ValueError("date_end is before date_start")
        return self


class StatisticRead(_SourcedRead):
    id: str
    label: Text
    value: float
    unit: str
    year: int | None
    scope: str | None
    sector: str | None


class PageRead(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageFields(BaseModel):
    """What a page tells beside its records: how many match (``total``) and which slice it is. A
    named page model (``AlertPage``…) adds its ``items``, so that client generators see one model
    per list."""

    total: int = Field(description="records matching the filters, on every page")
    limit: int
    offset: int


class OrgNode(BaseModel):
    body: BodyLink
    level: str
    children: list[OrgNode] = []


class NetworkEdge(BaseModel):
    source: str
    target: str
    sectors: list[str]


class FormatBodies(BaseModel):
    """A partner format (ASEAN Plus Three, ASEAN-Japan, …), who takes part in it besides the member
    states, and the bodies that meet in it (a body of the format, or a body's own meeting in it)."""

    id: str
    name: Text
    partners: list[str]
    bodies: list[BodyLink]


class Network(BaseModel):
    on: dt.date
    nodes: list[MemberStateRead]
    edges: list[NetworkEdge]
    sectors: list[SectorRead]
    formats: list[FormatBodies] = Field(default_factory=list, description="partner formats and their bodies")
    asean_only: int = Field(0, description="bodies with no partner format: the member states meet alone")
    partners: list[PartnerRead] = Field(default_factory=list)
    attended: dict[str, int] = Field(
        default_factory=dict, description="partner id → recorded meetings it attended (the meeting records)"
    )


def text(en: str | None, id_: str | None) -> dict[str, Any]:
    return {"en": en, "id": id_}


class StatementRead(_SourcedRead):
    """What a seed states about a record: a goal, challenge, priority, aspiration …"""

    id: str
    kind: str
    subject: str
    text: Text
