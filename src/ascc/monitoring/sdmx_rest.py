"""The read-only SDMX-REST data query (SDMX 2.1 RESTful conventions): ``data/{flow}/{key}``.

- ``flow``: ``DF_ASCC_IND``, ``ASEAN,DF_ASCC_IND`` or ``ASEAN,DF_ASCC_IND,1.0`` (``latest`` and
  ``all`` are accepted for the agency and the version).
- ``key``: one part per dimension in the structure's order — REF_AREA.SUBNATIONAL.INDICATOR.SEX.AGE.
  URBANISATION — an empty part is a wildcard and ``+`` joins alternatives (``IDN+MYS..SP.POP.TOTL...``);
  ``all`` (or no key) selects everything. Indicator codes such as ``SP.POP.TOTL`` contain dots: since
  INDICATOR is the only dimension whose codes may, the parts between SUBNATIONAL and the last three
  are the indicator (``SP_POP_TOTL``, the SDMX id that data messages and ``CL_INDICATOR`` use, is
  accepted for ``SP.POP.TOTL`` as well). National values have SUBNATIONAL ``_Z``.
- ``startPeriod``/``endPeriod`` (inclusive; an end year includes its quarters or months),
  ``firstNObservations``/``lastNObservations`` per series.
- format by the ``Accept`` header or ``format=``: SDMX-CSV 2.0 (``csv``, ``sdmx-csv``,
  ``application/vnd.sdmx.data+csv``, ``text/csv``), SDMX-ML 2.1 generic data (the default:
  ``genericdata``, ``application/vnd.sdmx.genericdata+xml``, ``application/xml``) or
  structure-specific data (``structurespecificdata``).

Only published values (``monitoring.published``) are served. No match is a 404, as SDMX-REST says.
"""

from __future__ import annotations

import dataclasses
import io
import re

from sqlalchemy.orm import Session

from ascc.kit.errors import DomainError, Invalid, NotFound
from ascc.monitoring import published, rules, sdmx
from ascc.monitoring.importer import DATAFLOW_ID
from ascc.monitoring.models import NATIONAL
from ascc.monitoring.schemas import ObservationRead

AGENCY, VERSION = "ASEAN", "1.0"
DIMENSIONS = sdmx.DIMENSIONS
_CODE = re.compile(r"^[A-Za-z0-9_@$\-.]{1,60}$")
_PERIOD = re.compile(r"^\d{4}(-(Q[1-4]|S[12]|W\d{2}|\d{2}(-\d{2})?))?$")
FORMATS = {
    "csv": ("sdmx-csv", "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"),
    "sdmx-csv": ("sdmx-csv", "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"),
    "genericdata": ("generic", "application/vnd.sdmx.genericdata+xml; version=2.1"),
    "sdmx-ml": ("generic", "application/vnd.sdmx.genericdata+xml; version=2.1"),
    "xml": ("generic", "application/vnd.sdmx.genericdata+xml; version=2.1"),
    "structurespecificdata": ("specific", "application/vnd.sdmx.structurespecificdata+xml; version=2.1"),
}
_ACCEPT = (
    ("application/vnd.sdmx.data+csv", "csv"),
    ("text/csv", "csv"),
    ("application/vnd.sdmx.genericdata+xml", "genericdata"),
    ("application/vnd.sdmx.structurespecificdata+xml", "structurespecificdata"),
    ("application/xml", "genericdata"),
    ("text/xml", "genericdata"),
    ("*/*", "genericdata"),
    ("application/*", "genericdata"),
)


class NotAcceptable(DomainError):
    status = 406
    title = "Not acceptable"


@dataclasses.dataclass(frozen=True)
class Query:
    """A parsed key: per dimension the codes asked for (empty: any)."""

    codes: dict[str, tuple[str, ...]]

    def of(self, dim: str) -> tuple[str, ...]:
        return self.codes.get(dim, ())


def dataflow_ref() -> str:
    return f"{AGENCY},{DATAFLOW_ID},{VERSION}"


def key_for(*, indicator: str = "", member_states: tuple[str, ...] = (), national: bool = True) -> str:
    """The key selecting an indicator's (national) series of the given member states (all if none)."""
    ind = rules.sdmx_id(indicator) if indicator else ""
    return ".".join(("+".join(member_states), sdmx.NOT_APPLICABLE if national else "", ind, "", "", ""))


def parse_flow(flow: str) -> None:
    parts = flow.split(",")
    if len(parts) == 1:
        agency, flow_id, version = AGENCY, parts[0], VERSION
    elif len(parts) == 2:
        (agency, flow_id), version = parts, VERSION
    elif len(parts) == 3:
        agency, flow_id, version = parts
    else:
        raise Invalid(f"flow {flow!r}: agency,id,version", parameter="flow")
    if (
        agency not in (AGENCY, "all")
        or flow_id != DATAFLOW_ID
        or version not in (VERSION, "latest", "all", "*")
    ):
        raise NotFound(f"no dataflow {flow!r}: this service has {dataflow_ref()}")


def parse_key(key: str | None) -> Query:
    """Split an SDMX-REST key into the codes per dimension (see the module docstring)."""
    if key is None or key in ("", "all"):
        return Query({})
    parts = key.split(".")
    n = len(DIMENSIONS)
    if len(parts) < n:
        raise Invalid(f"key {key!r} has {len(parts)} parts; the structure has {n} dimensions "
                      f"({'.'.join(DIMENSIONS)})", parameter="key")  # fmt: skip
    at = DIMENSIONS.index("INDICATOR")
    tail = n - at - 1
    grouped = [*parts[:at], ".".join(parts[at : len(parts) - tail]), *parts[len(parts) - tail :]]
    codes: dict[str, tuple[str, ...]] = {}
    for dim, part in zip(DIMENSIONS, grouped, strict=True):
        if part == "":
            continue
        alternatives = tuple(part.split("+"))
        for code in alternatives:
            if not _CODE.match(code) or ("." in code and dim != "INDICATOR"):
                raise Invalid(f"key {key!r}: {dim} code {code!r} is not a valid code", parameter="key")
        codes[dim] = alternatives
    return Query(codes)


def choose_format(fmt: str | None, accept: str | None) -> str:
    if fmt:
        if fmt.lower() not in FORMATS:
            raise Invalid(f"format={fmt!r}: one of {', '.join(FORMATS)}", parameter="format")
        return fmt.lower()
    if not accept:
        return "genericdata"
    wanted = [a.split(";")[0].strip().lower() for a in accept.split(",")]
    for media in wanted:
        for prefix, name in _ACCEPT:
            if media == prefix:
                return name
    raise NotAcceptable(
        f"cannot answer with {accept!r}: SDMX-CSV or SDMX-ML 2.1 (generic or structure-specific)"
    )


def _indicators(session: Session, asked: tuple[str, ...]) -> list[str]:
    if not asked:
        return []
    known = published.indicator_codes(session, asked)
    out = set(known)
    missing = set(asked) - known
    if missing:
        by_underscore = {c.replace(".", "_"): c for c in published.all_indicator_codes(session)}
        out |= {by_underscore[m] for m in missing if m in by_underscore}
    return sorted(out) or ["\x00none"]


def query(
    session: Session, *, flow: str, key: str | None, start: str | None = None, end: str | None = None,
    first_n: int | None = None, last_n: int | None = None,
) -> list[ObservationRead]:  # fmt: skip
    """The published observations the query selects, in key and period order."""
    parse_flow(flow)
    q = parse_key(key)
    for name, value in (("startPeriod", start), ("endPeriod", end)):
        if value is not None and not _PERIOD.match(value):
            raise Invalid(
                f"{name}={value!r} is not an SDMX period (e.g. 2015, 2015-Q1, 2015-03)", parameter=name
            )
    if start and end and start > end:
        raise Invalid(f"startPeriod {start} is after endPeriod {end}", parameter="startPeriod")
    areas = q.of("SUBNATIONAL")
    rows = published.published_rows(
        session, codes=_indicators(session, q.of("INDICATOR")), member_states=q.of("REF_AREA"),
        areas=[NATIONAL if a == sdmx.NOT_APPLICABLE else a for a in areas] if areas else None,
        start=start, end=end, sex=q.of("SEX"), age=q.of("AGE"), urbanisation=q.of("URBANISATION"),
    )  # fmt: skip
    out = [ObservationRead.model_validate(r) for r in rows]
    if first_n or last_n:
        series: dict[tuple, list[ObservationRead]] = {}
        for o in out:
            k = (o.indicator_code, o.member_state, o.area_code, o.sex, o.age, o.urbanisation)
            series.setdefault(k, []).append(o)
        out = []
        for obs in series.values():
            obs.sort(key=lambda o: o.period)
            chosen = obs[: first_n or 0] + (obs[-last_n:] if last_n else [])
            out += sorted({id(o): o for o in chosen}.values(), key=lambda o: o.period)
    if not out:
        raise NotFound(f"no published observations match {key or 'all'} in {flow}")
    return out


def render(session: Session, rows: list[ObservationRead], fmt: str) -> tuple[bytes, str]:
    """The message body and its media type."""
    kind, media = FORMATS[fmt]
    units = published.units(session)
    if kind == "sdmx-csv":
        buf = io.StringIO()
        sdmx.write_csv(rows, buf, units)
        return buf.getvalue().encode("utf-8"), media
    return sdmx.write_ml(rows, units, generic=kind == "generic"), media
