"""Imputation of missing values (COINr ``Impute``, column by column, per time point).

- ``i_mean`` / ``i_median``: the indicator's mean or median over the units with data;
- ``i_mean_grp`` / ``i_median_grp``: the same within each group of ``use_group`` (COINr's
  ``skip_f_na``: units without a group are left alone);
- ``i_panel``: COINr ``impute_panel``: ``latest`` takes the unit's most recent earlier observation,
  looking back at most ``max_time`` time points; ``constant`` and ``linear`` interpolate over time
  and carry the nearest value past either end (``approx(rule = 2)``);
- ``i_em``: expectation-maximisation under a multivariate normal model, within the indicator
  groups of ``group_level`` (default: the pillars). This is not a COINr method (COINr v1 has none);
  it is the "EM-like iterative" option: missing values are replaced by their conditional
  expectation given the unit's other values, and the mean and covariance (plus the conditional
  covariance of the imputed values) re-estimated, until the imputed values change by less than
  ``tol`` (relative to each indicator's spread) or ``max_iter`` is reached.

Steps run in the order given, so a panel imputation can be followed by a cross-sectional one.
Observed values are never changed. Values no method can fill stay missing, with a warning.
"""

from __future__ import annotations

import numpy as np

from ascc.indices import rstats
from ascc.indices.data import Frame
from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import ComputeError, DataError, Problem
from ascc.indices.specs import ImputeSpec, ImputeStep


def impute(
    frame: Frame,
    spec: ImputeSpec,
    *,
    definition: IndexDefinition,
    groups: dict[str, np.ndarray],
    warnings: list[str],
) -> Frame:
    values = frame.values
    for step in spec.steps:
        if not np.isnan(values).any():
            break
        if step.f_i == "i_panel":
            values = _panel(frame.with_values(values), step, definition)
        else:
            values = values.copy()
            for _, rows in frame.slices():
                block = values[rows]
                if step.f_i in ("i_mean", "i_median"):
                    values[rows] = _fill_columns(block, step.f_i == "i_median")
                elif step.f_i in ("i_mean_grp", "i_median_grp"):
                    values[rows] = _fill_groups(
                        block, groups[step.use_group][rows], step.f_i == "i_median_grp"
                    )
                elif step.f_i == "i_em":
                    values[rows] = _em_by_group(block, frame.codes, step, definition)
    remaining = int(np.isnan(values).sum())
    if remaining and spec.steps:
        warnings.append(f"after imputation there are still {remaining} missing values")
    return frame.with_values(values)


def _fill_columns(block: np.ndarray, median: bool) -> np.ndarray:
    missing = np.isnan(block)
    if not missing.any():
        return block
    if median:
        centre = np.array([rstats.median(block[:, j]) for j in range(block.shape[1])])
    else:
        centre = rstats.col_mean(block)
    return np.where(missing, centre, block)


def _fill_groups(block: np.ndarray, labels: np.ndarray, median: bool) -> np.ndarray:
    out = block.copy()
    for label in sorted({g for g in labels if g is not None}):
        rows = np.flatnonzero(labels == label)
        out[rows] = _fill_columns(block[rows], median)
    return out


def _panel(frame: Frame, step: ImputeStep, definition: IndexDefinition) -> np.ndarray:
    if frame.times is None:
        raise DataError(
            Problem(reason="i_panel needs panel data (several time points)", file=definition.file)
        )
    years = np.unique(frame.times)
    units = np.unique(frame.units)
    yi = np.searchsorted(years, frame.times)
    ui = np.searchsorted(units, frame.units)
    cube = np.full((len(years), len(units), len(frame.codes)), np.nan)
    cube[yi, ui] = frame.values
    filled = cube.copy()
    if step.imp_type == "latest":
        depth = len(years) - 1 if step.max_time is None else min(step.max_time, len(years) - 1)
        for k in range(1, depth + 1):
            earlier = np.full_like(cube, np.nan)
            earlier[k:] = cube[:-k]
            filled = np.where(np.isnan(filled), earlier, filled)
    else:
        x = years.astype(float)
        for u in range(len(units)):
            for j in range(len(frame.codes)):
                y = cube[:, u, j]
                ok = ~np.isnan(y)
                if ok.all() or not ok.any():
                    continue
                if step.imp_type == "linear":
                    filled[:, u, j] = np.interp(x, x[ok], y[ok])
                else:
                    idx = np.maximum.accumulate(np.where(ok, np.arange(len(y)), -1))
                    first = np.flatnonzero(ok)[0]
                    filled[:, u, j] = y[np.where(idx < 0, first, idx)]
    return np.where(np.isnan(frame.values), filled[yi, ui], frame.values)


def _em_by_group(
    block: np.ndarray, codes: tuple[str, ...], step: ImputeStep, definition: IndexDefinition
) -> np.ndarray:
    level = step.group_level or min(2, definition.max_level)
    out = block.copy()
    groups: dict[str, list[int]] = {}
    for j, code in enumerate(codes):
        groups.setdefault(_ancestor(definition, code, level), []).append(j)
    for cols in groups.values():
        try:
            out[:, cols] = em_impute(block[:, cols], max_iter=step.max_iter, tol=step.tol)
        except np.linalg.LinAlgError as exc:
            codes_ = ", ".join(codes[j] for j in cols)
            raise ComputeError(
                Problem(reason=f"i_em failed for {codes_}: {exc}", file=definition.file)
            ) from None
    return out


def _ancestor(definition: IndexDefinition, code: str, level: int) -> str:
    node = definition.by_code[code]
    while node.level < level and node.parent is not None:
        node = definition.by_code[node.parent]
    return node.code


def em_impute(x: np.ndarray, *, max_iter: int = 200, tol: float = 1e-8) -> np.ndarray:
    """EM estimates of the missing entries of ``x`` (rows: units) under a multivariate normal.

    Columns are standardised first; a small ridge (1e-6) keeps the covariance invertible when
    there are about as many indicators as units. Columns without any value stay missing.
    """
    missing = np.isnan(x)
    if not missing.any():
        return x
    usable = ~missing.all(axis=0)
    out = x.copy()
    z = x[:, usable]
    miss = missing[:, usable]
    if z.shape[1] == 0:
        return out
    centre = rstats.col_mean(z)
    scale = rstats.col_sd(z)
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)
    z = (z - centre) / scale
    n, p = z.shape
    filled = np.where(miss, 0.0, z)
    rows = [(i, ~miss[i], miss[i]) for i in np.flatnonzero(miss.any(axis=1))]
    mu = filled.mean(axis=0)
    cov = (filled - mu).T @ (filled - mu) / n
    for _ in range(max_iter):
        sigma = cov + 1e-6 * np.eye(p)
        correction = np.zeros((p, p))
        new = filled.copy()
        for i, obs, mis in rows:
            if obs.any():
                s_mo = sigma[np.ix_(mis, obs)]
                coef = np.linalg.solve(sigma[np.ix_(obs, obs)], s_mo.T).T
                new[i, mis] = mu[mis] + coef @ (z[i, obs] - mu[obs])
                correction[np.ix_(mis, mis)] += sigma[np.ix_(mis, mis)] - coef @ s_mo.T
            else:
                new[i, mis] = mu[mis]
                correction[np.ix_(mis, mis)] += sigma[np.ix_(mis, mis)]
        change = np.max(np.abs(new - filled))
        filled = new
        # M-step: the covariance includes the conditional covariance of the imputed entries
        mu = filled.mean(axis=0)
        cov = ((filled - mu).T @ (filled - mu) + correction) / n
        if change < tol:
            break
    result = filled * scale + centre
    block = out[:, usable]
    block[miss] = result[miss]
    out[:, usable] = block
    return out
