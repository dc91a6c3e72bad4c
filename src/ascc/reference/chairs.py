"""The ASEAN chair by year, as recorded with its sources in ``data/asean_chairs.yaml``.

``ascc check`` validates the file with the rest of the reference data (member states known, one
record a year); the meeting-cycle engine reads it through :func:`asean_chairs`.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

from ascc.reference.files import DATA_DIR
from ascc.reference.schema import AseanChair


@functools.cache
def asean_chairs(data_dir: Path = DATA_DIR) -> dict[int, str]:
    """Recorded year → the member state that chaired (or chairs) ASEAN that year."""
    data = yaml.safe_load((data_dir / "asean_chairs.yaml").read_text(encoding="utf-8")) or []
    return {r.year: r.member_state for r in (AseanChair.model_validate(item) for item in data)}
