"""Numerics that reproduce R's, so results agree with COINr to the last few bits.

R sums and means accumulate in ``long double`` (80-bit extended on x86-64) in input order, and
``mean()`` adds a second correcting pass; ``var()`` is two-pass with the same mean. numpy's own
``sum`` is pairwise in double precision, which differs in the last bits, so the column-wise
functions here use ``cumsum`` in ``np.longdouble`` (sequential, like R). Missing values (NaN)
are skipped (``na.rm = TRUE``) by adding an exact zero in their place, which leaves a sequential
sum unchanged.

Skewness and kurtosis are COINr's ``skew()`` and ``kurt()`` (e1071 type 2, as in Excel):

    skew = sqrt(n) * Σd³ / (Σd²)^(3/2) * sqrt(n(n-1)) / (n-2)
    kurt = ((n+1) * (n Σd⁴ / (Σd²)² - 3) + 6) * (n-1) / ((n-2)(n-3))

with d the deviations from the R mean. Ranks are R's ``rank(x, ties.method = "min",
na.last = "keep")`` and quantiles R's default type 7.
"""

from __future__ import annotations

import math

import numpy as np

LD = np.longdouble


def _as_2d(x: np.ndarray) -> tuple[np.ndarray, bool]:
    x = np.asarray(x, dtype=float)
    return (x[:, None], True) if x.ndim == 1 else (x, False)


def col_sum(x: np.ndarray) -> np.ndarray:
    """Column sums ignoring NaN, accumulated sequentially in long double (R ``sum``)."""
    x2, flat = _as_2d(x)
    if x2.shape[0] == 0:
        out = np.zeros(x2.shape[1])
    else:
        out = np.cumsum(np.where(np.isnan(x2), 0.0, x2), axis=0, dtype=LD)[-1].astype(float)
    return out[0] if flat else out


def col_mean(x: np.ndarray) -> np.ndarray:
    """Column means ignoring NaN (R ``mean(x, na.rm = TRUE)``); NaN for an empty column."""
    x2, flat = _as_2d(x)
    ok = ~np.isnan(x2)
    n = ok.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if x2.shape[0] == 0:
            out = np.full(x2.shape[1], np.nan)
        else:
            s = np.cumsum(np.where(ok, x2, 0.0), axis=0, dtype=LD)[-1] / n
            dev = np.where(ok, x2.astype(LD) - s, LD(0))
            t = np.cumsum(dev, axis=0, dtype=LD)[-1]
            out = (s + t / n).astype(float)
            out[n == 0] = np.nan
    return out[0] if flat else out


def col_var(x: np.ndarray) -> np.ndarray:
    """Sample variances ignoring NaN (R ``var(x, na.rm = TRUE)``); NaN when fewer than 2 values."""
    x2, flat = _as_2d(x)
    ok = ~np.isnan(x2)
    n = ok.sum(axis=0)
    m = col_mean(x2)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(ok, x2 - m, 0.0)
        s = np.cumsum(d * d, axis=0, dtype=LD)[-1] if x2.shape[0] else np.zeros(x2.shape[1], dtype=LD)
        out = (s / (n - 1)).astype(float)
    out[n < 2] = np.nan
    return out[0] if flat else out


def col_sd(x: np.ndarray) -> np.ndarray:
    return np.sqrt(col_var(x))


def col_skew_kurt(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COINr ``skew()`` and ``kurt()`` of every column (NaN skipped), and the counts used.

    NaN where a column has too few values (skew needs 3, kurtosis 4) or no spread.
    """
    x2, flat = _as_2d(x)
    ok = ~np.isnan(x2)
    n = ok.sum(axis=0).astype(float)
    m = col_mean(x2)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.where(ok, x2 - m, 0.0)
        d2 = d * d
        s2 = np.cumsum(d2, axis=0, dtype=LD)[-1].astype(float)
        s3 = np.cumsum(np.power(d, 3.0), axis=0, dtype=LD)[-1].astype(float)
        s4 = np.cumsum(np.power(d, 4.0), axis=0, dtype=LD)[-1].astype(float)
        sk = np.sqrt(n) * s3 / np.power(s2, 1.5)
        sk = sk * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * s4 / (s2 * s2)
        kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    sk[n < 3] = np.nan
    kt[n < 4] = np.nan
    if flat:
        return sk[0], kt[0], n[0]
    return sk, kt, n


def skew_kurt(x: np.ndarray) -> tuple[float, float]:
    """COINr ``skew()`` and ``kurt()`` of one vector (NaN skipped): the fast path for loops."""
    v = np.asarray(x, dtype=float)
    v = v[~np.isnan(v)]
    n = v.size
    if n < 3:
        return math.nan, math.nan
    vl = v.astype(LD)
    s = vl.sum() / n
    m = float(s + (vl - s).sum() / n)
    d = v - m
    d2 = d * d
    s2 = float(d2.astype(LD).sum())
    s3 = float((d2 * d).astype(LD).sum())
    s4 = float((d2 * d2).astype(LD).sum())
    if s2 == 0:
        return math.nan, math.nan
    sk = math.sqrt(n) * s3 / s2**1.5
    sk = sk * math.sqrt(n * (n - 1)) / (n - 2)
    if n < 4:
        return sk, math.nan
    r = n * s4 / (s2 * s2)
    kt = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return sk, kt


def skew(x: np.ndarray) -> float:
    return skew_kurt(x)[0]


def kurt(x: np.ndarray) -> float:
    return skew_kurt(x)[1]


def median(x: np.ndarray) -> float:
    """R ``median(x, na.rm = TRUE)``: the middle value, or the long-double mean of the two."""
    v = np.sort(np.asarray(x, dtype=float)[~np.isnan(x)])
    n = v.size
    if n == 0:
        return float("nan")
    half = (n + 1) // 2
    if n % 2 == 1:
        return float(v[half - 1])
    return float((LD(v[half - 1]) + LD(v[half])) / 2)


def quantile7(x: np.ndarray, prob: float) -> float:
    """R ``quantile(x, prob, type = 7, na.rm = TRUE)``, with R's interpolation formula."""
    v = np.sort(np.asarray(x, dtype=float)[~np.isnan(x)])
    n = v.size
    if n == 0:
        return float("nan")
    index = (n - 1) * prob
    lo = int(np.floor(index))
    hi = int(np.ceil(index))
    q = v[lo]
    h = index - lo
    if index > lo and v[hi] != q:
        q = (1 - h) * q + h * v[hi]
    return float(q)


def rank_min(x: np.ndarray, *, descending: bool = False) -> np.ndarray:
    """R ``rank(x, ties.method = "min", na.last = "keep")``; ``descending`` ranks ``-x``.

    Works on a vector, or column-wise on a matrix. Ranks are floats so that NaN can be kept.
    """
    x2, flat = _as_2d(x)
    v = -x2 if descending else x2
    if v.shape[0] <= 600:
        # rank = 1 + number of values strictly below; NaN compares false and is not counted
        out = 1.0 + (v[:, None, :] > v[None, :, :]).sum(axis=1)
        out[np.isnan(v)] = np.nan
    else:
        out = np.full(v.shape, np.nan)
        for j in range(v.shape[1]):
            col = v[:, j]
            ok = ~np.isnan(col)
            out[ok, j] = np.searchsorted(np.sort(col[ok]), col[ok], side="left") + 1
    return out[:, 0] if flat else out


def rank_rows_desc(scores: np.ndarray) -> np.ndarray:
    """Row-wise ``rank(-x, ties.method = "min")`` of a (replications x units) matrix, NaN kept."""
    s = np.asarray(scores, dtype=float)
    out = np.full(s.shape, np.nan)
    chunk = max(1, 2_000_000 // max(1, s.shape[1] ** 2))
    for start in range(0, s.shape[0], chunk):
        block = s[start : start + chunk]
        higher = (block[:, None, :] > block[:, :, None]).sum(axis=2)
        ranks = 1.0 + higher
        ranks[np.isnan(block)] = np.nan
        out[start : start + chunk] = ranks
    return out
