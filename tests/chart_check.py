"""What every chart on a page must offer (issue 17), checked through the site's own client: a
``role="img"`` SVG with its title and description, a data table under it (or the chart's "no data"
state), and SVG and CSV downloads that answer 200 with their media type, the same chart and the same
values as the table."""

from __future__ import annotations

import csv
import io

from lxml import etree, html

NS = "{http://www.w3.org/2000/svg}"


def check_charts(client, path: str, lang: str) -> list[str]:
    """Check every ``figure.chart`` of the page at ``path`` in ``lang``; return their names."""
    sep = "&" if "?" in path else "?"
    page = client.get(f"{path}{sep}lang={lang}")
    assert page.status_code == 200, path
    doc = html.fromstring(page.text)
    figures = doc.xpath('//figure[contains(@class, "chart")]')
    names = []
    for fig in figures:
        name = fig.get("data-export")
        svg = fig.xpath('.//*[local-name()="svg"]')[0]
        assert svg.get("role") == "img" and svg.get("data-chart"), name
        labelled = svg.get("aria-labelledby").split()
        assert [svg.xpath(f'.//*[@id="{i}"]')[0].text for i in labelled] and all(
            (svg.xpath(f'.//*[@id="{i}"]')[0].text or "").strip() for i in labelled
        ), name  # a title and a description
        empty = svg.get("data-empty") == "true"
        table = fig.xpath('.//details[@class="chart-data"]//table')
        header = [c.text_content().strip() for c in table[0].xpath(".//thead//th")] if table else []
        body = (
            [
                [c.text_content().strip() for c in tr.xpath("./th|./td")]
                for tr in table[0].xpath(".//tbody/tr")
            ]
            if table
            else []
        )
        assert bool(table) != empty, f"{name}: a data table, or the no-data state"
        [svg_link] = fig.xpath('.//a[@class="export-svg"]/@href')
        [csv_link] = fig.xpath('.//a[@class="export-csv"]/@href')
        assert fig.xpath('.//button[@class="export-png"]'), name  # drawn from the SVG by static/charts.js
        got = client.get(svg_link + ("&" if "?" in svg_link else "?") + f"lang={lang}")
        assert got.status_code == 200 and got.headers["content-type"].startswith("image/svg+xml"), svg_link
        root = etree.fromstring(got.content)
        assert root.tag == NS + "svg" and root.get("data-chart") == svg.get("data-chart")
        assert root.find(NS + "title").text == svg.xpath('./*[local-name()="title"]')[0].text, svg_link
        got = client.get(csv_link + ("&" if "?" in csv_link else "?") + f"lang={lang}")
        assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv"), csv_link
        rows = list(csv.reader(io.StringIO(got.text)))
        if table:
            assert rows[0] == header, csv_link
            assert [r[0] for r in rows[1:]] == [r[0] for r in body], csv_link  # the same labels, same order
            assert [sum(1 for v in r[1:] if v) for r in rows[1:]] == [
                sum(1 for v in r[1:] if v) for r in body
            ]
        else:
            assert len(rows) == 1  # the header only
        names.append(name)
    return names
