"""Meeting shapes."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from ascc.registry.schemas import MeetingRead, PageFields


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class AnchorWrite(_In):
    year: int = Field(ge=1967, le=2100)
    member_state: str = Field(pattern=r"^[A-Z]{3}$")
    reason: str = Field(min_length=3, max_length=2000, description="where this comes from")


class AnchorRead(BaseModel):
    body_id: str
    year: int
    member_state: str
    reason: str


class OverrideWrite(_In):
    year: int = Field(ge=1967, le=2100)
    chair: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    date: dt.date | None = None
    reason: str = Field(min_length=3, max_length=2000)


class OverrideRead(BaseModel):
    body_id: str
    year: int
    chair: str | None
    date: dt.date | None
    reason: str


class ExpectedMeeting(BaseModel):
    body_id: str
    acronym: str | None
    name_en: str
    level: str
    year: int
    certain: bool = Field(description="false when the body meets every 2 or 3 years and the phase is unknown")
    chair: str | None
    chair_source: str = Field(description="computed, override or unknown")
    host: str | None
    date: dt.date | None
    override_reason: str | None
    recorded_meeting: str | None = Field(default=None, description="id of the meeting record, once entered")
    deadlines: dict[str, dt.date]
    prepared_by: list[str]


class ExpectedMeetingPage(PageFields):
    items: list[ExpectedMeeting]


class OverridePage(PageFields):
    items: list[OverrideRead]


class AgendaWrite(_In):
    number: str = Field(min_length=1, max_length=20)
    title: str = Field(min_length=1, max_length=2000)
    decision_item: int | None = None


class AgendaRead(BaseModel):
    number: str
    title: str
    decision_item: int | None


class DocumentWrite(_In):
    title: str = Field(min_length=1, max_length=1000)
    url: str | None = Field(default=None, max_length=1000, pattern=r"^https?://")
    due: dt.date | None = None


class MeetingDocumentRead(BaseModel):
    title: str
    url: str | None
    due: dt.date | None


class ReportWrite(_In):
    text: str = Field(min_length=1, max_length=200000)


class ReportMove(_In):
    to: str = Field(pattern=r"^(draft|circulated|adopted|adopted_ad_referendum|published)$")


class ReportRead(BaseModel):
    number: int
    text: str
    status: str
    updated_by: str
    updated_at: dt.datetime
    locked: bool


class MeetingDetail(MeetingRead):
    agenda: list[AgendaRead]
    documents: list[MeetingDocumentRead]
    reports: list[ReportRead]
    #: the record's version as this reader sees it: send it as If-Match to change the meeting
    etag: str = ""


class AseanSummitRead(BaseModel):
    """A numbered ASEAN Summit the year's chair hosted: city, first and last day, the page giving them."""

    number: int
    city: str
    date: dt.date
    date_end: dt.date | None
    url: str


class AseanChairYear(BaseModel):
    """The ASEAN chair of one year: recorded from a source (with its summits and sources), or
    computed by the yearly alphabetical rotation from the last recorded year (``recorded`` false)."""

    year: int
    member_state: str
    recorded: bool
    summits: list[AseanSummitRead]
    sources: list[str]
