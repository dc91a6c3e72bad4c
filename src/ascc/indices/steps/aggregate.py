"""Aggregation up the hierarchy (COINr ``Aggregate``) and ranks (COINr ``rank_df``).

Level by level, each aggregate is a weighted mean of its children, row by row (unit by unit):

- ``a_amean``: missing children are dropped with their weights, the remaining weights rescaled to
  sum to 1, then ``sum(w * x)`` (COINr ``a_amean``); all children missing gives a missing value;
- ``a_gmean``: ``exp(sum(w log x) / sum(w))`` over the children with data; a zero or negative
  value is an error naming the unit and the child (a geometric mean is undefined there);
- ``a_hmean``: ``sum(w) / sum(w / x)``; a zero value is an error.

``dat_thresh`` (optional, per level) makes an aggregate missing when the share of its children
with data is below it. Children with weight 0 are left out entirely. Columns come out as in
COINr: indicators, then each level's aggregates in sorted code order.

Ranks: ``rank(-x, ties.method = "min", na.last = "keep")`` for every column, per time point.
"""

from __future__ import annotations

import numpy as np

from ascc.indices import rstats
from ascc.indices.data import Frame
from ascc.indices.definition import IndexDefinition, weight_problems
from ascc.indices.errors import ComputeError, DefinitionError, Problem
from ascc.indices.specs import AggregateSpec, WeightsSpec
from ascc.indices.weights import nominal_weights, pca_weights

LD = np.longdouble


def weighted_mean(
    method: str, x: np.ndarray, w: np.ndarray, thresh: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise weighted means of ``x`` (rows x children) and the rows where the method fails."""
    ok = ~np.isnan(x)
    n_ok = ok.sum(axis=1)
    wm = np.where(ok, w, 0.0)
    bad = np.zeros(x.shape[0], dtype=bool)
    with np.errstate(invalid="ignore", divide="ignore"):
        if method == "a_amean":
            wsum = np.cumsum(wm, axis=1, dtype=LD)[:, -1].astype(float)
            terms = np.where(ok, (wm / wsum[:, None]) * x, 0.0)
            y = np.cumsum(terms, axis=1, dtype=LD)[:, -1].astype(float)
        elif method == "a_gmean":
            bad = np.any(ok & (x <= 0), axis=1)
            logs = np.where(ok, wm * np.log(np.where(ok & (x > 0), x, 1.0)), 0.0)
            num = np.cumsum(logs, axis=1, dtype=LD)[:, -1].astype(float)
            den = np.cumsum(wm, axis=1, dtype=LD)[:, -1].astype(float)
            y = np.exp(num / den)
        elif method == "a_hmean":
            bad = np.any(ok & (x == 0), axis=1)
            inv = np.where(ok & (x != 0), wm / np.where(x == 0, 1.0, x), 0.0)
            num = np.cumsum(wm, axis=1, dtype=LD)[:, -1].astype(float)
            den = np.cumsum(inv, axis=1, dtype=LD)[:, -1].astype(float)
            y = num / den
        else:
            raise ValueError(method)
    y[n_ok == 0] = np.nan
    if thresh is not None:
        y[n_ok / x.shape[1] < thresh] = np.nan
    return y, bad


def aggregate(
    frame: Frame,
    spec: AggregateSpec,
    weights_spec: WeightsSpec,
    *,
    definition: IndexDefinition,
    source: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[Frame, dict[str, float]]:
    """The aggregated data set (indicators plus all aggregates) and the weights used."""
    weights = nominal_weights(definition, weights_spec)
    columns = {code: frame.values[:, j] for j, code in enumerate(frame.codes)}
    for level in range(2, definition.max_level + 1):
        method = spec.method_for(level)
        thresh = spec.thresh_for(level)
        if weights_spec.method == "pca" and weights_spec.pca_level in (None, level - 1):
            _pca_level(weights, weights_spec, definition, level, columns, warnings)
        for parent in definition.level_codes(level):
            kids = definition.children[parent]
            data = np.column_stack([columns[k] for k in kids])
            w = np.array([weights[k] for k in kids], dtype=float)
            keep = w != 0
            if not keep.any():
                _zero_weights(definition, weights_spec, source)
            y, bad = weighted_mean(method, data[:, keep], w[keep], thresh)
            if bad.any():
                raise ComputeError(
                    _failures(method, parent, np.asarray(kids)[keep], data[:, keep], bad, frame, source)
                )
            columns[parent] = y
    codes = definition.output_codes
    return Frame(frame.units, frame.times, codes, np.column_stack([columns[c] for c in codes])), weights


def _pca_level(
    weights: dict[str, float],
    spec: WeightsSpec,
    definition: IndexDefinition,
    level: int,
    columns: dict[str, np.ndarray],
    warnings: list[str] | None,
) -> None:
    """PCA weights for the children of every aggregate of ``level``: per group, or over them all."""
    if spec.pca_by_groups:
        groups = [(repr(p), definition.children[p]) for p in definition.level_codes(level)]
    else:
        kid_level = level - 1
        codes = definition.indicator_codes if kid_level == 1 else definition.level_codes(kid_level)
        names = definition.level_names
        name = f" ({names[kid_level - 1]})" if len(names) >= kid_level else ""
        groups = [(f"the whole level {kid_level}{name}", codes)]
    custom = dict(spec.custom)
    for group, codes in groups:
        data = np.column_stack([columns[k] for k in codes])
        found = pca_weights(data, codes, variant=spec.pca_variant, group=group, warnings=warnings)
        weights.update({k: custom.get(k, v) for k, v in found.items()})


def _zero_weights(definition: IndexDefinition, weights_spec: WeightsSpec, source: str | None) -> None:
    """A group whose children all weigh 0 is the definition's (or the request's) error."""
    messages = weight_problems(definition, weights_spec) or ["a group's weights sum to 0"]
    raise DefinitionError(
        [Problem(reason=f"steps.weights: {m}", file=definition.file or source) for m in messages]
    )


def _failures(method, parent, kids, data, bad, frame: Frame, source) -> list[Problem]:
    what = "zero or negative" if method == "a_gmean" else "zero"
    problems = []
    for i in np.flatnonzero(bad)[:10]:
        offending = [
            k for k, v in zip(kids, data[i], strict=True) if (v <= 0 if method == "a_gmean" else v == 0)
        ]
        when = f" at time {frame.times[i]}" if frame.times is not None else ""
        problems.append(
            Problem(
                reason=f"{method} for {parent!r}: unit {frame.units[i]!r}{when} has {what} value(s) in "
                f"{', '.join(offending)}; normalise onto a positive range (e.g. l_u: [1, 100]) or use a_amean",
                file=source,
            )
        )
    return problems


def ranks(frame: Frame) -> Frame:
    values = np.full(frame.values.shape, np.nan)
    for _, rows in frame.slices():
        values[rows] = rstats.rank_min(frame.values[rows], descending=True)
    return frame.with_values(values)


def aggregate_many(
    frame: Frame,
    definition: IndexDefinition,
    methods: list[str],
    weight_sets: np.ndarray,
    code_index: dict[str, int],
    thresh: list[float | None],
    target: str,
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate one normalised frame under many weight sets at once (uncertainty analysis).

    ``weight_sets`` is (replications x codes) indexed by ``code_index``; ``methods`` and
    ``thresh`` give each replication's method and threshold per level (index ``level - 2``).
    Returns the target's scores (replications x units) and the replications that failed (a
    geometric or harmonic mean over a non-positive value, which COINr records as a failed run).
    """
    n_rep = weight_sets.shape[0]
    failed = np.zeros(n_rep, dtype=bool)
    columns: dict[str, np.ndarray] = {code: frame.values[:, j][None, :] for j, code in enumerate(frame.codes)}
    for level in range(2, definition.max_level + 1):
        method = methods[level - 2]
        for parent in definition.level_codes(level):
            kids = definition.children[parent]
            data = np.stack(
                [np.broadcast_to(columns[k], (n_rep, frame.values.shape[0])) for k in kids], axis=2
            )
            w = weight_sets[:, [code_index[k] for k in kids]][:, None, :]
            ok = ~np.isnan(data) & (w != 0)
            wm = np.where(ok, w, 0.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                if method == "a_amean":
                    y = np.where(ok, data * wm, 0.0).sum(axis=2) / wm.sum(axis=2)
                elif method == "a_gmean":
                    failed |= np.any(ok & (data <= 0), axis=(1, 2))
                    logs = np.where(ok & (data > 0), np.log(np.where(data > 0, data, 1.0)) * wm, 0.0)
                    y = np.exp(logs.sum(axis=2) / wm.sum(axis=2))
                else:
                    failed |= np.any(ok & (data == 0), axis=(1, 2))
                    inv = np.where(ok & (data != 0), wm / np.where(data == 0, 1.0, data), 0.0)
                    y = wm.sum(axis=2) / inv.sum(axis=2)
            n_ok = ok.sum(axis=2)
            y[n_ok == 0] = np.nan
            t = thresh[level - 2]
            if t is not None:
                y[n_ok / np.maximum((w != 0).sum(axis=2), 1) < t] = np.nan
            columns[parent] = y
    scores = np.broadcast_to(columns[target], (n_rep, frame.values.shape[0])).copy()
    scores[failed] = np.nan
    return scores, failed
