"""``ascc index``: the commands write their tables, at full precision, with provenance."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from ascc.cli.index import app
from tests.indices.conftest import ASEM, EXAMPLES, needs_asem

pytestmark = needs_asem
runner = CliRunner()
STAGE_FILES = ("denominated", "imputed", "screened", "treated", "normalised", "aggregated", "ranks")


def asem_args(out, *extra):
    return [
        str(EXAMPLES / "asem.yaml"),
        "--data",
        str(ASEM / "asem_idata.csv"),
        "--meta",
        str(ASEM / "asem_imeta.csv"),
        "--out",
        str(out),
        *extra,
    ]


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    out = tmp_path_factory.mktemp("asem") / "out"
    result = runner.invoke(app, ["compute", *asem_args(out)])
    assert result.exit_code == 0, result.output
    return out, result.output


def test_compute_writes_one_csv_per_stage(computed, asem):
    out, output = computed
    assert "CHE" in output and "68.38" in output
    for stage in STAGE_FILES:
        table = pd.read_csv(out / f"{stage}.csv")
        assert table.columns[0] == "uCode" and len(table) == 51
        frame = asem.ranks if stage == "ranks" else asem.stages[stage]
        assert list(table.columns[1:]) == list(frame.codes)
    ranks = (out / "ranks.csv").read_text().splitlines()[1]
    assert ".0" not in ranks  # ranks are whole numbers


def test_floats_round_trip_exactly(computed, asem):
    out, _ = computed
    for stage in ("denominated", "treated", "normalised", "aggregated"):
        text = pd.read_csv(out / f"{stage}.csv", dtype=str, keep_default_na=False)
        values = np.array([[float(v) if v else np.nan for v in row] for row in text.iloc[:, 1:].to_numpy()])
        assert np.array_equal(values, asem.stages[stage].values, equal_nan=True), stage


def test_manifest_records_definition_and_data(computed):
    out, _ = computed
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["index"]["code"] == "ASEM-SC" and manifest["index"]["version"] == "2018.1"
    assert len(manifest["index"]["definition_sha256"]) == 64 and len(manifest["data"]["sha256"]) == 64
    assert manifest["data"]["units"] == 51 and manifest["data"]["time"] == 2018
    assert manifest["steps"]["impute"]["steps"][0]["f_i"] == "i_mean_grp"
    assert set(manifest["files"]) >= {f"{s}.csv" for s in STAGE_FILES}


def test_rerun_replaces_earlier_results_but_asks_for_other_folders(tmp_path, computed):
    out, _ = computed
    again = runner.invoke(app, ["compute", *asem_args(out)])
    assert again.exit_code == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("keep me")
    refused = runner.invoke(app, ["compute", *asem_args(other)], input="n\n")
    assert refused.exit_code == 1 and (other / "notes.txt").exists()
    forced = runner.invoke(app, ["compute", *asem_args(other, "--overwrite")])
    assert (
        forced.exit_code == 0 and not (other / "notes.txt").exists() and (other / "aggregated.csv").exists()
    )


def test_audit_writes_its_tables(tmp_path):
    out = tmp_path / "audit"
    result = runner.invoke(app, ["audit", *asem_args(out)])
    assert result.exit_code == 0, result.output
    for name in (
        "stats_raw",
        "stats_treated",
        "corr_indicators_pearson",
        "corr_indicators_spearman",
        "corr_parents",
        "corr_pillar",
        "cronbach",
        "pca",
        "pca_loadings",
        "weights",
    ):
        assert (out / f"{name}.csv").exists(), name
    weights = pd.read_csv(out / "weights.csv").set_index("iCode")
    assert weights.loc[weights["Level"] == 1, "EffectiveWeight"].sum() == pytest.approx(1)
    alpha = pd.read_csv(out / "cronbach.csv").set_index("iCode")
    assert alpha.loc["P2P", "N.Items"] == 8 and -1 < alpha.loc["P2P", "Alpha"] <= 1
    pca = pd.read_csv(out / "pca.csv")
    assert pca.groupby("iCode")["Proportion"].sum().to_numpy() == pytest.approx(1)


def test_uncertainty_writes_rank_intervals_and_sensitivity(tmp_path):
    out = tmp_path / "ua"
    result = runner.invoke(app, ["uncertainty", *asem_args(out, "--n", "40", "--type", "SA", "--seed", "7")])
    assert result.exit_code == 0, result.output
    assert "has not converged" in result.output  # n = 40 is far too small, and the command says so
    ranks = pd.read_csv(out / "rank_intervals.csv")
    assert (
        len(ranks) == 51
        and (ranks["Q5"] <= ranks["Median"]).all()
        and (ranks["Median"] <= ranks["Q95"]).all()
    )
    sens = pd.read_csv(out / "sensitivity.csv")
    assert list(sens["Factor"]) == ["imputation", "normalisation", "weights", "aggregation"]
    assert len(pd.read_csv(out / "replications.csv")) == 40 * 6
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["uncertainty"]["type"] == "SA" and manifest["uncertainty"]["seed"] == 7


def test_check_and_list(tmp_path):
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "asem.yaml"), "--meta", str(ASEM / "asem_imeta.csv")]
    )
    assert result.exit_code == 0 and "Indicator: 49" in result.output and "Pillar: 8" in result.output
    listed = runner.invoke(app, ["list", str(EXAMPLES)])
    assert listed.exit_code == 0
    assert listed.output.count("ASEAN-YDI") == 2 and "ASEM-SC" in listed.output
    bad = tmp_path / "bad.yaml"
    bad.write_text('index: {code: X, version: "1"}\nindicators:\n  - {code: a, parent: Nope}\n')
    failed = runner.invoke(app, ["check", str(bad)])
    assert (
        failed.exit_code == 1
        and f"{bad}:3" in failed.output
        and "unknown parent code 'Nope'" in failed.output
    )


def test_documented_commands_exist():
    import re

    from tests.indices.conftest import ROOT

    text = (ROOT / "docs" / "indices.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"ascc index (\w+)", text))
    assert commands >= {"compute", "audit", "uncertainty", "check", "list"}
    for command in commands:
        assert runner.invoke(app, [command, "--help"]).exit_code == 0, command
