"""``/api/v1/indices``: what-if weights and methods for a composite index, as JSON."""

from __future__ import annotations

from fastapi import APIRouter

from ascc.indices import schemas as s
from ascc.indices import service as indices_service
from ascc.indices import specs

router = APIRouter(prefix="/api/v1/indices", tags=["indices"])

ErrorResponses = {422: {"description": "Invalid definition, data, weights or methods (problem+json)"}}


@router.get("/methods", response_model=s.MethodsRead)
def methods() -> dict:
    """The methods each step accepts (COINr's function names)."""
    return {
        "steps": {
            "denominate": ["none", "metadata"],
            "impute": list(specs.IMPUTE_METHODS),
            "screen": list(specs.SCREEN_MODES),
            "treat": [*specs.TREAT_F1, *specs.TREAT_F2],
            "normalise": list(specs.NORMALISE_METHODS),
            "weights": list(specs.WEIGHT_METHODS),
            "aggregate": list(specs.AGGREGATE_METHODS),
        }
    }


@router.post("/what-if", response_model=s.WhatIfRead, responses=ErrorResponses)
def what_if(body: s.WhatIfRequest) -> dict:
    """Rebuild an index with other weights or methods; scores and ranks beside the nominal ones.

    Send the definition (YAML) and the data (CSV) as text. Nothing is stored. Every problem in the
    inputs is listed in the ``problems`` field of the 422 answer, with its line.
    """
    return indices_service.what_if(
        definition_text=body.definition,
        data_text=body.data,
        meta_text=body.meta,
        weights=body.weights,
        methods=body.methods,
        target=body.target,
    )
