"""The grouped main menu in real Chromium, on a 1280 px screen and a 375 px phone, in both languages:
a group opens by a click and by the keyboard (Tab to its summary, Enter), its links lead to their pages,
the page's own link is marked, nothing scrolls sideways and axe-core finds nothing serious."""

from __future__ import annotations

import itertools

import pytest

from tests.browser.test_pages import CHROMIUM, base_url, shot  # noqa: F401 - the shared fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

WORDS = {
    "en": {
        "main": "Main",
        "groups": ["Community", "Cooperation", "Data", "Disasters", "Library"],
        "alerts": "Current alerts",
        "documents": "Documents",
    },
    "id": {
        "main": "Utama",
        "groups": ["Komunitas", "Kerja sama", "Data", "Bencana", "Pustaka"],
        "alerts": "Peringatan yang berlaku",
        "documents": "Dokumen",
    },
}


def no_sideways_scroll(page) -> None:
    width = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width[0]} px in a {width[1]} px window"


def no_serious_axe_violation(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"resultTypes": ["violations"]})
    serious = [
        (v["id"], [n["target"] for n in v["nodes"][:3]])
        for v in result.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_menu_opens_by_click_and_keyboard_and_leads_to_its_pages(browser, base_url, lang, width):  # noqa: F811
    w = WORDS[lang]
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        is_mobile=width < 600,
        has_touch=width < 600,
        extra_http_headers={"Accept-Language": lang},
    )
    page = context.new_page()
    page.goto(base_url + "/")
    menu = page.get_by_role("navigation", name=w["main"])
    summaries = menu.locator("summary")
    assert summaries.all_inner_texts() == w["groups"]
    boxes = [summaries.nth(i).bounding_box() for i in range(5)]
    if width < 600:  # groups stacked, one under the other
        assert all(b["y"] < c["y"] for b, c in itertools.pairwise(boxes))
    else:  # one row
        assert len({round(b["y"]) for b in boxes}) == 1
    no_sideways_scroll(page)

    # by click: the Disasters group's links appear only when it is open
    alerts = menu.get_by_role("link", name=w["alerts"], exact=True)
    assert not alerts.is_visible()
    menu.locator("summary", has_text=w["groups"][3]).click()
    assert alerts.is_visible()
    assert page.locator("#menu-disasters").get_attribute("open") is not None
    no_sideways_scroll(page)
    no_serious_axe_violation(page)
    shot(page, f"{lang}-{width}-menu-open")
    alerts.click()
    page.wait_for_url("**/disasters/alerts")
    assert page.get_by_role("heading", level=1).inner_text() == w["alerts"]
    # the page's section is marked: its group, and the link itself once the group is opened
    assert page.locator("#menu-disasters").get_attribute("class") == "current"
    menu = page.get_by_role("navigation", name=w["main"])
    menu.locator("summary", has_text=w["groups"][3]).click()
    assert menu.locator("a[aria-current='page']").inner_text() == w["alerts"]

    # by keyboard: Tab to the Library group, Enter opens it, Tab reaches its first link, Enter follows it
    page.goto(base_url + "/")
    for _ in range(30):
        page.keyboard.press("Tab")
        if (
            page.evaluate("document.activeElement.tagName") == "SUMMARY"
            and page.evaluate("document.activeElement.textContent.trim()") == w["groups"][4]
        ):
            break
    else:
        pytest.fail("Tab never reached the Library group")
    documents = page.get_by_role("navigation", name=w["main"]).get_by_role(
        "link", name=w["documents"], exact=True
    )
    assert not documents.is_visible()
    page.keyboard.press("Enter")
    assert documents.is_visible()
    no_sideways_scroll(page)
    no_serious_axe_violation(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "/documents"
    page.keyboard.press("Enter")
    page.wait_for_url("**/documents")
    assert page.get_by_role("heading", level=1).inner_text() == w["documents"]
    no_sideways_scroll(page)
    context.close()
