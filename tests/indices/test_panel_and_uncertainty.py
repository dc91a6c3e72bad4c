"""Panel builds (several years at once) and the uncertainty and sensitivity analysis."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from ascc.indices import service, uncertainty
from ascc.indices.definition import load_definition
from ascc.indices.pipeline import build
from ascc.indices.specs import NormaliseSteps
from tests.indices.conftest import ASEM, EXAMPLES, needs_asem


@pytest.fixture(scope="module")
def panel(tmp_path_factory):
    if not ASEM.exists():
        pytest.skip(f"COINr ASEM data not found at {ASEM}")
    # COINr's build_example_purse(): screen, treat, normalise globally, aggregate
    text = (EXAMPLES / "asem.yaml").read_text()
    text = text.replace("  denominate: {method: metadata}\n", "  denominate: none\n").replace(
        "  impute: {f_i: i_mean_grp, use_group: EurAsia_group}\n", "  impute: none\n"
    )
    path = tmp_path_factory.mktemp("panel") / "asem_panel.yaml"
    path.write_text(text)
    return service.load(definition=path, data=ASEM / "asem_idata_panel.csv", meta=ASEM / "asem_imeta.csv")


def test_panel_is_keyed_by_unit_and_time(panel):
    definition, dataset = panel
    result = build(definition, dataset)
    table = result.aggregated.to_pandas()
    assert list(table.columns[:2]) == ["uCode", "Time"]
    assert sorted(table["Time"].unique()) == [2018, 2019, 2020, 2021, 2022]
    ranks = result.ranks.to_pandas()
    for _, year in ranks.groupby("Time"):
        assert year["Index"].min() == 1  # ranks are within each year


def test_pooled_normalisation_compares_years(panel):
    definition, dataset = panel
    pooled = build(definition, dataset).stages["normalised"].to_pandas()
    steps = replace(definition.steps, normalise=replace(definition.steps.normalise, panel="per_year"))
    per_year = build(definition, dataset, steps=steps).stages["normalised"].to_pandas()
    codes = list(definition.indicator_codes)
    assert pooled[codes].min().min() == 0 and pooled[codes].max().max() == 100
    by_year = pooled.groupby("Time")[codes]
    assert (by_year.max() < 100).any().any()  # not every year reaches the pooled maximum
    assert (per_year.groupby("Time")[codes].max() == 100).all().all()
    assert isinstance(definition.steps.normalise, NormaliseSteps)


def test_panel_treatment_runs_per_year(panel):
    definition, dataset = panel
    details = pd.DataFrame(build(definition, dataset).treat_details)
    assert sorted(details["Time"].unique()) == [2018, 2019, 2020, 2021, 2022]
    assert len(details) == 5 * 49


# --- sensitivity estimators -------------------------------------------------------------------


def test_sensitivity_indices_converge_on_a_linear_model():
    rng = np.random.default_rng(1)
    coef = np.array([1.0, 2.0, 3.0])
    n = 4000
    sample = uncertainty.saltelli_sample(n, 3, rng)
    y = sample @ coef
    table, var = uncertainty.sensitivity_indices(y, n, 3, n_boot=200, rng=rng)
    exact = coef**2 / (coef**2).sum()  # additive model: first-order = total
    assert var == pytest.approx((coef**2).sum() / 12, rel=0.05)
    np.testing.assert_allclose(table["Si"], exact, atol=0.03)
    np.testing.assert_allclose(table["STi"], exact, atol=0.03)
    assert ((table["Si_q5"] <= exact + 0.02) & (exact - 0.02 <= table["Si_q95"])).all()
    assert (table["STi_q95"] - table["STi_q5"] < 0.05).all()


def test_saltelli_design_layout():
    sample = uncertainty.saltelli_sample(5, 3, np.random.default_rng(0))
    a, b, ab = sample[:5], sample[5:10], sample[10:].reshape(3, 5, 3)
    for i in range(3):
        assert np.array_equal(ab[i][:, i], b[:, i])
        assert np.array_equal(np.delete(ab[i], i, axis=1), np.delete(a, i, axis=1))


@pytest.fixture(scope="module")
def asem_sa(asem_inputs):
    definition, dataset = asem_inputs
    return uncertainty.run(definition, dataset, replace(definition.uncertainty, n=300, n_boot=200))


@needs_asem
def test_asem_sensitivity(asem_sa):
    sens = asem_sa.sensitivity.set_index("Factor")
    assert len(asem_sa.output) == 300 * 6 and not asem_sa.failed.any()
    # COINr's finding for this example: the aggregation method matters most, imputation least
    assert sens["STi"].idxmax() == "aggregation" and sens["STi"].idxmin() == "imputation"
    assert (sens["STi"] >= sens["Si"] - 0.05).all()
    assert (sens["Si_q5"] <= sens["Si"]).all() and (sens["Si"] <= sens["Si_q95"]).all()


@needs_asem
def test_rank_intervals_surround_nominal_ranks(asem_sa, asem):
    stats = asem_sa.rank_stats()
    assert list(stats["uCode"]) == list(asem.aggregated.units)
    assert np.array_equal(stats["Nominal"].to_numpy(), asem.ranks.column("Index"))
    inside = (stats["Q5"] <= stats["Nominal"]) & (stats["Nominal"] <= stats["Q95"])
    assert inside.mean() > 0.9


@needs_asem
def test_uncertainty_is_reproducible_and_flags_non_convergence(asem_inputs):
    definition, dataset = asem_inputs
    spec = replace(definition.uncertainty, n=30, n_boot=100)
    first = uncertainty.run(definition, dataset, spec)
    second = uncertainty.run(definition, dataset, spec)
    assert np.array_equal(first.ranks, second.ranks, equal_nan=True)
    assert first.sensitivity.equals(second.sensitivity)
    assert not first.sensitivity["Converged"].all()
    assert any("has not converged" in w and "would be needed" in w for w in first.warnings)


@needs_asem
def test_nominal_choices_reproduce_the_nominal_build(asem_inputs, asem):
    definition, dataset = asem_inputs
    text = (EXAMPLES / "asem.yaml").read_text()
    spec = replace(definition.uncertainty, kind="UA", n=20)
    # one factor whose every option is the nominal method: every replication is the nominal build
    nominal_only = replace(
        spec,
        factors=(replace(spec.factors[0], alternatives=(definition.steps.impute, definition.steps.impute)),),
    )
    result = uncertainty.run(definition, dataset, nominal_only)
    np.testing.assert_allclose(result.scores, np.tile(asem.scores(), (20, 1)), rtol=1e-12)
    assert "uncertainty" in text


def test_failed_replications_are_counted(tmp_path):
    definition = tmp_path / "d.yaml"
    definition.write_text(
        textwrap.dedent(
            """\
            index: {code: T, version: "1"}
            steps:
              normalise: {f_n: n_minmax, l_u: [0, 100]}
            uncertainty:
              type: UA
              n: 50
              factors:
                - {step: aggregate, alternatives: [{f_ag: a_amean}, {f_ag: a_gmean}]}
                - {step: weights, noise: {1: 0.2}}
            indicators:
              - {code: a, parent: Idx}
              - {code: b, parent: Idx}
            aggregates:
              - {code: Idx, parent: null}
            """
        )
    )
    data = tmp_path / "d.csv"
    data.write_text("uCode,a,b\nA,1,5\nB,2,3\nC,3,4\nD,4,1\nE,5,2\n")
    d, ds = service.load(definition=definition, data=data)
    result = uncertainty.run(d, ds)
    geometric = result.choices[:, 0] == 1
    assert result.failed[geometric].all() and not result.failed[~geometric].any()
    assert any("replications failed" in w for w in result.warnings)
    assert load_definition(definition).uncertainty.factors[1].noise == ((1, 0.2),)
