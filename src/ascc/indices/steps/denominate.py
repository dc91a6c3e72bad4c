"""Denomination: divide extensive indicators by a size variable (COINr ``Denominate``).

For each indicator with a declared denominator ``d`` and scale factor ``s``: ``x / (d / s)``,
exactly COINr's ``f_denom(x, denoms / ScaleFactor)`` with the default division. A zero
denominator would make an infinite value and is refused, naming the unit.
"""

from __future__ import annotations

import numpy as np

from ascc.indices.data import Dataset, Frame
from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import ComputeError, Problem
from ascc.indices.specs import DenominateSpec


def denominate(frame: Frame, spec: DenominateSpec, *, definition: IndexDefinition, dataset: Dataset) -> Frame:
    if spec.method == "none":
        return frame
    values = frame.values.copy()
    problems: list[Problem] = []
    for j, code in enumerate(frame.codes):
        node = definition.by_code[code]
        if node.denominator is None:
            continue
        denom = dataset.denominators[node.denominator] / node.denominator_scale
        zero = (denom == 0) & ~np.isnan(values[:, j])
        for i in np.flatnonzero(zero):
            problems.append(
                Problem(
                    reason=f"indicator {code!r}: denominator {node.denominator!r} is zero for unit {frame.units[i]!r}",
                    file=dataset.source,
                )
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            values[:, j] = values[:, j] / denom
    if problems:
        raise ComputeError(problems)
    return frame.with_values(values)
