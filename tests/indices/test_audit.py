"""The audit's COINr correlation tools: p-value masking, flagged pairs, denominator correlations.

Each is recomputed here independently: p-values with scipy's tests, correlations with pandas
(pairwise complete observations, as R's ``cor(use = "pairwise.complete.obs")``), groups from the
iMeta CSV.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from ascc.cli.index import app
from ascc.indices import audit
from ascc.indices.errors import ComputeError
from tests.indices.conftest import ASEM, EXAMPLES, needs_asem

pytestmark = needs_asem


@pytest.fixture(scope="module")
def normalised(asem) -> pd.DataFrame:
    frame = asem.stages["normalised"]
    return pd.DataFrame(frame.values, columns=list(frame.codes))


@pytest.fixture(scope="module")
def pillar_of() -> dict[str, str]:
    meta = pd.read_csv(ASEM / "asem_imeta.csv")
    return dict(meta.loc[meta["Type"] == "Indicator", ["iCode", "Parent"]].itertuples(index=False))


@pytest.mark.parametrize(("method", "test"), [("pearson", stats.pearsonr), ("spearman", stats.spearmanr)])
def test_p_values_are_those_of_the_correlation_test(normalised, method, test):
    p = audit.correlation_pvalues(normalised.to_numpy(), method)
    for i, j in itertools.combinations(range(normalised.shape[1]), 2):
        pair = normalised.iloc[:, [i, j]].dropna()
        expected = test(pair.iloc[:, 0], pair.iloc[:, 1])[1]
        assert p[i, j] == pytest.approx(expected, rel=1e-9, abs=1e-15), (
            normalised.columns[i],
            normalised.columns[j],
        )
        assert p[j, i] == p[i, j]


def test_correlations_above_the_p_value_level_are_masked(asem, normalised):
    tables = audit.audit(asem)
    masked = tables["corr_indicators_pearson.csv"].set_index("iCode")
    p = tables["pvalues_indicators_pearson.csv"].set_index("iCode")
    full = normalised.corr()  # pandas: pairwise complete observations
    insignificant = p > 0.05
    assert insignificant.to_numpy().sum() > 100  # the ASEM indicators have many weak correlations
    assert masked[insignificant].isna().all().all()
    np.testing.assert_allclose(masked[~insignificant].to_numpy(), full[~insignificant].to_numpy(), rtol=1e-12)
    unmasked = audit.audit(asem, pval=0)["corr_indicators_pearson.csv"].set_index("iCode")
    np.testing.assert_allclose(unmasked.to_numpy(), full.to_numpy(), rtol=1e-12)
    parents = tables["corr_parents.csv"].set_index("iCode")
    all_parents = audit.audit(asem, pval=0)["corr_parents.csv"].set_index("iCode")
    aggregated = pd.DataFrame(asem.aggregated.values, columns=list(asem.aggregated.codes))
    n_masked = 0
    for code, row in all_parents.iterrows():
        r, p_value = stats.pearsonr(aggregated[code], aggregated[row["Parent"]])
        assert row["Pearson.Parent"] == pytest.approx(r, rel=1e-9)
        if p_value > 0.05:
            n_masked += 1
            assert np.isnan(parents.loc[code, "Pearson.Parent"])
        else:
            assert parents.loc[code, "Pearson.Parent"] == row["Pearson.Parent"]
    assert n_masked > 0


@pytest.mark.parametrize(("thresh", "kind"), [(0.75, "high"), (0.6, "high"), (-0.3, "low")])
def test_flagged_pairs_are_the_correlated_pairs_of_one_pillar(asem, normalised, pillar_of, thresh, kind):
    flags = audit.audit(asem, cor_thresh=thresh, thresh_type=kind)["corr_flags.csv"]
    full = normalised.corr()
    expected = {
        (a, b)
        for a, b in itertools.combinations(normalised.columns, 2)
        if pillar_of[a] == pillar_of[b]
        and (full.loc[a, b] > thresh if kind == "high" else full.loc[a, b] < thresh)
    }
    assert expected and set(zip(flags["Ind1"], flags["Ind2"], strict=True)) == expected
    for row in flags.itertuples():
        assert row.Group == pillar_of[row.Ind1] and row.Corr == pytest.approx(
            full.loc[row.Ind1, row.Ind2], rel=1e-12
        )


def test_flags_by_sub_index_and_the_default_threshold(asem, normalised):
    assert audit.audit(asem)["corr_flags.csv"].empty  # no two ASEM indicators of a pillar above 0.9
    by_sub_index = audit.audit(asem, cor_thresh=0.75, grouplev=3)["corr_flags.csv"]
    assert set(by_sub_index["Group"]) <= {"Conn", "Sust"} and len(by_sub_index) > 2
    with pytest.raises(ComputeError, match="grouplev must be a level from 2 to 4, not 5"):
        audit.audit(asem, grouplev=5)


def test_denominator_correlations_as_coinr_tests_them(asem):
    # COINr's own test: get_denom_corr(Raw, 0.7) has one row per |cor(indicators, denominators)| > 0.7
    table = audit.audit(asem, denom_thresh=0.7)["corr_denominators.csv"]
    raw = pd.read_csv(ASEM / "asem_idata.csv").sort_values("uCode")
    denoms = ["Area", "Energy", "GDP", "Population"]
    indicators = list(asem.definition.indicator_codes)
    full = raw[indicators + denoms].corr().loc[indicators, denoms]
    assert len(table) == int((full.abs() > 0.7).to_numpy().sum()) > 0
    for row in table.itertuples():
        assert row.Corr == pytest.approx(full.loc[row.Ind, row.Denom], rel=1e-12)
    assert list(table["Ind"]) == sorted(table["Ind"], key=str.casefold)


def test_cli_writes_and_prints_the_flags(tmp_path):
    out = tmp_path / "audit"
    args = [str(EXAMPLES / "asem.yaml"), "--data", str(ASEM / "asem_idata.csv"), "--out", str(out)]
    result = CliRunner().invoke(app, ["audit", *args, "--cor-thresh", "0.75"])
    assert result.exit_code == 0, result.output
    assert "indicator pairs in one group correlated higher than 0.75: 2" in result.output
    assert (
        "FreePress" in result.output
        and "indicators correlated with a denominator, |r| > 0.6: 12" in result.output
    )
    flags = pd.read_csv(out / "corr_flags.csv")
    assert list(flags.columns) == ["Group", "Ind1", "Ind2", "Corr"] and len(flags) == 2
    assert (out / "corr_denominators.csv").exists() and (out / "pvalues_indicators_spearman.csv").exists()
    manifest = (out / "manifest.json").read_text()
    assert '"cor_thresh": 0.75' in manifest and '"pval": 0.05' in manifest
    bad = CliRunner().invoke(app, ["audit", *args, "--overwrite", "--thresh-type", "middle", "--pval", "2"])
    assert (
        bad.exit_code == 1
        and "thresh_type must be high or low" in bad.output
        and "pval must be" in bad.output
    )
