"""The one chart module (issue 17): a clear "no data" state, the title, description and both axis
labels on every chart, the CSV holding exactly the values plotted, and map view boxes fitted to the
drawn areas."""

from __future__ import annotations

import csv
import io
import re

from lxml import etree

from ascc.drawing import charts
from ascc.kit import geo

NS = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart) -> etree._Element:
    return etree.fromstring(chart.svg.encode())


def rows(chart: charts.Chart) -> list[list[str]]:
    return list(csv.reader(io.StringIO(chart.csv())))


def test_no_data_is_said_not_drawn():
    for chart, text in [
        (
            charts.line([], name="x", title="Rate", desc="d", x_label="Year", y_label="%", lang="en"),
            "No data to show",
        ),
        (
            charts.bars([], name="y", title="Rate", desc="d", x_label="%", y_label="Area", lang="id"),
            "Tidak ada data untuk ditampilkan",
        ),
    ]:
        root = parse(chart)
        assert chart.empty and root.get("data-empty") == "true"
        assert [t.text for t in root.iter(NS + "text") if t.get("class") == "nodata"] == [text]
        # no axis, no zero bar, no empty polyline
        assert not root.findall(f".//{NS}polyline") and not root.findall(f".//{NS}circle")
        assert not [t for t in root.iter(NS + "text") if "axis-label" in (t.get("class") or "")]
        assert rows(chart) == [list(chart.columns)]  # the header only
    # a series without points counts as no data too
    empty = charts.line(
        [charts.Series("IDN", "Indonesia", [])], name="z", title="t", desc="d", x_label="Year", y_label="v"
    )
    assert empty.empty and parse(empty).get("data-empty") == "true"


def test_title_desc_and_axis_labels_are_there_and_named():
    chart = charts.line(
        [charts.Series("IDN", "Indonesia", [("2019", 1.0), ("2020", 2.0)])],
        name="r-1",
        title="Rate",
        desc="Rate per year",
        x_label="Year",
        y_label="Per cent",
        lang="en",
    )
    root = parse(chart)
    assert root.get("role") == "img"
    title, desc = root.find(NS + "title"), root.find(NS + "desc")
    assert (title.text, desc.text) == ("Rate", "Rate per year")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}" == "r-1-title r-1-desc"
    labels = [t.text for t in root.iter(NS + "text") if "axis-label" in (t.get("class") or "")]
    assert sorted(labels) == ["Per cent", "Year"]
    assert any(t.text == "Rate" and t.get("class") == "t" for t in root.iter(NS + "text"))  # visible title
    bars = charts.bars(
        [charts.Bar("A", "Alpha", 1.0)], name="b", title="T", desc="D", x_label="Events", y_label="Hazard"
    )
    assert sorted(
        t.text for t in parse(bars).iter(NS + "text") if "axis-label" in (t.get("class") or "")
    ) == ["Events", "Hazard"]
    # two charts of one kind on a page keep their ids apart
    other = charts.bars(
        [charts.Bar("A", "Alpha", 1.0)], name="c", title="T", desc="D", x_label="x", y_label="y"
    )
    assert parse(other).find(NS + "title").get("id") != parse(bars).find(NS + "title").get("id")


def test_line_csv_holds_the_plotted_points():
    series = [
        charts.Series("IDN", "Indonesia", [("2010", 1.5), ("2012", 2.25)]),
        charts.Series("PHL", "Philippines", [("2011", 0.1), ("2012", 1234567.0)]),
    ]
    chart = charts.line(series, name="t", title="t", desc="d", x_label="Year", y_label="v", lang="id")
    table = rows(chart)
    assert table == [
        ["Year", "Indonesia", "Philippines"],
        ["2010", "1.5", ""],
        ["2011", "", "0.1"],
        ["2012", "2.25", "1234567"],
    ]
    # each non-empty cell is one dot on the chart, titled with the same value in the reader's format
    plotted = {c.find(NS + "title").text for c in parse(chart).iter(NS + "circle")}
    assert plotted == {
        "Indonesia 2010: 1,5",
        "Indonesia 2012: 2,25",
        "Philippines 2011: 0,1",
        "Philippines 2012: 1.234.567",
    }
    assert sum(1 for r in table[1:] for v in r[1:] if v) == len(plotted)


def test_bars_csv_follows_the_drawn_order():
    items = [charts.Bar("A", "Alpha", -2.0), charts.Bar("B", "Beta", 8.0), charts.Bar("C", "Gamma", 3.0)]
    chart = charts.bars(items, name="b", title="t", desc="d", x_label="Value", y_label="Member state")
    drawn = [g.get("data-bar") for g in parse(chart).iter(NS + "g") if g.get("data-bar")]
    assert drawn == ["B", "C", "A"]
    assert rows(chart) == [["Member state", "Value"], ["Beta", "8"], ["Gamma", "3"], ["Alpha", "-2"]]
    kept = charts.bars(items, name="b", title="t", desc="d", x_label="v", y_label="y", sort=False)
    assert [r[0] for r in rows(kept)[1:]] == ["Alpha", "Beta", "Gamma"]


def test_bars_coloured_by_something_else_have_a_legend():
    chart = charts.bars(
        [charts.Bar("IDN", "Indonesia", 5.0), charts.Bar("PHL", "Philippines", 3.0)],
        name="p",
        title="t",
        desc="d",
        x_label="Years",
        y_label="Member state",
        colours={"IDN": "#116329", "PHL": "#cf222e"},
        reference=("Regional target", 4.0),
        legend=[("#116329", "Target achieved"), ("#cf222e", "Deterioration")],
    )
    root = parse(chart)
    legend = [
        (g.find(NS + "rect").get("fill"), g.find(NS + "text").text)
        for g in root.iter(NS + "g")
        if g.get("class") == "legend"
    ]
    assert legend == [("#116329", "Target achieved"), ("#cf222e", "Deterioration")]
    assert any((t.text or "").startswith("Regional target") for t in root.iter(NS + "text"))


def test_view_box_holds_every_path_with_a_margin():
    paths = ["M10 20L30 40L15 60Z", "M100 5L120 8L110 9Z"]
    assert geo.bounds(paths) == (10, 5, 120, 60)
    x, y, w, h = map(float, geo.view_box(paths, margin=0.1).split())
    assert (x, y, w, h) == (-1, -6, 132, 77)  # 10 % of the wider side (110) all round
    assert geo.view_box([]) == f"0 0 {geo.WIDTH} {geo.HEIGHT}"
    # a real outline: Singapore's box is a few pixels wide, far inside the ASEAN frame
    shapes = geo.countries()
    if shapes:
        x, y, w, h = map(float, geo.view_box([shapes["SGP"]["d"]]).split())
        x0, y0, x1, y1 = geo.bounds([shapes["SGP"]["d"]])
        assert x < x0 and y < y0 and x + w > x1 and y + h > y1 and w < 20
        assert re.fullmatch(r"[-\d.]+ [-\d.]+ [\d.]+ [\d.]+", geo.view_box(s["d"] for s in shapes.values()))
