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
- ``dimensionAtObservation``: ``TIME_PERIOD`` (series, the default) or ``AllDimensions`` (a flat
  list of observations, each with its whole key); another dimension is a 501.
- ``detail``: ``full``, ``dataonly`` (no attributes), ``serieskeysonly`` and ``nodata`` (the series
  without observations: this structure attaches every attribute to the observation, so both are the
  series keys).
- ``updatedAfter``: only the values published after that instant (recorded, or approved by a review,
  after it); ``includeHistory=false`` (the default); ``includeHistory=true``: every published
  version (``sdmx_history``), in SDMX-ML 2.1, SDMX-JSON 1.0 and 2.0 and SDMX-CSV 2.0 (SDMX-CSV 1.0
  and the draft SDMX-JSON are a 501).
- the provider segment (``data/{flow}/{key}/{provider}``): ``ASEAN`` or ``all``.
- format by the ``Accept`` header or ``format=``: SDMX-CSV 2.0 (``csv``, ``sdmx-csv``,
  ``application/vnd.sdmx.data+csv``, ``text/csv``) or 1.0 (``sdmx-csv-1.0.0``,
  ``application/vnd.sdmx.data+csv;version=1.0.0``), SDMX-ML 2.1 generic data (the default:
  ``genericdata``, ``application/vnd.sdmx.genericdata+xml``, ``application/xml``),
  structure-specific data (``structurespecificdata``), SDMX-JSON 1.0 (``jsondata``,
  ``application/vnd.sdmx.data+json;version=1.0.0``) or 2.0 (``sdmx-json-2.0.0``, ``version=2.0.0``),
  or the draft SDMX-JSON that sdmx1 reads (``draft-sdmx-json``,
  ``application/vnd.sdmx.draft-sdmx-json+json``). A version the ``Accept`` header names that is not
  one served (SDMX-ML 3.0, SDMX-CSV 3.0) is a 406.

Only published values (``monitoring.published``) are served. No match is a 404, as SDMX-REST says.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from ascc.kit.errors import DomainError, Invalid, NotFound
from ascc.monitoring import published, rules
from ascc.monitoring.models import NATIONAL, Submission
from ascc.monitoring.schemas import ObservationRead
from ascc.monitoring.sdmx import history as sdmx_history
from ascc.monitoring.sdmx import messages as sdmx
from ascc.monitoring.sdmx.ids import DATAFLOW_ID

AGENCY, VERSION = "ASEAN", "1.0"
DIMENSIONS = sdmx.DIMENSIONS
_CODE = re.compile(r"^[A-Za-z0-9_@$\-.]{1,60}$")
_PERIOD = re.compile(r"^\d{4}(-(Q[1-4]|S[12]|W\d{2}|\d{2}(-\d{2})?))?$")
JSON_1 = "application/vnd.sdmx.data+json; version=1.0.0; charset=utf-8"
FORMATS = {
    "csv": ("sdmx-csv", "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"),
    "sdmx-csv": ("sdmx-csv", "application/vnd.sdmx.data+csv; version=2.0.0; charset=utf-8"),
    "sdmx-csv-1.0.0": ("sdmx-csv-1.0", "application/vnd.sdmx.data+csv; version=1.0.0; charset=utf-8"),
    "genericdata": ("generic", "application/vnd.sdmx.genericdata+xml; version=2.1"),
    "sdmx-ml": ("generic", "application/vnd.sdmx.genericdata+xml; version=2.1"),
    "xml": ("generic", "application/vnd.sdmx.genericdata+xml; version=2.1"),
    "structurespecificdata": ("specific", "application/vnd.sdmx.structurespecificdata+xml; version=2.1"),
    "jsondata": ("json-1.0.0", JSON_1),
    "sdmx-json": ("json-1.0.0", JSON_1),
    "sdmx-json-2.0.0": ("json-2.0.0", "application/vnd.sdmx.data+json; version=2.0.0; charset=utf-8"),
    "draft-sdmx-json": (
        "json-draft",
        "application/vnd.sdmx.draft-sdmx-json+json; version=1.0.0; charset=utf-8",
    ),
}
#: media type → its format by the ``version=`` parameter (``None``: none given, ``*``: any); a version
#: not listed is a 406
_ACCEPT: dict[str, dict[str | None, str]] = {
    "application/vnd.sdmx.data+csv": {
        None: "csv",
        "2.0.0": "csv",
        "2.0": "csv",
        "1.0.0": "sdmx-csv-1.0.0",
        "1.0": "sdmx-csv-1.0.0",
    },
    "text/csv": {None: "csv", "*": "csv"},
    "application/vnd.sdmx.genericdata+xml": {None: "genericdata", "2.1": "genericdata"},
    "application/vnd.sdmx.structurespecificdata+xml": {
        None: "structurespecificdata",
        "2.1": "structurespecificdata",
    },
    "application/vnd.sdmx.data+json": {
        None: "jsondata",
        "1.0.0": "jsondata",
        "1.0": "jsondata",
        "2.0.0": "sdmx-json-2.0.0",
        "2.0": "sdmx-json-2.0.0",
    },
    "application/vnd.sdmx.draft-sdmx-json+json": {None: "draft-sdmx-json", "*": "draft-sdmx-json"},
    "application/xml": {None: "genericdata", "*": "genericdata"},
    "text/xml": {None: "genericdata", "*": "genericdata"},
    "*/*": {None: "genericdata", "*": "genericdata"},
    "application/*": {None: "genericdata", "*": "genericdata"},
}
DETAILS = ("full", "dataonly", "serieskeysonly", "nodata")
#: the query parameters of a data query this service reads; any other is a 400
PARAMETERS = frozenset(
    {
        "startPeriod",
        "endPeriod",
        "firstNObservations",
        "lastNObservations",
        "format",
        "dimensionAtObservation",
        "detail",
        "updatedAfter",
        "includeHistory",
    }
)


class NotAcceptable(DomainError):
    status = 406
    title = "Not acceptable"


class NotImplementedHere(DomainError):
    status = 501
    title = "Not implemented"


class BadRequest(DomainError):
    status = 400
    title = "Bad request"


def check_at_observation(value: str | None) -> str:
    """``TIME_PERIOD`` (the default) or ``AllDimensions``; another dimension is not implemented (501)."""
    value = value or "TIME_PERIOD"
    if value in sdmx.AT_OBSERVATION:
        return value
    if value in sdmx.DIMENSIONS:
        raise NotImplementedHere(
            f"dimensionAtObservation={value!r} is not implemented here: {', '.join(sdmx.AT_OBSERVATION)}",
            parameter="dimensionAtObservation",
        )
    raise BadRequest(
        f"dimensionAtObservation={value[:60]!r}: one of {', '.join(sdmx.AT_OBSERVATION)}",
        parameter="dimensionAtObservation",
    )


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
        raise Invalid(
            f"key {key!r} has {len(parts)} parts; the structure has {n} dimensions ({'.'.join(DIMENSIONS)})",
            parameter="key",
        )
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
    for item in accept.split(","):
        media, *params = (p.strip().lower() for p in item.split(";"))
        version = next((p.split("=", 1)[1].strip('" ') for p in params if p.startswith("version=")), None)
        by_version = _ACCEPT.get(media, {})
        if name := by_version.get(version) or by_version.get("*"):
            return name
    raise NotAcceptable(
        f"cannot answer with {accept[:200]!r}: SDMX-CSV 1.0.0 or 2.0.0, SDMX-ML 2.1 (generic or structure-specific) "
        "or SDMX-JSON 1.0.0 or 2.0.0"
    )


def check_options(
    *,
    detail: str | None,
    at_observation: str | None,
    include_history: str | None,
) -> tuple[str, str]:
    """``detail`` and ``dimensionAtObservation`` (defaults ``full``, ``TIME_PERIOD``); 501 for what
    SDMX-REST defines and this service does not do, 400 for values it does not define.
    ``includeHistory`` is checked here (true or false) and by :func:`history_format`."""
    detail = detail or "full"
    if detail not in DETAILS:
        raise BadRequest(f"detail={detail[:40]!r}: one of {', '.join(DETAILS)}", parameter="detail")
    at = check_at_observation(at_observation)
    if at == sdmx.ALL_DIMENSIONS and detail in ("serieskeysonly", "nodata"):
        raise BadRequest(
            f"detail={detail} lists series: dimensionAtObservation must be TIME_PERIOD", parameter="detail"
        )
    history = (include_history or "false").lower()
    if history not in ("true", "false"):
        raise BadRequest(
            f"includeHistory={include_history[:20]!r}: true or false", parameter="includeHistory"
        )
    return detail, at


#: the formats that carry previous versions (``includeHistory=true``): SDMX-ML 2.1 and SDMX-JSON 1.0
#: and 2.0 data sets with their validity, SDMX-CSV 2.0 rows with ``ACTION`` R and the columns
#: VALID_FROM, VALID_TO
HISTORY_KINDS = ("generic", "specific", "sdmx-csv", "json-1.0.0", "json-2.0.0")


def wants_history(include_history: str | None, fmt: str) -> bool:
    """``includeHistory=true`` in a format that carries it; in another format a 501 naming it."""
    if (include_history or "false").lower() != "true":
        return False
    kind, media = FORMATS[fmt]
    if kind not in HISTORY_KINDS:
        raise NotImplementedHere(
            f"includeHistory=true is not implemented for {media.split(';')[0]}: "
            "SDMX-ML 2.1 (generic or structure-specific data), SDMX-CSV 2.0 or SDMX-JSON 1.0.0 or 2.0.0",
            parameter="includeHistory",
        )
    return True


def _aware(t: dt.datetime | None) -> dt.datetime | None:
    return t.replace(tzinfo=dt.UTC) if t is not None and t.tzinfo is None else t


def published_at(session: Session, rows: list[ObservationRead]) -> dict[int, dt.datetime]:
    """When each row became public (observation id → instant, UTC): recorded, or approved by its
    submission's review, whichever is later."""
    ids = {o.submission_id for o in rows if o.submission_id is not None}
    reviewed = (
        dict(
            session.execute(select(Submission.id, Submission.reviewed_at).where(Submission.id.in_(ids))).all()
        )
        if ids
        else {}
    )
    return {
        o.id: max(t for t in (_aware(o.recorded_at), _aware(reviewed.get(o.submission_id))) if t is not None)
        for o in rows
    }


def updated_after(session: Session, rows: list[ObservationRead], since: str) -> list[ObservationRead]:
    """The rows published after ``since`` (ISO 8601, with an offset or UTC): recorded after it, or
    approved by a submission's review after it."""
    try:
        instant = dt.datetime.fromisoformat(since.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise Invalid(
            f"updatedAfter={since[:40]!r} is not an ISO 8601 date-time (2024-01-31T00:00:00Z)",
            parameter="updatedAfter",
        ) from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=dt.UTC)
    when = published_at(session, rows)
    return [o for o in rows if when[o.id] > instant]


def _indicators(session: Session, asked: tuple[str, ...]) -> list[str]:
    if not asked:
        return []
    known = published.indicator_codes(session, asked)
    out = set(known)
    missing = set(asked) - known
    if missing:
        by_underscore = {c.replace(".", "_"): c for c in published.all_indicator_codes(session)}
        out |= {by_underscore[m] for m in missing if m in by_underscore}
    return sorted(out)


def check_provider(provider: str | None) -> None:
    """The data provider of a 1.x data query (``data/{flow}/{key}/{provider}``): ``ASEAN`` (the
    Secretariat, which publishes every value here), ``ASEAN,ASEAN`` or ``all``; another is a 404."""
    if provider is None or provider in ("all", "*", AGENCY, f"{AGENCY},{AGENCY}", f"all,{AGENCY}"):
        return
    raise NotFound(f"no data provider {provider[:60]!r}: this service's data are provided by {AGENCY}")


def check_periods(start: str | None, end: str | None) -> None:
    for name, value in (("startPeriod", start), ("endPeriod", end)):
        if value is not None and not _PERIOD.match(value):
            raise Invalid(
                f"{name}={value!r} is not an SDMX period (e.g. 2015, 2015-Q1, 2015-03)", parameter=name
            )
    if start and end and start > end:
        raise Invalid(f"startPeriod {start} is after endPeriod {end}", parameter="startPeriod")


def _first_last(
    rows: list[ObservationRead], first_n: int | None, last_n: int | None
) -> list[ObservationRead]:
    """Per series, the observations of its first ``first_n`` and last ``last_n`` periods (with every
    revision of those periods when the rows are a history)."""
    series: dict[tuple, list[ObservationRead]] = {}
    for o in rows:
        k = (o.indicator_code, o.member_state, o.area_code, o.sex, o.age, o.urbanisation)
        series.setdefault(k, []).append(o)
    out = []
    for obs in series.values():
        periods = sorted({o.period for o in obs})
        chosen = set(periods[: first_n or 0]) | set(periods[-last_n:] if last_n else ())
        out += sorted((o for o in obs if o.period in chosen), key=lambda o: (o.period, o.revision))
    return out


def query(
    session: Session,
    *,
    flow: str,
    key: str | Query | None,
    start: str | None = None,
    end: str | None = None,
    first_n: int | None = None,
    last_n: int | None = None,
    updated: str | None = None,
    history: bool = False,
) -> list[ObservationRead]:
    """The published observations the query selects, in key and period order; with ``history``
    every approved revision of them (oldest first), never a draft, submitted or rejected one. ``key``
    is a 1.x key or a parsed :class:`Query` (the 2.0 routes build one, ``sdmx.v2``)."""
    parse_flow(flow)
    q = key if isinstance(key, Query) else parse_key(key)
    check_periods(start, end)
    areas = q.of("SUBNATIONAL")
    codes = _indicators(session, q.of("INDICATOR"))
    if q.of("INDICATOR") and not codes:  # (no sentinel code: PostgreSQL refuses a NUL in text)
        raise NotFound(f"no indicator {'+'.join(q.of('INDICATOR'))[:80]} in {flow}")
    rows = published.published_rows(
        session,
        codes=codes,
        member_states=q.of("REF_AREA"),
        areas=[NATIONAL if a == sdmx.NOT_APPLICABLE else a for a in areas] if areas else None,
        start=start,
        end=end,
        sex=q.of("SEX"),
        age=q.of("AGE"),
        urbanisation=q.of("URBANISATION"),
        history=history,
    )
    out = [ObservationRead.model_validate(r) for r in rows]
    if first_n or last_n:
        out = _first_last(out, first_n, last_n)
    if updated is not None:
        out = updated_after(session, out, updated)
    if not out:
        shown = key if isinstance(key, str) else "the key" if key else "all"
        raise NotFound(f"no published observations match {shown or 'all'} in {flow}")
    return out


def query_keys(
    session: Session, *, flow: str, keys: list[str | Query | None], **options
) -> list[ObservationRead]:
    """The union of :func:`query` over several keys (SDMX-REST 2.0 joins keys with ``,``); 404 when
    none matches."""
    if len(keys) == 1:
        return query(session, flow=flow, key=keys[0], **options)
    found: dict[int, ObservationRead] = {}
    for key in keys:
        try:
            found |= {o.id: o for o in query(session, flow=flow, key=key, **options)}
        except NotFound:
            continue
    if not found:
        raise NotFound(f"no published observations match these keys in {flow}")
    return sorted(found.values(), key=lambda o: (*(getattr(o, c) for c in published.KEY_COLUMNS), o.revision))


def render(
    session: Session,
    rows: list[ObservationRead],
    fmt: str,
    *,
    detail: str = "full",
    at_observation: str = "TIME_PERIOD",
    history: bool = False,
) -> tuple[bytes, str]:
    """The message body and its media type (``detail`` and ``at_observation`` checked by
    :func:`check_options`; ``history``: the rows are every version, :func:`wants_history`)."""
    kind, media = FORMATS[fmt]
    units = published.units(session)
    options = {"attributes": detail == "full", "observations": detail in ("full", "dataonly")}
    if history and options["observations"]:
        when = published_at(session, rows)
        if kind == "sdmx-csv":
            return sdmx_history.write_csv(rows, when, units, attributes=options["attributes"]), media
        if kind.startswith("json-"):
            groups = sdmx_history.disseminations(rows, when)
            body = sdmx.write_json(
                rows, units, version=kind[5:], at_observation=at_observation, history=groups, **options
            )
            return body, media
        body = sdmx_history.write_ml(
            rows,
            when,
            units,
            generic=kind == "generic",
            at_observation=at_observation,
            attributes=options["attributes"],
        )
        return body, media
    if kind.startswith("sdmx-csv"):
        buf = io.StringIO()
        sdmx.write_csv(rows, buf, units, version="1.0" if kind == "sdmx-csv-1.0" else "2.0", **options)
        return buf.getvalue().encode("utf-8"), media
    if kind.startswith("json-"):
        return sdmx.write_json(rows, units, version=kind[5:], at_observation=at_observation, **options), media
    return sdmx.write_ml(
        rows, units, generic=kind == "generic", at_observation=at_observation, **options
    ), media
