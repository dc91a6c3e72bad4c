"""The server-drawn charts: well-formed standalone SVG, escaped text, round axis ticks, numbers in
the page's language, gaps in the years kept, negative values left of zero."""

from __future__ import annotations

import itertools

from lxml import etree

from ascc.drawing import charts

NS = "{http://www.w3.org/2000/svg}"


def test_ticks_and_numbers():
    assert charts.nice_ticks(0, 97.3) == [0, 20, 40, 60, 80, 100]
    assert charts.nice_ticks(3.2, 3.9) == [3.2, 3.4, 3.6, 3.8, 4.0]
    assert charts.nice_ticks(-2, 10) == [-2.5, 0, 2.5, 5, 7.5, 10]
    assert charts.nice_ticks(5, 5)[0] < 5 < charts.nice_ticks(5, 5)[-1]
    assert (
        charts.number(1234567.891, "en") == "1,234,567.89"
        and charts.number(1234567.891, "id") == "1.234.567,89"
    )
    assert charts.number(0.25, "id", digits=2) == "0,25"


def test_line_chart_is_standalone_escaped_svg():
    series = [
        charts.Series("IDN", "Indonesia <b>", [("2000", 1.0), ("2010", 3.0)]),
        charts.Series("TLS", "Timor-Leste", [("2005", 2.0)]),
    ]
    svg = charts.line_chart(series, title='Rate & "share"', desc="d", unit="%", lang="en")
    root = etree.fromstring(svg.encode())
    assert root.tag == NS + "svg" and root.get("width") == "760" and root.find(NS + "style") is not None
    assert root.find(NS + "title").text == 'Rate & "share"'
    groups = {g.get("data-series"): g for g in root.iter(NS + "g")}
    assert groups["IDN"].find(NS + "title").text == "Indonesia <b>"
    assert groups["IDN"].find(NS + "polyline") is not None and groups["TLS"].find(NS + "polyline") is None
    xs = [float(c.get("cx")) for g in groups.values() for c in g.iter(NS + "circle")]
    first, mid, last = sorted(xs)
    assert abs((mid - first) - (last - mid)) < 0.2  # 2005 halfway between 2000 and 2010
    assert not any(el.tag.endswith("script") or el.get("href") for el in root.iter())


def test_bar_chart_orders_and_draws_negatives_and_reference():
    bars = [charts.Bar("A", "Alpha", -2.0), charts.Bar("B", "Beta", 8.0), charts.Bar("C", "Gamma", 3.0)]
    root = etree.fromstring(
        charts.bar_chart(bars, title="t", desc="d", reference=("mean", 3.0), lang="id").encode()
    )
    order = [g.get("data-bar") for g in root.iter(NS + "g")]
    assert order == ["B", "C", "A"]
    rects = {g.get("data-bar"): g.find(NS + "rect") for g in root.iter(NS + "g")}
    zero = float(rects["B"].get("x"))
    assert float(rects["A"].get("x")) + float(rects["A"].get("width")) == zero  # left of zero
    assert any((t.text or "") == "mean: 3" for t in root.iter(NS + "text"))
    assert etree.fromstring(charts.bar_chart([], title="t", desc="d").encode()).tag == NS + "svg"


def test_period_labels_never_overlap_and_the_last_period_is_labelled():
    years = [str(y) for y in range(2000, 2024)]  # 24 years: every second one labelled, then 2023
    svg = charts.line_chart(
        [charts.Series("IDN", "Indonesia", [(y, float(i)) for i, y in enumerate(years)])],
        title="t",
        desc="d",
        lang="en",
    )
    root = etree.fromstring(svg.encode())
    labels = [(float(t.get("x")), t.text) for t in root.iter(NS + "text") if t.text in years]
    assert [text for _, text in labels][-2:] == ["2020", "2023"]  # 2022 would collide with 2023
    assert all(b[0] - a[0] >= 7 * 4 + 6 for a, b in itertools.pairwise(labels))
