"""Disaster coordination inputs: assistance requests and offers, situation reports."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ascc.disasters.cap import Alert
from ascc.registry.schemas import PageFields

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


class DisasterEventPage(PageFields):
    items: list[dict[str, Any]] = Field(
        description="events, newest first, without the sources, areas and revisions "
        "``GET /api/v1/disasters/events/{id}`` adds"
    )


class EventRevisionRead(BaseModel):
    number: int
    at: dt.datetime
    actor: str
    reason: str
    changes: dict[str, Any] = Field(description="field → [before, after]")
    data: dict[str, Any] = Field(description="the event's values after the change")


class EventRevisionPage(PageFields):
    items: list[EventRevisionRead]


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


class AssistanceRequestPage(PageFields):
    items: list[dict[str, Any]] = Field(
        description="requests as ``GET /api/v1/disasters/requests/{id}`` summarises them"
    )


class SitrepPage(PageFields):
    items: list[dict[str, Any]] = Field(
        description="reports as ``GET /api/v1/disasters/sitreps/{id}`` returns them (latest version)"
    )
