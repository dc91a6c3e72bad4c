"""The two ASEAN YDI editions: domains as the seed lists them, built from the indicator store."""

from __future__ import annotations

import hashlib
import json
import re

import numpy as np
import pandas as pd
import pytest

from ascc.indices import service
from ascc.indices.definition import load_definition
from tests.indices.conftest import EXAMPLES, SEED, STORE, needs_store

EDITIONS = {"ydi-2017": "YDI", "ydi-2022": "2nd ASEAN YDI"}
MEMBER_STATES = ["BRN", "IDN", "KHM", "LAO", "MMR", "MYS", "PHL", "SGP", "THA", "TLS", "VNM"]


def seed_domains(marker: str) -> list[str]:
    """The numbered domain list that follows ``marker`` in the seed text."""
    if not SEED.exists():
        pytest.skip(f"seed text not found at {SEED}")
    text = SEED.read_text(encoding="utf-8")
    after = text[text.index(marker) :].split("\n", 1)[1]
    names = []
    for line in after.splitlines():
        match = re.match(r"\s*\(([ivx]+)\)\s+(.*)", line)
        if not match:
            if names:
                break
            continue
        name = re.sub(r"[;.]?(\s*dan)?\s*$", "", match.group(2).strip()).strip().rstrip(";")
        names.append(name)
    return names


@pytest.mark.parametrize(
    ("edition", "marker"),
    [
        ("ydi-2017", "Youth Development Index (YDI), yaitu:"),
        ("ydi-2022", "pembaharuan domain untuk 2nd ASEAN YDI yaitu:"),
    ],
)
def test_domains_are_exactly_those_of_the_seed(edition, marker):
    definition = load_definition(EXAMPLES / f"{edition}.yaml")
    # the seed names them in Indonesian: name_id; name is their English name, for English pages
    domains = [n.name_id for n in definition.aggregates if n.level == 2]
    assert domains == seed_domains(marker)
    assert all(n.name and n.name != n.name_id for n in definition.aggregates if n.level == 2)
    assert len(domains) == (5 if edition == "ydi-2017" else 7)


def test_two_editions_of_one_index_side_by_side():
    found = [d for d in service.list_definitions(directory=EXAMPLES) if d.code == "ASEAN-YDI"]
    assert [d.edition for d in found] == ["1 (2017)", "2 (2022)"]
    assert found[0].version != found[1].version


@needs_store
@pytest.mark.parametrize("edition", ["ydi-2017", "ydi-2022"])
def test_edition_builds_for_the_member_states(edition):
    result = service.compute(definition=EXAMPLES / f"{edition}.yaml", data=STORE)
    table = result.aggregated.to_pandas()
    assert sorted(table["uCode"].unique()) == MEMBER_STATES
    years = sorted(table["Time"].unique())
    assert len(table) == len(MEMBER_STATES) * len(years) and len(years) >= 7
    assert not table["YDI"].isna().any() and table["YDI"].between(0, 100).all()
    ranks = result.ranks.to_pandas()
    assert (ranks.groupby("Time")["YDI"].max() <= 11).all()


@needs_store
@pytest.mark.parametrize("edition", ["ydi-2017", "ydi-2022"])
def test_stored_results_match_definition_and_data(edition):
    """The committed results carry the definition version and data snapshot, and are reproducible."""
    folder = EXAMPLES / "results" / edition
    manifest = json.loads((folder / "manifest.json").read_text())
    definition = EXAMPLES / f"{edition}.yaml"
    assert manifest["index"]["definition_sha256"] == hashlib.sha256(definition.read_bytes()).hexdigest(), (
        f"{folder} is stale: recompute it with ascc index compute"
    )
    assert manifest["data"]["sha256"] == hashlib.sha256(STORE.read_bytes()).hexdigest()
    assert manifest["index"]["version"] == load_definition(definition).version
    stored = pd.read_csv(folder / "aggregated.csv")
    fresh = service.compute(definition=definition, data=STORE).aggregated.to_pandas()
    assert np.array_equal(
        stored.iloc[:, 2:].to_numpy(float), fresh.iloc[:, 2:].to_numpy(float), equal_nan=True
    )


@needs_store
def test_goalposts_make_scores_independent_of_other_countries():
    definition, dataset = service.load(definition=EXAMPLES / "ydi-2022.yaml", data=STORE)
    from ascc.indices.pipeline import build

    full = build(definition, dataset).stages["normalised"].to_pandas().set_index(["uCode", "Time"])
    keep = dataset.frame.units != "SGP"
    dataset.frame = dataset.frame.take(np.flatnonzero(keep))
    dataset.denominators = {k: v[keep] for k, v in dataset.denominators.items()}
    without = build(definition, dataset).stages["normalised"].to_pandas().set_index(["uCode", "Time"])
    pd.testing.assert_frame_equal(full.loc[without.index, ["LifeExp", "PM25"]], without[["LifeExp", "PM25"]])
