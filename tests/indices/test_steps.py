"""Each method against its documented formula and COINr's edge-case behaviour, on small data."""

from __future__ import annotations

import numpy as np
import pytest

from ascc.indices import rstats
from ascc.indices.data import Frame
from ascc.indices.definition import parse_definition
from ascc.indices.errors import ComputeError, DataError
from ascc.indices.specs import (
    AggregateSpec,
    ImputeSpec,
    ImputeStep,
    NormaliseSpec,
    NormaliseSteps,
    ScreenSpec,
    TreatSpec,
    TreatSteps,
    WeightsSpec,
)
from ascc.indices.steps.aggregate import aggregate, weighted_mean
from ascc.indices.steps.impute import em_impute, impute
from ascc.indices.steps.normalise import normalise
from ascc.indices.steps.screen import screen
from ascc.indices.steps.treat import treat, winsorise


def tiny(directions=(1, -1), extra=None):
    """Two indicators a (positive) and b (negative) under one index."""
    raw = {
        "index": {"code": "T", "version": "1"},
        "indicators": [
            {"code": "a", "parent": "Idx", "direction": directions[0], "goalposts": [0, 10], "target": 8},
            {"code": "b", "parent": "Idx", "direction": directions[1], "goalposts": [0, 10], "target": 2},
        ],
        "aggregates": [{"code": "Idx", "parent": None}],
    }
    raw.update(extra or {})
    return parse_definition(raw)


def frame(values, units=None, codes=("a", "b"), times=None):
    values = np.asarray(values, dtype=float)
    units = np.array(units or [f"U{i}" for i in range(values.shape[0])], dtype=object)
    return Frame(units, None if times is None else np.asarray(times), tuple(codes), values)


# --- numerics --------------------------------------------------------------------------------


def test_skew_and_kurtosis_match_coinr_documentation():
    x = np.r_[np.arange(1, 11), 30, 100].astype(float)
    assert round(rstats.skew(x), 6) == 3.063241  # COINr treat vignette
    assert round(rstats.kurt(x), 6) == 9.741391
    sk, _, n = rstats.col_skew_kurt(np.column_stack([x, x * 2 + 1]))
    assert sk[0] == pytest.approx(sk[1]) and n[0] == 12


def test_rank_min_keeps_missing_and_shares_ties():
    x = np.array([3.0, 1.0, np.nan, 3.0, 2.0])
    assert np.array_equal(rstats.rank_min(x), [3, 1, np.nan, 3, 2], equal_nan=True)
    assert np.array_equal(rstats.rank_min(x, descending=True), [1, 4, np.nan, 1, 3], equal_nan=True)


def test_quantile_type_7_and_median():
    x = np.array([1.0, 2.0, 3.0, 4.0, 10.0])
    assert rstats.quantile7(x, 0.05) == pytest.approx(1.2)
    assert rstats.quantile7(x, 0.95) == pytest.approx(8.8)
    assert rstats.median(np.array([4.0, 1.0, np.nan, 2.0, 3.0])) == 2.5


# --- imputation ------------------------------------------------------------------------------


def test_impute_mean_median_and_group():
    d = tiny()
    f = frame([[1, 10], [np.nan, 20], [3, np.nan], [5, 40]])
    out = impute(f, ImputeSpec((ImputeStep("i_mean"),)), definition=d, groups={}, warnings=[])
    assert out.values[1, 0] == 3 and out.values[2, 1] == pytest.approx(70 / 3)
    out = impute(f, ImputeSpec((ImputeStep("i_median"),)), definition=d, groups={}, warnings=[])
    assert out.values[1, 0] == 3 and out.values[2, 1] == 20
    groups = {"g": np.array(["x", "x", "y", "y"], dtype=object)}
    out = impute(
        f, ImputeSpec((ImputeStep("i_mean_grp", use_group="g"),)), definition=d, groups=groups, warnings=[]
    )
    assert out.values[1, 0] == 1 and out.values[2, 1] == 40


def test_impute_group_without_label_is_left_missing_with_a_warning():
    d = tiny()
    f = frame([[1, 10], [np.nan, 20], [3, 30]])
    warnings: list[str] = []
    groups = {"g": np.array(["x", None, "x"], dtype=object)}
    out = impute(
        f,
        ImputeSpec((ImputeStep("i_mean_grp", use_group="g"),)),
        definition=d,
        groups=groups,
        warnings=warnings,
    )
    assert np.isnan(out.values[1, 0]) and "1 missing" in warnings[0]


def test_impute_panel_latest_respects_max_time_and_linear_interpolates():
    d = tiny()
    units = ["A"] * 4 + ["B"] * 4
    times = [2000, 2001, 2002, 2003] * 2
    values = [[1, 1], [np.nan, 2], [np.nan, 3], [np.nan, 4], [np.nan, 1], [2, 2], [np.nan, 3], [6, 4]]
    f = frame(values, units=units, times=times)
    latest = impute(f, ImputeSpec((ImputeStep("i_panel", max_time=2),)), definition=d, groups={}, warnings=[])
    assert latest.values[1:4, 0].tolist()[:2] == [1, 1] and np.isnan(latest.values[3, 0])
    assert np.isnan(latest.values[4, 0])  # nothing earlier: "latest" does not look forward
    linear = impute(
        f, ImputeSpec((ImputeStep("i_panel", imp_type="linear"),)), definition=d, groups={}, warnings=[]
    )
    assert linear.values[6, 0] == 4 and linear.values[4, 0] == 2  # interpolated; constant before the first
    constant = impute(
        f, ImputeSpec((ImputeStep("i_panel", imp_type="constant"),)), definition=d, groups={}, warnings=[]
    )
    assert constant.values[6, 0] == 2 and constant.values[3, 0] == 1


def test_em_imputation_uses_correlation():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(60, 1))
    x = np.hstack([z, 2 * z + 0.05 * rng.normal(size=(60, 1)), rng.normal(size=(60, 1))])
    holes = x.copy()
    holes[:10, 1] = np.nan
    filled = em_impute(holes)
    assert np.abs(filled[:10, 1] - x[:10, 1]).max() < 0.3
    mean_error = np.abs(np.nanmean(holes[:, 1]) - x[:10, 1]).mean()
    assert np.abs(filled[:10, 1] - x[:10, 1]).mean() < mean_error / 5
    assert np.array_equal(filled[10:], x[10:])


# --- screening -------------------------------------------------------------------------------


def test_screen_by_availability_zeros_and_force():
    f = frame([[1, 2], [np.nan, 3], [0, 0], [np.nan, np.nan]], units=["A", "B", "C", "D"])
    kept, summary = screen(f, ScreenSpec("byNA", dat_thresh=0.5))
    assert list(kept.units) == ["A", "B", "C"]
    assert summary[1]["Dat_Avail"] == 0.5 and summary[2]["Non_Zero"] == 0
    kept, _ = screen(f, ScreenSpec("byNAandzeros", dat_thresh=0.5, force_include=("D",)))
    assert list(kept.units) == ["A", "B", "D"]
    with pytest.raises(DataError, match="unknown unit"):
        screen(f, ScreenSpec("byNA", force_exclude=("ZZ",)))
    with pytest.raises(ComputeError, match="every unit"):
        screen(f, ScreenSpec("byNA", dat_thresh=1.0, force_exclude=("A", "C")))


# --- treatment -------------------------------------------------------------------------------


def test_winsorise_stops_when_the_check_passes():
    x = np.r_[np.arange(1, 11), 30, 100].astype(float)  # COINr's treat vignette example
    out, nwin, imax, _ = winsorise(x, TreatSpec(winmax=2))
    assert nwin == 1 and out.tolist() == [*range(1, 11), 30, 30] and imax.tolist() == [11]


def test_winsorise_counts_tied_points_as_coinr_does():
    x = np.r_[np.arange(1, 11), 30, 100].astype(float)
    out, nwin, imax, _ = winsorise(x, TreatSpec(winmax=2, force_win=True))
    # 100 -> 30 (1 point), then both 30s -> 10 together (2 points): nwin reaches winmax
    assert nwin == 2 and out.tolist() == [*range(1, 11), 10, 10] and sorted(imax) == [10, 11]


def test_log_fallback_applies_to_the_original_values():
    x = np.r_[np.ones(20), 2, 4, 8, 16, 32, 64, 128, 1000].astype(float)
    f = frame(np.column_stack([x, x]))
    out, details, points = treat(f, TreatSteps(TreatSpec(winmax=1)), warnings=[])
    row = details[0]
    assert row["check_SkewKurt0.Pass"] is False and row["check_SkewKurt1.Pass"] is False
    expected = np.log(x - x.min() + 0.01 * (x.max() - x.min()))
    assert np.array_equal(out.values[:, 0], expected)
    assert {how for _, code, how in points if code == "a"} == {"log_CT"}


def test_treatment_none_and_no_spread():
    f = frame(np.column_stack([np.ones(6), np.arange(6.0)]))
    warnings: list[str] = []
    out, details, _ = treat(f, TreatSteps(TreatSpec()), warnings=warnings)
    assert details[0]["check_SkewKurt0.Pass"] is None and "no spread" in warnings[0]
    assert np.array_equal(out.values, f.values)
    off, _, _ = treat(f, TreatSteps(TreatSpec(f1="none", f2="none")), warnings=[])
    assert np.array_equal(off.values, f.values)


def test_treatment_needs_four_values():
    with pytest.raises(ComputeError, match="at least 4"):
        treat(frame([[1, 2], [3, 4], [5, 9]]), TreatSteps(TreatSpec()), warnings=[])


# --- normalisation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "a", "b"),
    [
        (NormaliseSpec("n_minmax", l_u=(0, 100)), [0, 50, 100], [100, 50, 0]),
        (NormaliseSpec("n_minmax", l_u=(1, 10)), [1, 5.5, 10], [10, 5.5, 1]),
        (NormaliseSpec("n_zscore", m_sd=(10, 2)), [8, 10, 12], [12, 10, 8]),
        (NormaliseSpec("n_scaled", npara=(0, 4)), [50, 100, 150], [-50, -100, -150]),
        (NormaliseSpec("n_dist2max"), [0, 0.5, 1], [1, 0.5, 0]),
        (NormaliseSpec("n_fracmax"), [2 / 6, 4 / 6, 1], [1, 2, 3]),
        (NormaliseSpec("n_rank"), [1, 2, 3], [3, 2, 1]),
        (NormaliseSpec("n_prank"), [0, 0.5, 1], [1, 0.5, 0]),
        (NormaliseSpec("n_borda"), [0, 1, 2], [2, 1, 0]),
        (NormaliseSpec("n_goalposts", scale=100), [20, 40, 60], [80, 60, 40]),
        (NormaliseSpec("n_dist2targ"), [0, 1 / 3, 2 / 3], [1, 0.5, 0]),  # targets 8 and 2
        (NormaliseSpec("none"), [2, 4, 6], [-2, -4, -6]),
    ],
)
def test_normalise_methods(spec, a, b):
    d = tiny()
    f = frame([[2, 2], [4, 4], [6, 6]])
    out = normalise(f, NormaliseSteps(spec), definition=d, warnings=[])
    np.testing.assert_allclose(out.values[:, 0], a, atol=1e-12)
    np.testing.assert_allclose(out.values[:, 1], b, atol=1e-12)


def test_goalposts_truncate_and_dist2ref():
    d = tiny()
    f = frame([[-5, 20], [5, 5]], units=["A", "B"])
    out = normalise(f, NormaliseSteps(NormaliseSpec("n_goalposts")), definition=d, warnings=[])
    assert out.values.tolist() == [[0, 0], [0.5, 0.5]]
    out = normalise(f, NormaliseSteps(NormaliseSpec("n_dist2ref", ref_unit="B")), definition=d, warnings=[])
    assert out.values[1].tolist() == [1, 1]


def test_constant_indicator_gives_nan_and_a_warning():
    warnings: list[str] = []
    out = normalise(frame([[1, 1], [1, 2]]), NormaliseSteps(), definition=tiny(), warnings=warnings)
    assert np.isnan(out.values[:, 0]).all() and "range is 0" in warnings[0]


def test_panel_normalisation_pooled_or_per_year():
    d = tiny()
    f = frame([[0, 0], [10, 10], [5, 5], [20, 20]], units=["A", "B", "A", "B"], times=[1, 1, 2, 2])
    pooled = normalise(f, NormaliseSteps(panel="pooled"), definition=d, warnings=[])
    assert pooled.values[:, 0].tolist() == [0, 50, 25, 100]
    per_year = normalise(f, NormaliseSteps(panel="per_year"), definition=d, warnings=[])
    assert per_year.values[:, 0].tolist() == [0, 100, 0, 100]


# --- aggregation -----------------------------------------------------------------------------


def test_arithmetic_mean_drops_missing_and_rescales_weights():
    x = np.array([[10.0, 20.0, np.nan], [np.nan, np.nan, np.nan], [1.0, 2.0, 3.0]])
    y, _ = weighted_mean("a_amean", x, np.array([1.0, 3.0, 4.0]), None)
    assert y[0] == pytest.approx(17.5) and np.isnan(y[1]) and y[2] == pytest.approx(19 / 8)
    y, _ = weighted_mean("a_amean", x, np.ones(3), 0.7)
    assert np.isnan(y[0]) and y[2] == 2


def test_geometric_and_harmonic_means():
    x = np.array([[1.0, 4.0], [2.0, 8.0]])
    g, bad = weighted_mean("a_gmean", x, np.array([1.0, 1.0]), None)
    assert g.tolist() == pytest.approx([2.0, 4.0]) and not bad.any()
    h, _ = weighted_mean("a_hmean", x, np.array([1.0, 1.0]), None)
    assert h[0] == pytest.approx(2 / (1 + 0.25))


def test_geometric_mean_over_zero_names_unit_and_indicator():
    d = tiny(extra={"steps": {"aggregate": {"f_ag": "a_gmean"}}})
    f = frame([[1, 2], [0, 3]], units=["KHM", "LAO"])
    with pytest.raises(
        ComputeError, match=r"a_gmean for 'Idx': unit 'LAO' has zero or negative value\(s\) in a"
    ):
        aggregate(f, d.steps.aggregate, d.steps.weights, definition=d)


def test_zero_weight_excludes_and_custom_weights():
    d = tiny(extra={"steps": {"aggregate": {"f_ag": "a_gmean"}}})
    f = frame([[0, 4], [9, 16]])
    out, _ = aggregate(f, d.steps.aggregate, WeightsSpec(custom=(("a", 0.0),)), definition=d)
    assert out.column("Idx").tolist() == pytest.approx([4, 16])
    out, w = aggregate(f, AggregateSpec(), WeightsSpec(custom=(("a", 3.0),)), definition=d)
    assert out.column("Idx").tolist() == pytest.approx([1.0, 10.75]) and w["a"] == 3


def test_pca_weights():
    d = tiny()
    rng = np.random.default_rng(0)
    z = rng.normal(size=50)
    f = frame(np.column_stack([z, -z + 0.1 * rng.normal(size=50)]))
    _, w = aggregate(f, AggregateSpec(), WeightsSpec(method="pca"), definition=d)
    assert w["a"] + w["b"] == pytest.approx(1) and w["a"] == pytest.approx(0.5, abs=0.01)
