"""The regional map frame, shared by every server-drawn SVG map (disasters, indicator choropleths).

Boundaries come from the shared data (``../shared/data``, or ``ASCC_SHARED_DATA``): Natural Earth
1:50m countries (``iso_a3``), the Global Data Lab regions (``region_code``) and the pre-2012 Natural
Earth Indonesian provinces (``iso_3166_2``). One equirectangular projection at the frame's middle
latitude, in SVG pixels; rings are thinned to points at least 0.8 px apart.
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

WIDTH = 760
#: the ASEAN frame, degrees: west, south, east, north
FRAME = (91.5, -11.5, 141.5, 29.0)
COUNTRIES = "asean_admin0_ne50m.geojson"
GDL_REGIONS = "asean_gdl_regions.geojson"
IDN_PROVINCES = "idn_admin1_ne_pre2012.geojson"


def data_dir() -> Path | None:
    candidates = [
        os.environ.get("ASCC_SHARED_DATA"),
        Path(__file__).resolve().parents[3].parent / "shared" / "data",
        Path.cwd().parent / "shared" / "data",
    ]
    for c in candidates:
        if c and (Path(c) / COUNTRIES).is_file():
            return Path(c)
    return None


_K = math.cos(math.radians((FRAME[1] + FRAME[3]) / 2))
_SCALE = WIDTH / ((FRAME[2] - FRAME[0]) * _K)
HEIGHT = round((FRAME[3] - FRAME[1]) * _SCALE)


def project(lon: float, lat: float) -> tuple[float, float]:
    """Equirectangular at the frame's middle latitude, in SVG pixels."""
    return round((lon - FRAME[0]) * _K * _SCALE, 1), round((FRAME[3] - lat) * _SCALE, 1)


def svg_path(geometry: dict[str, Any]) -> str:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points, last = [], None
            for lon, lat in ring:
                p = project(lon, lat)
                if last is None or abs(p[0] - last[0]) + abs(p[1] - last[1]) >= 0.8:
                    points.append(p)
                    last = p
            if len(points) >= 3:
                parts.append("M" + "L".join(f"{x:g} {y:g}" for x, y in points) + "Z")
    return "".join(parts)


@cache
def shapes(file: str, key: str) -> dict[str, dict[str, str]]:
    """Feature key → ``{"d": SVG path, "name": …, "country": ISO3}``; empty without the shared data."""
    base = data_dir()
    if base is None or not (base / file).is_file():
        return {}
    doc = json.loads((base / file).read_text(encoding="utf-8"))
    return {
        f["properties"][key]: {
            "d": svg_path(f["geometry"]),
            "name": str(f["properties"].get("region_name") or f["properties"].get("name") or ""),
            "country": f["properties"].get("country_iso3", ""),
        }
        for f in doc["features"]
        if f.get("geometry")
    }


def countries() -> dict[str, dict[str, str]]:
    return shapes(COUNTRIES, "iso_a3")


def regions() -> dict[str, dict[str, str]]:
    return shapes(GDL_REGIONS, "region_code")


def provinces() -> dict[str, dict[str, str]]:
    """Indonesian provinces by ISO 3166-2 code (33: no Kalimantan Utara, no 2022 Papua splits)."""
    return shapes(IDN_PROVINCES, "iso_3166_2")


@cache
def _country_rings() -> tuple[tuple[str, tuple[float, float, float, float], tuple[tuple, ...]], ...]:
    """Each member state's polygons as (ISO3, bounding box, rings in lon/lat); empty without the data."""
    out = []
    for f in features(COUNTRIES):
        geometry = f["geometry"]
        polygons = (
            geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        )
        for polygon in polygons:
            rings = tuple(tuple((float(x), float(y)) for x, y in ring) for ring in polygon)
            xs, ys = [x for x, _ in rings[0]], [y for _, y in rings[0]]
            out.append((f["properties"]["iso_a3"], (min(xs), min(ys), max(xs), max(ys)), rings))
    return tuple(out)


def _inside(lon: float, lat: float, ring: tuple) -> bool:
    """Ray casting: is the point inside the ring (lon/lat pairs)?"""
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def country_at(lon: float, lat: float) -> str | None:
    """The member state (ISO3) whose land (Natural Earth 1:50m) holds the point, if any; None at sea,
    outside ASEAN or without the shared data."""
    for iso3, (x0, y0, x1, y1), rings in _country_rings():
        inside = x0 <= lon <= x1 and y0 <= lat <= y1 and _inside(lon, lat, rings[0])
        if inside and not any(_inside(lon, lat, hole) for hole in rings[1:]):
            return iso3
    return None


def countries_touched(points: list[tuple[float, float]]) -> set[str]:
    """The member states holding any of the points (lon, lat)."""
    return {c for c in (country_at(lon, lat) for lon, lat in points) if c}


#: where each boundary file comes from (``../shared/data/README.md``), as GeoJSON consumers expect it
SOURCES = {
    COUNTRIES: "Natural Earth 1:50m admin-0 countries (public domain), https://www.naturalearthdata.com/",
    GDL_REGIONS: "Global Data Lab subnational regions, simplified (free to use with attribution to GDL), "
    "https://globaldatalab.org/shdi/",
    IDN_PROVINCES: "Natural Earth 1:10m admin-1, Indonesian provinces before 2012 (public domain), "
    "https://www.naturalearthdata.com/",
}


@cache
def features(file: str) -> tuple[dict[str, Any], ...]:
    """The file's GeoJSON features as published (lon/lat); empty without the shared data."""
    base = data_dir()
    if base is None or not (base / file).is_file():
        return ()
    doc = json.loads((base / file).read_text(encoding="utf-8"))
    return tuple(f for f in doc["features"] if f.get("geometry"))


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")


def bounds(paths: Iterable[str]) -> tuple[float, float, float, float] | None:
    """The box ``(min x, min y, max x, max y)`` around SVG paths of ``svg_path``'s form (``M x yL x y…Z``:
    absolute coordinates in pairs); None for no coordinates."""
    xs: list[float] = []
    ys: list[float] = []
    for d in paths:
        numbers = [float(n) for n in _NUMBER.findall(d)]
        xs.extend(numbers[0::2])
        ys.extend(numbers[1::2])
    if not xs or not ys:
        return None
    return min(xs), min(ys), max(xs), max(ys)


def view_box(paths: Iterable[str], *, margin: float = 0.04) -> str:
    """An SVG ``viewBox`` that holds every path whole, with ``margin`` (a share of the larger side) all
    round, so that a map shows the area asked about and cuts nothing off; the whole frame without paths."""
    box = bounds(paths)
    if box is None:
        return f"0 0 {WIDTH} {HEIGHT}"
    x0, y0, x1, y1 = box
    pad = margin * max(x1 - x0, y1 - y0, 1.0)
    return " ".join(f"{round(v, 1):g}" for v in (x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad))
