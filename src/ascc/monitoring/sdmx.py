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
import datetime as dt
import io
from collections.abc import Iterable
from typing import IO

import numpy as np
import pandas as pd
from lxml import etree

from ascc.kit import clock
from ascc.kit.spreadsheet import cell, cells
from ascc.monitoring import importer, rules
from ascc.monitoring import units as unit_codes
from ascc.monitoring.importer import DATAFLOW, Catalogue, Problem
from ascc.monitoring.schemas import ObservationRead

DIMENSIONS = ("REF_AREA", "SUBNATIONAL", "INDICATOR", "SEX", "AGE", "URBANISATION")
ATTRIBUTES = ("OBS_STATUS", "UNIT_MEASURE", "DATA_SOURCE", "COMMENT_OBS")
CSV_HEADER = ("STRUCTURE", "STRUCTURE_ID", "ACTION", *DIMENSIONS, "TIME_PERIOD", "OBS_VALUE", *ATTRIBUTES)
NOT_APPLICABLE = "_Z"
MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"


def format_value(value: float | None) -> str:
    """The shortest text that reads back as the same float (integers without ``.0``)."""
    if value is None or value != value:
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(float(value))


def _row(o: ObservationRead, units: dict[str, str | None]) -> tuple[dict[str, str], str, dict[str, str]]:
    key = {
        "REF_AREA": o.member_state, "SUBNATIONAL": o.area_code or NOT_APPLICABLE,
        "INDICATOR": rules.sdmx_id(o.indicator_code),
        "SEX": o.sex, "AGE": o.age, "URBANISATION": o.urbanisation,
    }  # fmt: skip
    attrs = {
        "OBS_STATUS": rules.STATUS_SDMX[o.obs_status],
        "UNIT_MEASURE": unit_codes.code(units.get(o.indicator_code)),  # coded: CL_UNIT_MEASURE
        "DATA_SOURCE": o.source or "",
        "COMMENT_OBS": o.note or "",
    }
    return key, format_value(o.value), attrs


def write_csv(rows: Iterable[ObservationRead], out: IO[str], units: dict[str, str | None]) -> int:
    """SDMX-CSV 2.0 (one row per observation); the number of rows written."""
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    n = 0
    for o in rows:
        key, value, attrs = _row(o, units)
        # texts neutralised for spreadsheets (kit.spreadsheet); OBS_VALUE stays a number
        w.writerow(
            ["dataflow", DATAFLOW, "I", *cells(key.values()), cell(o.period), value, *cells(attrs.values())]
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
        id="DSD_ASCC_IND", maintainer=maintainer or common.Agency(id="ASEAN"), version="1.0", name=name or {},
        is_final=concepts is not None,
    )  # fmt: skip
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
    dsd.dimensions.append(
        m.TimeDimension(id="TIME_PERIOD", order=len(DIMENSIONS), **described("TIME_PERIOD"))
    )
    dsd.measures.getdefault("OBS_VALUE", **described("OBS_VALUE"))
    for a in ATTRIBUTES:
        dsd.attributes.getdefault(a, related_to=m.PrimaryMeasureRelationship(), **described(a))
    return dsd


def write_ml(
    rows: Iterable[ObservationRead], units: dict[str, str | None], *, generic: bool = False
) -> bytes:
    """An SDMX-ML 2.1 data message: structure-specific (default) or generic; series by key, TIME_PERIOD
    at the observation level."""
    import sdmx
    from sdmx import message
    from sdmx.model import common
    from sdmx.model import v21 as m

    dsd = structure()
    measure = dsd.measures.get("OBS_VALUE")
    attr = {a: dsd.attributes.get(a) for a in ATTRIBUTES}
    series: dict = {}
    keys: dict[tuple, object] = {}
    for o in rows:
        key, value, attrs = _row(o, units)
        t = tuple(key.values())
        sk = keys.get(t)
        if sk is None:
            sk = keys[t] = dsd.make_key(m.SeriesKey, key)
            series[sk] = []
        attached = {a: m.AttributeValue(value_for=attr[a], value=v) for a, v in attrs.items() if v != ""}
        series[sk].append(
            m.Observation(
                series_key=sk, dimension=dsd.make_key(m.Key, {"TIME_PERIOD": o.period}), value_for=measure,
                value=value or "NaN", attached_attribute=attached,
            )
        )  # fmt: skip
    cls = m.GenericDataSet if generic else m.StructureSpecificDataSet
    header = message.Header(
        id=f"ASCC{clock.now():%Y%m%d%H%M%S}", sender=common.Agency(id="ASEAN"),
        prepared=clock.now().replace(microsecond=0),
    )  # fmt: skip
    msg = message.DataMessage(
        header=header, data=[cls(structured_by=dsd, series=series)],
        observation_dimension=dsd.dimensions.get("TIME_PERIOD"),
    )  # fmt: skip
    xml = sdmx.to_xml(msg, pretty_print=True)
    if generic:  # sdmx1 names every 2.1 data message StructureSpecificData; a generic one is GenericData
        root = etree.fromstring(xml)
        root.tag = etree.QName(MES, "GenericData").text
        xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml


def parse_message(
    name: str, data: bytes, cat: Catalogue, *, today: dt.date | None = None
) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read an SDMX-ML 2.1 data message into checked canonical rows (see :mod:`importer`)."""
    import sdmx

    try:
        root = etree.fromstring(
            data, parser=etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
        )
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        return None, [Problem(name, line, None, f"not well-formed XML: {exc.msg}")]
    local = etree.QName(root).localname
    if local not in (
        "GenericData",
        "StructureSpecificData",
        "GenericTimeSeriesData",
        "StructureSpecificTimeSeriesData",
    ):
        return None, [Problem(name, root.sourceline, None, f"<{local}> is not an SDMX-ML 2.1 data message")]
    try:
        msg = sdmx.read_sdmx(io.BytesIO(data), format="XML", structure=structure())
    except Exception as exc:  # the library raises many kinds for malformed messages
        return None, [Problem(name, None, None, f"not a readable SDMX-ML data message: {exc}")]
    records: list[dict[str, str]] = []
    for ds in msg.data:
        for o in ds.obs:
            rec = {k: str(v.value) for k, v in o.key.values.items()}
            rec["OBS_VALUE"] = "" if o.value is None else _text(o.value)
            for k, v in o.attached_attribute.items():
                rec[k] = str(v.value)
            records.append(rec)
    header = ["DATAFLOW"]
    for rec in records:
        header += [k for k in rec if k not in header]
    for col in (*DIMENSIONS, "TIME_PERIOD", "OBS_VALUE"):
        if col not in header:
            header.append(col)
    frame = pd.DataFrame(records, columns=header[1:], dtype=object).fillna("")
    frame.insert(0, "DATAFLOW", DATAFLOW)
    lines = np.arange(1, len(frame) + 1, dtype=np.int64)
    chunks = iter([(header, frame, lines)])
    return importer.check_frames(name, "sdmx-csv", chunks, cat, unit="observation", today=today)


def _text(value) -> str:
    if isinstance(value, str):
        return "" if value in ("NaN", "") else value
    v = float(value)
    return "" if v != v else format_value(v)
