"""Every chart on the indicator, progress report and disaster statistics pages has its data table and
its SVG and CSV downloads, in both languages and on both backends (issue 17)."""

from __future__ import annotations

import csv
import io

import pytest

from tests.chart_check import check_charts
from tests.monitoring.progress_data import progress_site, progress_url  # noqa: F401 - fixtures


@pytest.fixture(scope="module")
def site(progress_site):  # noqa: F811
    return progress_site


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_chart_has_its_table_and_downloads(site, lang):
    assert check_charts(site, "/indicators/T.LIFE", lang) == ["T.LIFE-timeseries", "T.LIFE-2020"]
    report = check_charts(site, "/plans/ascc-blueprint-2025/progress", lang)
    assert report[0] == "ascc-blueprint-2025-progress-status" and len(report) == 4
    # no event recorded: the three charts say "no data", and their downloads still answer
    assert len(check_charts(site, "/disasters/stats", lang)) == 3


@pytest.mark.parametrize("lang", ["en", "id"])
def test_a_subnational_indicator_has_a_chart_over_time(site, lang):
    names = check_charts(site, "/indicators/T.HDI", lang)
    assert names == ["T.HDI-IDN-areas-timeseries", "T.HDI-IDN-2019"]
    page = site.get(f"/indicators/T.HDI?lang={lang}").text
    assert 'data-chart="areas-timeseries"' in page and 'data-chart="timeseries"' not in page
    rows = list(csv.reader(io.StringIO(site.get("/indicators/T.HDI/areas-timeseries.csv?lang=en").text)))
    # the approved values only (ID-AC is a draft), one column per area, by year
    assert rows == [["Year", "ID-JB", "ID-JI", "ID-JT"], ["2019", "0.72", "0.73", "0.71"]]


def test_chart_downloads_refuse_what_is_not_there(site):
    assert site.get("/indicators/NOPE/timeseries.csv").status_code == 404
    assert site.get("/indicators/T.LIFE/areas.svg").status_code == 404  # a national indicator has no areas
    assert site.get("/plans/ascc-blueprint-2025/progress/charts/NOPE.csv").status_code == 404
    assert site.get("/indicators/T.HDI/areas.csv?member_state=PHL").status_code == 422
