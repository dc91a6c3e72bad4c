"""The site's favicon and the breadcrumbs of nested pages (issue 17), on both backends."""

from __future__ import annotations

import re

import pytest


def test_favicon_is_linked_and_answers(client):
    page = client.get("/sectors?lang=en")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page.text
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.startswith("<svg")
    old = client.get("/favicon.ico", follow_redirects=False)
    assert old.status_code == 301 and old.headers["location"] == "/static/favicon.svg"
    assert client.get("/favicon.ico").content == icon.content


def crumbs(html: str) -> list[tuple[str, str, bool]]:
    nav = re.search(r'<nav class="crumbs" aria-label="([^"]+)">(.*?)</nav>', html, re.S)
    assert nav, "no breadcrumbs"
    return [
        (label, href, bool(current))
        for href, current, label in re.findall(
            r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav.group(2)
        )
    ]


@pytest.mark.parametrize(
    ("path", "lang", "name", "trail"),
    [
        (
            "/bodies/asoen",
            "en",
            "Breadcrumb",
            [
                ("Home", "/"),
                ("Bodies", "/bodies"),
                ("Environment", "/sectors/environment"),
                ("ASOEN", "/bodies/asoen"),
            ],
        ),
        (
            "/bodies/asoen",
            "id",
            "Jejak navigasi",
            [
                ("Beranda", "/"),
                ("Badan", "/bodies"),
                ("Lingkungan Hidup", "/sectors/environment"),
                ("ASOEN", "/bodies/asoen"),
            ],
        ),
        (
            "/sectors/health",
            "id",
            "Jejak navigasi",
            [("Beranda", "/"), ("Sektor", "/sectors"), ("Kesehatan", "/sectors/health")],
        ),
        (
            "/member-states/IDN",
            "en",
            "Breadcrumb",
            [("Home", "/"), ("Member states", "/member-states"), ("Indonesia", "/member-states/IDN")],
        ),
        (
            "/plans/aphda/progress",
            "en",
            "Breadcrumb",
            [
                ("Home", "/"),
                ("Plans", "/plans"),
                ("ASEAN Post-2015 Health Development Agenda", "/plans/aphda"),
                ("Progress report", "/plans/aphda/progress"),
            ],
        ),
    ],
)
def test_nested_pages_show_where_they_sit(client, path, lang, name, trail):
    html = client.get(f"{path}?lang={lang}").text
    assert f'<nav class="crumbs" aria-label="{name}">' in html
    got = crumbs(html)
    assert [(label, href) for label, href, _ in got] == trail
    assert [current for *_, current in got] == [False] * (len(trail) - 1) + [True]


def test_list_pages_have_no_breadcrumbs(client):
    assert 'class="crumbs"' not in client.get("/bodies?lang=en").text
    assert 'class="crumbs"' not in client.get("/?lang=en").text


def test_network_shows_who_meets_in_which_format(client):
    """Not eleven nodes all joined alike: the partner formats, who takes part, the bodies meeting in
    each, and the recorded meetings partners attended (issue 17)."""
    net = client.get("/network.json").json()["network"]
    formats = {f["id"]: f for f in net["formats"]}
    apt = formats["asean-plus-three"]
    assert apt["partners"] == ["CHN", "JPN", "KOR"]
    bodies = {b["id"] for b in apt["bodies"]}
    # a body of the format, and a body's own meeting in it (AMCA+3, from AMCA's formats)
    assert {"aptwg", "amca"} <= bodies
    assert "amca" in {b["id"] for b in formats["asean-japan"]["bodies"]}
    assert formats["east-asia-summit"]["partners"] == []  # not recorded: said so, not invented
    bodies = client.get("/api/v1/bodies", params={"limit": 500}).json()["items"]
    assert net["asean_only"] == sum(1 for b in bodies if b["partner_format"] is None)
    assert net["attended"] == {"CHN": 1, "JPN": 1, "KOR": 1}  # the AMMSWD-9 record lists the three
    en = client.get("/network?lang=en").text
    assert "ASEAN Plus Three" in en and "partners not recorded" in en
    assert "Formats with partners" in en and 'href="/bodies/aptwg"' in en
    id_ = client.get("/network?lang=id").text
    assert "Format dengan mitra" in id_ and "mitra tidak tercatat" in id_
