"""The ASEAN chair by year, as recorded with its sources in ``data/asean_chairs.yaml``.

``ascc check`` validates the file with the rest of the reference data (member states known, one
record a year); the meeting-cycle engine reads it through :func:`asean_chairs`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ascc.reference.files import DATA_DIR
from ascc.reference.schema import AseanChair, Summit


@functools.cache
def _records(data_dir: Path) -> tuple[AseanChair, ...]:
    data = yaml.safe_load((data_dir / "asean_chairs.yaml").read_text(encoding="utf-8")) or []
    return tuple(AseanChair.model_validate(item) for item in data)


def asean_chairs(data_dir: Path = DATA_DIR) -> dict[int, str]:
    """Recorded year → the member state that chaired (or chairs) ASEAN that year."""
    return {r.year: r.member_state for r in _records(data_dir)}


def asean_chair_records(data_dir: Path = DATA_DIR) -> tuple[AseanChair, ...]:
    """Every recorded year of the table, with its summits and sources, in the file's order."""
    return _records(data_dir)


def asean_summits(year: int, data_dir: Path = DATA_DIR) -> list[Summit]:
    """The numbered ASEAN Summits recorded for ``year`` (hosted by that year's chair), each with
    its city, date and source; empty where none is recorded."""
    return [s for r in _records(data_dir) if r.year == year for s in r.summits]
