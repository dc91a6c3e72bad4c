"""SDMX exchange: SDMX-CSV 2.0 export, and SDMX-ML 2.1 data messages (generic and structure-specific)
in both directions, with the ``sdmx1`` library.

The data structure (``ASEAN:DSD_ASCC_IND(1.0)``) has the dimensions REF_AREA (ISO 3166-1 alpha-3),
SUBNATIONAL (area code, ``_Z`` at the national level), INDICATOR (the indicator's SDMX id,
``SP_POP_TOTL`` for ``SP.POP.TOTL``: an SDMX id has no dots; reading takes either), SEX, AGE, URBANISATION and
TIME_PERIOD, the measure OBS_VALUE and the observation attributes OBS_STATUS (SDMX CL_OBS_STATUS:
A final, P provisional), UNIT_MEASURE, DATA_SOURCE and COMMENT_OBS. An SDMX-ML message read in is
turned into the same rows as an SDMX-CSV file and checked by the same rules.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from typing import IO

from lxml import etree

from ascc.kit import clock
from ascc.kit.spreadsheet import cell, cells
from ascc.monitoring import rules
from ascc.monitoring import units as unit_codes
from ascc.monitoring.schemas import ObservationRead
from ascc.monitoring.sdmx.ids import DATAFLOW

DIMENSIONS = ("REF_AREA", "SUBNATIONAL", "INDICATOR", "SEX", "AGE", "URBANISATION")
ATTRIBUTES = ("OBS_STATUS", "UNIT_MEASURE", "DATA_SOURCE", "COMMENT_OBS")
CSV_HEADER = ("STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES)
CSV_1_HEADER = ("DATAFLOW", *DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES)
NOT_APPLICABLE = "_Z"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
DSD_URN = "urn:sdmx:org.sdmx.infomodel.datastructure.DataStructure=ASEAN:DSD_ASCC_IND(1.0)"
#: ``dimensionAtObservation`` values: the time dimension (series of observations) or every dimension
#: at the observation (a flat list)
ALL_DIMENSIONS = "AllDimensions"
AT_OBSERVATION = ("TIME_PERIOD", ALL_DIMENSIONS)


def data_namespace(at_observation: str = "TIME_PERIOD") -> str:
    """The namespace of the structure-specific data of DSD_ASCC_IND (SDMX-ML 2.1 names it after the
    structure's URN and the dimension at the observation level); its schema is
    ``sdmx_structure.data_schema``."""
    return f"{DSD_URN}:ObsLevelDim:{at_observation}"


def format_value(value: float | None) -> str:
    """The shortest text that reads back as the same float (integers without ``.0``)."""
    if value is None or value != value:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _row(o: ObservationRead, units: dict[str, str | None]) -> tuple[dict[str, str], str, dict[str, str]]:
    key = {
        "REF_AREA": o.member_state,
        "SUBNATIONAL": o.area_code or NOT_APPLICABLE,
        "INDICATOR": rules.sdmx_id(o.indicator_code),
        "SEX": o.sex,
        "AGE": o.age,
        "URBANISATION": o.urbanisation,
    }
    attrs = {
        "OBS_STATUS": rules.status_code(o.obs_status),
        "UNIT_MEASURE": unit_codes.code(units.get(o.indicator_code)),  # coded: CL_UNIT_MEASURE
        "DATA_SOURCE": o.source or "",
        "COMMENT_OBS": o.note or "",
    }
    return key, format_value(o.value), attrs


def write_csv(
    rows: Iterable[ObservationRead],
    out: IO[str],
    units: dict[str, str | None],
    *,
    attributes: bool = True,
    observations: bool = True,
    version: str = "2.0",
    action: str = "I",
    extra: Iterable[tuple[str, Callable[[ObservationRead], str]]] = (),
) -> int:
    """SDMX-CSV 2.0 (one row per observation; ``version="1.0"``: SDMX-CSV 1.0, whose first column
    is ``DATAFLOW`` and which has no ``ACTION``); the number of rows written. Without ``attributes``
    the attribute columns are left out (``detail=dataonly``); without ``observations`` a row is a
    series key (``detail=serieskeysonly``). SDMX-CSV 2.0 only: ``action`` fills ``ACTION`` (``I``
    information; ``R`` replace in a history), ``extra`` adds custom columns after the components, as
    pairs of a header and the function giving a row's value."""
    w = csv.writer(out, lineterminator="\n")
    lead, head = (
        (["dataflow", DATAFLOW, action], CSV_HEADER) if version == "2.0" else ([DATAFLOW], CSV_1_HEADER)
    )
    columns = dict(extra)
    if not observations:
        w.writerow(head[: len(lead) + len(DIMENSIONS)])
        seen = set()
        for o in rows:
            key = tuple(_row(o, units)[0].values())
            if key not in seen:
                seen.add(key)
                w.writerow([*lead, *cells(key)])
        return len(seen)
    w.writerow([*(head if attributes else head[: -len(ATTRIBUTES)]), *columns])
    n = 0
    for o in rows:
        key, value, attrs = _row(o, units)
        # texts neutralised for spreadsheets (kit.spreadsheet); OBS_VALUE stays a number
        w.writerow(
            [
                *lead,
                *cells(key.values()),
                cell(o.period),
                value,
                *(cells(attrs.values()) if attributes else ()),
                *(f(o) for f in columns.values()),
            ]
        )
        n += 1
    return n


def structure(*, name=None, maintainer=None, concepts=None, codelists=None):
    """The data structure definition of the platform's indicator data; with the concept scheme and
    the codelists (component id → codelist) of ``sdmx_structure``, each component names its concept and
    its coded representation."""
    from sdmx.model import common
    from sdmx.model import v21 as m

    dsd = m.DataStructureDefinition(
        id="DSD_ASCC_IND",
        maintainer=maintainer or common.Agency(id="ASEAN"),
        version="1.0",
        name=name or {},
        is_final=concepts is not None,
        is_external_reference=False,
    )
    # the ids SDMX-ML 2.1 fixes for the component lists (the schema refuses an empty id)
    dsd.dimensions.id, dsd.attributes.id = "DimensionDescriptor", "AttributeDescriptor"
    dsd.measures.id = "MeasureDescriptor"
    codelists = codelists or {}

    def described(component_id: str) -> dict:
        out = {}
        if concepts is not None:
            out["concept_identity"] = concepts[component_id]
        if component_id in codelists:
            out["local_representation"] = common.Representation(enumerated=codelists[component_id])
        return out

    for i, dim in enumerate(DIMENSIONS):
        dsd.dimensions.getdefault(dim, order=i, **described(dim))
    # the time dimension's representation is required in SDMX-ML 2.1: an observational time period
    time_format = common.Representation(
        non_enumerated=[common.Facet(value_type=common.FacetValueType.observationalTimePeriod)]
    )
    dsd.dimensions.append(
        m.TimeDimension(
            id="TIME_PERIOD",
            order=len(DIMENSIONS),
            local_representation=time_format,
            **described("TIME_PERIOD"),
        )
    )
    # a number (NaN where a value is missing), as the structure-specific data's schema says
    number = common.Representation(non_enumerated=[common.Facet(value_type=common.FacetValueType.double)])
    dsd.measures.getdefault("OBS_VALUE", local_representation=number, **described("OBS_VALUE"))
    for a in ATTRIBUTES:  # every observation has a status; the others may be empty
        usage = common.UsageStatus.mandatory if a == "OBS_STATUS" else common.UsageStatus.conditional
        dsd.attributes.getdefault(
            a, related_to=m.PrimaryMeasureRelationship(), usage_status=usage, **described(a)
        )
    return dsd


def write_ml(
    rows: Iterable[ObservationRead],
    units: dict[str, str | None],
    *,
    generic: bool = False,
    at_observation: str = "TIME_PERIOD",
    attributes: bool = True,
    observations: bool = True,
) -> bytes:
    """An SDMX-ML 2.1 data message: structure-specific (default) or generic; series by key with
    TIME_PERIOD at the observation level, or (``at_observation="AllDimensions"``) a flat list of
    observations each with its whole key. Valid against the SDMX 2.1 schemas (a structure-specific
    message with the schema ``sdmx_structure.data_schema`` derives from the data structure). Without
    ``attributes`` no attribute is written (``detail=dataonly``), without ``observations`` only the
    series (``detail=serieskeysonly``)."""
    import sdmx
    from sdmx import message
    from sdmx.model import common
    from sdmx.model import v21 as m

    dsd = structure()
    measure = dsd.measures.get("OBS_VALUE")
    attr = {a: dsd.attributes.get(a) for a in ATTRIBUTES}
    series: dict = {}
    keys: dict[tuple, object] = {}
    flat = at_observation == ALL_DIMENSIONS
    flat_obs = []
    for o in rows:
        key, value, attrs = _row(o, units)
        attached = {
            a: m.AttributeValue(value_for=attr[a], value=v)
            for a, v in attrs.items()
            if v != "" and attributes
        }
        if flat:
            flat_obs.append(
                m.Observation(
                    dimension=dsd.make_key(m.Key, {**key, "TIME_PERIOD": o.period}),
                    value_for=measure,
                    value=value or "NaN",
                    attached_attribute=attached,
                )
            )
            continue
        t = tuple(key.values())
        sk = keys.get(t)
        if sk is None:
            sk = keys[t] = dsd.make_key(m.SeriesKey, key)
            series[sk] = []
        if not observations:
            continue
        series[sk].append(
            m.Observation(
                series_key=sk,
                dimension=dsd.make_key(m.Key, {"TIME_PERIOD": o.period}),
                value_for=measure,
                value=value or "NaN",
                attached_attribute=attached,
            )
        )
    cls = m.GenericDataSet if generic else m.StructureSpecificDataSet
    header = message.Header(
        id=f"ASCC{clock.now():%Y%m%d%H%M%S}",
        sender=common.Agency(id="ASEAN"),
        prepared=clock.now().replace(microsecond=0),
    )
    msg = message.DataMessage(
        header=header,
        data=[cls(structured_by=dsd, series=series, obs=flat_obs)],
        observation_dimension=None if flat else dsd.dimensions.get("TIME_PERIOD"),
    )
    return _conform(sdmx.to_xml(msg), generic=generic, at_observation=at_observation)


def _conform(xml: bytes, *, generic: bool, at_observation: str) -> bytes:
    """What sdmx1 2.28's writer leaves out of a valid SDMX-ML 2.1 data message: a generic message is
    named GenericData (sdmx1 names every one StructureSpecificData); the header's structure states the
    dimension at the observation level and, for structure-specific data, the namespace of the data
    set's type, which the data set names with ``xsi:type``; its ``structureRef`` and ``dataScope``
    are qualified attributes."""
    root = etree.fromstring(xml)
    nsmap = {k: v for k, v in root.nsmap.items() if k}
    if not generic:
        nsmap["ns1"] = data_namespace(at_observation)
    out = etree.Element(etree.QName(MES, "GenericData" if generic else "StructureSpecificData"), nsmap=nsmap)
    out.extend(list(root))
    for structure in out.iterfind(f"{{{MES}}}Header/{{{MES}}}Structure"):
        structure.set("dimensionAtObservation", at_observation)
        if not generic:
            structure.set("namespace", data_namespace(at_observation))
    if not generic:
        for ds in out.iterfind(f"{{{MES}}}DataSet"):
            ref = ds.attrib.pop("structureRef")
            ds.set(f"{{{SS}}}structureRef", ref)
            ds.set(f"{{{SS}}}dataScope", "DataStructure")
            ds.set(f"{{{XSI}}}type", "ns1:DataSetType")
    return etree.tostring(out, xml_declaration=True, encoding="utf-8", pretty_print=True)


#: the official SDMX-JSON data message schemas (sdmx-twg/sdmx-json) a message names in ``meta.schema``
JSON_SCHEMAS = {
    "1.0.0": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/master/data-message/tools/schemas/1.0/sdmx-json-data-schema.json",
    "2.0.0": "https://raw.githubusercontent.com/sdmx-twg/sdmx-json/v2.0.0/data-message/tools/schemas/2.0.0/sdmx-json-data-schema.json",
}


def write_json(
    rows: Iterable[ObservationRead],
    units: dict[str, str | None],
    *,
    version: str = "1.0.0",
    at_observation: str = "TIME_PERIOD",
    attributes: bool = True,
    observations: bool = True,
    history: list[tuple[str, list[ObservationRead]]] | None = None,
) -> bytes:
    """An SDMX-JSON data message: ``version`` ``1.0.0`` or ``2.0.0`` (the official formats: ``meta``
    and ``data``) or ``draft`` (the pre-1.0 layout, ``header``, ``dataSets`` and ``structure`` at the
    top, which sdmx1 reads), with the same structure and data sets. The structure lists each
    dimension's and attribute's values, series and observations refer to them by index
    (``"0:1:0:0:0:0"``); an observation is ``[value, attribute indices…]`` (null: none). Series by key
    with TIME_PERIOD at the observation level, or every dimension at the observation level. With
    ``history`` (``history.disseminations``: valid-from instant and rows, oldest first) one data
    set per dissemination, ``action`` Replace with its ``validFrom``, instead of one of ``rows``."""
    import json

    flat = at_observation == ALL_DIMENSIONS
    values: dict[str, list[str]] = {d: [] for d in (*DIMENSIONS, "TIME_PERIOD", *ATTRIBUTES)}
    index: dict[str, dict[str, int]] = {d: {} for d in values}

    def at(component: str, value: str) -> int:
        if value not in index[component]:
            index[component][value] = len(values[component])
            values[component].append(value)
        return index[component][value]

    groups = history if history is not None else [(None, list(rows))]
    records = [[(o.period, *_row(o, units)) for o in group] for _, group in groups]
    # only attributes with a value are listed (a reader drops an attribute without values)
    listed = [a for a in ATTRIBUTES if attributes and any(r[3][a] for g in records for r in g)]
    contents = []
    for group in records:
        series: dict[str, dict] = {}
        flat_obs: dict[str, list] = {}
        for period, key, value, attrs in group:
            number = float(value) if value else None
            attached = [at(a, attrs[a]) if attrs[a] else None for a in listed]
            dims = ":".join(str(at(d, key[d])) for d in DIMENSIONS)
            if flat:
                flat_obs[f"{dims}:{at('TIME_PERIOD', period)}"] = [number, *attached]
                continue
            s = series.setdefault(dims, {"attributes": [], "observations": {}})
            if observations:
                s["observations"][str(at("TIME_PERIOD", period))] = [number, *attached]
        contents.append({"observations": flat_obs} if flat else {"series": series})

    def component(cid: str, position: int | None = None) -> dict:
        out: dict = {"id": cid, "name": cid}
        if position is None:  # an attribute: its value varies with the observation
            out["relationship"] = (
                {"observation": {}} if version == "2.0.0" else {"primaryMeasure": "OBS_VALUE"}
            )
        else:
            out["keyPosition"] = position
        out["values"] = [{"id": v, "name": v} for v in values[cid]]
        return out

    dimensions = [component(d, i) for i, d in enumerate(DIMENSIONS)]
    time = component("TIME_PERIOD", len(DIMENSIONS))
    now = clock.now().replace(microsecond=0)
    links = [{"rel": "dataflow", "urn": f"urn:sdmx:org.sdmx.infomodel.datastructure.Dataflow={DATAFLOW}"}]
    data_sets: list[dict] = [
        {"action": "Information", "links": links, **content}
        if valid_from is None
        else {"action": "Replace", "validFrom": valid_from, "links": links, **content}
        for (valid_from, _), content in zip(groups, contents, strict=True)
    ]
    structure = {
        "links": links,
        "name": "ASCC indicators",
        "dimensions": {
            "dataSet": [],
            "series": [] if flat else dimensions,
            # series keys only: no observation, so no time dimension's values
            "observation": [*dimensions, time] if flat else [time] if observations else [],
        },
        "attributes": {"dataSet": [], "series": [], "observation": [component(a) for a in listed]},
    }
    meta = {
        "id": f"ASCC{now:%Y%m%d%H%M%S}",
        "test": False,
        "prepared": now.isoformat(),
        "sender": {"id": "ASEAN", "name": "ASEAN"},
    }
    if version == "draft":
        message: dict = {"header": meta, "dataSets": data_sets, "structure": structure}
    elif version == "2.0.0":
        structure["dataSets"] = [0]
        structure["measures"] = {"observation": [{"id": "OBS_VALUE", "name": "Observation value"}]}
        message = {
            "meta": {"schema": JSON_SCHEMAS[version], **meta},
            "data": {"structures": [structure], "dataSets": [{"structure": 0, **d} for d in data_sets]},
        }
    else:
        message = {
            "meta": {"schema": JSON_SCHEMAS[version], **meta},
            "data": {"structure": structure, "dataSets": data_sets},
        }
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
