"""An indicator's reading rules (migration 0025): how its figures are read and shown.

- ``min_coverage``: the share of the member states of a period's date that must report before an
  ASEAN-wide figure of that period is a headline (``published.headline``; default two thirds);
- ``decimals``: the precision its values are published with (``precision.decimals``; default: read
  from the values);
- ``tolerance``: the smallest change that counts for a progress status (``precision.tolerance``;
  default one unit of the last published decimal);
- ``best_value``: its floor (lower is better) or ceiling (higher is better), Open SDG's ``limit``
  (``scorecards.best_value``; default 100 for a share, else none).

``ascc indicators rules CODE`` states all four (an option left out is the default); the change is
held and audited like any edit of a record.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy.orm import Session

from ascc.db.concurrency import check_version, hold
from ascc.kit.digest import content_etag
from ascc.kit.errors import Invalid, NotFound
from ascc.monitoring.models import Indicator

FIELDS = ("min_coverage", "decimals", "tolerance", "best_value")
MAX_DECIMALS = 6


def read(row: Indicator) -> dict[str, Any]:
    return {f: getattr(row, f) for f in FIELDS}


def etag(row: Indicator) -> str:
    return content_etag({"code": row.code, **read(row)})


def _checked(rules: dict[str, Any]) -> dict[str, Any]:
    unknown = set(rules) - set(FIELDS)
    if unknown:
        raise Invalid(f"unknown reading rules: {', '.join(sorted(unknown))}", parameter=sorted(unknown)[0])
    out = {f: rules.get(f) for f in FIELDS}
    for f in ("min_coverage", "tolerance", "best_value"):
        if out[f] is not None and not math.isfinite(float(out[f])):
            raise Invalid(f"{f} must be a finite number", parameter=f)
    if out["min_coverage"] is not None and not 0 < out["min_coverage"] <= 1:
        raise Invalid(
            "min_coverage is a share of the member states: more than 0, at most 1", parameter="min_coverage"
        )
    if out["decimals"] is not None and not 0 <= out["decimals"] <= MAX_DECIMALS:
        raise Invalid(f"decimals must be 0 to {MAX_DECIMALS}", parameter="decimals")
    if out["tolerance"] is not None and out["tolerance"] < 0:
        raise Invalid("tolerance must not be negative", parameter="tolerance")
    return out


def set_rules(session: Session, *, code: str, rules: dict[str, Any], if_match: str | None) -> dict[str, Any]:
    """Replace the reading rules of ``code`` (a rule left out returns to its default). The operator's
    console (the CLI) states the whole record and passes ``"*"``. Flushes only."""
    checked = _checked(rules)
    row = hold(session, Indicator, code)
    if row is None:
        raise NotFound(f"no indicator {code!r}")
    check_version(etag(row), if_match, what=f"the reading rules of {code}")
    for f, v in checked.items():
        setattr(row, f, v)
    session.flush()
    return read(row)
