"""Statistical audit of a build: indicator statistics, correlations, reliability and PCA.

- ``stats_<stage>.csv``: COINr ``get_stats`` columns for every indicator (unrounded), plus the
  share of missing values and the number of outliers by the boxplot rule (beyond 1.5 IQR from
  the quartiles, R type-7 quantiles);
- ``corr_indicators_pearson.csv`` / ``..._spearman.csv``: indicator by indicator, normalised data,
  pairwise complete observations as COINr ``get_corr``;
- ``corr_parents.csv``: each indicator and aggregate against its parent and against the index;
- ``corr_<level name>.csv``: the aggregates of each level against each other (pillars, ...);
- ``cronbach.csv``: Cronbach's alpha of the children of each aggregate (COINr ``get_cronbach``:
  ``k/(k-1) * (1 - trace(C)/sum(C))`` with the pairwise covariance matrix ``C``);
- ``pca.csv`` and ``pca_loadings.csv``: per aggregation group, the variance explained by each
  principal component of the standardised children (units with missing values left out, as
  COINr ``get_PCA``), and the first component's loadings.

With panel data every table has a ``Time`` column and is computed per time point.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from ascc.indices import rstats
from ascc.indices.pipeline import Build


def indicator_stats(values: np.ndarray, codes: tuple[str, ...]) -> pd.DataFrame:
    sk, kt, n_avail = rstats.col_skew_kurt(values)
    means = rstats.col_mean(values)
    sds = rstats.col_sd(values)
    n = values.shape[0]
    rows = []
    for j, code in enumerate(codes):
        x = values[:, j]
        ok = x[~np.isnan(x)]
        q1, q3 = rstats.quantile7(ok, 0.25), rstats.quantile7(ok, 0.75)
        iqr = q3 - q1
        n_out = int(np.sum((ok < q1 - 1.5 * iqr) | (ok > q3 + 1.5 * iqr)))
        uniques, counts = np.unique(ok, return_counts=True)
        n_nonzero = int(np.sum(ok != 0))
        n_av = int(n_avail[j])
        rows.append(
            {
                "iCode": code,
                "Min": float(np.min(ok)) if ok.size else np.nan,
                "Max": float(np.max(ok)) if ok.size else np.nan,
                "Mean": float(means[j]),
                "Median": rstats.median(ok),
                "Std": float(sds[j]),
                "Skew": float(sk[j]),
                "Kurt": float(kt[j]),
                "N.Avail": n_av,
                "N.NonZero": n_nonzero,
                "N.Unique": len(uniques),
                "N.Same": int(counts.max()) if counts.size else 0,
                "Frc.Avail": n_av / n if n else np.nan,
                "Frc.Missing": 1 - n_av / n if n else np.nan,
                "Frc.NonZero": n_nonzero / n_av if n_av else np.nan,
                "Frc.Unique": len(uniques) / n_av if n_av else np.nan,
                "Frc.Same": counts.max() / n_av if n_av else np.nan,
                "N.Outliers": n_out,
                "Flag.Avail": "ok" if n and n_av / n >= 0.65 else "LOW",
                "Flag.NonZero": "ok" if n and n_nonzero / n >= 0.5 else "LOW",
                "Flag.Unique": "ok" if n and len(uniques) / n >= 0.5 else "LOW",
                "Flag.SkewKurt": "OUT" if abs(sk[j]) > 2 and kt[j] > 3.5 else "ok",
            }
        )
    return pd.DataFrame(rows)


def correlation(values: np.ndarray, method: str = "pearson") -> np.ndarray:
    """Correlation matrix with pairwise complete observations (R ``cor(use = "pairwise")``)."""
    k = values.shape[1]
    out = np.full((k, k), np.nan)
    complete = not np.isnan(values).any()
    if complete:
        data = _average_ranks(values) if method == "spearman" else values
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.corrcoef(data, rowvar=False)
        return np.atleast_2d(out)
    for i in range(k):
        for j in range(i, k):
            ok = ~np.isnan(values[:, i]) & ~np.isnan(values[:, j])
            if ok.sum() < 3:
                continue
            a, b = values[ok, i], values[ok, j]
            if method == "spearman":
                a, b = _average_ranks(a), _average_ranks(b)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[i, j] = out[j, i] = np.corrcoef(a, b)[0, 1]
    return out


def _average_ranks(x: np.ndarray) -> np.ndarray:
    """Ranks with ties averaged (what Spearman's correlation uses), column-wise."""
    return rankdata(x, method="average", axis=0)


def cronbach_alpha(values: np.ndarray) -> float:
    k = values.shape[1]
    if k < 2:
        return float("nan")
    frame = pd.DataFrame(values)
    cov = frame.cov(min_periods=2).to_numpy()
    total = np.nansum(cov)
    return float(k / (k - 1) * (1 - np.nansum(np.diag(cov)) / total)) if total else float("nan")


def pca(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Variances of the principal components, first-component loadings and units used."""
    complete = values[~np.isnan(values).any(axis=1)]
    if complete.shape[0] < 2 or values.shape[1] < 1:
        return np.array([]), np.full(values.shape[1], np.nan), complete.shape[0]
    sd = complete.std(axis=0, ddof=1)
    sd = np.where(sd > 0, sd, 1.0)
    z = (complete - complete.mean(axis=0)) / sd
    try:
        _, s, vt = np.linalg.svd(z, full_matrices=False)
    except np.linalg.LinAlgError:
        return np.array([]), np.full(values.shape[1], np.nan), complete.shape[0]
    variances = s**2 / (complete.shape[0] - 1)
    loadings = vt[0] if vt[0].sum() >= 0 else -vt[0]
    return variances, loadings, complete.shape[0]


def audit(result: Build) -> dict[str, pd.DataFrame]:
    """All audit tables of a build, keyed by file name."""
    d = result.definition
    agg = result.aggregated
    norm = result.stages["normalised"]
    tables: dict[str, list[pd.DataFrame]] = {}

    def add(name: str, table: pd.DataFrame, time: int | None) -> None:
        if time is not None:
            table.insert(0, "Time", time)
        tables.setdefault(name, []).append(table)

    for stage in ("raw", "treated"):
        frame = result.stages[stage]
        for time, rows in frame.slices():
            add(f"stats_{stage}.csv", indicator_stats(frame.values[rows], frame.codes), time)
    level_names = d.level_names or tuple(f"level{i}" for i in range(1, d.max_level + 1))
    for time, rows in agg.slices():
        ind = norm.values[rows]  # the aggregated rows are the normalised rows
        for method in ("pearson", "spearman"):
            matrix = pd.DataFrame(correlation(ind, method), columns=list(norm.codes))
            matrix.insert(0, "iCode", list(norm.codes))
            add(f"corr_indicators_{method}.csv", matrix, time)
        values = agg.values[rows]
        col = {c: values[:, j] for j, c in enumerate(agg.codes)}
        parent_rows = []
        for node in d.nodes:
            if node.parent is None:
                continue
            pair_p = np.column_stack([col[node.code], col[node.parent]])
            pair_i = np.column_stack([col[node.code], col[d.root]])
            parent_rows.append(
                {
                    "iCode": node.code,
                    "Level": node.level,
                    "Parent": node.parent,
                    "Pearson.Parent": correlation(pair_p)[0, 1],
                    "Spearman.Parent": correlation(pair_p, "spearman")[0, 1],
                    "Pearson.Index": correlation(pair_i)[0, 1],
                    "Spearman.Index": correlation(pair_i, "spearman")[0, 1],
                }
            )
        add("corr_parents.csv", pd.DataFrame(parent_rows), time)
        for level in range(2, d.max_level):
            codes = d.level_codes(level)
            matrix = pd.DataFrame(correlation(np.column_stack([col[c] for c in codes])), columns=list(codes))
            matrix.insert(0, "iCode", list(codes))
            add(f"corr_{_slug(level_names[level - 1])}.csv", matrix, time)
        alpha_rows, pca_rows, loading_rows = [], [], []
        for node in d.aggregates:
            kids = d.children[node.code]
            data = np.column_stack([col[k] for k in kids])
            alpha_rows.append(
                {
                    "iCode": node.code,
                    "Level": node.level,
                    "N.Items": len(kids),
                    "N.Complete": int((~np.isnan(data).any(axis=1)).sum()),
                    "Alpha": cronbach_alpha(data),
                }
            )
            variances, loadings, n_used = pca(data)
            total = variances.sum()
            cumulative = 0.0
            for k, var in enumerate(variances, start=1):
                cumulative += var / total
                pca_rows.append(
                    {
                        "iCode": node.code,
                        "Component": k,
                        "Variance": var,
                        "Proportion": var / total,
                        "Cumulative": cumulative,
                        "N.Units": n_used,
                    }
                )
            for kid, loading in zip(kids, loadings, strict=True):
                loading_rows.append({"iCode": node.code, "Child": kid, "PC1.Loading": loading})
        add("cronbach.csv", pd.DataFrame(alpha_rows), time)
        add("pca.csv", pd.DataFrame(pca_rows), time)
        add("pca_loadings.csv", pd.DataFrame(loading_rows), time)
    return {name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()}


def _slug(name: str) -> str:
    return "".join(ch.lower() if ch.isalnum() else "_" for ch in name).strip("_") or "level"
