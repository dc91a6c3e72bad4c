"""Normalisation onto a common scale (COINr ``Normalise``), with each indicator's direction.

Every indicator is first multiplied by its direction (1 or -1), as COINr does, then:

- ``n_minmax``: ``(x - min) / (max - min) * (u - l) + l`` onto ``l_u`` (default 0-100);
- ``n_zscore``: ``(x - mean) / sd * m_sd[2] + m_sd[1]`` (default mean 0, sd 1);
- ``n_scaled``: ``(x - npara[1]) / (npara[2] - npara[1]) * 100``;
- ``n_goalposts``: the fraction of the way from the indicator's lower to upper goalpost (for a
  negative indicator from the upper to the lower), truncated to [0, 1] unless
  ``trunc2posts: false``, times ``scale``: fixed bands, comparable across editions and years;
- ``n_dist2targ``: distance to the indicator's target, ``(x - min) / (target - min)``, for a
  negative indicator ``(max - x) / (max - target)``, optionally capped at 1 (``cap_max``);
- ``n_dist2max``: ``1 - (max - x) / (max - min)``; ``n_dist2ref``: ``1 - (x_ref - x) / (x_ref - min)``
  with the value of unit ``ref_unit``; ``n_fracmax``: ``x / max``;
- ``n_rank`` (ties share the lowest rank), ``n_prank`` ``(rank - 1) / (n - 1)`` and ``n_borda`` ``rank - 1``.

With panel data, ``panel: pooled`` (default, COINr's ``global = TRUE``) computes the parameters
(min, max, mean, ranks ...) over all time points together, so that scores compare over time;
``per_year`` normalises each time point on its own.
"""

from __future__ import annotations

import numpy as np

from ascc.indices import rstats
from ascc.indices.data import Frame
from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import DefinitionError, Problem
from ascc.indices.specs import NormaliseSpec, NormaliseSteps


def normalise(
    frame: Frame, steps: NormaliseSteps, *, definition: IndexDefinition, warnings: list[str]
) -> Frame:
    values = frame.values.copy()
    directions = np.array([definition.by_code[c].direction for c in frame.codes], dtype=float)
    signed = values * directions
    groups: dict[NormaliseSpec, list[int]] = {}
    for j, code in enumerate(frame.codes):
        groups.setdefault(steps.for_code(code), []).append(j)
    if steps.panel == "pooled" or frame.times is None:
        parts = [(None, np.arange(len(frame.units)))]
    else:
        parts = frame.slices()
    for spec, cols in groups.items():
        if (
            spec.f_n == "n_dist2ref"
            and len(parts) == 1
            and frame.times is not None
            and len(frame.slices()) > 1
        ):
            raise DefinitionError(
                Problem(
                    reason="n_dist2ref with panel data needs normalise.panel: per_year", file=definition.file
                )
            )
        nodes = [definition.by_code[frame.codes[j]] for j in cols]
        for _, rows in parts:
            block = signed[np.ix_(rows, cols)]
            values[np.ix_(rows, cols)] = _apply(
                block, spec, nodes, directions[cols], frame.units[rows], warnings
            )
    return frame.with_values(values)


def _apply(
    x: np.ndarray, spec: NormaliseSpec, nodes: list, directions: np.ndarray, units, warnings: list[str]
):
    f = spec.f_n
    if f == "none":
        return x
    if x.shape[0] == 0:
        return x
    with np.errstate(invalid="ignore", divide="ignore"):
        mn = np.nanmin(x, axis=0) if f in _NEEDS_RANGE else None
        mx = np.nanmax(x, axis=0) if f in _NEEDS_RANGE else None
        if f in ("n_minmax", "n_dist2max"):
            flat = mn == mx
            for node in np.asarray(nodes, dtype=object)[flat]:
                warnings.append(f"{node.code}: the range is 0, normalised values are NaN")
        if f == "n_minmax":
            lo, hi = spec.l_u
            return (x - mn) / (mx - mn) * (hi - lo) + lo
        if f == "n_zscore":
            m, sd = spec.m_sd
            return (x - rstats.col_mean(x)) / rstats.col_sd(x) * sd + m
        if f == "n_scaled":
            lo, hi = spec.npara
            return (x - lo) / (hi - lo) * 100
        if f == "n_dist2max":
            return 1 - (mx - x) / (mx - mn)
        if f == "n_fracmax":
            return x / mx
        if f == "n_dist2ref":
            matches = np.flatnonzero(units == spec.ref_unit)
            if matches.size == 0:
                warnings.append(f"n_dist2ref: reference unit {spec.ref_unit!r} is not in the data; NaN")
                return np.full_like(x, np.nan)
            ref = x[matches[0]]
            y = 1 - (ref - x) / (ref - mn)
            return np.where(y > 1, 1.0, y) if spec.cap_max else y
        if f == "n_dist2targ":
            targ = np.array([n.target for n in nodes], dtype=float) * directions
            for node, t, low in zip(nodes, targ, mn, strict=True):
                if t < low:
                    warnings.append(f"{node.code}: target below the minimum, negative scores")
            y = (x - mn) / (targ - mn)
            return np.where(y > 1, 1.0, y) if spec.cap_max else y
        if f in ("n_rank", "n_prank", "n_borda"):
            ranks = rstats.rank_min(x)
            if f == "n_rank":
                return ranks
            if f == "n_borda":
                return ranks - 1
            return (ranks - 1) / ((~np.isnan(x)).sum(axis=0) - 1)
        if f == "n_goalposts":
            lower = np.array([n.goalposts[0] for n in nodes], dtype=float)
            upper = np.array([n.goalposts[1] for n in nodes], dtype=float)
            g1 = np.where(directions == -1, -upper, lower)
            g2 = np.where(directions == -1, -lower, upper)
            y = (x - g1) / (g2 - g1)
            if spec.trunc2posts:
                y = np.where(y > 1, 1.0, np.where(y < 0, 0.0, y))
            return y * spec.scale
    raise ValueError(f)


_NEEDS_RANGE = {"n_minmax", "n_dist2max", "n_fracmax", "n_dist2ref", "n_dist2targ"}
