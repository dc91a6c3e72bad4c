"""Weights: from the definition, equal, custom, or from principal components; effective weights.

Weights are relative within each aggregation group (COINr rescales them to sum to 1 in every
aggregation). A weight of zero excludes an indicator or aggregate from its parent.

- ``metadata``: the weights in the definition (or iMeta);
- ``equal``: every child of a group weighs the same;
- ``pca``: from a principal component analysis of each group's children (standardised, units with
  missing values left out, as COINr ``get_PCA``). ``pca_variant: loadings`` uses the loadings of
  the first component as COINr does (signed so that they sum to a positive number; negative
  loadings are kept, with a warning, as COINr keeps them); ``squared`` (default) uses the squared
  loadings, the OECD/JRC Handbook's variant, which are never negative and sum to 1.
  ``pca_level`` limits PCA to the weights of one level (COINr ``get_PCA(Level = )``; the other
  levels keep the definition's weights) and ``pca_by_groups: false`` runs one PCA over the whole
  level instead of one per group (COINr ``by_groups = FALSE``);
- ``custom``: overrides for single codes, applied after the method.

The effective weight of a code is the product of its normalised weights along the path to the
index: the share of the index it would carry with complete data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import ComputeError, Problem
from ascc.indices.specs import WeightsSpec


def nominal_weights(definition: IndexDefinition, spec: WeightsSpec) -> dict[str, float]:
    """Weights before any data-driven (PCA) step; PCA groups are filled in during aggregation."""
    if spec.method == "equal":
        weights = {n.code: 1.0 for n in definition.nodes}
    else:
        weights = {n.code: n.weight for n in definition.nodes}
    weights.update(dict(spec.custom))
    return weights


def pca_weights(
    data: np.ndarray, codes: tuple[str, ...], *, variant: str, group: str, warnings: list[str] | None = None
) -> dict[str, float]:
    """Weights of one group's children (or a whole level's codes) from the first principal component."""
    if len(codes) == 1:
        return {codes[0]: 1.0}
    complete = data[~np.isnan(data).any(axis=1)]
    if complete.shape[0] < 3:
        raise ComputeError(Problem(reason=f"PCA weights for {group}: fewer than 3 units with complete data"))
    sd = complete.std(axis=0, ddof=1)
    if np.any(sd == 0):
        flat = [c for c, s in zip(codes, sd, strict=True) if s == 0]
        raise ComputeError(Problem(reason=f"PCA weights for {group}: no variation in {', '.join(flat)}"))
    z = (complete - complete.mean(axis=0)) / sd
    try:
        _, _, vt = np.linalg.svd(z, full_matrices=False)
    except np.linalg.LinAlgError as exc:
        raise ComputeError(Problem(reason=f"PCA weights for {group}: {exc}")) from None
    loadings = vt[0]
    if loadings.sum() < 0:
        loadings = -loadings
    if variant == "squared":
        w = loadings**2
    else:
        if np.any(loadings < 0) and warnings is not None:
            detail = ", ".join(f"{c}={v:.3g}" for c, v in zip(codes, loadings, strict=True) if v < 0)
            warnings.append(
                f"PCA weights for {group} include negative loadings ({detail}): kept, as COINr keeps them, "
                "so a higher value there lowers the aggregate; pca_variant: squared gives weights >= 0"
            )
        w = loadings
    return dict(zip(codes, (float(v) for v in w), strict=True))


def noisy_weight_sets(
    definition: IndexDefinition,
    base: dict[str, float],
    noise: tuple[tuple[int, float], ...],
    n: int,
    rng: np.random.Generator,
) -> list[dict[str, float]]:
    """COINr ``get_noisy_weights``: each weight of a listed level moves uniformly by +/- its fraction."""
    sets = []
    for _ in range(n):
        w = dict(base)
        for level, fraction in noise:
            codes = [node.code for node in definition.nodes if node.level == level]
            u = rng.random(len(codes))
            for code, ui in zip(codes, u, strict=True):
                w[code] = base[code] + (ui * 2 - 1) * fraction * base[code]
        sets.append(w)
    return sets


def effective_weights(definition: IndexDefinition, weights: dict[str, float]) -> pd.DataFrame:
    rows = []
    share: dict[str, float] = {definition.root: 1.0}
    for level in range(definition.max_level, 1, -1):
        for parent in definition.level_codes(level):
            kids = definition.children[parent]
            total = sum(weights[k] for k in kids)
            for kid in kids:
                within = weights[kid] / total if total != 0 else float("nan")
                share[kid] = share[parent] * within
                node = definition.by_code[kid]
                rows.append(
                    {
                        "iCode": kid,
                        "Level": node.level,
                        "Parent": parent,
                        "Weight": weights[kid],
                        "WeightInGroup": within,
                        "EffectiveWeight": share[kid],
                    }
                )
    order = {code: i for i, code in enumerate(definition.output_codes)}
    return pd.DataFrame(rows).sort_values("iCode", key=lambda s: s.map(order)).reset_index(drop=True)
