"""Common Alerting Protocol 1.2 (OASIS) alerts: parse, validate, and read the member states out.

A CAP message names its area in free text (``areaDesc``) and optionally with ``geocode`` pairs;
member states are taken from ISO 3166-1 geocodes (``valueName`` ISO3166-1, alpha-2 or alpha-3)
and from member-state names in ``areaDesc``. Every problem names the file, line and element.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from lxml import etree

from ascc.disasters.importer import GLIDE, Problem

NS = "urn:oasis:names:tc:emergency:cap:1.2"
URGENCY = {"Immediate", "Expected", "Future", "Past", "Unknown"}
SEVERITY = {"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
CERTAINTY = {"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
STATUS = {"Actual", "Exercise", "System", "Test", "Draft"}
MSG_TYPE = {"Alert", "Update", "Cancel", "Ack", "Error"}
#: CAP info/category → GLIDE hazard code, where one fits
CATEGORY_HAZARD = {"Geo": "EQ", "Met": "ST", "Fire": "WF", "Health": "EP"}


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
    references: list[str]


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
        return [], [Problem(name, exc.lineno or 1, None, f"not well-formed XML: {exc.msg}")]
    if root.tag != f"{{{NS}}}alert":
        return [], [
            Problem(name, root.sourceline or 1, None, f"not a CAP 1.2 alert (root element {root.tag!r})")
        ]
    problems: list[Problem] = []

    def text(parent, tag: str, *, required: bool = True) -> str | None:
        el = parent.find(f"{{{NS}}}{tag}")
        if el is None or not (el.text or "").strip():
            if required:
                problems.append(
                    Problem(name, parent.sourceline or 1, tag, "required element is missing or empty")
                )
            return None
        return el.text.strip()

    def choice(parent, tag: str, allowed: set[str]) -> str | None:
        value = text(parent, tag)
        if value is not None and value not in allowed:
            el = parent.find(f"{{{NS}}}{tag}")
            problems.append(
                Problem(name, el.sourceline, tag, f"{value!r} is not one of {', '.join(sorted(allowed))}")
            )
        return value

    def when(parent, tag: str, *, required: bool) -> dt.datetime | None:
        raw = text(parent, tag, required=required)
        if raw is None:
            return None
        try:
            return _dt(raw)
        except ValueError as exc:
            el = parent.find(f"{{{NS}}}{tag}")
            problems.append(Problem(name, el.sourceline, tag, f"not a CAP date-time: {raw!r} ({exc})"))
            return None

    identifier, sender = text(root, "identifier"), text(root, "sender")
    sent = when(root, "sent", required=True)
    status, msg_type = choice(root, "status", STATUS), choice(root, "msgType", MSG_TYPE)
    text(root, "scope")
    # <references>: "sender,identifier,sent" triples separated by spaces; keep the identifiers
    refs = [
        part.split(",")[1]
        for part in (text(root, "references", required=False) or "").split()
        if part.count(",") == 2
    ]
    infos = root.findall(f"{{{NS}}}info")
    if not infos:
        problems.append(Problem(name, root.sourceline or 1, "info", "an alert needs at least one info block"))
    alerts = []
    for info in infos:
        before = len(problems)
        event = text(info, "event")
        urgency, severity = choice(info, "urgency", URGENCY), choice(info, "severity", SEVERITY)
        certainty = choice(info, "certainty", CERTAINTY)
        effective, expires = when(info, "effective", required=False), when(info, "expires", required=False)
        if effective and expires and expires < effective:
            problems.append(Problem(name, info.sourceline, "expires", "expires before it becomes effective"))
        areas, states = [], set()
        for area in info.findall(f"{{{NS}}}area"):
            desc = text(area, "areaDesc")
            if desc:
                areas.append(desc)
                low = desc.lower()
                states |= {code for code, (_, en, others) in member_states.items()
                           if any(n.lower() in low for n in [en, *others])}  # fmt: skip
            for geo in area.findall(f"{{{NS}}}geocode"):
                vname, value = text(geo, "valueName"), (text(geo, "value") or "").upper()
                if vname and vname.upper().startswith("ISO3166-1"):
                    match = [c for c, (iso2, _, _) in member_states.items() if value in (c, iso2)]
                    if not match:
                        problems.append(
                            Problem(
                                name, geo.sourceline, "geocode", f"{value!r} is not an ASEAN member state"
                            )
                        )
                    states |= set(match)
        glide = None
        for param in info.findall(f"{{{NS}}}parameter"):
            if (text(param, "valueName", required=False) or "").upper() == "GLIDE":
                glide = text(param, "value", required=False)
                if glide and not GLIDE.match(glide):
                    problems.append(Problem(name, param.sourceline, "parameter", f"GLIDE {glide!r} is not a GLIDE "
                                            "number like FL-2024-000199-IDN"))  # fmt: skip
        categories = [c.text for c in info.findall(f"{{{NS}}}category") if c.text]
        if len(problems) > before or None in (identifier, sender, sent, status, msg_type):
            continue
        alerts.append(Alert(
            identifier=identifier, sender=sender, sent=sent, status=status, msg_type=msg_type, event=event,
            hazard=next((CATEGORY_HAZARD[c] for c in categories if c in CATEGORY_HAZARD), None),
            urgency=urgency, severity=severity, certainty=certainty, headline=text(info, "headline", required=False),
            description=text(info, "description", required=False), area="; ".join(areas) or None,
            member_states=sorted(states), effective=effective, expires=expires, glide=glide, references=refs,
        ))  # fmt: skip
    return (alerts if not problems else []), problems
