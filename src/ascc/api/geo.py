"""Maps as data: the member states' and subnational boundary layers as GeoJSON (RFC 7946).

The geometries are the shared data's boundary files as published (``../shared/data``: Natural
Earth, Global Data Lab), with the registry's names and codes in the properties and each layer's
source; the same boundaries the server-drawn maps use. An event's footprint is at
``/api/v1/disasters/events/{id}/footprint.geojson``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ascc.http.deps import SessionDep
from ascc.http.openapi import download
from ascc.http.responses import GEOJSON, geojson
from ascc.kit import geo
from ascc.kit.errors import NotFound
from ascc.registry import service as registry_service

router = APIRouter(prefix="/api/v1/geo", tags=["maps"])


def _layer(file: str) -> tuple[dict[str, Any], ...]:
    found = geo.features(file)
    if not found:
        raise NotFound(f"the boundary file {file} is not installed (ASCC_SHARED_DATA or ../shared/data)")
    return found


@router.get(
    "/member-states.geojson",
    response_class=Response,
    responses=download(GEOJSON, "the member states' boundaries (Natural Earth 1:50m)"),
)
def member_states(request: Request, session: SessionDep) -> Response:
    """Each member state's land, with its code and names in English and Indonesian."""
    names = {m.code: m.name for m in registry_service.list_member_states(session)}
    features = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "code": code,
                "iso2": f["properties"].get("iso_a2"),
                "name_en": names[code].en,
                "name_id": names[code].id,
            },
        }
        for f in _layer(geo.COUNTRIES)
        if (code := f["properties"]["iso_a3"]) in names
    ]
    return geojson(
        {"type": "FeatureCollection", "source": geo.SOURCES[geo.COUNTRIES], "features": features},
        "member-states.geojson",
    )


@router.get(
    "/regions.geojson",
    response_class=Response,
    responses=download(GEOJSON, "subnational regions (Global Data Lab)"),
)
def regions(
    member_state: Annotated[
        str | None, Query(pattern=r"^[A-Za-z]{3}$", description="ISO3 code, e.g. PHL")
    ] = None,
) -> Response:
    """The Global Data Lab regions the subnational indicators use (``region_code``), of one member
    state or all."""
    code = member_state.upper() if member_state else None
    features = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "code": f["properties"]["region_code"],
                "member_state": f["properties"]["country_iso3"],
                "name": f["properties"].get("region_name"),
            },
        }
        for f in _layer(geo.GDL_REGIONS)
        if code in (None, f["properties"]["country_iso3"])
    ]
    if code and not features:
        raise NotFound(f"no regions for member state {code!r}")
    return geojson(
        {"type": "FeatureCollection", "source": geo.SOURCES[geo.GDL_REGIONS], "features": features},
        "regions.geojson",
    )


@router.get(
    "/idn-provinces.geojson",
    response_class=Response,
    responses=download(GEOJSON, "Indonesia's provinces before 2012 (Natural Earth 1:10m)"),
)
def idn_provinces() -> Response:
    """Indonesia's 33 provinces (before 2012) by ISO 3166-2 code, as the BPS indicators use them."""
    features = [
        {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {"code": f["properties"]["iso_3166_2"], "name": f["properties"].get("name")},
        }
        for f in _layer(geo.IDN_PROVINCES)
    ]
    return geojson(
        {"type": "FeatureCollection", "source": geo.SOURCES[geo.IDN_PROVINCES], "features": features},
        "idn-provinces.geojson",
    )
