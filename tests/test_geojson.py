"""Maps as data: the boundary layers and an event's footprint as GeoJSON that the ``geojson``
package (python-geojson) finds valid, with names and sources, on both backends."""

from __future__ import annotations

import geojson
import pytest

from ascc.kit import geo

pytestmark = pytest.mark.skipif(geo.data_dir() is None, reason="needs the boundaries in ../shared/data")


def valid(r) -> geojson.FeatureCollection:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/geo+json")
    doc = geojson.loads(r.text)
    assert doc.is_valid, doc.errors()
    for f in doc["features"]:
        for lon, lat in geojson.utils.coords(f):
            assert -180 <= lon <= 180 and -90 <= lat <= 90  # RFC 7946: longitude first
    return doc


def test_member_states_layer_names_every_member_in_both_languages(client):
    doc = valid(client.get("/api/v1/geo/member-states.geojson"))
    by_code = {f["properties"]["code"]: f["properties"] for f in doc["features"]}
    assert "IDN" in by_code and "TLS" in by_code and len(by_code) == 11
    assert by_code["IDN"]["name_en"] == "Indonesia" and by_code["PHL"]["name_id"] == "Filipina"
    assert "Natural Earth" in doc["source"]


def test_regions_of_one_member_state_and_provinces(client):
    doc = valid(client.get("/api/v1/geo/regions.geojson", params={"member_state": "phl"}))
    assert doc["features"] and {f["properties"]["member_state"] for f in doc["features"]} == {"PHL"}
    assert len(valid(client.get("/api/v1/geo/regions.geojson"))["features"]) > len(doc["features"])
    r = client.get("/api/v1/geo/regions.geojson", params={"member_state": "AUS"})
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    provinces = valid(client.get("/api/v1/geo/idn-provinces.geojson"))
    assert len(provinces["features"]) == 33 and provinces["features"][0]["properties"]["code"].startswith(
        "ID-"
    )
