"""The progress method on hand-worked examples (the arithmetic is in each comment; docs/progress.md)."""

from __future__ import annotations

import math

import pytest

from ascc.monitoring.targets import progress
from ascc.monitoring.targets.progress import Status, aggregate, assess, cagr, classify, limit_coefficient


def test_cagr():
    # (110 / 100) ** (1/5) - 1 = 1.1 ** 0.2 - 1 = 0.019245
    assert cagr(100, 110, 5) == pytest.approx(0.019245, abs=1e-6)
    with pytest.raises(ValueError):
        cagr(100, 110, 0)


@pytest.mark.parametrize(
    ("start", "end", "direction", "status", "value"),
    [
        (100, 110, "higher", Status.substantial, 0.019245),  # 1.92 % a year ≥ 1.5 %
        (100, 105, "higher", Status.moderate, 0.009806),  # 1.05 ** 0.2 - 1 = 0.98 %: 0.5 % ≤ P < 1.5 %
        (100, 102, "higher", Status.limited, 0.003968),  # 0.40 %: 0 ≤ P < 0.5 %
        (100, 95, "higher", Status.deterioration, -0.010206),  # 0.95 ** 0.2 - 1 < 0
        (
            100,
            90,
            "lower",
            Status.substantial,
            0.020852,
        ),  # -(0.9 ** 0.2 - 1) = +2.09 % in the wanted direction
        (100, 110, "lower", Status.deterioration, -0.019245),
    ],
)
def test_trend_without_target(start, end, direction, status, value):
    r = assess({2015: start, 2018: start * 1.01, 2020: end}, direction=direction)
    assert r.status is status
    assert r.method == "trend"
    assert r.value == pytest.approx(value, abs=1e-6)
    assert (r.base_year, r.base_value, r.latest_year, r.latest_value) == (2015, start, 2020, end)


def test_target_higher_is_better():
    # base 50 (2015), target 80 by 2030, latest 60 (2020)
    # required: 1.6 ** (1/15) - 1 = 0.031830; observed: 1.2 ** (1/5) - 1 = 0.037137; R = 1.1667 ≥ 0.95
    r = assess({2015: 50, 2020: 60}, direction="higher", target_value=80, target_year=2030)
    assert r.method == "target"
    assert r.required_cagr == pytest.approx(0.031830, abs=1e-6)
    assert r.observed_cagr == pytest.approx(0.037137, abs=1e-6)
    assert r.value == pytest.approx(1.16673, abs=1e-4)
    assert r.status is Status.substantial


def test_target_lower_is_better_limited():
    # maternal mortality: base 200 (2015), target 70 by 2030, latest 180 (2020)
    # required: 0.35 ** (1/15) - 1 = -0.067596; observed: 0.9 ** 0.2 - 1 = -0.020852
    # R = -1 * -0.020852 / 0.067596 = 0.30848 → limited (0 ≤ R < 0.6); score = -5 + 5 * (0.90848 / 1.2) = -1.2147
    r = assess({2015: 200, 2020: 180}, direction="lower", target_value=70, target_year=2030)
    assert r.value == pytest.approx(0.30848, abs=1e-4)
    assert r.status is Status.limited
    assert r.score == pytest.approx(-1.2147, abs=1e-3)


def test_target_moderate_and_deterioration():
    # required 0.031830 (as above); latest 55 → 1.1 ** 0.2 - 1 = 0.019245; R = 0.6046 → moderate
    assert (
        assess({2015: 50, 2020: 55}, direction="higher", target_value=80, target_year=2030).status
        is Status.moderate
    )
    # latest 45: R < 0
    assert assess({2015: 50, 2020: 45}, direction="higher", target_value=80, target_year=2030).status is (
        Status.deterioration
    )


def test_target_achieved_regardless_of_trend():
    r = assess({2015: 200, 2018: 60, 2020: 65}, direction="lower", target_value=70, target_year=2030)
    assert r.status is Status.target_achieved
    assert r.score == 5


def test_stated_baseline_overrides_the_observed_value():
    # baseline 40 stated for 2015 (no 2015 observation); 40 → 60 over 5 years: 1.5 ** 0.2 - 1 = 0.084472
    r = assess({2019: 58, 2020: 60}, direction="higher", base_year=2015, baseline_value=40)
    assert (r.base_year, r.base_value) == (2015, 40)
    assert r.value == pytest.approx(0.084472, abs=1e-6)


def test_base_year_is_the_first_year_with_data_from_then_on():
    r = assess({2010: 1, 2016: 100, 2021: 110}, direction="higher")
    assert r.base_year == 2016 and r.base_value == 100
    assert assess({2010: 1, 2012: 2}, direction="higher", base_year=2015).status is Status.insufficient


def test_limit_scales_the_thresholds():
    # a share at 98 % of a 100 % limit: C = 1 - 0.98 ** 4.44 = 0.085793
    c = limit_coefficient(98, 100)
    assert c == pytest.approx(0.085793, abs=1e-5)
    # 98 → 99 over 5 years: (99/98) ** 0.2 - 1 = 0.0020325: limited without the limit, substantial with it
    assert assess({2015: 98, 2020: 99}, direction="higher").status is Status.limited
    scaled = assess({2015: 98, 2020: 99}, direction="higher", limit=100)
    assert scaled.status is Status.substantial
    assert scaled.thresholds["high"] == pytest.approx(0.015 * c)
    assert limit_coefficient(250, 100) == 1.0
    # at the limit and staying there: on track
    assert assess({2015: 100, 2020: 100}, direction="higher", limit=100).status is Status.substantial


def test_negative_series_flip_the_direction():
    # -10 → -5 (higher is better): 0.5 ** 0.2 - 1 = -0.129449; s = -1 → P = +0.129449
    r = assess({2015: -10, 2020: -5}, direction="higher")
    assert r.value == pytest.approx(0.129449, abs=1e-6)
    assert r.status is Status.substantial


@pytest.mark.parametrize(
    ("series", "kwargs", "reason"),
    [
        ({2015: 1, 2020: 2}, {"direction": None}, "no direction"),
        ({2015: 1, 2020: 2}, {"direction": "higher", "target_value": 3}, "target year"),
        ({}, {"direction": "higher"}, "no approved data"),
        ({2020: 5}, {"direction": "higher"}, "two years"),
        ({2015: 5, 2020: -1}, {"direction": "higher"}, "different signs"),
        (
            {2015: 5, 2020: 6},
            {"direction": "higher", "target_value": 9, "target_year": 2015},
            "after the base",
        ),
    ],
)
def test_insufficient_data(series, kwargs, reason):
    r = assess(series, **kwargs)
    assert r.status is Status.insufficient
    assert reason in r.reason
    assert r.score is None


def test_zero_base_is_replaced():
    r = assess({2015: 0, 2020: 1}, direction="higher")
    # 0 → 0.001: (1 / 0.001) ** 0.2 - 1 = 1000 ** 0.2 - 1 = 2.98107
    assert r.value == pytest.approx(2.98107, abs=1e-4)


def test_nan_values_are_dropped():
    assert assess({2015: 100, 2020: math.nan}, direction="higher").status is Status.insufficient


def test_classify_edges():
    t = progress.TARGET_THRESHOLDS
    assert classify(0.95, t) is Status.substantial
    assert classify(0.9499, t) is Status.moderate
    assert classify(0.6, t) is Status.moderate
    assert classify(0.0, t) is Status.limited
    assert classify(-0.0001, t) is Status.deterioration


def test_scores_and_aggregate():
    # trend P = 0.98 % → 0 + 2.5 * (0.009806 - 0.005) / 0.01 = 1.2015
    moderate = assess({2015: 100, 2020: 105}, direction="higher")
    assert moderate.score == pytest.approx(1.2015, abs=1e-3)
    # R = 0.95 → 5 * (0.95 - 0.6) / 0.7 = 2.5 exactly: the substantial band starts at 2.5
    assert progress.score(progress.Result(Status.substantial, 0.95, "target")) == pytest.approx(2.5)
    achieved = assess({2015: 200, 2020: 65}, direction="lower", target_value=70, target_year=2030)
    limited = assess({2015: 200, 2020: 180}, direction="lower", target_value=70, target_year=2030)
    # mean of 5 and -1.2147 = 1.8927 → moderate; target achieved only when all achieved
    status, mean, n = aggregate([achieved, limited, assess({}, direction="higher")])
    assert (status, n) == (Status.moderate, 2)
    assert mean == pytest.approx(1.8927, abs=1e-3)
    assert aggregate([achieved, achieved])[0] is Status.target_achieved
    assert aggregate([assess({}, direction="higher")]) == (Status.insufficient, None, 0)


# --- near a floor or ceiling (issue 17): Singapore's under-five mortality, per 1,000 live births --------


def test_singapore_unchanged_is_no_significant_change_not_limited():
    # 2.7 → 2.7: the growth is 0, which the plain method calls "limited" (0 ≤ P < 0.5 %)
    assert assess({2015: 2.7, 2023: 2.7}, direction="lower").status is Status.limited
    r = assess({2015: 2.7, 2023: 2.7}, direction="lower", tolerance=0.1)
    assert r.status is Status.stable and r.score is None and r.thresholds["tolerance"] == 0.1


def test_singapore_one_unit_up_is_no_significant_change_not_deterioration():
    # 8.2 → 8.3, published with one decimal: within one unit of the last decimal
    assert assess({2015: 8.2, 2023: 8.3}, direction="lower").status is Status.deterioration
    assert assess({2015: 8.2, 2023: 8.3}, direction="lower", tolerance=0.1).status is Status.stable
    # two units is a change
    assert assess({2015: 8.2, 2023: 8.4}, direction="lower", tolerance=0.1).status is Status.deterioration


def test_already_beyond_the_target_is_target_achieved():
    # SDG 3.2: under-five mortality at most 25 by 2030; Singapore was at 2.7 from the start
    r = assess({2015: 2.7, 2023: 2.8}, direction="lower", target_value=25, target_year=2030, tolerance=0.1)
    assert r.status is Status.target_achieved
    # even with a target year before the base year (a target "by 2015"), at or beyond it is achieved
    assert assess({2016: 2.7, 2023: 2.6}, direction="lower", target_value=25, target_year=2015).status is (
        Status.target_achieved
    )


def test_a_floor_scales_the_thresholds_for_lower_is_better():
    # best value (floor) 2.0: from 2.7, C = 1 - ((4 - 2.7) / 2) ** 4.44 = 0.852; a fall of 0.1 over 8 years
    # is (2.6 / 2.7) ** (1/8) - 1 = -0.471 %: +0.47 % in the wanted direction, ≥ 0.5 % × 0.852 = 0.43 %
    plain = assess({2015: 2.7, 2023: 2.6}, direction="lower")
    floored = assess({2015: 2.7, 2023: 2.6}, direction="lower", limit=2.0)
    assert plain.status is Status.limited and floored.status is Status.moderate
    assert floored.thresholds["coefficient"] == pytest.approx(0.852, abs=1e-3)
    # at the floor and staying there is substantial progress
    assert (
        assess({2015: 2.0, 2023: 2.0}, direction="lower", limit=2.0, tolerance=0.1).status
        is Status.substantial
    )


def test_aggregate_with_no_significant_change():
    stable = assess({2015: 2.7, 2023: 2.7}, direction="lower", tolerance=0.1)
    assert aggregate([stable, stable]) == (Status.stable, None, 2)
    better = assess({2015: 100, 2020: 90}, direction="lower")
    status, mean, n = aggregate([stable, better])
    assert (status, n) == (Status.substantial, 2) and mean == better.score
