"""Reading SDMX-ML 2.1 data messages (generic and structure-specific, with ``sdmx1``) into the same
rows as an SDMX-CSV file, checked by the same rules (:mod:`ascc.monitoring.imports.importer`)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
from lxml import etree

from ascc.kit.problems import Problem
from ascc.monitoring.imports import importer
from ascc.monitoring.imports.importer import Catalogue
from ascc.monitoring.sdmx.ids import DATAFLOW
from ascc.monitoring.sdmx.messages import DIMENSIONS, format_value, structure


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
        return None, [Problem(file=name, line=line, reason=f"not well-formed XML: {exc.msg}")]
    local = etree.QName(root).localname
    if local not in (
        "GenericData",
        "StructureSpecificData",
        "GenericTimeSeriesData",
        "StructureSpecificTimeSeriesData",
    ):
        return None, [
            Problem(file=name, line=root.sourceline, reason=f"<{local}> is not an SDMX-ML 2.1 data message")
        ]
    try:
        msg = sdmx.read_sdmx(io.BytesIO(data), format="XML", structure=structure())
    except Exception as exc:  # the library raises many kinds for malformed messages
        return None, [Problem(file=name, reason=f"not a readable SDMX-ML data message: {exc}")]
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
