"""A build: the data sets of every step, from the raw data to the index and its ranks.

``build(definition, dataset)`` runs denominate, impute, screen, treat, normalise and aggregate in
that order (COINr's ``build_example_coin()`` order) and keeps each data set, named as COINr names
them. Nothing is written; see ``ascc.indices.output`` for that. ``steps`` replaces the
definition's methods (the uncertainty analysis varies them); ``until`` stops early.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ascc.indices.data import Dataset, Frame
from ascc.indices.definition import IndexDefinition
from ascc.indices.errors import DataError, Problem
from ascc.indices.specs import Steps
from ascc.indices.steps.aggregate import aggregate, ranks
from ascc.indices.steps.denominate import denominate
from ascc.indices.steps.impute import impute
from ascc.indices.steps.normalise import normalise
from ascc.indices.steps.screen import screen
from ascc.indices.steps.treat import treat

STAGES = ("raw", "denominated", "imputed", "screened", "treated", "normalised", "aggregated")


@dataclass
class Build:
    definition: IndexDefinition
    dataset: Dataset
    steps: Steps
    stages: dict[str, Frame] = field(default_factory=dict)
    ranks: Frame | None = None
    weights: dict[str, float] = field(default_factory=dict)
    screen_summary: list[dict] = field(default_factory=list)
    treat_details: list[dict] = field(default_factory=list)
    treated_points: list[tuple[int, str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def aggregated(self) -> Frame:
        return self.stages["aggregated"]

    def scores(self, code: str | None = None) -> np.ndarray:
        frame = self.aggregated
        return frame.column(code or self.definition.root)


def _check_time_points(frame: Frame, definition: IndexDefinition, source: str | None) -> None:
    """With panel data, an indicator left without any value at a time point cannot be built."""
    if frame.times is None:
        return
    problems = []
    for time, rows in frame.slices():
        for code in np.asarray(frame.codes)[np.all(np.isnan(frame.values[rows]), axis=0)]:
            problems.append(
                Problem(
                    reason=f"indicator {code!r} has no value at {definition.units.time} {time}, even after imputation; "
                    "narrow data.years, add a panel imputation (i_panel) or exclude the indicator",
                    file=source,
                )
            )
    if problems:
        raise DataError(problems[:25])


def _screen_out_empty_units(
    frame: Frame, dataset: Dataset, steps: Steps, definition: IndexDefinition, warnings: list[str]
) -> tuple[Frame, dict[str, np.ndarray], list[tuple[str, int | None]]]:
    """Leave out the rows of units without a value for any indicator, before imputation.

    Imputing such a unit would give it a score made of nothing but imputed values, and a rank.
    With panel imputation (``i_panel``) a unit with data at another time point is kept: its empty
    rows are filled from its own other years. Returns the frame and group columns without those
    rows and the (unit, time) pairs left out, each with a warning.
    """
    empty = np.all(np.isnan(frame.values), axis=1)
    if not empty.any():
        return frame, dataset.groups, []
    if frame.times is not None and any(s.f_i == "i_panel" for s in steps.impute.steps):
        has_data = set(frame.units[~empty])
        empty &= ~np.isin(frame.units, list(has_data))
    if not empty.any():
        return frame, dataset.groups, []
    if empty.all():
        raise DataError(Problem(reason="no unit has a value for any indicator", file=dataset.source))
    left_out = []
    for i in np.flatnonzero(empty):
        time = None if frame.times is None else int(frame.times[i])
        when = f" at {definition.units.time or 'Time'} {time}" if time is not None else ""
        warnings.append(
            f"unit {frame.units[i]!r}{when} has no value for any indicator: "
            "screened out before imputation (not imputed, not ranked)"
        )
        left_out.append((str(frame.units[i]), time))
    keep = np.flatnonzero(~empty)
    groups = {name: column[keep] for name, column in dataset.groups.items()}
    return frame.take(keep), groups, left_out


def build(
    definition: IndexDefinition, dataset: Dataset, *, steps: Steps | None = None, until: str | None = None
) -> Build:
    steps = steps or definition.steps
    out = Build(definition, dataset, steps)
    src = dataset.source
    frame = dataset.frame
    out.stages["raw"] = frame
    frame = denominate(frame, steps.denominate, definition=definition, dataset=dataset)
    out.stages["denominated"] = frame
    if until == "denominated":
        return out
    frame, groups, empty = _screen_out_empty_units(frame, dataset, steps, definition, out.warnings)
    frame = impute(frame, steps.impute, definition=definition, groups=groups, warnings=out.warnings)
    _check_time_points(frame, definition, src)
    out.stages["imputed"] = frame
    if until == "imputed":
        return out
    frame, out.screen_summary = screen(frame, steps.screen, source=src, left_out=empty)
    out.stages["screened"] = frame
    if until == "screened":
        return out
    frame, out.treat_details, out.treated_points = treat(
        frame, steps.treat, warnings=out.warnings, source=src
    )
    out.stages["treated"] = frame
    if until == "treated":
        return out
    frame = normalise(frame, steps.normalise, definition=definition, warnings=out.warnings)
    out.stages["normalised"] = frame
    if until == "normalised":
        return out
    frame, out.weights = aggregate(
        frame, steps.aggregate, steps.weights, definition=definition, source=src, warnings=out.warnings
    )
    out.stages["aggregated"] = frame
    out.ranks = ranks(frame)
    return out
