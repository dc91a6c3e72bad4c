"""Indicator and sign-off pages in both languages: list filters, the indicator page (charts, coverage,
table, downloads), chart SVGs, templates, and the web import: progress streamed as server-sent
events, the complete validation report (file, line, column, reason) on failure with nothing stored,
then submission and review through the forms."""

from __future__ import annotations

import html
import io
import json
import re

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from openpyxl import load_workbook

from ascc.app import create_app
from ascc.config import Settings
from tests.conftest import make_user
from tests.monitoring.conftest import PLAIN_HEADER, run_import, write
from tests.monitoring.test_signoff_workflow import count

PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def site(mon_url, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    rows = "".join(
        f"SP.POP.TOTL,{ms},{y},{v + y},persons,WDI,\n"
        for ms, v in (("IDN", 270000000), ("PHL", 110000000))
        for y in (2018, 2019, 2020)
    )
    assert run_import(mon_url, write(tmp, "a.csv", PLAIN_HEADER + rows), approval="approved").ok
    make_user(mon_url, email="officer@asean.org", password=PASSWORD)
    make_user(mon_url, email="fp@bps.go.id", role="focal_point", member_state="IDN", password=PASSWORD)
    return mon_url


def signed_in(url: str, email: str) -> TestClient:
    c = TestClient(create_app(Settings(database_url=url)))
    c.__enter__()
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
    assert c.post("/login", data={"email": email, "password": PASSWORD, "csrf": token}).is_success
    return c


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


@pytest.mark.parametrize("lang", ["en", "id"])
def test_public_pages(site, lang):
    words = {
        "en": ("Indicators", "Comparison across member states", "2 of 10 member states", "270,002,020"),
        "id": ("Indikator", "Perbandingan antarnegara anggota", "2 dari 10 negara anggota", "270.002.020"),
    }[lang]
    with TestClient(create_app(Settings(database_url=site))) as c:
        listing = c.get("/indicators", params={"lang": lang, "sector": "education"})
        assert listing.status_code == 200 and words[0] in listing.text
        assert "/indicators/SE.PRM.ENRR" in listing.text and "/indicators/SP.POP.TOTL" not in listing.text
        assert "/indicators/GDL.SHDI" in c.get("/indicators", params={"level": "subnational"}).text
        assert '/indicators/SP.POP.TOTL"' not in c.get("/indicators", params={"level": "subnational"}).text
        page = c.get("/indicators/SP.POP.TOTL", params={"lang": lang}).text
        for w in words[1:]:
            assert w in page
        svgs = re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" class="ascc-chart".*?</svg>', page, re.S)
        assert len(svgs) == 2
        timeseries = etree.fromstring(svgs[0].encode())
        assert [g.get("data-series") for g in timeseries.iter("{*}g")] == ["IDN", "PHL"]
        bars = etree.fromstring(svgs[1].encode())
        assert [g.get("data-bar") for g in bars.iter("{*}g")] == ["IDN", "PHL"]
        assert 'src="/static/charts.js"' in page and 'class="export-png" hidden' in page
        svg = c.get("/indicators/SP.POP.TOTL/comparison.svg", params={"lang": lang, "period": "2019"})
        assert svg.headers["content-type"].startswith("image/svg+xml") and "2019" in svg.text
        etree.fromstring(svg.content)
        assert c.get("/indicators/NO.SUCH", params={"lang": lang}).status_code == 404
        assert c.get("/indicators/SP.POP.TOTL", params={"period": "1990"}).status_code == 422
        assert c.get("/submissions", params={"lang": lang}).status_code == 401
        assert c.get("/submissions/new").status_code == 401


def test_indicator_page_in_the_readers_language(site):
    """Name, definition and unit in Indonesian on Indonesian pages, the platform's translation said once;
    English pages show the stored English and no such note."""
    with TestClient(create_app(Settings(database_url=site))) as c:
        idn = c.get("/indicators/SP.POP.TOTL", params={"lang": "id"}).text
        unit = re.search(r"<dt>Satuan</dt><dd>([^<]*)</dd>", idn).group(1)
        assert unit == "jiwa"
        assert (
            "<h1>Jumlah penduduk " in idn
            and "Jumlah penduduk didasarkan pada definisi penduduk de facto" in idn
        )
        assert idn.count('id="translation-note"') == 1
        assert "Nama dan definisi dalam bahasa Indonesia adalah terjemahan platform" in idn
        assert ">jiwa</text>" in idn  # the chart's axis too
        eng = c.get("/indicators/SP.POP.TOTL", params={"lang": "en"}).text
        assert re.search(r"<dt>Unit</dt><dd>([^<]*)</dd>", eng).group(1) == "persons"
        assert "<h1>Population, total " in eng and "Total population is based on the de facto" in eng
        assert 'id="translation-note"' not in eng and "jiwa" not in eng
        listing = c.get("/indicators", params={"lang": "id", "sector": "labour"}).text
        assert "Tingkat pengangguran (% dari jumlah angkatan kerja)" in listing
        assert (
            "<td>% dari jumlah angkatan kerja</td>" in listing and listing.count('id="translation-note"') == 1
        )
        assert (
            "<td>% of total labor force</td>"
            in c.get("/indicators", params={"lang": "en", "sector": "labour"}).text
        )


def test_templates_download(site):
    with TestClient(create_app(Settings(database_url=site))) as c:
        assert c.get("/submissions/template.csv").text.startswith("series_code,country_iso3,")
        wb = load_workbook(io.BytesIO(c.get("/submissions/template.xlsx").content))
        assert wb.sheetnames == ["observations", "indicators", "codes"]
        assert next(wb["observations"].iter_rows(values_only=True))[:2] == ("series_code", "country_iso3")
        assert "SP.POP.TOTL" in [r[0] for r in wb["indicators"].iter_rows(values_only=True)]


BAD = PLAIN_HEADER + (
    "SP.POP.TOTL,IDN,2021,276000000,persons,BPS,\n"
    "SP.POP.TOTL,IDN,2022,lots,persons,BPS,\n"
    "SP.POP.TOTL,MYS,2022,33000000,persons,DOSM,\n"
    "NO.SUCH,IDN,2022,1,persons,BPS,\n"
)


def _events(body: str) -> list[tuple[str, dict]]:
    out = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def test_web_import_report_progress_submit_and_review(site):
    fp = signed_in(site, "fp@bps.go.id")
    before = {t: count(site, t) for t in ("observations", "observation_batches", "audit_entries")}
    page = fp.get("/submissions/new", params={"lang": "en"}).text
    assert "No drafts" in page
    token = csrf_of(page)
    # without JavaScript: the page comes back with the complete report
    r = fp.post(
        "/submissions/upload", data={"csrf": token}, files={"file": ("idn.csv", BAD.encode(), "text/csv")}
    )
    assert r.status_code == 422
    table = r.text.split('id="problems-table"')[1].split("</table>")[0]
    cells = re.findall(
        r"<tr><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td><td[^>]*>(.*?)</td></tr>", table
    )
    where = [(f, ln, col) for f, ln, col, _ in cells]
    assert ("idn.csv", "3", "value") in where and ("idn.csv", "4", "country_iso3") in where
    assert any(ln == "5" and col == "series_code" for _, ln, col in where)
    empty = fp.post("/submissions/upload", data={"csrf": token}, files={"file": ("e.csv", b"", "text/csv")})
    assert empty.status_code == 422 and "the file is empty" in empty.text
    r = fp.post(
        "/submissions/upload",
        data={"csrf": token},
        headers={"Accept": "text/event-stream"},
        files={"file": ("e.csv", b"", "text/csv")},
    )
    assert _events(r.text)[-1] == (
        "problems",
        {"status": 422, "detail": "e.csv: the file is empty", "problems": []},
    )
    # with the page's script: progress events, then the same report
    r = fp.post(
        "/submissions/upload",
        data={"csrf": token},
        headers={"Accept": "text/event-stream"},
        files={"file": ("idn.csv", BAD.encode(), "text/csv")},
    )
    assert r.headers["content-type"].startswith("text/event-stream")
    events = _events(r.text)
    assert events[0][0] == "progress" and events[-1][0] == "problems"
    report = events[-1][1]
    assert {(p["line"], p["column"]) for p in report["problems"]} >= {(3, "value"), (4, "country_iso3")}
    assert {t: count(site, t) for t in before} == before  # nothing stored, not even an audit entry
    # a good file streams progress and ends with "done" after the commit
    good = (
        PLAIN_HEADER
        + "SP.POP.TOTL,IDN,2021,276000000,persons,BPS,\nSP.POP.TOTL,IDN,2020,270002000,persons,BPS,\n"
    )
    r = fp.post(
        "/submissions/upload",
        data={"csrf": token},
        headers={"Accept": "text/event-stream"},
        files={"file": ("idn.csv", good.encode(), "text/csv")},
    )
    events = _events(r.text)
    assert [e for e, _ in events][-1] == "done" and any(e == "progress" and d["total"] for e, d in events)
    assert (events[-1][1]["inserted"], events[-1][1]["revised"]) == (1, 1)
    page = fp.get("/submissions/new", params={"lang": "id"}).text
    assert "Ajukan untuk persetujuan" in page and 'id="drafts-table"' in page
    r = fp.post(
        "/submissions",
        data={"csrf": csrf_of(page), "indicators": ["SP.POP.TOTL"], "note": "BPS 2021"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    target = r.headers["location"]
    assert (
        "Setujui dan terbitkan" not in fp.get(target, params={"lang": "id"}).text
    )  # focal points do not review

    officer = signed_in(site, "officer@asean.org")
    assert officer.get("/submissions/new").status_code == 403  # the Secretariat enters no member state's data
    queue = officer.get("/submissions", params={"lang": "en"}).text
    assert f'href="{target}"' in queue and "Sign-off queue" in queue
    review = officer.get(target, params={"lang": "en"}).text
    assert "Approve and publish" in review
    # the reviewer sees the value published before (2020) beside the new one and the change
    assert "270,002,020" in review and "270,002,000" in review and ">-20<" in review
    revision = html.unescape(re.search(r'name="revision" value="([^"]+)"', review).group(1))
    r = officer.post(
        target + "/review", data={"csrf": csrf_of(review), "decision": "rejected", "revision": revision}
    )
    assert r.status_code == 422 and "comment" in r.text  # a rejection needs a comment
    # the button asks for a confirmation first: nothing is written until it is given
    r = officer.post(
        target + "/review",
        data={"csrf": csrf_of(review), "decision": "approved", "revision": revision},
        follow_redirects=False,
    )
    assert (
        r.status_code == 200 and 'id="review-confirm"' in r.text and 'name="confirmed" value="yes"' in r.text
    )
    assert "276,000,000" not in officer.get("/indicators/SP.POP.TOTL", params={"lang": "en"}).text
    r = officer.post(
        target + "/review",
        data={"csrf": csrf_of(review), "decision": "approved", "revision": revision, "confirmed": "yes"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert "276,000,000" in officer.get("/indicators/SP.POP.TOTL", params={"lang": "en"}).text
    for c in (fp, officer):
        c.__exit__(None, None, None)


def test_subnational_indicator_by_area(site, tmp_path):
    header = "series_code,country_iso3,region_scheme,region_code,period,value,unit,source_id,note\n"
    approved = (
        header
        + "BPS.GINI,IDN,ISO3166-2,ID-AC,2015,0.33,ratio (0-1),BPS,\nBPS.GINI,IDN,ISO3166-2,ID-JB,2015,0.41,ratio (0-1),BPS,\n"
    )
    assert run_import(site, write(tmp_path, "gini.csv", approved), approval="approved").ok
    draft = header + "BPS.GINI,IDN,ISO3166-2,ID-AC,2016,0.35,ratio (0-1),BPS,\n"
    assert run_import(site, write(tmp_path, "gini-draft.csv", draft), approval="draft").ok
    with TestClient(create_app(Settings(database_url=site))) as c:
        page = c.get("/indicators/BPS.GINI", params={"lang": "id"}).text
        table = page.split('id="areas-table"')[1].split("</table>")[0]
        assert re.findall(r'<code>(ID-\w+)</code></td><td class="num">([\d,]+)</td>', table) == [
            ("ID-JB", "0,41"),
            ("ID-AC", "0,33"),
        ]
        assert "Menurut wilayah" in page and ">2016<" not in page  # the 2016 draft is not public
        assert c.get("/indicators/BPS.GINI", params={"member_state": "PHL"}).status_code == 422
        assert c.get("/indicators/BPS.GINI", params={"period": "2016"}).status_code == 422
        # its SDMX downloads select every area (it has no national series): they answer, with the areas
        links = c.get("/indicators/BPS.GINI.json").json()["downloads"]
        got = c.get(links["sdmx_csv"])
        assert got.status_code == 200, (links["sdmx_csv"], got.text[:300])
        assert "ID-AC" in got.text and "ID-JB" in got.text
        assert c.get(links["sdmx_ml"]).status_code == 200
