"""Maps drawn on the server as SVG geometry: no tiles, no CDN, no script.

Boundaries and the projection are ``ascc.kit.geo``'s: Natural Earth 1:50m countries, and the
Global Data Lab regions where an event has subnational areas. Philippine provinces (PSGC codes)
are shown by the region that contains them: the first two digits of a PSGC code are its region,
and the shared data has region polygons but no province polygons.
"""

from __future__ import annotations

from typing import Any

from ascc.kit import geo
from ascc.kit.geo import FRAME, HEIGHT, WIDTH, countries, project, regions, view_box

#: PSGC region prefix → Global Data Lab region (Philippine Statistics Authority region codes)
PSGC_REGION_GDL = {
    "13": "PHLr101",
    "14": "PHLr102",
    "01": "PHLr103",
    "02": "PHLr104",
    "03": "PHLr105",
    "04": "PHLr106",
    "17": "PHLr107",
    "05": "PHLr108",
    "06": "PHLr109",
    "07": "PHLr110",
    "08": "PHLr111",
    "09": "PHLr112",
    "10": "PHLr113",
    "11": "PHLr114",
    "12": "PHLr115",
    "16": "PHLr116",
    "15": "PHLr117",
    "19": "PHLr117",
}
__all__ = [
    "FRAME",
    "HEIGHT",
    "WIDTH",
    "countries",
    "event_map",
    "regional_map",
    "regions",
]


def _point(data: dict[str, Any]) -> tuple[float, float] | None:
    raw = data.get("raw") or {}
    try:
        lat, lon = float(raw["latitude"]), float(raw["longitude"])
    except (KeyError, TypeError, ValueError):
        return None
    if not (FRAME[0] <= lon <= FRAME[2] and FRAME[1] <= lat <= FRAME[3]):
        return None
    return project(lon, lat)


def event_map(event: dict[str, Any]) -> dict[str, Any] | None:
    """The affected member states, the regions holding the affected areas, and the feeds' points."""
    shapes = countries()
    if not shapes:
        return None
    gdl = {PSGC_REGION_GDL.get(a["code"][:2]) for a in event.get("areas", []) if a["scheme"] == "PSGC"} - {
        None
    }
    reg = regions()
    points = [p for s in event.get("sources", []) if (p := _point(s.get("data") or {}))]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "view_box": view_box(v["d"] for v in shapes.values()),
        "countries": [
            {"code": c, "d": v["d"], "affected": c in event["member_states"]}
            for c, v in sorted(shapes.items())
        ],
        "regions": [{"code": r, "name": reg[r]["name"], "d": reg[r]["d"]} for r in sorted(gdl) if r in reg],
        "points": [{"x": x, "y": y} for x, y in dict.fromkeys(points)],
    }


def footprint(event: dict[str, Any]) -> dict[str, Any] | None:
    """The event as GeoJSON (RFC 7946): the affected member states' land, the regions holding its
    affected areas (Philippine provinces by PSGC, through their Global Data Lab region) and the
    points its feeds give (an earthquake's epicentre), each feature saying what it is."""
    if not geo.features(geo.COUNTRIES):
        return None
    gdl = {PSGC_REGION_GDL.get(a["code"][:2]) for a in event.get("areas", []) if a["scheme"] == "PSGC"} - {
        None
    }
    out = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "role": "member_state",
                "code": f["properties"]["iso_a3"],
                "source": geo.SOURCES[geo.COUNTRIES],
            },
        }
        for f in geo.features(geo.COUNTRIES)
        if f["properties"]["iso_a3"] in event["member_states"]
    ]
    out += [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "role": "region",
                "code": f["properties"]["region_code"],
                "name": f["properties"].get("region_name"),
                "source": geo.SOURCES[geo.GDL_REGIONS],
            },
        }
        for f in geo.features(geo.GDL_REGIONS)
        if f["properties"]["region_code"] in gdl
    ]
    for s in event.get("sources", []):
        raw = (s.get("data") or {}).get("raw") or {}
        try:
            lon, lat = float(raw["longitude"]), float(raw["latitude"])
        except (KeyError, TypeError, ValueError):
            continue
        out.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"role": "point", "feed": s.get("feed")},
            }
        )
    props = {k: event.get(k) for k in ("id", "name", "hazard", "start_date", "end_date", "glide")}
    return {"type": "FeatureCollection", "properties": props, "features": out}


def regional_map(events: list[dict[str, Any]], alerts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Current events (points where a feed gives one) and the member states under alerts in force."""
    shapes = countries()
    if not shapes:
        return None
    alerted = {m for a in alerts for m in a["member_states"]}
    affected = {m for e in events for m in e["member_states"]}
    marks = []
    for e in events:
        p = next((q for s in e.get("sources", []) if (q := _point(s.get("data") or {}))), None)
        if p is None and e["member_states"] and e["member_states"][0] in shapes:
            continue
        if p is not None:
            marks.append(
                {
                    "x": p[0],
                    "y": p[1],
                    "id": e["id"],
                    "hazard": e["hazard"],
                    "label": e.get("name") or e.get("location") or e["hazard"],
                }
            )
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "view_box": view_box(v["d"] for v in shapes.values()),
        "countries": [
            {"code": c, "d": v["d"], "affected": c in affected, "alert": c in alerted}
            for c, v in sorted(shapes.items())
        ],
        "points": marks,
    }
