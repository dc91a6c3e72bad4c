"""The plan progress report: HTML and PDF in both languages (both backends). The PDF is a valid PDF
(pypdf reads it) whose metadata and first page carry the plan title in the requested language."""

from __future__ import annotations

import io
import re

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from ascc.app import create_app
from ascc.config import Settings
from tests.monitoring.progress_data import progress_url  # noqa: F401 - fixture

TITLES = {"en": "ASCC Blueprint 2025", "id": "Cetak Biru Masyarakat Sosial Budaya ASEAN 2025"}
WORDS = {
    "en": ("Plan progress report", "Indicators by progress status", "Moderate progress"),
    "id": ("Laporan kemajuan rencana", "Indikator menurut status kemajuan", "Kemajuan sedang"),
}


@pytest.fixture(scope="module")
def site(progress_url):  # noqa: F811
    with TestClient(create_app(Settings(database_url=progress_url))) as c:
        yield c


@pytest.mark.parametrize("lang", ["en", "id"])
def test_pdf(site, lang):
    r = site.get(f"/plans/ascc-blueprint-2025/progress.pdf?lang={lang}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF-")
    pdf = PdfReader(io.BytesIO(r.content))
    assert pdf.metadata.title == TITLES[lang]
    text = "\n".join(page.extract_text() for page in pdf.pages)
    assert TITLES[lang] in text
    for word in WORDS[lang]:
        assert word in text, word
    other = TITLES["id" if lang == "en" else "en"]
    assert other not in text.split("\n")[0]
    assert "T.LIFE" in text and "Test organisation" in text  # the figures name their source
    assert "2 / 11" in text  # and their coverage


@pytest.mark.parametrize("lang", ["en", "id"])
def test_html(site, lang):
    r = site.get(f"/plans/ascc-blueprint-2025/progress?lang={lang}")
    assert r.status_code == 200
    assert f"<h1>{TITLES[lang]}</h1>" in r.text
    for word in WORDS[lang]:
        assert word in r.text, word
    assert 'href="/plans/ascc-blueprint-2025/progress.pdf?lang=' + lang in r.text
    assert "https://example.org/T.LIFE" in r.text  # source of the figure
    # the status chart, and one per indicator with approved data (T.NODIR too: no status, but a latest value)
    assert r.text.count('class="ascc-chart" data-chart="status"') == 1
    assert r.text.count('class="ascc-chart" data-chart="latest"') == 3
    # a bar's colour is its progress status, named in the chart's legend (issue 17)
    legend = "Limited progress" if lang == "en" else "Kemajuan terbatas"
    assert re.search(r'<g class="legend"><rect [^>]*fill="#e16f24"/><text [^>]*>' + legend, r.text)


def test_report_json_and_errors(site):
    ctx = site.get("/plans/ascc-blueprint-2025/progress.json").json()
    assert {b["status"]: b["count"] for b in ctx["status_chart"]["bars"]}["moderate_progress"] == 1
    assert site.get("/plans/nope/progress.pdf").status_code == 404
