"""Progress status of one series: the compound-growth method Open SDG uses (Statistics Canada's
progress measurement methodology). Pure functions, no database: see ``docs/progress.md``.

The observed compound annual growth rate from the base year ``t0`` to the latest year ``ti``::

    CAGR_obs = (y_i / y_0) ** (1 / (t_i - t_0)) - 1

**With a target** ``y_T`` for year ``t_T`` the observed rate is set against the rate needed to reach
the target on time, ``CAGR_req = (y_T / y_0) ** (1 / (t_T - t_0)) - 1``::

    R = s * d * CAGR_obs / |CAGR_req|

``d`` is +1 when higher is better and -1 when lower is better; ``s`` is -1 when the series is negative
(the method flips the direction for all-negative series). A latest value at or beyond the target is
*target achieved*; otherwise ``R >= 0.95`` substantial, ``0.60 <= R < 0.95`` moderate, ``0 <= R < 0.60``
limited and ``R < 0`` deterioration.

**Without a target** the signed observed rate ``P = s * d * CAGR_obs`` is set against fixed rates:
``P >= 1.5 %`` a year substantial, ``0.5 % <= P < 1.5 %`` moderate, ``0 <= P < 0.5 %`` limited,
``P < 0`` deterioration. When the indicator has a natural limit (100 % for a share) in the desired
direction, the positive thresholds are scaled by ``C`` (between 0 and 1) so that a series near its
limit can still be judged on track.

**Near a floor or ceiling** (issue 17: Singapore's under-five mortality 2.7 → 2.7 was "limited",
8.2 → 8.3 "deterioration"), in this order:

1. *Target achieved* (shown as "target met"): the latest value is at or beyond the target, however
   it got there, including a series that was beyond it from the start.
2. The indicator's best value (``limit``: a floor when lower is better, a ceiling when higher is
   better; 100 for a share of a whole, else ``Indicator.best_value``) scales the trend thresholds by
   ``C`` as above, in either direction; at the limit and staying there is substantial progress.
3. *No significant change*: the change from the base to the latest value is within the
   ``tolerance`` (the indicator's ``tolerance``, else one unit of the last published decimal,
   ``precision.tolerance``): two values published as 8.2 and 8.3 may be the same value rounded.
   Such a series has no score: the aggregate leaves it out of the mean but counts it as assessed,
   and is *no significant change* when every assessed series is.

Unable to assess (*insufficient data*): fewer than two years, base year not before the latest year,
no direction, values of both signs, or a target that is not on the desired side of the baseline
together with a zero required rate. A zero base or target value is replaced by 0.001 as the method
prescribes (the exponential model has no zero).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

SOURCE_URL = "https://open-sdg.readthedocs.io/en/latest/progress-methodology/"
#: thresholds on R (observed over required growth) when there is a target
TARGET_THRESHOLDS = {"high": 0.95, "med": 0.60, "low": 0.0}
#: thresholds on the signed compound annual growth rate when there is none
TREND_THRESHOLDS = {"high": 0.015, "med": 0.005, "low": 0.0}
#: exponent of the limit scaling factor
LIMIT_EXPONENT = 4.44
ZERO_REPLACEMENT = 0.001
#: the comparison allowance of floating-point values (0.1 + 0.2 is not 0.3)
EPSILON = 1e-9
#: the default base year: the ASCC Blueprint 2025 was adopted in 2015 (seed 003), as were the SDGs
DEFAULT_BASE_YEAR = 2015


class Status(StrEnum):
    target_achieved = "target_achieved"
    substantial = "substantial_progress"
    moderate = "moderate_progress"
    limited = "limited_progress"
    deterioration = "deterioration"
    stable = "no_significant_change"
    insufficient = "insufficient_data"


#: worst to best, for legends and sorting (no significant change sits between deterioration and progress)
ORDER = (
    Status.insufficient,
    Status.deterioration,
    Status.stable,
    Status.limited,
    Status.moderate,
    Status.substantial,
    Status.target_achieved,
)


@dataclass(frozen=True)
class Result:
    status: Status
    #: R (with a target) or the signed CAGR (without); None when not assessed
    value: float | None = None
    method: str | None = None  # "target" | "trend"
    base_year: int | None = None
    base_value: float | None = None
    latest_year: int | None = None
    latest_value: float | None = None
    observed_cagr: float | None = None
    required_cagr: float | None = None
    thresholds: dict[str, float] = field(default_factory=dict)
    reason: str | None = None
    score: float | None = None


def cagr(start: float, end: float, years: float) -> float:
    """Compound annual growth rate from ``start`` to ``end`` over ``years`` (> 0); both the same sign."""
    if years <= 0:
        raise ValueError("the growth period must be at least one year")
    return (end / start) ** (1 / years) - 1


def limit_coefficient(base: float, limit: float) -> float:
    """``C``: 1 far from the limit, 0 at it; the same at equal relative distances above and below."""
    b, lim = abs(base), abs(limit)
    if b >= 2 * lim:
        return 1.0
    if b <= lim:
        return 1 - (b / lim) ** LIMIT_EXPONENT
    return 1 - ((2 * lim - b) / lim) ** LIMIT_EXPONENT


def classify(value: float, thresholds: Mapping[str, float]) -> Status:
    if value >= thresholds["high"]:
        return Status.substantial
    if value >= thresholds["med"]:
        return Status.moderate
    if value >= thresholds["low"]:
        return Status.limited
    return Status.deterioration


def _interp(x: float, x0: float, x1: float, y0: float, y1: float) -> float:
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def score(result: Result) -> float | None:
    """The method's score from -5 to +5 (four equal bands per status), used to aggregate series."""
    if result.status is Status.target_achieved:
        return 5.0
    if result.value is None:
        return None
    v = result.value
    if result.method == "target":  # R: -60 % → -5, 60 % → 0, 130 % → +5, linear between
        if v <= -0.6:
            return -5.0
        if v < 0.6:
            return _interp(v, -0.6, 0.6, -5, 0)
        return min(_interp(v, 0.6, 1.3, 0, 5), 5.0)
    c = result.thresholds.get("coefficient", 1.0)
    if v < 0:  # -2 % → -5, 0 → -2.5
        return max(_interp(v, -0.02, 0, -5, -2.5), -5.0)
    if c == 0:
        return 5.0
    v = v / c  # back onto the unscaled thresholds: 0 → -2.5, 0.5 % → 0, 1.5 % → 2.5, 2 % → 5
    if v < 0.005:
        return _interp(v, 0, 0.005, -2.5, 0)
    if v < 0.015:
        return _interp(v, 0.005, 0.015, 0, 2.5)
    return min(_interp(v, 0.015, 0.02, 2.5, 5), 5.0)


def status_of_score(value: float) -> Status:
    if value >= 2.5:
        return Status.substantial
    if value >= 0:
        return Status.moderate
    if value >= -2.5:
        return Status.limited
    return Status.deterioration


def _insufficient(reason: str, **kw) -> Result:
    return Result(Status.insufficient, reason=reason, **kw)


def assess(
    series: Mapping[int, float] | Iterable[tuple[int, float]],
    *,
    direction: str | None,
    base_year: int | None = None,
    baseline_value: float | None = None,
    target_value: float | None = None,
    target_year: int | None = None,
    limit: float | None = None,
    tolerance: float | None = None,
) -> Result:
    """Progress of one series (year → value) from ``base_year`` (the first year with data from then
    on; default 2015) to its latest year. ``baseline_value`` (a stated baseline, e.g. from the plan)
    overrides the observed value in the base year. With ``target_value`` the target method is used
    (``target_year`` required); otherwise the trend method, with ``limit`` (the floor or ceiling) when
    the indicator has one. A change within ``tolerance`` is *no significant change*."""
    data = {
        int(y): float(v)
        for y, v in (series.items() if isinstance(series, Mapping) else series)
        if v is not None and not math.isnan(float(v))
    }
    if not data:
        return _insufficient("no approved data")
    latest_year = max(data)
    latest = data[latest_year]
    if direction not in ("higher", "lower"):
        return _insufficient(
            "the indicator has no direction (higher or lower is better)",
            latest_year=latest_year,
            latest_value=latest,
        )
    if target_value is not None and target_year is None:
        return _insufficient("a target needs a target year", latest_year=latest_year, latest_value=latest)
    wanted = DEFAULT_BASE_YEAR if base_year is None else base_year
    if baseline_value is not None and base_year is not None:
        t0, y0 = base_year, float(baseline_value)
    else:
        later = [y for y in data if y >= wanted]
        if not later:
            return _insufficient(f"no data from {wanted} on", latest_year=latest_year, latest_value=latest)
        t0 = min(later)
        y0 = data[t0] if baseline_value is None else float(baseline_value)
    common = {"base_year": t0, "base_value": y0, "latest_year": latest_year, "latest_value": latest}
    if latest_year - t0 < 1:
        return _insufficient("at least two years of data are needed", **common)
    d = 1 if direction == "higher" else -1
    achieved = target_value is not None and (latest >= target_value if d == 1 else latest <= target_value)
    base = ZERO_REPLACEMENT if y0 == 0 else y0
    if (base > 0 and latest < 0) or (base < 0 and latest > 0):
        return _insufficient("the base and latest values have different signs", **common)
    s = -1 if base < 0 else 1
    current = latest if latest != 0 else ZERO_REPLACEMENT * s
    observed = cagr(base, current, latest_year - t0)
    if target_value is not None:
        assert target_year is not None
        thresholds = dict(TARGET_THRESHOLDS)
        target = ZERO_REPLACEMENT * s if target_value == 0 else target_value
        valid = target_year > t0 and (target > 0) == (base > 0)
        if achieved and not valid:  # at or beyond the target, whatever the target's year or sign
            return _scored(
                Result(
                    Status.target_achieved,
                    None,
                    "target",
                    observed_cagr=observed,
                    thresholds=thresholds,
                    **common,
                )
            )
        if target_year <= t0:
            return _insufficient("the target year must come after the base year", **common)
        if (target > 0) != (base > 0):
            return _insufficient("the target and the base value have different signs", **common)
        required = cagr(base, target, target_year - t0)
        if achieved:
            result = Result(
                Status.target_achieved,
                None,
                "target",
                observed_cagr=observed,
                required_cagr=required,
                thresholds=thresholds,
                **common,
            )
            return _scored(result)
        if _within(y0, latest, tolerance):
            return Result(
                Status.stable,
                observed,
                "target",
                observed_cagr=observed,
                required_cagr=required,
                thresholds=thresholds | {"tolerance": tolerance or 0.0},
                **common,
            )
        if required == 0:
            return _insufficient("the target equals the baseline but is not reached", **common)
        value = s * d * observed / abs(required)
        return _scored(
            Result(
                classify(value, thresholds),
                value,
                "target",
                observed_cagr=observed,
                required_cagr=required,
                thresholds=thresholds,
                **common,
            )
        )
    thresholds = dict(TREND_THRESHOLDS)
    value = s * d * observed
    if limit is not None:
        c = limit_coefficient(y0, limit)
        thresholds = {k: (t * c if t > 0 else t) for k, t in thresholds.items()} | {"coefficient": c}
        at_limit = c == 0 or (tolerance is not None and abs(latest - limit) <= tolerance + EPSILON)
        if at_limit and (value >= 0 or _within(y0, latest, tolerance)):  # at the limit and staying there
            return _scored(
                Result(
                    Status.substantial,
                    value,
                    "trend",
                    observed_cagr=observed,
                    thresholds=thresholds,
                    **common,
                )
            )
    if _within(y0, latest, tolerance):
        return Result(
            Status.stable,
            value,
            "trend",
            observed_cagr=observed,
            thresholds=thresholds | {"tolerance": tolerance or 0.0},
            **common,
        )
    return _scored(
        Result(
            classify(value, thresholds),
            value,
            "trend",
            observed_cagr=observed,
            thresholds=thresholds,
            **common,
        )
    )


def _within(base: float, latest: float, tolerance: float | None) -> bool:
    """The change from ``base`` to ``latest`` is no larger than ``tolerance`` (None: no tolerance)."""
    return tolerance is not None and abs(latest - base) <= tolerance + EPSILON


def _scored(result: Result) -> Result:
    return Result(**{**result.__dict__, "score": score(result)})


def aggregate(results: Iterable[Result]) -> tuple[Status, float | None, int]:
    """The method's aggregate: the mean score of the assessed series, its status, and how many series
    were assessed. Target achieved only when every assessed series achieved its target. A series with
    no significant change counts as assessed but has no score; when every assessed series is such,
    so is the aggregate."""
    results = list(results)
    assessed = [r for r in results if r.score is not None]
    stable = sum(1 for r in results if r.status is Status.stable)
    if not assessed:
        return (Status.stable, None, stable) if stable else (Status.insufficient, None, 0)
    mean = sum(r.score for r in assessed if r.score is not None) / len(assessed)
    if not stable and all(r.status is Status.target_achieved for r in assessed):
        return Status.target_achieved, mean, len(assessed)
    return status_of_score(mean), mean, len(assessed) + stable
