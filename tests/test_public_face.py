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
    return [(label, href, bool(current)) for href, current, label in
            re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav.group(2))]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "lang", "name", "trail"),
    [("/bodies/asoen", "en", "Breadcrumb",
      [("Home", "/"), ("Bodies", "/bodies"), ("Environment", "/sectors/environment"), ("ASOEN", "/bodies/asoen")]),
     ("/bodies/asoen", "id", "Jejak navigasi",
      [("Beranda", "/"), ("Badan", "/bodies"), ("Lingkungan Hidup", "/sectors/environment"),
       ("ASOEN", "/bodies/asoen")]),
     ("/sectors/health", "id", "Jejak navigasi",
      [("Beranda", "/"), ("Sektor", "/sectors"), ("Kesehatan", "/sectors/health")]),
     ("/member-states/IDN", "en", "Breadcrumb",
      [("Home", "/"), ("Member states", "/member-states"), ("Indonesia", "/member-states/IDN")]),
     ("/plans/aphda/progress", "en", "Breadcrumb",
      [("Home", "/"), ("Plans", "/plans"), ("ASEAN Post-2015 Health Development Agenda", "/plans/aphda"),
       ("Progress report", "/plans/aphda/progress")])],
)  # fmt: skip
def test_nested_pages_show_where_they_sit(client, path, lang, name, trail):
    html = client.get(f"{path}?lang={lang}").text
    assert f'<nav class="crumbs" aria-label="{name}">' in html
    got = crumbs(html)
    assert [(label, href) for label, href, _ in got] == trail
    assert [current for *_, current in got] == [False] * (len(trail) - 1) + [True]


def test_list_pages_have_no_breadcrumbs(client):
    assert 'class="crumbs"' not in client.get("/bodies?lang=en").text
    assert 'class="crumbs"' not in client.get("/?lang=en").text
