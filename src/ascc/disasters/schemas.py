"""Disaster coordination inputs: assistance requests and offers, situation reports; and the shapes
the API answers with."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ascc.disasters.cap import Alert
from ascc.registry.schemas import Bilingual, PageFields, Shape

#: needs are asked for, and offers made, in these categories (the humanitarian clusters, and funds)
NEED_CATEGORIES: dict[str, tuple[str, str]] = {
    "search_rescue": ("Search and rescue", "Pencarian dan pertolongan"),
    "medical": ("Medical and health", "Medis dan kesehatan"),
    "shelter": ("Shelter", "Hunian darurat"),
    "food": ("Food", "Pangan"),
    "water_sanitation": ("Water, sanitation and hygiene", "Air, sanitasi dan higiene"),
    "logistics": ("Logistics and transport", "Logistik dan transportasi"),
    "telecoms": ("Emergency telecommunications", "Telekomunikasi darurat"),
    "funds": ("Funds", "Dana"),
    "other": ("Other", "Lainnya"),
}
#: what an offer line gives
OFFER_KINDS: dict[str, tuple[str, str]] = {
    "team": ("Team", "Tim"),
    "relief_items": ("Relief items", "Barang bantuan"),
    "asset": ("Asset", "Aset"),
    "money": ("Money", "Uang"),
}
Category = Literal[
    "search_rescue",
    "medical",
    "shelter",
    "food",
    "water_sanitation",
    "logistics",
    "telecoms",
    "funds",
    "other",
]
Kind = Literal["team", "relief_items", "asset", "money"]
MAX_AMOUNT = 1e13


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _amount(value: float | None) -> float | None:
    if value is not None and (not math.isfinite(value) or value > MAX_AMOUNT):
        raise ValueError(f"must be a finite number up to {MAX_AMOUNT:g}")
    return value


class NeedCreate(_In):
    category: Category
    description: str = Field(min_length=1, max_length=500)
    quantity: float = Field(gt=0)
    unit: str = Field(min_length=1, max_length=60, description="e.g. persons, family tents, tonnes, USD")
    location: str | None = Field(default=None, max_length=300)
    period_start: dt.date | None = None
    period_end: dt.date | None = None

    _q = field_validator("quantity")(_amount)

    @model_validator(mode="after")
    def _period(self) -> NeedCreate:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        return self


class RequestCreate(_In):
    member_state: str = Field(pattern=r"^[A-Z]{3}$", description="the affected member state asking")
    title: str = Field(min_length=3, max_length=300)
    needs: list[NeedCreate] = Field(min_length=1, max_length=50)


class RequestStatus(_In):
    status: Literal["open", "closed"]


class OfferLineCreate(_In):
    need_id: int = Field(ge=1, le=2**31 - 1)
    kind: Kind
    description: str = Field(min_length=1, max_length=500)
    quantity: float = Field(gt=0, description="in the need's unit")
    value: float | None = Field(default=None, ge=0, description="estimated value")
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$", description="ISO 4217, with value")

    _q = field_validator("quantity", "value")(_amount)

    @model_validator(mode="after")
    def _money(self) -> OfferLineCreate:
        if (self.value is None) != (self.currency is None):
            raise ValueError("value and currency go together")
        return self


class OfferCreate(_In):
    lines: list[OfferLineCreate] = Field(min_length=1, max_length=50)


class OfferDecision(_In):
    decision: Literal["accepted", "declined"]
    reason: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _why(self) -> OfferDecision:
        if self.decision == "declined" and not self.reason:
            raise ValueError("declining an offer needs a reason")
        return self


class OfferProgress(_In):
    stage: Literal["mobilised", "arrived", "demobilised"]
    on: dt.date


class SitrepWrite(_In):
    title_en: str = Field(min_length=3, max_length=300)
    title_id: str | None = Field(default=None, max_length=300)
    body_en: str = Field(min_length=1, max_length=100000)
    body_id: str | None = Field(default=None, max_length=100000)
    as_of: dt.date


# --- pages of the lists (``/api/v1/disasters/...``) -------------------------------------------


class DisasterEventRead(Shape):
    """A merged disaster event: derived from its sources (widest dates, all member states, the
    largest count any source gives); a count no source gives is null."""

    id: int
    glide: str | None = Field(description="the GLIDE number, when a source gives it")
    hazard: str = Field(description="GLIDE hazard code, e.g. FL")
    hazard_family: str = Field(description="the IRDR peril family, e.g. hydrological")
    hazard_name: Bilingual
    name: str | None
    start_date: dt.date
    end_date: dt.date | None
    member_states: list[str]
    location: str | None
    deaths: int | None
    missing: int | None
    injured: int | None
    affected: int | None
    houses_destroyed: int | None
    houses_damaged: int | None
    displaced: int | None
    damage_value: float | None
    damage_unit: str | None


class DisasterEventSource(Shape):
    feed: str
    record_id: str
    url: str | None
    data: dict[str, Any] = Field(description="the feed's record as imported")


class DisasterEventArea(Shape):
    """A subnational area the event struck, with the impacts its source gives for it."""

    member_state: str
    scheme: str
    code: str
    name: str
    impacts: dict[str, Any] = Field(description="impact column → value, as the source gives them")
    feed: str
    record_id: str
    source: str


class DisasterEventPage(PageFields):
    items: list[DisasterEventRead] = Field(
        description="events, newest first, without the sources, areas and revisions "
        "``GET /api/v1/disasters/events/{id}`` adds"
    )


class EventRevisionRead(Shape):
    number: int
    at: dt.datetime
    actor: str
    reason: str
    changes: dict[str, Any] = Field(description="field → [before, after]")
    data: dict[str, Any] = Field(description="the event's values after the change")


class EventRevisionPage(PageFields):
    items: list[EventRevisionRead]


class DisasterEventDetail(DisasterEventRead):
    """The event with its sources, its subnational areas and every revision."""

    sources: list[DisasterEventSource]
    areas: list[DisasterEventArea]
    revisions: list[EventRevisionRead]


class DisasterCount(Shape):
    key: str | int = Field(description="the year, member state or hazard code")
    events: int
    affected: int = Field(description="people affected, over the events that give the number")
    deaths: int
    with_affected: int = Field(description="events that give the number of people affected")


class DisasterStatistics(Shape):
    """Events, people affected and deaths per year, member state and hazard, from the record."""

    events: int
    by_year: list[DisasterCount]
    by_member_state: list[DisasterCount]
    by_hazard: list[DisasterCount]


@dataclasses.dataclass
class AlertInfo:
    """One info block of an alert (often one per language)."""

    language: str
    event: str
    headline: str | None
    description: str | None
    area: str | None
    urgency: str
    severity: str
    certainty: str
    effective: dt.datetime | None
    expires: dt.datetime | None


@dataclasses.dataclass
class DisasterAlertRead(Alert):
    """A CAP 1.2 alert as stored, read in one of its languages (times in the sender's offsets): its
    id, the event it was linked to, its languages and every info block."""

    id: int
    event_id: int | None
    languages: list[str]
    infos: list[AlertInfo]
    until: dt.datetime  # when it stops being current: its last block's expiry (24 h when none is given)


class DisasterAlertPage(PageFields):
    items: list[DisasterAlertRead]


class AssistanceRequestSummary(Shape):
    id: int
    event_id: int
    member_state: str = Field(description="the affected member state that asks")
    title: str
    status: Literal["open", "closed"]
    created_by: str
    created_at: dt.datetime
    etag: str = Field(description="send it as If-Match to change the request")


class AssistanceNeedRead(Shape):
    id: int
    category: Category
    category_name: Bilingual
    description: str
    quantity: float
    unit: str
    location: str | None
    period_start: dt.date | None
    period_end: dt.date | None


class AssistanceOfferLineRead(Shape):
    id: int
    need_id: int
    kind: Kind
    kind_name: Bilingual
    description: str
    quantity: float
    value: float | None
    currency: str | None


class AssistanceOfferRead(Shape):
    """An offer of assistance, line by line against the request's needs, and where it stands."""

    id: int
    request_id: int
    offered_by_kind: Literal["member_state", "partner"]
    offered_by: str = Field(description="the member state's ISO3 code or the partner's id")
    status: Literal["offered", "accepted", "declined"]
    reason: str | None = Field(description="why it was declined")
    decided_by: str | None
    decided_at: dt.datetime | None
    mobilised_on: dt.date | None
    arrived_on: dt.date | None
    demobilised_on: dt.date | None
    created_by: str
    created_at: dt.datetime
    etag: str = Field(description="send it as If-Match to decide on the offer or record its progress")
    lines: list[AssistanceOfferLineRead]


class AssistanceNeedMatch(Shape):
    need_id: int
    category: Category
    description: str
    unit: str
    requested: float
    offered: float = Field(description="offered in offers pending or accepted")
    accepted: float
    covered: float = Field(description="the share of the need accepted offers cover, 0 to 1")
    gap: float
    offered_by: list[str] = Field(description="who offered (but declined offers)")


class AssistanceMatching(Shape):
    """Per need: requested, offered, accepted, the share covered and the gap."""

    request_id: int
    needs: list[AssistanceNeedMatch]
    needs_covered: int
    needs_total: int
    gaps: list[AssistanceNeedMatch] = Field(description="the needs not covered")


class AssistanceRequestDetail(AssistanceRequestSummary):
    """A request with its needs, the offers made and the matching of needs to accepted offers."""

    needs: list[AssistanceNeedRead]
    offers: list[AssistanceOfferRead]
    matching: AssistanceMatching


class SitrepVersionSummary(Shape):
    version: int
    title: Bilingual
    as_of: dt.date
    author: str
    at: dt.datetime


class SitrepRead(Shape):
    """A situation report in one version (the latest unless an earlier is asked for), with the list
    of all its versions."""

    id: int
    event_id: int
    number: int
    latest_version: int
    created_at: dt.datetime
    etag: str = Field(description="send it as If-Match to revise the report")
    version: int = Field(description="the version shown")
    title: Bilingual
    body: Bilingual
    as_of: dt.date
    author: str
    at: dt.datetime
    versions: list[SitrepVersionSummary]


class AssistanceRequestPage(PageFields):
    items: list[AssistanceRequestSummary] = Field(description="requests, newest first")


class SitrepPage(PageFields):
    items: list[SitrepRead] = Field(description="reports by number, each in its latest version")
