"""GDACS event feeds (RSS 2.0 with the ``gdacs:``, ``geo:`` and ``dc:`` namespaces) read into the
same records as the CSV feeds, so they merge with them (``GDACS-FL-4217`` is one record id in both).

Each ``<item>`` is one event episode: ``gdacs:eventtype`` (a GLIDE hazard code: EQ, TC, FL, VO, DR,
WF, TS), ``gdacs:eventid``, ``gdacs:episodeid``, ``gdacs:fromdate``/``gdacs:todate`` (RFC 822),
``gdacs:alertlevel``, ``gdacs:iso3`` (often empty) and ``gdacs:country`` (names), ``gdacs:glide``
(empty or ``0`` when unknown) and ``geo:Point``. ``gdacs:population`` is people *exposed* (e.g.
within 100 km), not affected, so it is kept in the raw record and never taken as a count.
Every problem names the file, line and element; a file with any problem yields no record.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from pathlib import Path

from lxml import etree

from ascc.disasters.hazards import HAZARDS
from ascc.disasters.importer import GLIDE, Problem, Record
from ascc.kit import clock

NS = {"gdacs": "http://www.gdacs.org", "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#"}
ALERT_LEVELS = {"green", "orange", "red"}
#: names GDACS uses for member states besides the registry's
ALIASES = {
    "VNM": ["Vietnam", "Viet Nam"],
    "LAO": ["Laos", "Lao PDR", "Lao People's Democratic Republic"],
    "MMR": ["Myanmar", "Burma"],
    "TLS": ["Timor-Leste", "East Timor"],
    "BRN": ["Brunei"],
}


def _when(text: str) -> dt.datetime:
    value = email.utils.parsedate_to_datetime(text)
    if value is None:
        raise ValueError("not an RFC 822 date")
    return value


def read_gdacs(
    path: Path, *, member_states: dict[str, tuple[str, str, list[str]]], today: dt.date | None = None
) -> tuple[list[Record], list[Problem]]:
    """``member_states``: ISO3 → (ISO2, English name, other names)."""
    today = today or clock.today()
    name = path.name
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        return [], [Problem(file=name, line=exc.lineno or 1, reason=f"not well-formed XML: {exc.msg}")]
    if root.tag != "rss" or root.find("channel") is None:
        return [], [
            Problem(
                file=name,
                line=root.sourceline or 1,
                reason=f"not an RSS 2.0 feed (root element {root.tag!r})",
            )
        ]
    problems: list[Problem] = []
    records: list[Record] = []
    names = {code: [en, *others, *ALIASES.get(code, [])] for code, (_, en, others) in member_states.items()}
    seen: dict[str, int] = {}
    for item in root.iter("item"):
        before = len(problems)

        def fail(tag: str | None, reason: str, el=None, item=item) -> None:
            problems.append(
                Problem(
                    file=name,
                    line=(el if el is not None else item).sourceline or 1,
                    field=tag,
                    reason=reason,
                )
            )

        def text(tag: str, *, required: bool = True, item=item) -> str | None:
            prefix, _, local = tag.rpartition(":")
            el = item.find(f"{{{NS[prefix]}}}{local}" if prefix else local)
            value = (el.text or "").strip() if el is not None else ""
            if not value and required:
                fail(tag, "required element is missing or empty")
            return value or None

        hazard, event_id = text("gdacs:eventtype"), text("gdacs:eventid")
        if hazard and hazard.upper() not in HAZARDS:
            fail("gdacs:eventtype", f"unknown event type {hazard!r}")
        if event_id and not event_id.isdigit():
            fail("gdacs:eventid", f"{event_id!r} is not a GDACS event number")
        dates = {}
        for tag in ("gdacs:fromdate", "gdacs:todate"):
            raw = text(tag, required=tag == "gdacs:fromdate")
            if raw:
                try:
                    dates[tag] = _when(raw).date()
                except (TypeError, ValueError) as exc:
                    fail(tag, f"not a date: {raw!r} ({exc})")
        start, end = dates.get("gdacs:fromdate"), dates.get("gdacs:todate")
        if start and start > today:
            fail("gdacs:fromdate", f"{start} is in the future")
        if start and end and end < start:
            fail("gdacs:todate", f"ends ({end}) before it starts ({start})")
        level = text("gdacs:alertlevel", required=False)
        if level and level.lower() not in ALERT_LEVELS:
            fail("gdacs:alertlevel", f"{level!r} is not Green, Orange or Red")
        glide = text("gdacs:glide", required=False)
        if glide == "0":
            glide = None
        if glide and not GLIDE.match(glide):
            fail("gdacs:glide", f"{glide!r} is not a GLIDE number like FL-2024-000199-IDN")
        population = item.find("gdacs:population", NS)
        if population is not None and population.get("value"):
            try:
                if float(population.get("value")) < 0:
                    fail("gdacs:population", "must not be negative", population)
            except ValueError:
                fail("gdacs:population", f"not a number: {population.get('value')!r}", population)
        iso3 = [
            c.strip().upper()
            for c in (text("gdacs:iso3", required=False) or "").replace(";", ",").split(",")
            if c.strip()
        ]
        country = text("gdacs:country", required=not iso3) or ""
        if iso3:
            states = [c for c in iso3 if c in member_states]
            for c in iso3:
                if c not in member_states:
                    fail("gdacs:iso3", f"{c!r} is not an ASEAN member state")
        else:
            low = country.lower()
            states = sorted(code for code, ns in names.items() if any(n and n.lower() in low for n in ns))
            if country and not states:
                fail("gdacs:country", f"{country!r} names no ASEAN member state")
        lat = lon = None
        point = item.find("geo:Point", NS)
        if point is not None:
            try:
                lat, lon = (
                    float(point.findtext("geo:lat", namespaces=NS)),
                    float(point.findtext("geo:long", namespaces=NS)),
                )
                if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                    fail("geo:Point", f"{lat}, {lon} is not a position on Earth", point)
            except (TypeError, ValueError):
                fail("geo:Point", "geo:lat and geo:long must be numbers", point)
        if len(problems) > before:
            continue
        base = f"GDACS-{hazard.upper()}-{event_id}"
        if base in seen:
            fail("gdacs:eventid", f"event {base} is in this file already (line {seen[base]})")
            continue
        seen[base] = item.sourceline
        link = text("link", required=False)
        raw = {
            "title": text("title", required=False),
            "alert_level": level,
            "episode_id": text("gdacs:episodeid", required=False),
            "country": country,
            "latitude": lat,
            "longitude": lon,
            "population": population.text.strip() if population is not None and population.text else None,
            "line": item.sourceline,
        }
        for ms in states:
            records.append(
                Record(
                    feed="GDACS",
                    record_id=base if len(states) == 1 else f"{base}-{ms}",
                    hazard=hazard.upper(),
                    name=text("gdacs:eventname", required=False),
                    member_state=ms,
                    start_date=start,
                    end_date=end,
                    glide=glide,
                    location=country or None,
                    counts={
                        c: None
                        for c in (
                            "deaths",
                            "missing",
                            "injured",
                            "affected",
                            "houses_destroyed",
                            "houses_damaged",
                        )
                    },
                    damage_value=None,
                    damage_unit=None,
                    url=link,
                    raw={k: v for k, v in raw.items() if v is not None},
                )
            )
    return (records if not problems else []), problems
