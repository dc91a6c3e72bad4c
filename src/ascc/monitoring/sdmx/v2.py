"""SDMX-REST 2.0 (the REST API of SDMX 3.0) data and structure paths, translated into the 1.x
queries of ``rest`` and ``structures``: one implementation answers both.

Data: ``data/{context}/{agency}/{id}/{version}/{key}``

- ``context``: ``dataflow``, ``datastructure`` or ``*`` (a ``provisionagreement`` is a 404: there is
  none); ``agency``, ``id``, ``version``: ``ASEAN``, ``DF_ASCC_IND`` (or its structure,
  ``DSD_ASCC_IND``), ``1.0``; each may be ``*`` and ``version`` also ``+`` (latest stable) or ``~``
  (latest); ``,`` lists alternatives.
- ``key``: REF_AREA.SUBNATIONAL.INDICATOR.SEX.AGE.URBANISATION, ``*`` (or an empty part) any code,
  missing trailing parts any code; several keys joined by ``,`` select the union.
- ``c[COMPONENT]=``: a filter on a dimension, ``,`` for OR (``c[REF_AREA]=IDN,MYS``), ``+`` for AND,
  ``eq:`` allowed; for ``TIME_PERIOD`` also ``ge:``/``le:`` (``c[TIME_PERIOD]=ge:2015+le:2020``).
  Other operators and filters on attributes and measures are a 501.

Structure: ``structure/{type}/{agency}/{id}/{version}``, ``*`` for any, ``~``/``+`` the latest,
``,`` lists; ``references`` and ``detail`` as in 1.x (``ancestors`` and ``raw`` are a 501).
"""

from __future__ import annotations

import dataclasses
import re

from ascc.kit.errors import NotFound
from ascc.monitoring.sdmx import messages as sdmx
from ascc.monitoring.sdmx.ids import DATAFLOW_ID, DATASTRUCTURE_ID
from ascc.monitoring.sdmx.rest import (
    AGENCY,
    VERSION,
    BadRequest,
    NotImplementedHere,
    Query,
    check_periods,
    parse_key,
)

DSD_ID = DATASTRUCTURE_ID
CONTEXTS = ("dataflow", "datastructure", "*")
#: query parameters of a 2.0 data query this service reads (besides ``c[…]``)
PARAMETERS = frozenset(
    {
        "updatedAfter",
        "firstNObservations",
        "lastNObservations",
        "dimensionAtObservation",
        "includeHistory",
        "attributes",
        "measures",
        "format",
    }
)
_FILTER = re.compile(r"^c\[([A-Za-z][A-Za-z0-9_]{0,59})\]$")


@dataclasses.dataclass(frozen=True)
class DataQuery:
    """A 2.0 data query as the 1.x query objects: the flow, the keys (their union) and the periods."""

    flow: str
    keys: tuple[Query, ...]
    start: str | None
    end: str | None


def _alternatives(part: str) -> list[str]:
    return [p for p in part.split(",") if p]


def check_flow(context: str, agency: str, resource_id: str, version: str) -> str:
    """The 1.x flow reference of a 2.0 path (404 when it names something this service does not have)."""
    contexts = _alternatives(context) or ["*"]
    if not set(contexts) & set(CONTEXTS):
        if "provisionagreement" in contexts:
            raise NotFound("no provision agreement here: data are reported against dataflow DF_ASCC_IND")
        raise BadRequest(
            f"context {context[:40]!r}: dataflow, datastructure, provisionagreement or *", parameter="context"
        )
    ids = {"dataflow": {DATAFLOW_ID}, "datastructure": {DSD_ID}, "*": {DATAFLOW_ID, DSD_ID}}
    known = set().union(*(ids.get(c, set()) for c in contexts))
    wanted = set(_alternatives(resource_id)) or {"*"}
    agencies = set(_alternatives(agency)) or {"*"}
    versions = set(_alternatives(version)) or {"*"}
    if (
        not (wanted & (known | {"*"}))
        or not (agencies & {AGENCY, "*"})
        or not (versions & {VERSION, "*", "+", "~"})
    ):
        raise NotFound(
            f"no data for {context}/{agency}/{resource_id}/{version}: this service has "
            f"dataflow/{AGENCY}/{DATAFLOW_ID}/{VERSION} (structure {DSD_ID})"
        )
    return f"{AGENCY},{DATAFLOW_ID},{VERSION}"


def _key(part: str) -> Query:
    """One 2.0 key: ``*`` any code, missing trailing dimensions any code."""
    if part in ("", "*"):
        return Query({})
    dims = part.split(".")
    n = len(sdmx.DIMENSIONS)
    if len(dims) < n:  # a dotted indicator code needs the whole key (or its SDMX id, SP_POP_TOTL)
        dims += [""] * (n - len(dims))
    return parse_key(".".join("" if d == "*" else d for d in dims))


def _filter(component: str, value: str) -> tuple[set[str] | None, str | None, str | None]:
    """``c[component]=value``: the codes allowed (a dimension) or the periods (TIME_PERIOD)."""
    if component == "TIME_PERIOD":
        start = end = None
        for term in value.split("+"):
            op, _, period = term.rpartition(":")
            if op in ("", "eq") and "," not in value:
                start = end = period
            elif op == "ge" and "," not in value:
                start = period
            elif op == "le" and "," not in value:
                end = period
            else:
                raise NotImplementedHere(
                    f"c[TIME_PERIOD]={value[:60]!r}: one period, or ge: and le: joined by +",
                    parameter="c[TIME_PERIOD]",
                )
        return None, start, end
    if component not in sdmx.DIMENSIONS:
        if component in (*sdmx.ATTRIBUTES, "OBS_VALUE"):
            raise NotImplementedHere(
                f"c[{component}] is not implemented here: filters on the dimensions "
                f"({', '.join(sdmx.DIMENSIONS)}, TIME_PERIOD)",
                parameter=f"c[{component}]",
            )
        raise BadRequest(f"c[{component}]: no such component in {DSD_ID}", parameter=f"c[{component}]")
    allowed: set[str] = set()
    for alternative in _alternatives(value):
        codes = set()
        for term in alternative.split("+"):
            op, _, code = term.rpartition(":")
            if op not in ("", "eq"):
                raise NotImplementedHere(
                    f"c[{component}]={value[:60]!r}: the operator {op[:10]!r} is not implemented here "
                    "(equality, with , for OR and + for AND)",
                    parameter=f"c[{component}]",
                )
            codes.add(code)
        if len(codes) == 1:  # A+B: a single-valued dimension equals both only if they are the same
            allowed |= codes
    return allowed, None, None


def data_query(
    *, context: str, agency: str, resource_id: str, version: str, key: str | None, filters: dict[str, str]
) -> DataQuery:
    """Translate a 2.0 data path and its ``c[…]`` filters (query parameter name → value)."""
    flow = check_flow(context, agency, resource_id, version)
    keys = [_key(k) for k in (key or "*").split(",")] or [Query({})]
    start = end = None
    for name, value in filters.items():
        component = _FILTER.match(name)
        if component is None:
            raise BadRequest(f"{name[:40]!r} is not a component filter c[ID]", parameter=name[:40])
        # a literal + in a query string arrives as a space (form encoding): both are SDMX's AND
        allowed, s, e = _filter(component.group(1), value.replace(" ", "+"))
        start, end = s or start, e or end
        if allowed is None:
            continue
        dim = component.group(1)
        # a key whose codes the filter excludes selects nothing: it is dropped
        keys = [
            Query({**q.codes, dim: tuple(sorted(allowed & set(q.of(dim)) if q.of(dim) else allowed))})
            for q in keys
            if allowed & set(q.of(dim)) or (allowed and not q.of(dim))
        ]
    if not keys:
        raise NotFound(f"no published observations match key {key or '*'} and the filters")
    check_periods(start, end)
    return DataQuery(flow=flow, keys=tuple(keys), start=start, end=end)


def structure_path(resource: str, agency: str, resource_id: str, version: str) -> tuple[str, str, str, str]:
    """The 1.x ``resource, agency, id, version`` of a 2.0 structure path (``*``, ``~``, ``+``, ``,``)."""

    def alternatives(part: str, *, any_version: bool = False) -> str:
        parts = _alternatives(part) or ["*"]
        if any_version and set(parts) & {"*", "~", "+"}:
            return "latest"
        return "+".join("all" if p == "*" else p for p in parts)

    return (
        resource,
        alternatives(agency),
        alternatives(resource_id),
        alternatives(version, any_version=True),
    )


def check_structure_parameters(references: str | None, detail: str | None) -> None:
    """2.0 values the 1.x structure query does not know: ``ancestors`` and ``raw`` (501)."""
    if references == "ancestors":
        raise NotImplementedHere("references=ancestors is not implemented here", parameter="references")
    if detail == "raw":
        raise NotImplementedHere("detail=raw is not implemented here", parameter="detail")


def detail_of(attributes: str | None, measures: str | None) -> str | None:
    """The 1.x ``detail`` of 2.0's ``attributes`` (``dsd``, ``all``, ``obs``: every attribute here is
    attached to the observation; ``none``) and ``measures`` (``all``, ``OBS_VALUE``, ``none``);
    another value (an attribute's id, ``msd``, ``series``) is a 501."""
    attributes, measures = attributes or "dsd", measures or "all"
    if attributes not in ("dsd", "all", "obs", "none"):
        raise NotImplementedHere(
            f"attributes={attributes[:40]!r} is not implemented here: dsd, all, obs or none",
            parameter="attributes",
        )
    if measures not in ("all", "OBS_VALUE", "none"):
        raise NotImplementedHere(
            f"measures={measures[:40]!r} is not implemented here: all, OBS_VALUE or none",
            parameter="measures",
        )
    if measures == "none":
        return "serieskeysonly"
    return "dataonly" if attributes == "none" else "full"
