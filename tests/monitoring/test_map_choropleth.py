"""The choropleth: quantile classes, the legend, the no-data hatch, and the rendered SVG (both
backends, both languages; national member states and subnational Indonesian provinces)."""

from __future__ import annotations

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.drawing.choropleth import PALETTE, breaks, class_of, legend
from ascc.kit import geo
from tests.monitoring.progress_data import progress_url  # noqa: F401 - fixture

needs_shapes = pytest.mark.skipif(geo.data_dir() is None, reason="../shared/data boundaries not available")


def test_quantile_breaks_and_classes():
    values = [float(v) for v in range(1, 11)]
    assert breaks(values) == [2, 4, 6, 8, 10]  # five classes of two values each
    assert [class_of(v, breaks(values)) for v in (1, 2, 3, 9, 10)] == [0, 0, 1, 4, 4]
    assert class_of(None, [1.0]) is None
    assert breaks([5, 5, 5]) == [5]  # repeated values: one class
    assert breaks([]) == []
    assert breaks([1, 2]) == [1, 2]  # never more classes than values
    entries = legend(breaks(values), values)
    assert [(e["from"], e["to"], e["count"]) for e in entries] == [
        (1, 2, 2),
        (2, 4, 2),
        (4, 6, 2),
        (6, 8, 2),
        (8, 10, 2),
    ]
    assert [e["colour"] for e in entries] == list(PALETTE)
    three = legend(breaks([1, 2, 3]), [1, 2, 3])
    assert [e["colour"] for e in three] == [PALETTE[0], PALETTE[2], PALETTE[4]]  # light, middle, dark


@pytest.fixture(scope="module")
def site(progress_url):  # noqa: F811
    with TestClient(create_app(Settings(database_url=progress_url))) as c:
        yield c


def paths(svg: str) -> dict[str, tuple[str, str]]:
    """code → (fill, class) of every shape."""
    return {
        m[1]: (m[0], m[2])
        for m in re.findall(
            r'<path d="[^"]*" fill="([^"]+)" stroke="[^"]+" '
            r'stroke-width="[^"]+" data-code="([^"]+)" data-class="([^"]+)"',
            svg,
        )
    }


@needs_shapes
@pytest.mark.parametrize(("lang", "no_data"), [("en", "no data"), ("id", "tidak ada data")])
def test_national_map(site, lang, no_data):
    page = site.get(f"/indicators/T.LIFE/map?lang={lang}")
    assert page.status_code == 200
    shapes = paths(page.text)
    assert len(shapes) == 11
    # approved latest values: IDN 71.4, PHL 72 → two classes; THA (submitted only) has no data
    assert shapes["IDN"] == (PALETTE[0], "0") and shapes["PHL"] == (PALETTE[4], "1")
    assert shapes["THA"] == ("url(#nodata)", "none")
    value = "71.4" if lang == "en" else "71,4"  # published with one decimal, in the reader's format
    unit = "years" if lang == "en" else "tahun"  # the unit in the reader's language
    assert f"<title>Indonesia: {value} {unit} (2020)</title>" in page.text
    assert f"<title>Thailand: {no_data}</title>" in page.text
    assert ("2 of 11 areas" if lang == "en" else "2 dari 11 wilayah") in page.text
    svg = site.get(f"/indicators/T.LIFE/map.svg?lang={lang}")
    assert svg.headers["content-type"].startswith("image/svg+xml") and svg.text.startswith("<?xml")
    assert paths(svg.text) == shapes
    # the values it colours, as CSV; PNG drawn from the page's SVG (issue 17)
    assert 'class="export-png"' in page.text and 'href="/indicators/T.LIFE/map.csv' in page.text
    table = site.get(f"/indicators/T.LIFE/map.csv?lang={lang}")
    assert table.headers["content-type"].startswith("text/csv")
    rows = {r[0]: r[1:] for r in csv.reader(io.StringIO(table.text))}
    assert rows["code"] == ["name", "value", "period"] and len(rows) == 1 + 11
    assert rows["IDN"] == ["Indonesia", "71.4", "2020"] and rows["THA"] == ["Thailand", "", ""]
    twin = site.get("/indicators/T.LIFE/map.json").json()["map"]
    assert [(e["from"], e["to"]) for e in twin["legend"]] == [(71.4, 71.4), (71.4, 72.0)]


@needs_shapes
def test_subnational_map_uses_the_provinces(site):
    page = site.get("/indicators/T.HDI/map")
    shapes = paths(page.text)
    assert "ID-JB" in shapes and "IDNr101" not in shapes  # Indonesia by province when it reports provinces
    # ID-JT 0.71 < ID-JB 0.72 < ID-JI 0.73: three classes light → dark; ID-AC only a draft → no data
    assert (
        shapes["ID-JT"][0] == PALETTE[0]
        and shapes["ID-JB"][0] == PALETTE[2]
        and shapes["ID-JI"][0] == PALETTE[4]
    )
    assert shapes["ID-AC"] == ("url(#nodata)", "none")
    # only Indonesia reports: the map draws Indonesia alone and zooms to it (issue 17)
    assert "PHLr101" not in shapes and all(code.startswith("ID-") for code in shapes)
    x, y, w, h = map(float, re.search(r'<svg viewBox="([^"]+)"', page.text).group(1).split())
    drawn = re.findall(
        r'<path d="([^"]*)" fill="[^"]+" stroke="[^"]+" stroke-width="[^"]+" data-code=', page.text
    )
    x0, y0, x1, y1 = geo.bounds(drawn)
    assert x < x0 and y < y0 and x + w > x1 and y + h > y1  # no area cut off at the frame
    assert y > 300 and h < 0.6 * geo.HEIGHT  # Indonesia's extent, not all ASEAN (Myanmar starts at y≈7)


def test_map_errors(site):
    assert site.get("/indicators/NOPE/map").status_code == 404
    assert site.get("/indicators/T.LIFE/map?period=20x0").status_code == 422
    only_2015 = site.get("/indicators/T.LIFE/map.json?period=2015").json()["map"]
    assert {s["code"]: s["value"] for s in only_2015["shapes"] if s["value"] is not None} in (
        {"IDN": 70.0, "PHL": 66.0},
        {},
    )  # {} when the boundary file is missing
