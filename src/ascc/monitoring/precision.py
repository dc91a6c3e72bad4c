"""The precision an indicator is published with, and the smallest change that counts.

An indicator's ``decimals`` (migration 0025) states its precision; without it the precision is read
from the published values themselves: the most decimals any value has, at most ``MAX_DECIMALS``
(``135`` and ``140`` → 0, so the ASEAN mean shows as an integer too; ``2.7`` → 1). Values are shown
with that many decimals (``web.i18n.number``).

The *tolerance* of a progress status (``progress.assess``) is the indicator's ``tolerance`` when
stated, else one unit of the last published decimal (of the values as published, not as shown): two values published as 8.2 and 8.3 may come
from the same true value rounded either way, so a change of at most one unit is no significant
change.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

#: the most decimals read from the values (sources publish some series with 4 to 6)
MAX_DECIMALS = 2
#: the comparison allowance of floating-point values
EPSILON = 1e-9


def decimals_of(value: float) -> int:
    """Decimals of one value as written (``repr`` is the shortest exact decimal of a float)."""
    exponent = Decimal(repr(float(value))).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def decimals(values: Iterable[float | None], declared: int | None = None) -> int:
    """The precision: ``declared`` when given, else the most decimals of ``values`` (capped)."""
    if declared is not None:
        return max(0, int(declared))
    return min(max((decimals_of(v) for v in values if v is not None), default=0), MAX_DECIMALS)


def tolerance(
    values: Iterable[float | None], *, declared: float | None = None, places: int | None = None
) -> float:
    """The smallest change that counts: ``declared`` else one unit of the last published decimal."""
    if declared is not None:
        return abs(float(declared))
    if places is None:
        places = max((decimals_of(v) for v in values if v is not None), default=0)
    return 10.0**-places
