"""Unit screening by data availability (COINr ``Screen`` with ``unit_screen``).

Per unit (and time point), over the indicator columns: ``Dat_Avail = 1 - n_missing / n_indicators``
and ``Non_Zero = 1 - n_zero / (n_indicators - n_missing)``. A unit is dropped when
``Dat_Avail < dat_thresh`` (``byNA``), ``Non_Zero < nonzero_thresh`` (``byzeros``) or either
(``byNAandzeros``); ``force_include`` and ``force_exclude`` override the rule, as COINr's ``Force``.
"""

from __future__ import annotations

import numpy as np

from ascc.indices.data import Frame
from ascc.indices.errors import ComputeError, DataError, Problem
from ascc.indices.specs import ScreenSpec


def screen(
    frame: Frame,
    spec: ScreenSpec,
    *,
    source: str | None = None,
    left_out: list[tuple[str, int | None]] | tuple = (),
) -> tuple[Frame, list[dict]]:
    """The frame without the screened-out units, and COINr's data availability summary rows.

    ``left_out`` are the (unit, time) rows already left out for having no data at all; they get a
    summary row (no data available, not included) and the force lists may name them.
    """
    units = set(frame.units) | {u for u, _ in left_out}
    unknown = [u for u in (*spec.force_include, *spec.force_exclude) if u not in units]
    if unknown:
        raise DataError(
            Problem(reason=f"steps.screen: force lists unknown unit(s) {', '.join(unknown)}", file=source)
        )
    values = frame.values
    n_ind = values.shape[1]
    n_missing = np.isnan(values).sum(axis=1)
    n_zero = (values == 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        dat_avail = 1 - n_missing / n_ind
        non_zero = 1 - n_zero / (n_ind - n_missing)
    low_data = dat_avail < spec.dat_thresh
    low_nonzero = non_zero < spec.nonzero_thresh
    either = low_data | low_nonzero
    included = {
        "none": np.ones(len(frame.units), bool),
        "byNA": ~low_data,
        "byzeros": ~low_nonzero,
        "byNAandzeros": ~either,
    }[spec.unit_screen]
    included = included | np.isin(frame.units, spec.force_include)
    included = included & ~np.isin(frame.units, spec.force_exclude)
    summary = []
    for i, unit in enumerate(frame.units):
        row = {"uCode": unit}
        if frame.times is not None:
            row["Time"] = int(frame.times[i])
        row.update(
            N_missing=int(n_missing[i]),
            N_zero=int(n_zero[i]),
            N_miss_or_zero=int(n_missing[i] + n_zero[i]),
            Dat_Avail=float(dat_avail[i]),
            Non_Zero=float(non_zero[i]),
            LowData=bool(low_data[i]),
            LowNonZero=bool(low_nonzero[i]),
            LowDatOrZeroFlag=bool(either[i]),
            Included=bool(included[i]),
        )
        summary.append(row)
    for unit, time in left_out:
        row = {"uCode": unit} if time is None else {"uCode": unit, "Time": time}
        row.update(
            N_missing=n_ind,
            N_zero=0,
            N_miss_or_zero=n_ind,
            Dat_Avail=0.0,
            Non_Zero=float("nan"),
            LowData=True,
            LowNonZero=False,
            LowDatOrZeroFlag=True,
            Included=False,
        )
        summary.append(row)
    if left_out:
        summary.sort(key=lambda r: (r.get("Time", 0), r["uCode"]))
    for time, rows in frame.slices():
        if not included[rows].any():
            when = f" at time {time}" if time is not None else ""
            raise ComputeError(
                Problem(reason=f"screening removed every unit{when}: lower dat_thresh", file=source)
            )
    return frame.take(np.flatnonzero(included)), summary
