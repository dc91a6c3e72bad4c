"""Fixtures for the index engine: the ASEM example (COINr) and the platform's indicator store.

The data live outside the repository, in ../shared (relative to the repository root); tests that
need them are skipped, with the reason, when that folder is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ascc.indices import service
from ascc.indices.pipeline import build

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
ASEM = SHARED / "composite-asem"
STORE = SHARED / "data" / "indicators_country_year.csv"
SEED = SHARED / "seeds" / "003_7591d795653bab0c.txt"
EXAMPLES = ROOT / "examples" / "indices"

needs_asem = pytest.mark.skipif(not ASEM.exists(), reason=f"COINr ASEM data not found at {ASEM}")
needs_store = pytest.mark.skipif(not STORE.exists(), reason=f"indicator store not found at {STORE}")


@pytest.fixture(scope="session")
def asem_inputs():
    if not ASEM.exists():
        pytest.skip(f"COINr ASEM data not found at {ASEM}")
    return service.load(
        definition=EXAMPLES / "asem.yaml", data=ASEM / "asem_idata.csv", meta=ASEM / "asem_imeta.csv"
    )


@pytest.fixture(scope="session")
def asem(asem_inputs):
    definition, dataset = asem_inputs
    return build(definition, dataset)
