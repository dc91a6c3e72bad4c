"""Common Alerting Protocol 1.2 (OASIS) alerts: parse, validate, and read the member states out.

Every message is checked against the official CAP 1.2 schema (``data/CAP-v1.2.xsd``, the schema's
own message with its line) and by the rules below; every problem names the file, line and element.

- **One alert, its languages.** An alert is identified by sender, identifier and sent time (CAP's
  own key: ``references`` name alerts by that triple). Its ``info`` blocks — often one per language
  — are kept as one row each under that key, and read back as one alert with its languages.
- **Member states** come from ISO 3166-1 geocodes (alpha-2 or alpha-3), from polygons (every
  vertex) and circles (the centre and eight points on the circle) located on the member states'
  land (Natural Earth 1:50m, ``../shared/data``), and from member-state names in ``areaDesc``. An
  alert for an area outside ASEAN is read, kept, and never "current" here.
- **Hazard**: from the event's and headline's words first (a flood is a flood whatever the
  category), then from the category where only one hazard fits (Fire: wildfire, Health: epidemic);
  otherwise none — a ``Met`` alert is not a storm by default.
- **Times** keep their UTC offset: each time's offset (minutes) is stored beside the UTC value.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from functools import cache
from pathlib import Path

from lxml import etree

from ascc.disasters.importer import GLIDE, Problem
from ascc.kit import geo

NS = "urn:oasis:names:tc:emergency:cap:1.2"
URGENCY = {"Immediate", "Expected", "Future", "Past", "Unknown"}
SEVERITY = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
CERTAINTY = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
STATUS = {"Actual", "Exercise", "System", "Test", "Draft"}
MSG_TYPE = {"Alert", "Update", "Cancel", "Ack", "Error"}
#: words of an info block's event or headline (English and Indonesian) → GLIDE hazard code; the
#: first that matches wins, so the more specific come first
EVENT_TERMS: tuple[tuple[str, str], ...] = (
    (r"tsunami", "TS"),
    (r"earthquake|gempa", "EQ"),
    (r"volcan|eruption|erupsi|gunung api", "VO"),
    (r"storm surge|gelombang badai", "SS"),
    (r"flash flood|banjir bandang", "FF"),
    (r"flood|inundation|banjir", "FL"),
    (r"landslide|mudslide|mud ?flow|longsor", "LS"),
    (r"typhoon|cyclone|tropical storm|tropical depression|hurricane|topan|siklon", "TC"),
    (r"tornado|waterspout|puting beliung", "TO"),
    (r"thunderstorm|severe storm|squall|heavy rain|hujan lebat|badai", "ST"),
    (r"high waves?|big waves?|gelombang tinggi", "WV"),
    (r"drought|kekeringan", "DR"),
    (r"wildfire|forest fire|bush ?fire|haze|karhutla|kebakaran hutan", "WF"),
    (r"epidemic|outbreak|dengue|cholera|wabah", "EP"),
)
#: CAP info/category → GLIDE hazard code, only where the category alone names one hazard
CATEGORY_HAZARD = {"Fire": "WF", "Health": "EP"}
#: CAP leaves an alert without ``expires`` to the recipient: here it stops being current this long
#: after it becomes effective (``effective``, else ``sent``)
DEFAULT_VALIDITY = dt.timedelta(hours=24)
SCHEMA_FILE = Path(__file__).parent / "data" / "CAP-v1.2.xsd"


@cache
def schema() -> etree.XMLSchema:
    """The official CAP 1.2 schema (OASIS), vendored."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_FILE)))


def hazard_of(event: str | None, headline: str | None, categories: list[str]) -> str | None:
    words = f"{event or ''} {headline or ''}".lower()
    for pattern, code in EVENT_TERMS:
        if re.search(pattern, words):
            return code
    return next((CATEGORY_HAZARD[c] for c in categories if c in CATEGORY_HAZARD), None)


def _points(polygon: str | None = None, circle: str | None = None) -> list[tuple[float, float]]:
    """CAP ``polygon`` ("lat,lon lat,lon …") vertices, or a ``circle`` ("lat,lon radius-km") centre
    and eight points on it, as (lon, lat)."""
    if polygon:
        pairs = [p.split(",") for p in polygon.split()]
        return [(float(lon), float(lat)) for lat, lon in pairs]
    centre, radius = circle.split()
    lat, lon = map(float, centre.split(","))
    km = float(radius)
    out = [(lon, lat)]
    per_lon = 111.32 * max(math.cos(math.radians(lat)), 0.01)  # km per degree, shrinking with latitude
    for k in range(8):
        angle = k * math.pi / 4
        out.append((lon + km / per_lon * math.cos(angle), lat + km / 111.32 * math.sin(angle)))
    return out


def ref_key(sender: str, identifier: str, sent: dt.datetime) -> str:
    """CAP's key of an alert, with its time in UTC: ``sender,identifier,sent``."""
    return f"{sender},{identifier},{sent.astimezone(dt.UTC).isoformat()}"


@dataclasses.dataclass
class Alert:
    identifier: str
    sender: str
    sent: dt.datetime
    status: str
    msg_type: str
    event: str
    hazard: str | None
    urgency: str
    severity: str
    certainty: str
    headline: str | None
    description: str | None
    area: str | None
    member_states: list[str]
    effective: dt.datetime | None
    expires: dt.datetime | None
    glide: str | None
    references: list[str]  # the alerts it updates or cancels, each ``sender,identifier,sent`` (UTC)
    language: str  # the info block's (CAP's default, en-US, when absent)
    offsets: dict[str, int]  # time (sent, effective, expires) → its UTC offset, minutes


def _dt(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.strip())
    if value.tzinfo is None:
        raise ValueError("CAP times need a time zone, e.g. 2026-11-20T08:00:00+07:00")
    return value


def read_cap(
    path: Path, *, member_states: dict[str, tuple[str, str, list[str]]]
) -> tuple[list[Alert], list[Problem]]:
    """``member_states``: ISO3 → (ISO2, English name, other names). Returns alerts and problems."""
    name = path.name
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot()
    except etree.XMLSyntaxError as exc:
        return [], [Problem(file=name, line=exc.lineno or 1, reason=f"not well-formed XML: {exc.msg}")]
    if root.tag != f"{{{NS}}}alert":
        return [], [
            Problem(
                file=name,
                line=root.sourceline or 1,
                reason=f"not a CAP 1.2 alert (root element {root.tag!r})",
            )
        ]
    problems: list[Problem] = []
    offsets: dict[str, int] = {}

    def text(parent, tag: str, *, required: bool = True) -> str | None:
        el = parent.find(f"{{{NS}}}{tag}")
        if el is None or not (el.text or "").strip():
            if required:
                problems.append(
                    Problem(
                        file=name,
                        line=parent.sourceline or 1,
                        field=tag,
                        reason="required element is missing or empty",
                    )
                )
            return None
        return el.text.strip()

    def choice(parent, tag: str, allowed: set[str]) -> str | None:
        value = text(parent, tag)
        if value is not None and value not in allowed:
            el = parent.find(f"{{{NS}}}{tag}")
            problems.append(
                Problem(
                    file=name,
                    line=el.sourceline,
                    field=tag,
                    reason=f"{value!r} is not one of {', '.join(sorted(allowed))}",
                )
            )
        return value

    def when(parent, tag: str, *, required: bool) -> dt.datetime | None:
        raw = text(parent, tag, required=required)
        if raw is None:
            return None
        try:
            value = _dt(raw)
            offsets[tag] = int(value.utcoffset().total_seconds() // 60)
            return value
        except ValueError as exc:
            el = parent.find(f"{{{NS}}}{tag}")
            problems.append(
                Problem(
                    file=name, line=el.sourceline, field=tag, reason=f"not a CAP date-time: {raw!r} ({exc})"
                )
            )
            return None

    identifier, sender = text(root, "identifier"), text(root, "sender")
    sent = when(root, "sent", required=True)
    status, msg_type = choice(root, "status", STATUS), choice(root, "msgType", MSG_TYPE)
    text(root, "scope")
    # <references>: "sender,identifier,sent" triples separated by spaces, kept with the time in UTC
    refs = []
    for part in (text(root, "references", required=False) or "").split():
        ref_sender, ref_id, ref_sent = [*part.split(","), "", ""][:3]
        try:
            refs.append(ref_key(ref_sender, ref_id, _dt(ref_sent)))
        except ValueError:
            el = root.find(f"{{{NS}}}references")
            problems.append(
                Problem(
                    file=name,
                    line=el.sourceline,
                    field="references",
                    reason=f"{part!r} is not sender,identifier,sent with a time zone",
                )
            )
    infos = root.findall(f"{{{NS}}}info")
    if not infos:
        problems.append(
            Problem(
                file=name,
                line=root.sourceline or 1,
                field="info",
                reason="an alert needs at least one info block",
            )
        )
    alerts = []
    for info in infos:
        before = len(problems)
        event = text(info, "event")
        urgency, severity = choice(info, "urgency", URGENCY), choice(info, "severity", SEVERITY)
        certainty = choice(info, "certainty", CERTAINTY)
        effective, expires = when(info, "effective", required=False), when(info, "expires", required=False)
        if effective and expires and expires < effective:
            problems.append(
                Problem(
                    file=name,
                    line=info.sourceline,
                    field="expires",
                    reason="expires before it becomes effective",
                )
            )
        areas, states = [], set()
        for area in info.findall(f"{{{NS}}}area"):
            desc = text(area, "areaDesc")
            if desc:
                areas.append(desc)
                low = desc.lower()
                states |= {
                    code
                    for code, (_, en, others) in member_states.items()
                    if any(n.lower() in low for n in [en, *others])
                }
            for code in area.findall(f"{{{NS}}}geocode"):  # a country outside ASEAN: no member state
                vname, value = text(code, "valueName"), (text(code, "value") or "").upper()
                if vname and vname.upper().startswith("ISO3166-1"):
                    states |= {c for c, (iso2, _, _) in member_states.items() if value in (c, iso2)}
            for tag in ("polygon", "circle"):
                for shape in area.findall(f"{{{NS}}}{tag}"):
                    try:
                        points = _points(**{tag: (shape.text or "").strip()})
                    except ValueError:
                        problems.append(
                            Problem(
                                file=name,
                                line=shape.sourceline,
                                field=tag,
                                reason=f"not a CAP {tag}: {(shape.text or '').strip()[:60]!r}",
                            )
                        )
                        continue
                    states |= geo.countries_touched(points) & set(member_states)
        glide = None
        for param in info.findall(f"{{{NS}}}parameter"):
            if (text(param, "valueName", required=False) or "").upper() == "GLIDE":
                glide = text(param, "value", required=False)
                if glide and not GLIDE.match(glide):
                    problems.append(
                        Problem(
                            file=name,
                            line=param.sourceline,
                            field="parameter",
                            reason=f"GLIDE {glide!r} is not a GLIDE number like FL-2024-000199-IDN",
                        )
                    )
        categories = [c.text for c in info.findall(f"{{{NS}}}category") if c.text]
        if len(problems) > before or None in (identifier, sender, sent, status, msg_type):
            continue
        headline = text(info, "headline", required=False)
        alerts.append(
            Alert(
                identifier=identifier,
                sender=sender,
                sent=sent,
                status=status,
                msg_type=msg_type,
                event=event,
                hazard=hazard_of(event, headline, categories),
                urgency=urgency,
                severity=severity,
                certainty=certainty,
                headline=headline,
                description=text(info, "description", required=False),
                area="; ".join(areas) or None,
                member_states=sorted(states),
                effective=effective,
                expires=expires,
                glide=glide,
                references=refs,
                language=text(info, "language", required=False) or "en-US",
                offsets=dict(offsets),
            )
        )
    # the official schema last: its message for what the checks above did not already name (its line)
    if not schema().validate(root):
        named = {p.line for p in problems}
        problems += [
            Problem(file=name, line=e.line, reason=f"CAP 1.2 schema: {e.message}")
            for e in schema().error_log
            if e.line not in named
        ]
    return (alerts if not problems else []), problems
