"""Outlier treatment (COINr ``Treat`` with its defaults), per indicator and time point.

1. Pass check (COINr ``check_SkewKurt``): an indicator passes when ``|skew| < skew_thresh`` OR
   ``kurt < kurt_thresh`` (defaults 2 and 3.5), i.e. it is treated only when both are exceeded.
   If the check cannot be made (no spread), the indicator is left untreated with a warning.
2. ``f1 = winsorise``: while the indicator fails and fewer than ``winmax`` points are winsorised,
   the highest value (if skew >= 0; else the lowest) and any value tied with it are set to the
   next highest (lowest) value. As in COINr, the count compared with ``winmax`` is the number of
   points set in the last step at the high end plus those at the low end, which, since tied points
   move together, is the number of points currently winsorised at each end.
3. If it still fails, ``f2`` is applied to the *original* values (to the winsorised ones with
   ``combine_treat``): ``log_CT`` = ``log(x - min + 0.01 (max - min))`` by default,
   ``log_CT_orig`` = ``log(x - min + 1)``, or Box-Cox with ``boxcox_lambda`` after ``x - min + 1``.
   The result is kept whether or not it passes; the details table records every check.
"""

from __future__ import annotations

import math

import numpy as np

from ascc.indices import rstats
from ascc.indices.data import Frame
from ascc.indices.errors import ComputeError, Problem
from ascc.indices.specs import TreatSpec, TreatSteps


def check_skew_kurt(sk: float, kt: float, spec: TreatSpec) -> bool | None:
    """R's ``(abs(sk) < t_s) | (kt < t_k)`` with R's NA logic: None when it cannot be decided."""
    a = None if math.isnan(sk) else abs(sk) < spec.skew_thresh
    b = None if math.isnan(kt) else kt < spec.kurt_thresh
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def _check(x: np.ndarray, spec: TreatSpec) -> tuple[bool | None, float, float]:
    sk, kt = rstats.skew_kurt(x)
    return check_skew_kurt(sk, kt, spec), sk, kt


def winsorise(x: np.ndarray, spec: TreatSpec) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """COINr ``winsorise``: the treated copy, ``nwin`` and the rows set high and low."""
    x = x.copy()
    passing, sk, _ = _check(x, spec)
    nwin = 0
    imax = np.array([], dtype=int)
    imin = np.array([], dtype=int)
    if passing is not True or spec.force_win:
        below = spec.winmax is None or nwin < spec.winmax
        while (passing is not True or spec.force_win) and below:
            ok = ~np.isnan(x)
            if sk >= 0:  # the skew of the current values, from the last check
                top = np.max(x[ok])
                imax = np.flatnonzero(x == top)
                rest = np.delete(x, imax)
                rest = rest[~np.isnan(rest)]
                if rest.size == 0:
                    break
                x[imax] = np.max(rest)
            else:
                bottom = np.min(x[ok])
                imin = np.flatnonzero(x == bottom)
                rest = np.delete(x, imin)
                rest = rest[~np.isnan(rest)]
                if rest.size == 0:
                    break
                x[imin] = np.min(rest)
            nwin = len(imax) + len(imin)
            below = spec.winmax is None or nwin < spec.winmax
            passing, sk, _ = _check(x, spec)
            if passing is None:
                break
    return x, nwin, imax, imin


def transform(x: np.ndarray, spec: TreatSpec) -> np.ndarray:
    ok = ~np.isnan(x)
    lo, hi = np.min(x[ok]), np.max(x[ok])
    with np.errstate(divide="ignore", invalid="ignore"):
        if spec.f2 == "log_CT":
            return np.log(x - lo + 0.01 * (hi - lo))
        if spec.f2 == "log_CT_orig":
            return np.log(x - lo + 1)
        shifted = x - lo + 1
        if spec.boxcox_lambda == 0:
            return np.log(shifted)
        return (np.power(shifted, spec.boxcox_lambda) - 1) / spec.boxcox_lambda


def treat(
    frame: Frame, steps: TreatSteps, *, warnings: list[str], source: str | None = None
) -> tuple[Frame, list[dict], list[tuple[int, str, str]]]:
    """Treated frame, one details row per (time point, indicator), treated points (row, code, how)."""
    values = frame.values.copy()
    details: list[dict] = []
    points: list[tuple[int, str, str]] = []
    for time, rows in frame.slices():
        block = values[rows]
        sk0, kt0, n0 = rstats.col_skew_kurt(block)
        for j, code in enumerate(frame.codes):
            spec = steps.for_code(code)
            row: dict = {"iCode": code}
            if time is not None:
                row["Time"] = time
            if not spec.enabled:
                details.append(row)
                continue
            if n0[j] < 4:
                when = f" at time {time}" if time is not None else ""
                raise ComputeError(
                    Problem(
                        reason=f"indicator {code!r}{when} has {int(n0[j])} values: skew and kurtosis need at least 4",
                        file=source,
                    )
                )
            x = block[:, j]
            passing = check_skew_kurt(float(sk0[j]), float(kt0[j]), spec)
            row.update(
                {
                    "check_SkewKurt0.Pass": passing,
                    "check_SkewKurt0.Skew": float(sk0[j]),
                    "check_SkewKurt0.Kurt": float(kt0[j]),
                }
            )
            if passing is None:
                warnings.append(f"{code}: skew/kurtosis check returned NA (no spread); left untreated")
                details.append(row)
                continue
            labels = np.full(len(x), "", dtype=object)
            x1 = x
            if not passing and spec.f1 == "winsorise":
                x1, nwin, imax, imin = winsorise(x, spec)
                labels[imax] = "winhi"
                labels[imin] = "winlo"
                passing, sk1, kt1 = _check(x1, spec)
                row.update(
                    {
                        "winsorise.nwin": nwin,
                        "check_SkewKurt1.Pass": passing,
                        "check_SkewKurt1.Skew": sk1,
                        "check_SkewKurt1.Kurt": kt1,
                    }
                )
                if passing is None:
                    warnings.append(
                        f"{code}: skew/kurtosis check returned NA after winsorising; left untreated"
                    )
                    details.append(row)
                    continue
            x2 = x1
            if not passing and spec.f2 != "none":
                base = x1 if spec.combine_treat else x
                if not spec.combine_treat:
                    labels[:] = ""
                x2 = transform(base, spec)
                passing, sk2, kt2 = _check(x2, spec)
                row.update(
                    {
                        "f2": spec.f2,
                        "check_SkewKurt2.Pass": passing,
                        "check_SkewKurt2.Skew": sk2,
                        "check_SkewKurt2.Kurt": kt2,
                    }
                )
                labels = np.array([f"{lab}+{spec.f2}" if lab else spec.f2 for lab in labels], dtype=object)
                labels[np.isnan(base)] = ""
            details.append(row)
            if x2 is not x:
                values[rows, j] = x2
                for i in np.flatnonzero(labels != ""):
                    points.append((int(rows[i]), code, str(labels[i])))
    return frame.with_values(values), details, points
