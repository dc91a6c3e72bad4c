"""Read shapes of monitoring records (for the API, pages and exports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IndicatorRead(_Read):
    code: str
    name_en: str
    name_id: str | None
    definition_en: str | None
    definition_id: str | None
    unit: str | None
    direction: str | None
    sector: str | None
    sector_tag: str | None
    level: str
    frequency: str
    disaggregations: list[str]
    numerator: str | None
    denominator: str | None
    source_org: str | None
    source_dataset: str | None
    source_url: str | None
    licence: str | None
    sources: list[dict[str, Any]]


class AreaRead(_Read):
    code: str
    scheme: str
    member_state: str
    name: str
    iso_3166_2: str | None
    bps_code: str | None
    sources: list[dict[str, Any]]


class ObservationRead(_Read):
    id: int
    indicator_code: str
    member_state: str
    area_code: str
    period: str
    sex: str
    age: str
    urbanisation: str
    value: float | None
    obs_status: str
    source: str | None
    note: str | None
    revision: int
    is_current: bool
    approval: str
    submission_id: int | None
    batch_id: int | None
    recorded_at: dt.datetime


class BatchRead(_Read):
    id: int
    filename: str
    sha256: str
    format: str
    rows: int
    inserted: int
    revised: int
    unchanged: int
    actor: str
    created_at: dt.datetime
