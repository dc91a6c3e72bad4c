"""Pages in both languages, the language choice, JSON twins and error pages."""

from __future__ import annotations

import pytest

PAGES = [
    "/",
    "/sectors",
    "/sectors/environment",
    "/bodies",
    "/bodies/asoen",
    "/member-states",
    "/member-states/IDN",
    "/partners",
    "/plans",
    "/plans/asean-ydi-2022",
    "/programmes",
    "/network",
    "/search?q=haze",
    "/meetings/ammswd-9",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_renders_in_both_languages_with_a_json_twin(client, path):
    en = client.get(path, params={"lang": "en"})
    assert en.status_code == 200 and '<html lang="en">' in en.text
    idn = client.get(path, params={"lang": "id"})
    assert idn.status_code == 200 and '<html lang="id">' in idn.text
    assert "Negara anggota" in idn.text and "Member states" in en.text
    base, _, query = path.partition("?")
    twin = "/index.json" if base == "/" else base + ".json"
    data = client.get(twin + ("?" + query if query else ""))
    assert data.status_code == 200 and data.headers["content-type"].startswith("application/json")
    assert isinstance(data.json(), dict)


MENU = {
    "en": [
        ("Community", ["/sectors", "/bodies", "/member-states", "/partners", "/network"]),
        ("Cooperation", ["/decisions", "/calendar", "/plans", "/programmes", "/activities", "/funds"]),
        ("Data", ["/indicators", "/indices", "/progress", "/docs"]),
        ("Disasters", ["/disasters", "/disasters/alerts", "/disasters/map", "/disasters/stats"]),
        ("Library", ["/documents", "/search"]),
    ],
    "id": ["Komunitas", "Kerja sama", "Data", "Bencana", "Pustaka"],
}


def menu_groups(html: str) -> list[tuple[str, list[str], str]]:
    """The main menu's groups: (summary, link addresses, link names joined) in their order."""
    import re

    nav = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    return [
        (summary.strip(), re.findall(r'<a href="([^"]+)"', body), " ".join(re.findall(r">([^<]+)</a>", body)))
        for summary, body in re.findall(r"<summary>([^<]+)</summary>(.*?)</details>", nav, re.S)
    ]


@pytest.mark.parametrize("lang", ["en", "id"])
def test_main_menu_groups_every_section_in_both_languages(client, lang):
    groups = menu_groups(client.get("/bodies", params={"lang": lang}).text)
    names = [g for g, _ in MENU["en"]] if lang == "en" else MENU["id"]
    assert [g[0] for g in groups] == names
    assert [g[1] for g in groups] == [links for _, links in MENU["en"]]
    words = {
        "en": ("Member states", "Decisions", "Indicators", "Current alerts", "Documents"),
        "id": ("Negara anggota", "Keputusan", "Indikator", "Peringatan yang berlaku", "Dokumen"),
    }[lang]
    for (_, _, text), word in zip(groups, words, strict=True):
        assert word in text
    for group in groups:
        for page in group[1]:
            if page != "/docs":
                assert client.get(page, params={"lang": lang}).status_code == 200


def test_main_menu_marks_the_current_section(client):
    html = client.get("/disasters/alerts", params={"lang": "en"}).text
    nav = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/disasters/alerts" aria-current="page">' in nav
    assert nav.count("aria-current") == 1  # not "/disasters" too, whose address is a prefix
    assert '<details id="menu-disasters" class="current">' in nav
    html = client.get("/bodies/asoen", params={"lang": "en"}).text
    nav = html.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/bodies" aria-current="true">' in nav and nav.count("aria-current") == 1
    assert '<details id="menu-community" class="current">' in nav
    nav = client.get("/", params={"lang": "en"}).text.split('<nav class="menu"', 1)[1].split("</nav>", 1)[0]
    assert "aria-current" not in nav and "current" not in nav


def test_language_choice_is_remembered(client):
    client.cookies.clear()
    r = client.get("/sectors", params={"lang": "id"})
    assert "lang=id" in r.headers["set-cookie"]
    assert '<html lang="id">' in client.get("/bodies").text
    client.cookies.clear()


def test_accept_language_on_first_visit(client):
    client.cookies.clear()
    assert '<html lang="id">' in client.get("/", headers={"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text
    assert '<html lang="en">' in client.get("/", headers={"Accept-Language": "fr"}).text


def test_body_page_shows_reporting_rotation_and_sources(client):
    html = client.get("/bodies/asoen", params={"lang": "en"}).text
    assert "AMME" in html
    assert "alphabetical order" in html and "hosting follows the ASEAN chair" in html
    # the seeds are not loaded here: the source names the seed by its number, not its file name
    assert "<cite>source document 003</cite>" in html and "003_7591d795653bab0c.txt" not in html
    html_id = client.get("/bodies/asoen", params={"lang": "id"}).text
    assert "menurut abjad" in html_id


def test_sector_page_has_org_chart_and_focal_point(client):
    html = client.get("/sectors/environment", params={"lang": "id"}).text
    assert "Bagan organisasi" in html
    assert "Kementerian Lingkungan Hidup dan Kehutanan" in html
    assert html.index("AMME") < html.index("ASOEN") < html.index("AWGCC")


def test_member_states_page_as_of_a_date(client):
    assert "Timor-Leste" not in client.get("/member-states", params={"on": "2024-01-01", "lang": "en"}).text
    assert "Timor-Leste" in client.get("/member-states", params={"lang": "en"}).text
    assert client.get("/member-states", params={"on": "yesterday"}).status_code == 422


def test_unknown_page_is_a_localised_404(client):
    r = client.get("/bodies/no-such-body", params={"lang": "id"})
    assert r.status_code == 404 and "Tidak ditemukan" in r.text
    assert client.get("/bodies/no-such-body.json").headers["content-type"] == "application/problem+json"


def test_search_box_finds_bodies_both_ways(client):
    assert "/bodies/ammswd" in client.get("/search", params={"q": "AMMSWD"}).text
    assert "/bodies/asean-foundation" in client.get("/search", params={"q": "Yayasan"}).text
    assert client.get("/search.json", params={"q": '(("*'}).status_code == 200


def test_pages_have_accessibility_basics(client):
    html = client.get("/bodies", params={"lang": "en"}).text
    assert 'class="skip" href="#main"' in html
    assert '<label for="f-sector">' in html and 'id="f-sector"' in html
    assert '<meta name="viewport"' in html
    assert "http://" not in html.split("<body>")[0].replace("http://www.w3.org", "")  # no CDN assets


def test_body_page_marks_an_inferred_reporting_line_and_lists_every_sector(client):
    html = client.get("/bodies/somhd", params={"lang": "en"}).text
    reports = html.split("Reports to", 1)[1].split("</dd>", 1)[0]
    assert "AHMM" in reports and '<span class="tag">inferred</span>' in reports
    assert "Inferred, not stated in the sources" in html and "does not say SOMHD reports to AHMM" in html
    stated = (
        client.get("/bodies/asoen", params={"lang": "en"}).text.split("Reports to", 1)[1].split("</dd>", 1)[0]
    )
    assert "AMME" in stated and "inferred" not in stated
    html_id = client.get("/bodies/somhd", params={"lang": "id"}).text
    assert "disimpulkan" in html_id and "Disimpulkan, tidak dinyatakan dalam sumber" in html_id
    coci = client.get("/bodies/coci", params={"lang": "en"}).text
    sector = coci.split("<dt>Sector</dt>", 1)[1].split("</dd>", 1)[0]
    assert '/sectors/culture"' in sector and '/sectors/information"' in sector
    assert "Sub-committee" in client.get("/bodies/scc", params={"lang": "en"}).text
    assert "Sub-komite" in client.get("/bodies/scc", params={"lang": "id"}).text


def test_programme_and_body_pages_show_dates_with_their_sources(client):
    html = client.get("/programmes/aathp", params={"lang": "en"}).text
    assert "<dt>Signed</dt>" in html and '<time datetime="2002-06-10">' in html
    assert "<dt>Entered into force</dt>" in html and '<time datetime="2003-11-25">' in html
    assert (
        'href="https://cil.nus.edu.sg/databasecil/2002-asean-agreement-on-transboundary-haze-pollution"'
        in html
    )
    assert "Mulai berlaku" in client.get("/programmes/aathp", params={"lang": "id"}).text
    fund = client.get("/bodies/asean-haze-fund", params={"lang": "en"}).text
    assert "<dt>Dates not found</dt>" in fund and "No public source found" in fund
    foundation = client.get("/bodies/asean-foundation", params={"lang": "en"}).text
    assert '<time datetime="1997-12-15">' in foundation


def test_a_correction_shows_the_source_of_the_corrected_value(client):
    html = client.get("/programmes/asean-charter", params={"lang": "en"}).text
    section = html.split("Corrections to the source", 1)[1]
    assert (
        'href="https://en.wikipedia.org/wiki/ASEAN_Charter"' in section
        and "source of the corrected value" in section
    )
    acdm = client.get("/bodies/acdm", params={"lang": "id"}).text.split("Koreksi atas sumber", 1)[1]
    assert "sumber itu sendiri menuliskannya dengan benar" in acdm and "Tiga Kelompok Kerja ACDM" in acdm


def test_an_inferred_line_names_the_body_not_its_code(client):
    html = client.get("/bodies/aha-centre", params={"lang": "en"}).text
    inferred = html.split("Inferred, not stated in the sources", 1)[1].split("</ul>", 1)[0]
    assert (
        '<a href="/bodies/aha-centre-governing-board">' in inferred
        and "AHA Centre Governing Board" in inferred
    )
    assert "Reports to: aha-centre-governing-board" not in inferred
    accsm = client.get("/bodies/accsm", params={"lang": "id"}).text
    assert "Tingkat: Komite" in accsm.split("Disimpulkan, tidak dinyatakan dalam sumber", 1)[1]
