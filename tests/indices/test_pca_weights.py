"""PCA weights as COINr's ``get_PCA`` offers them: one level, negative loadings kept, whole level.

The weights are recomputed here independently: the leading eigenvector of the correlation matrix
of the units with complete data (what ``prcomp(center = TRUE, scale = TRUE)`` rotates onto),
signed to sum positive.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ascc.indices import service
from ascc.indices.errors import DefinitionError
from ascc.indices.pipeline import build
from ascc.indices.specs import WeightsSpec
from tests.indices.conftest import needs_asem
from tests.indices.test_bad_input import DATA, GOOD, write

pytestmark = needs_asem


def first_component(data: np.ndarray) -> np.ndarray:
    complete = data[~np.isnan(data).any(axis=1)]
    values, vectors = np.linalg.eigh(np.corrcoef(complete, rowvar=False))
    pc1 = vectors[:, np.argmax(values)]
    return pc1 if pc1.sum() >= 0 else -pc1


def rebuild(asem_inputs, **weights):
    definition, dataset = asem_inputs
    return build(
        definition, dataset, steps=replace(definition.steps, weights=WeightsSpec(method="pca", **weights))
    )


def columns(result, stage, codes):
    frame = result.stages[stage]
    return np.column_stack([frame.column(c) for c in codes])


def test_indicator_weights_from_each_pillar_negative_loadings_kept(asem_inputs, asem):
    result = rebuild(asem_inputs, pca_variant="loadings", pca_level=1)
    d = result.definition
    negative = []
    for pillar in d.level_codes(2):
        kids = d.children[pillar]
        expected = first_component(columns(result, "normalised", kids))
        found = np.array([result.weights[k] for k in kids])
        np.testing.assert_allclose(found, expected, rtol=1e-9, atol=1e-12)
        negative += [k for k, w in zip(kids, found, strict=True) if w < 0]
        x = columns(result, "aggregated", kids)  # a_amean with the loadings, over the children with data
        ok = ~np.isnan(x)
        mean = np.where(ok, x * found, 0).sum(axis=1) / np.where(ok, found, 0).sum(axis=1)
        np.testing.assert_allclose(result.aggregated.column(pillar), mean, rtol=1e-9)
    assert set(negative) == {"TBTs", "Forest", "RDExp", "NEET"}  # kept, not clipped or refused
    assert [w.split(" include")[0] for w in result.warnings] == [
        "PCA weights for 'Environ'",
        "PCA weights for 'Instit'",
        "PCA weights for 'SusEcFin'",
    ]
    # the other levels keep the definition's weights, and the pillars are the nominal build's
    for code in (*d.level_codes(2), *d.level_codes(3)):
        assert result.weights[code] == asem.weights[code] == 1.0
    assert not np.allclose(result.aggregated.column("Index"), asem.aggregated.column("Index"))


def test_one_pca_over_the_whole_level(asem_inputs):
    result = rebuild(asem_inputs, pca_variant="loadings", pca_level=1, pca_by_groups=False)
    codes = result.definition.indicator_codes
    expected = first_component(columns(result, "normalised", codes))
    np.testing.assert_allclose([result.weights[c] for c in codes], expected, rtol=1e-9, atol=1e-12)
    assert result.warnings[0].startswith(
        "PCA weights for the whole level 1 (Indicator) include negative loadings"
    )
    grouped = rebuild(asem_inputs, pca_variant="loadings", pca_level=1)
    assert not np.allclose([grouped.weights[c] for c in codes], expected)


def test_pillar_weights_within_sub_indices(asem_inputs, asem):
    result = rebuild(asem_inputs, pca_level=2)  # squared loadings (the default variant)
    d = result.definition
    for sub_index in d.level_codes(3):
        kids = d.children[sub_index]
        expected = first_component(columns(result, "aggregated", kids)) ** 2
        np.testing.assert_allclose([result.weights[k] for k in kids], expected, rtol=1e-9)
    for code in d.indicator_codes:
        assert result.weights[code] == asem.weights[code]
    np.testing.assert_array_equal(
        columns(result, "aggregated", d.level_codes(2)), columns(asem, "aggregated", d.level_codes(2))
    )


def test_pca_level_must_be_below_the_top(tmp_path):
    text = GOOD.replace("  normalise:", "  weights: {method: pca, pca_level: 3}\n  normalise:")
    with pytest.raises(DefinitionError, match="pca_level must be a level below the top level 3, not 3"):
        service.compute(definition=write(tmp_path, "t.yaml", text), data=write(tmp_path, "d.csv", DATA))
    bad = GOOD.replace("  normalise:", "  weights: {method: pca, pca_by_groups: maybe}\n  normalise:")
    with pytest.raises(DefinitionError, match="pca_by_groups must be true or false"):
        service.compute(definition=write(tmp_path, "b.yaml", bad), data=tmp_path / "d.csv")
    ok = GOOD.replace(
        "  normalise:", "  weights: {method: pca, pca_level: 1, pca_by_groups: false}\n  normalise:"
    )
    result = service.compute(definition=write(tmp_path, "ok.yaml", ok), data=tmp_path / "d.csv")
    assert result.weights["P1"] == result.weights["P2"] == 1.0 and result.weights["a"] != 1.0
