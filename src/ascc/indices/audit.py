"""Statistical audit of a build: indicator statistics, correlations, reliability and PCA.

- ``stats_<stage>.csv``: COINr ``get_stats`` columns for every indicator (unrounded), plus the
  share of missing values and the number of outliers by the boxplot rule (beyond 1.5 IQR from
  the quartiles, R type-7 quantiles);
- ``corr_indicators_pearson.csv`` / ``..._spearman.csv``: indicator by indicator, normalised data,
  pairwise complete observations as COINr ``get_corr``;
- ``corr_parents.csv``: each indicator and aggregate against its parent and against the index;
- ``corr_<level name>.csv``: the aggregates of each level against each other (pillars, ...);
- in these three, as COINr ``get_corr(pval = 0.05)``, a correlation whose p-value (``cor.test``:
  ``t = r sqrt((n - 2)/(1 - r^2))`` on ``n - 2`` degrees of freedom, two-sided, over the pair's
  complete observations) is above ``pval`` is left empty; ``pval = 0`` keeps them all.
  ``pvalues_indicators_pearson.csv`` / ``..._spearman.csv`` give the p-values themselves;
- ``corr_flags.csv``: COINr ``get_corr_flags``: pairs of indicators under the same aggregate of
  level ``grouplev`` (default 2) whose Pearson correlation (normalised data, not masked) is above
  ``cor_thresh`` (default 0.9; ``thresh_type: low``: below it), each pair once;
- ``corr_denominators.csv``: COINr ``get_denom_corr``: indicator and denominator pairs (raw data)
  whose correlation is above ``denom_thresh`` (default 0.6) in absolute value; only when the
  definition declares denominators;
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
from scipy.stats import t as student_t

from ascc.indices import rstats
from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import ComputeError, Problem
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


def correlation_pvalues(values: np.ndarray, method: str = "pearson") -> np.ndarray:
    """Two-sided p-values of the correlations (R ``cor.test``, t approximation), pairwise complete.

    ``t = r sqrt((n - 2) / (1 - r^2))`` with ``n - 2`` degrees of freedom, ``n`` the pair's complete
    observations. This is R's test for Pearson; for Spearman R uses the t approximation only with
    ties or n >= 1290, otherwise the AS 89 algorithm, so p-values near the level can differ.
    """
    r = correlation(values, method)
    ok = (~np.isnan(values)).astype(float)
    n = ok.T @ ok
    df = n - 2
    with np.errstate(invalid="ignore", divide="ignore"):
        t = np.abs(r) * np.sqrt(df / np.maximum(1 - r * r, 0.0))
        p = np.where(np.abs(r) >= 1, 0.0, 2 * student_t.sf(t, df))
    p[np.isnan(r) | (df < 1)] = np.nan
    lower = np.tril_indices_from(p, -1)
    p[lower] = p.T[lower]  # exactly symmetric
    np.fill_diagonal(p, 0.0)
    return p


def masked_correlation(values: np.ndarray, method: str = "pearson", pval: float = 0.05) -> np.ndarray:
    """COINr ``get_corr``: correlations whose p-value is above ``pval`` become NaN (0: none do)."""
    r = correlation(values, method)
    if pval > 0:
        r[correlation_pvalues(values, method) > pval] = np.nan
    return r


def correlation_flags(
    definition: IndexDefinition,
    values: np.ndarray,
    codes: tuple[str, ...],
    *,
    cor_thresh: float = 0.9,
    thresh_type: str = "high",
    grouplev: int = 2,
) -> pd.DataFrame:
    """COINr ``get_corr_flags``: indicator pairs in one group of ``grouplev`` correlated beyond the threshold."""
    r = correlation(values)
    group = {code: _ancestor(definition, code, grouplev) for code in codes}
    rows = []
    for i, a in enumerate(codes):
        for j in range(i + 1, len(codes)):
            b = codes[j]
            value = r[i, j]
            if group[a] != group[b] or np.isnan(value):
                continue
            if value > cor_thresh if thresh_type == "high" else value < cor_thresh:
                rows.append({"Group": group[a], "Ind1": a, "Ind2": b, "Corr": float(value)})
    return pd.DataFrame(rows, columns=["Group", "Ind1", "Ind2", "Corr"])


def denominator_correlations(
    indicators: np.ndarray, codes: tuple[str, ...], denominators: dict[str, np.ndarray], thresh: float = 0.6
) -> pd.DataFrame:
    """COINr ``get_denom_corr``: indicator and denominator pairs with ``|r| > thresh``, by indicator."""
    rows = []
    names = list(denominators)
    for j, code in enumerate(codes):
        for name in names:
            value = correlation(np.column_stack([indicators[:, j], denominators[name]]))[0, 1]
            if not np.isnan(value) and abs(value) > thresh:
                rows.append({"Ind": code, "Denom": name, "Corr": float(value)})
    rows.sort(key=lambda row: (row["Ind"].casefold(), row["Ind"]))
    return pd.DataFrame(rows, columns=["Ind", "Denom", "Corr"])


def _ancestor(definition: IndexDefinition, code: str, level: int) -> str:
    node = definition.by_code[code]
    while node.level < level and node.parent is not None:
        node = definition.by_code[node.parent]
    return node.code


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


def audit(
    result: Build,
    *,
    pval: float = 0.05,
    cor_thresh: float = 0.9,
    thresh_type: str = "high",
    grouplev: int = 2,
    denom_thresh: float = 0.6,
) -> dict[str, pd.DataFrame]:
    """All audit tables of a build, keyed by file name (the parameters are COINr's, see above)."""
    d = result.definition
    check_parameters(d, pval=pval, cor_thresh=cor_thresh, thresh_type=thresh_type, grouplev=grouplev)
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
            matrix = pd.DataFrame(masked_correlation(ind, method, pval), columns=list(norm.codes))
            matrix.insert(0, "iCode", list(norm.codes))
            add(f"corr_indicators_{method}.csv", matrix, time)
            pvalues = pd.DataFrame(correlation_pvalues(ind, method), columns=list(norm.codes))
            pvalues.insert(0, "iCode", list(norm.codes))
            add(f"pvalues_indicators_{method}.csv", pvalues, time)
        flags = correlation_flags(
            d, ind, norm.codes, cor_thresh=cor_thresh, thresh_type=thresh_type, grouplev=grouplev
        )
        add("corr_flags.csv", flags, time)
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
                    "Pearson.Parent": masked_correlation(pair_p, "pearson", pval)[0, 1],
                    "Spearman.Parent": masked_correlation(pair_p, "spearman", pval)[0, 1],
                    "Pearson.Index": masked_correlation(pair_i, "pearson", pval)[0, 1],
                    "Spearman.Index": masked_correlation(pair_i, "spearman", pval)[0, 1],
                }
            )
        add("corr_parents.csv", pd.DataFrame(parent_rows), time)
        for level in range(2, d.max_level):
            codes = d.level_codes(level)
            matrix = pd.DataFrame(
                masked_correlation(np.column_stack([col[c] for c in codes]), "pearson", pval),
                columns=list(codes),
            )
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
    denominators = result.dataset.denominators
    if d.units.denominator_names and denominators:
        raw = result.stages["raw"]
        for time, rows in raw.slices():
            by_name = {n: denominators[n][rows] for n in d.units.denominator_names if n in denominators}
            add(
                "corr_denominators.csv",
                denominator_correlations(raw.values[rows], raw.codes, by_name, denom_thresh),
                time,
            )
    return {name: pd.concat(parts, ignore_index=True) for name, parts in tables.items()}


def check_parameters(
    definition: IndexDefinition, *, pval: float, cor_thresh: float, thresh_type: str, grouplev: int
) -> None:
    problems = []
    if not 0 <= pval <= 1:
        problems.append(f"pval must be between 0 and 1, not {pval:g}")
    if not -1 <= cor_thresh <= 1:
        problems.append(f"cor_thresh must be between -1 and 1, not {cor_thresh:g}")
    if thresh_type not in ("high", "low"):
        problems.append(f"thresh_type must be high or low, not {thresh_type!r}")
    if not 2 <= grouplev <= definition.max_level:
        problems.append(f"grouplev must be a level from 2 to {definition.max_level}, not {grouplev}")
    if problems:
        raise ComputeError([Problem(reason=f"audit: {p}") for p in problems])


def _slug(name: str) -> str:
    return "".join(ch.lower() if ch.isalnum() else "_" for ch in name).strip("_") or "level"
