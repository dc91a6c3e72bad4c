"""Index pages over real HTTP (TestClient) on SQLite and PostgreSQL, in English and Indonesian."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.indices import store as index_store
from ascc.wiring import session_factory
from tests.chart_check import check_charts
from tests.conftest import BACKENDS, load
from tests.indices.conftest import ASEM, EXAMPLES, STORE, needs_store

pytestmark = needs_store
YDI_DOMAINS = 7


@pytest.fixture(scope="module", params=BACKENDS)
def stored_url(request, new_database, reference):
    url = new_database(request.param)
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as s:
        s.info["actor"] = "test"
        index_store.store_run(s, definition=EXAMPLES / "ydi-2022.yaml", data=STORE, uncertainty_n=20)
        index_store.store_run(s, definition=EXAMPLES / "ydi-2017.yaml", data=STORE, uncertainty_n=0)
        if ASEM.exists():
            index_store.store_run(
                s,
                definition=EXAMPLES / "asem.yaml",
                data=ASEM / "asem_idata.csv",
                meta=ASEM / "asem_imeta.csv",
                uncertainty_n=20,
            )
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def web(stored_url):
    with TestClient(create_app(Settings(database_url=stored_url))) as c:
        yield c


EN = {"Accept-Language": "en"}
ID = {"Accept-Language": "id"}


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        (EN, ("Composite indices", "demonstration", "Indices")),
        (ID, ("Indeks komposit", "demonstrasi", "Indeks")),
    ],
)
def test_list_in_both_languages(web, headers, words):
    r = web.get("/indices", headers=headers)
    assert r.status_code == 200
    for w in words:
        assert w in r.text
    assert 'href="/indices"' in r.text  # the nav link
    for slug in ("ydi-2017", "ydi-2022") + (("asem",) if ASEM.exists() else ()):
        assert f'href="/indices/{slug}"' in r.text
    listed = web.get("/indices.json").json()["indices"]
    assert {i["slug"]: i["demonstration"] for i in listed}["ydi-2022"] is True


@pytest.mark.parametrize(
    ("headers", "words"),
    [
        (
            EN,
            (
                "Demonstration, not the official index.",
                "Breakdown by domain",
                "Trend over the years",
                "Methodology",
                "lower is better",
                "Normalisation",
                "Rank interval",
                "Downloads",
            ),
        ),
        (
            ID,
            (
                "Demonstrasi, bukan indeks resmi.",
                "Rincian per domain",
                "Tren dari tahun ke tahun",
                "Metodologi",
                "makin rendah makin baik",
                "Normalisasi",
                "Interval peringkat",
                "Unduhan",
            ),
        ),
    ],
)
def test_ydi_page_in_both_languages(web, headers, words):
    r = web.get("/indices/ydi-2022", headers=headers)
    assert r.status_code == 200, r.text
    for w in words:
        assert w in r.text, w
    assert r.text.count('<tr data-unit="') == 11
    assert r.text.count('class="rank-interval"') == 11
    assert r.text.count("<polyline") == 11  # one trend line per member state
    for code in ("SecEnrol", "NEET", "DisDeaths", "Tourism"):
        assert f"<code>{code}</code>" in r.text
    assert 'name="w_IdentitasASEAN"' in r.text and "/static/indices.js" in r.text


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_trend_chart_has_its_table_and_downloads(web, lang):
    """The trend is drawn by the one chart module: table, SVG and CSV (issue 17)."""
    assert check_charts(web, "/indices/ydi-2022", lang) == ["ydi-2022-trend"]
    rows = list(csv.reader(io.StringIO(web.get("/indices/ydi-2022/trend.csv?lang=en").text)))
    assert rows[0][0] == "Year" and len(rows[0]) == 1 + 11  # a column per member state


#: a domain of each YDI edition: code, English name, the seed's Indonesian name
YDI_DOMAIN = {
    "ydi-2022": ("PendidikanKeterampilan", "Education and Skills", "Pendidikan dan Keterampilan"),
    "ydi-2017": (
        "KesadaranIdentitas",
        "ASEAN Awareness, Values and Identity",
        "Kesadaran, Nilai dan Identitas ASEAN",
    ),
}


@pytest.mark.parametrize("lang", ["en", "id"])
def test_ydi_domains_in_the_pages_language(web, lang):
    """The seed names the YDI domains in Indonesian; English pages show their English names."""
    for slug, (code, en, idn) in YDI_DOMAIN.items():
        page = web.get(f"/indices/{slug}", params={"lang": lang}).text
        shown, other = (en, idn) if lang == "en" else (idn, en)
        assert f'<th scope="col" title="{code}">{shown}</th>' in page  # the breakdown's column
        assert f'<label for="w-{code}">{shown}</label>' in page  # the what-if weight
        assert f"<strong>{shown}</strong> <code>{code}</code>" in page  # the methodology
        assert other not in page


def test_json_twin_ranking_is_the_stored_one(web, stored_url):
    page = web.get("/indices/ydi-2022.json").json()
    engine = make_engine(stored_url)
    with unit_of_work(session_factory(engine)) as s:
        stored = index_store.latest(s, slug="ydi-2022")
        rows = sorted((r for r in stored.results if r.code == "YDI" and r.year == 2019), key=lambda r: r.rank)
    engine.dispose()
    assert page["year"] == 2019 and page["years"] == list(range(2013, 2020))
    assert [r["unit"] for r in page["ranking"]] == [r.unit_code for r in rows]
    assert [r["score"] for r in page["ranking"]] == [r.score for r in rows]
    assert all(1 <= r["rank_low"] <= r["rank_high"] <= 11 for r in page["ranking"])
    assert [(r["rank_low"], r["rank_high"]) for r in page["ranking"]] == [
        (r.rank_low, r.rank_high) for r in rows
    ]
    assert len(page["domains"]) == YDI_DOMAINS
    assert len(page["breakdown"]) == 11 and all(len(b["scores"]) == YDI_DOMAINS for b in page["breakdown"])


def test_what_if_get_matches_the_api(web):
    weights = {"IdentitasASEAN": 0.0, "PekerjaanPeluang": 3.0}
    page = web.get("/indices/ydi-2022.json", params={f"w_{k}": v for k, v in weights.items()}).json()
    assert page["what_if"] is True
    definition = web.get("/indices/ydi-2022/definition.yaml").text
    data = web.get("/indices/ydi-2022/data.csv").text
    api = web.post(
        "/api/v1/indices/what-if", json={"definition": definition, "data": data, "weights": weights}
    )
    assert api.status_code == 200, api.text
    expected = sorted(
        (r for r in api.json()["results"] if r["Time"] == 2019), key=lambda r: (r["rank"], r["uCode"])
    )
    assert [r["unit"] for r in page["ranking"]] == [r["uCode"] for r in expected]
    assert [r["rank"] for r in page["ranking"]] == [r["rank"] for r in expected]
    nominal = web.get("/indices/ydi-2022.json").json()["ranking"]
    assert [r["unit"] for r in page["ranking"]] != [r["unit"] for r in nominal]  # the weights matter
    html = web.get("/indices/ydi-2022", params={"w_IdentitasASEAN": "0", "lang": "id"})
    assert "Dihitung ulang dengan bobot" in html.text


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"w_IdentitasASEAN": "-1"}, "w_IdentitasASEAN"),
        ({"w_PekerjaanPeluang": "abc"}, "w_PekerjaanPeluang"),
        ({"w_SecEnrol": "1"}, "w_SecEnrol"),
        ({"w_IdentitasASEAN": "nan"}, "w_IdentitasASEAN"),
        ({"year": "1999"}, "year"),
    ],
)
@pytest.mark.parametrize("headers", [EN, ID])
def test_bad_weights_are_a_422_page_naming_the_field(web, query, field, headers):
    r = web.get("/indices/ydi-2022", params=query, headers=headers)
    assert r.status_code == 422
    assert field in r.text
    j = web.get("/indices/ydi-2022.json", params=query)
    assert j.status_code == 422 and j.json()["parameter"] == field


def test_downloads(web):
    r = web.get("/indices/ydi-2022/results.csv")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 11 * 7 * (1 + YDI_DOMAINS)
    assert {row["definition_sha256"] for row in rows} == {r.headers["x-definition-sha256"]}
    assert web.get("/indices/ydi-2022/definition.yaml").text == (EXAMPLES / "ydi-2022.yaml").read_text(
        encoding="utf-8"
    )
    assert web.get("/indices/ydi-2022/meta.csv").status_code == 404
    assert web.get("/indices/nope").status_code == 404
    assert web.get("/indices/nope/results.csv").status_code == 404


@pytest.mark.skipif(not ASEM.exists(), reason="COINr ASEM data not found")
def test_asem_page_has_pillars_and_no_demonstration_notice(web):
    r = web.get("/indices/asem")
    assert r.status_code == 200
    assert "Demonstration, not the official index." not in r.text
    assert r.text.count('<tr data-unit="') == 51
    assert "<polyline" not in r.text  # a single year: no trend
    page = web.get("/indices/asem.json").json()
    assert page["downloads"]["meta"] == "/indices/asem/meta.csv"
    assert {w["code"] for w in page["weights"]} == {d["code"] for d in page["domains"]}


@pytest.fixture
def builds(monkeypatch):
    """Count the index builds (and forbid temporary folders) from here on, with an empty build cache."""
    import tempfile

    from ascc.indices import service

    service.clear_cache()
    calls = []
    real = service.build

    def counting(*args, **kwargs):
        calls.append(args[0].code)
        return real(*args, **kwargs)

    def no_temporary_folder(*args, **kwargs):
        raise AssertionError("a temporary folder was made")

    monkeypatch.setattr(service, "build", counting)
    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_temporary_folder)
    monkeypatch.setattr(tempfile, "mkdtemp", no_temporary_folder)
    yield calls
    service.clear_cache()


def _uncached(name: str) -> dict[str, str]:
    """A query parameter the page ignores, so that the response cache does not answer."""
    return {"probe": f"{name}-{next(_probes)}"}


_probes = iter(range(10**6))


@pytest.mark.parametrize("slug", ["ydi-2022", "asem"])
def test_a_plain_page_reads_the_stored_results_and_builds_nothing(web, builds, slug):
    if slug == "asem" and not ASEM.exists():
        pytest.skip("COINr ASEM data not found")
    from ascc.indices import service
    from ascc.indices.weights import effective_weights

    for path in (f"/indices/{slug}", f"/indices/{slug}.json"):
        assert web.get(path, params=_uncached("plain")).status_code == 200
    page = web.get(f"/indices/{slug}.json", params=_uncached("plain")).json()
    assert builds == []
    assert page["what_if"] is False and page["ranking"]
    # the methodology's effective weights are those of a build of the stored inputs
    source = (EXAMPLES / f"{slug}.yaml", ASEM / "asem_idata.csv" if slug == "asem" else STORE)
    d, dataset = service.load(
        definition=source[0], data=source[1], meta=ASEM / "asem_imeta.csv" if slug == "asem" else None
    )
    built = effective_weights(d, service.build_index(definition=d, dataset=dataset).weights)
    shown = {
        a["code"]: a["effective"] for level in page["methodology"]["levels"] for a in level["aggregates"]
    }
    shown |= {i["code"]: i["effective"] for i in page["methodology"]["indicators"]}
    assert shown.pop(d.root) is None  # the index itself has no weight
    assert shown == pytest.approx(dict(zip(built["iCode"], built["EffectiveWeight"], strict=True)), abs=1e-15)


def test_a_what_if_builds_and_gives_the_numbers_of_the_engine(web, builds):
    from dataclasses import replace

    from ascc.indices import service

    weights = {"IdentitasASEAN": 0.0, "PekerjaanPeluang": 3.0}
    query = {f"w_{k}": v for k, v in weights.items()}
    page = web.get("/indices/ydi-2022.json", params=query | _uncached("what-if")).json()
    assert page["what_if"] is True and builds  # built
    # the numbers of the engine on the same definition and data with those weights
    d, dataset = service.load(definition=EXAMPLES / "ydi-2022.yaml", data=STORE)
    steps = replace(d.steps, weights=replace(d.steps.weights, custom=tuple(weights.items())))
    result = service.build(d, dataset, steps=steps)
    frame = result.aggregated
    rows = [i for i in range(len(frame.units)) if frame.times[i] == 2019]
    expected = {
        str(frame.units[i]): (frame.column("YDI")[i], int(result.ranks.column("YDI")[i])) for i in rows
    }
    assert {r["unit"]: (r["score"], r["rank"]) for r in page["ranking"]} == expected
    # the same weights again: the process's cached builds, the same answer
    count = len(builds)
    again = web.get("/indices/ydi-2022.json", params=query | _uncached("what-if")).json()
    assert len(builds) == count and again["ranking"] == page["ranking"]
