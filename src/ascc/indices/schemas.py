"""Request and response shapes of the index API (what-if weights and methods)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT = 5_000_000  # characters of YAML or CSV in one request


class WhatIfRequest(BaseModel):
    """An index definition and its data, with weights or methods changed from the definition's."""

    model_config = ConfigDict(extra="forbid")

    definition: str = Field(max_length=MAX_TEXT, description="the index definition, as YAML text")
    data: str = Field(
        max_length=MAX_TEXT, description="indicator data: COINr iData CSV or the indicator store CSV"
    )
    meta: str | None = Field(None, max_length=MAX_TEXT, description="optional COINr iMeta CSV text")
    weights: dict[str, float] = Field(
        default_factory=dict, description="new weights by code (relative within each group; 0 excludes)"
    )
    methods: dict[str, Any] = Field(
        default_factory=dict,
        description='steps to change, as in the definition, e.g. {"aggregate": {"f_ag": "a_gmean"}}',
    )
    target: str | None = Field(None, description="code whose scores and ranks to return; default the index")


class UnitResult(BaseModel):
    uCode: str
    Time: int | None = None
    score: float | None
    rank: int | None
    nominal_score: float | None
    nominal_rank: int | None


class EffectiveWeight(BaseModel):
    iCode: str
    Level: int
    Parent: str
    Weight: float | None
    WeightInGroup: float | None
    EffectiveWeight: float | None


class WhatIfRead(BaseModel):
    index: dict[str, str | None]
    target: str
    results: list[UnitResult]
    effective_weights: list[EffectiveWeight]
    warnings: list[str]


class MethodsRead(BaseModel):
    steps: dict[str, list[str]]
