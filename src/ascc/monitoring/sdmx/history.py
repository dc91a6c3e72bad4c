"""``includeHistory=true``: every published version of the values a data query selects, as SDMX-REST
defines it.

A value's versions are its approved revisions (``observations.revision``; drafts, submitted and
rejected revisions are never shown). Each became public at one instant: when it was recorded or,
for a value that went through sign-off, when its submission was approved (the later of the two,
``rest.published_at``). A *dissemination* is the set of revisions that became public together:
at the same instant (to the second), by the same approved submission or import.

- SDMX-ML 2.1 data messages (generic and structure-specific): one data set per dissemination, oldest
  first, with ``action="Replace"`` and its ``validFromDate`` (SDMX-REST: "one or two datasets per
  data dissemination … the validFromDate and/or validToDate attributes of the dataset should be used
  to indicate the periods of validity"). Nothing is ever deleted from the published record, so
  there is no ``Delete`` data set.
- SDMX-JSON 1.0 and 2.0: the same data sets, ``"action": "Replace"`` with its ``validFrom``
  (``sdmx.write_json``).
- SDMX-CSV 2.0: one row per version, ``ACTION`` ``R`` (replace), and two custom columns (which
  SDMX-CSV 2.0 allows after the components): ``VALID_FROM``, when this version became public, and
  ``VALID_TO``, when the next version of the same value replaced it (empty for the current one).

SDMX-CSV 1.0 and the draft SDMX-JSON carry no history here: ``rest.wants_history`` answers
501 for them.
"""

from __future__ import annotations

import datetime as dt
import io

from lxml import etree

from ascc.monitoring.schemas import ObservationRead
from ascc.monitoring.sdmx import messages as sdmx

#: SDMX-CSV 2.0 custom columns of a history
VALID_FROM, VALID_TO = "VALID_FROM", "VALID_TO"


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def validity(rows: list[ObservationRead], when: dict[int, dt.datetime]) -> dict[int, tuple[str, str]]:
    """Per row id: (valid from, valid to) as ISO 8601 instants in UTC; valid to is when the next
    approved revision of the same value became public, empty for the current one."""
    by_key: dict[tuple, list[ObservationRead]] = {}
    for o in rows:
        k = (o.indicator_code, o.member_state, o.area_code, o.period, o.sex, o.age, o.urbanisation)
        by_key.setdefault(k, []).append(o)
    out: dict[int, tuple[str, str]] = {}
    for versions in by_key.values():
        versions.sort(key=lambda o: o.revision)
        for o, later in zip(versions, [*versions[1:], None], strict=True):
            out[o.id] = (_stamp(when[o.id]), _stamp(when[later.id]) if later is not None else "")
    return out


def disseminations(
    rows: list[ObservationRead], when: dict[int, dt.datetime]
) -> list[tuple[str, list[ObservationRead]]]:
    """The rows grouped by dissemination, oldest first: the instant they became public (to the
    second) and what published them (the submission approved, or the import that wrote approved
    values: two imports within one second are two disseminations, never one data set holding two
    versions of a value); each group in the rows' order, with its valid-from instant."""
    groups: dict[tuple, list[ObservationRead]] = {}
    for o in rows:
        by = (0, o.submission_id) if o.submission_id is not None else (1, o.batch_id or 0)
        groups.setdefault((_stamp(when[o.id]), *by), []).append(o)
    return [(k[0], group) for k, group in sorted(groups.items())]


def write_csv(
    rows: list[ObservationRead],
    when: dict[int, dt.datetime],
    units: dict[str, str | None],
    *,
    attributes: bool = True,
) -> bytes:
    """SDMX-CSV 2.0 with every version: ``ACTION`` R and the columns VALID_FROM and VALID_TO."""
    spans = validity(rows, when)
    buf = io.StringIO()
    sdmx.write_csv(
        rows,
        buf,
        units,
        attributes=attributes,
        action="R",
        extra=((VALID_FROM, lambda o: spans[o.id][0]), (VALID_TO, lambda o: spans[o.id][1])),
    )
    return buf.getvalue().encode("utf-8")


def write_ml(
    rows: list[ObservationRead],
    when: dict[int, dt.datetime],
    units: dict[str, str | None],
    *,
    generic: bool,
    at_observation: str,
    attributes: bool = True,
) -> bytes:
    """An SDMX-ML 2.1 data message with one data set per dissemination (``action="Replace"``,
    ``validFromDate``), oldest first."""
    groups = disseminations(rows, when)
    root = None
    for valid_from, group in groups:
        msg = etree.fromstring(
            sdmx.write_ml(group, units, generic=generic, at_observation=at_observation, attributes=attributes)
        )
        data_set = msg.find(f"{{{sdmx.MES}}}DataSet")
        # structure-specific data sets qualify their set attributes (SDMXDataStructureSpecificBase.xsd)
        qualify = "" if generic else f"{{{sdmx.SS}}}"
        data_set.set(f"{qualify}action", "Replace")
        data_set.set(f"{qualify}validFromDate", valid_from)
        if root is None:
            root = msg
        else:
            root.append(data_set)
    assert root is not None  # the query answers 404 before an empty history
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
