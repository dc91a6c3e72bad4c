"""The meeting-cycle engine, meeting records, the Report of the Meeting, calendar and iCalendar."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from fastapi.testclient import TestClient

from ascc.app import create_app
from ascc.config import Settings
from ascc.kit import clock
from ascc.meetings import cycle
from ascc.reference.chairs import asean_chairs
from tests.conftest import every_item, if_match, load, make_user

NAMES = {
    "BRN": "Brunei Darussalam",
    "KHM": "Cambodia",
    "IDN": "Indonesia",
    "LAO": "Lao PDR",
    "MYS": "Malaysia",
    "MMR": "Myanmar",
    "PHL": "Philippines",
    "SGP": "Singapore",
    "THA": "Thailand",
    "TLS": "Timor-Leste",
    "VNM": "Viet Nam",
}
JOINED = {code: dt.date(1999, 4, 30) for code in NAMES} | {"TLS": dt.date(2025, 10, 26)}
MEMBERS = [cycle.Member(code, name, JOINED[code]) for code, name in NAMES.items()]


def test_asean_chair_rotates_alphabetically_from_the_philippines_in_2026():
    recorded = {2025: "MYS", 2026: "PHL"}
    chairs = [cycle.asean_chair(y, MEMBERS, recorded) for y in range(2026, 2033)]
    assert chairs == ["PHL", "SGP", "THA", "TLS", "VNM", "BRN", "KHM"]
    assert cycle.asean_chair(2025, MEMBERS, recorded) == "MYS"
    assert cycle.asean_chair(2024, MEMBERS, recorded) is None  # before the table: not computed


def test_the_sourced_table_of_asean_chairs_is_what_the_engine_reads(reference):
    """Each year is recorded with a URL; a recorded year wins over the rotation (Myanmar's turn in
    2026 went to the Philippines), and the years after the table are computed from its last year."""
    table = asean_chairs()
    assert all(r.sources and all(s.url for s in r.sources) for r in reference["asean_chairs"])
    assert {y: table[y] for y in (2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026)} == {
        2019: "THA",
        2020: "VNM",
        2021: "BRN",
        2022: "KHM",
        2023: "IDN",
        2024: "LAO",
        2025: "MYS",
        2026: "PHL",
    }
    assert cycle.asean_chair(2026, MEMBERS, table) == "PHL"  # not Myanmar, next after MYS alphabetically
    assert set(range(2009, 2028)) <= set(table)  # every year from the Charter to the last announced
    assert table[2011] == "IDN" and table[2013] == "BRN"  # the 2011 swap with Brunei Darussalam
    assert table[2027] == "SGP" and max(table) == 2027  # Singapore announced for 2027, nothing later
    assert cycle.asean_chair(2028, MEMBERS, table) == "THA"  # computed from the last recorded year
    # 2008 was split (Singapore to July, Thailand after): not recorded, and not computed either
    assert 2008 not in table and cycle.asean_chair(2008, MEMBERS, table) is None


def test_the_chair_table_records_the_summits_each_chair_hosted_with_their_sources(reference):
    from ascc.reference.chairs import asean_summits

    assert [(s.number, s.city, s.date) for s in asean_summits(2017)] == [
        (30, "Manila", dt.date(2017, 4, 29)),
        (31, "Manila", dt.date(2017, 11, 14)),
    ]
    assert [(s.number, s.city) for s in asean_summits(2025)] == [(46, "Kuala Lumpur"), (47, "Kuala Lumpur")]
    assert [(s.number, s.city, s.date, s.date_end) for s in asean_summits(2009)] == [
        (14, "Cha-am Hua Hin", dt.date(2009, 2, 28), dt.date(2009, 3, 1)),
        (15, "Cha-am Hua Hin", dt.date(2009, 10, 23), dt.date(2009, 10, 25)),
    ]
    assert [s.number for s in asean_summits(2026)] == [48]  # the 49th: no source reports it held
    assert asean_summits(2008) == [] and asean_summits(2027) == []  # not found / not yet: empty
    summits = [(r.year, s) for r in reference["asean_chairs"] for s in r.summits]
    numbers = [s.number for _, s in summits]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)  # in order, none twice
    assert set(range(14, 49)) - set(numbers) == {39}  # only the 39th's own date was not found
    for year, s in summits:
        assert s.url.startswith(("https://", "http://")) and s.date.year == year
        assert s.date_end is None or s.date <= s.date_end


def test_timor_leste_enters_the_rotation_from_its_admission():
    yearly = [
        cycle.body_chair(y, rule="alphabetical", term_years=1, anchor=(2024, "THA"), members=MEMBERS)
        for y in range(2024, 2028)
    ]
    assert yearly == ["THA", "VNM", "BRN", "KHM"]  # on 1 January 2025 Timor-Leste was not yet a member
    later = [
        cycle.body_chair(y, rule="alphabetical", term_years=1, anchor=(2026, "THA"), members=MEMBERS)
        for y in range(2026, 2029)
    ]
    assert later == ["THA", "TLS", "VNM"]


def test_three_year_terms_and_expression_of_interest():
    chairs = [
        cycle.body_chair(y, rule="alphabetical", term_years=3, anchor=(2024, "MYS"), members=MEMBERS)
        for y in range(2024, 2031)
    ]
    assert chairs == ["MYS"] * 3 + ["MMR"] * 3 + ["PHL"]
    eoi = [
        cycle.body_chair(
            y, rule="expression_of_interest", term_years=3, anchor=(2025, "IDN"), members=MEMBERS
        )
        for y in (2025, 2027, 2028)
    ]
    assert eoi == ["IDN", "IDN", None]


def test_meeting_years_and_deadlines():
    assert cycle.meets_in(2027, interval="biennial", phase_year=2025) is True
    assert cycle.meets_in(2026, interval="biennial", phase_year=2025) is False
    assert cycle.meets_in(2026, interval="triennial", phase_year=None) is None
    assert cycle.meets_in(2026, interval="at_least_annual", phase_year=None) is True
    d = cycle.preparatory_deadlines(dt.date(2027, 10, 12))
    assert d["papers_due"] == dt.date(2027, 9, 21) and d["preparatory_meeting_by"] == dt.date(2027, 9, 12)


@pytest.fixture
def site(fresh_url, reference):
    load(fresh_url, reference)
    tokens = {
        "sec": make_user(fresh_url, email="officer@asean.org"),
        "chair": make_user(fresh_url, email="chair@amme.org", role="chair", body_id="amme"),
        "fp": make_user(fresh_url, email="fp@kemlu.go.id", role="focal_point", member_state="IDN"),
    }
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        yield c, {k: {"Authorization": f"Bearer {v}"} for k, v in tokens.items()}


def test_expected_meetings_follow_rules_anchors_and_overrides(site):
    c, h = site
    r = c.put(
        "/api/v1/bodies/asoen/chair-anchor",
        headers=h["sec"],
        json={"year": 2024, "member_state": "MYS", "reason": "chair of the 35th ASOEN"},
    )
    assert r.status_code == 200
    expected = every_item(c, "/api/v1/meetings/expected", params={"year": 2026, "years": 5})
    asoen = {e["year"]: e for e in expected if e["body_id"] == "asoen"}
    assert [asoen[y]["chair"] for y in range(2026, 2031)] == ["MYS", "MMR", "MMR", "MMR", "PHL"]
    assert [asoen[y]["host"] for y in (2026, 2027, 2028)] == [
        "PHL",
        "SGP",
        "THA",
    ]  # host follows the ASEAN chair
    assert {"AWGCC", "AWGNCB"} <= set(asoen[2026]["prepared_by"])  # the working groups prepare ASOEN
    amme = [e for e in expected if e["body_id"] == "amme"]
    assert all(not e["certain"] for e in amme)  # biennial with no phase known yet
    # the chair of AMME fixes a date for 2027 and overrides the chair, with a reason
    r = c.put(
        "/api/v1/bodies/amme/cycle-overrides",
        headers=h["chair"],
        json={"year": 2027, "date": "2027-10-12", "chair": "SGP", "reason": "host confirmed by SOM"},
    )
    assert r.status_code == 200
    amme = {
        e["year"]: e
        for e in every_item(c, "/api/v1/meetings/expected", params={"year": 2026, "years": 4})
        if e["body_id"] == "amme"
    }
    assert sorted(amme) == [2027, 2029]
    assert amme[2027]["chair"] == "SGP" and amme[2027]["chair_source"] == "override"
    assert amme[2027]["deadlines"]["papers_due"] == "2027-09-21" and "ASOEN" in amme[2027]["prepared_by"]
    # overrides need a reason and the right account
    assert (
        c.put(
            "/api/v1/bodies/amme/cycle-overrides", headers=h["chair"], json={"year": 2027, "chair": "SGP"}
        ).status_code
        == 422
    )
    assert (
        c.put(
            "/api/v1/bodies/asoen/cycle-overrides",
            headers=h["chair"],
            json={"year": 2027, "chair": "SGP", "reason": "x y z"},
        ).status_code
        == 403
    )
    assert (
        c.put(
            "/api/v1/bodies/amme/cycle-overrides",
            headers=h["fp"],
            json={"year": 2027, "chair": "SGP", "reason": "x y z"},
        ).status_code
        == 403
    )


def test_replacing_an_anchor_or_override_needs_its_etag(site):
    """A chair anchor or a year's override is created without If-Match; replacing it needs the ETag
    read with it (428 without, 412 when stale), so two officers cannot silently overwrite each other."""
    c, h = site
    assert c.get("/api/v1/bodies/asoen/chair-anchor").status_code == 404
    first = {"year": 2024, "member_state": "MYS", "reason": "chair of the 35th ASOEN"}
    r = c.put("/api/v1/bodies/asoen/chair-anchor", headers=h["sec"], json=first)
    assert r.status_code == 200
    etag = r.headers["etag"]
    assert c.get("/api/v1/bodies/asoen/chair-anchor").headers["etag"] == etag
    other = {"year": 2023, "member_state": "LAO", "reason": "chair of the 34th ASOEN"}
    assert c.put("/api/v1/bodies/asoen/chair-anchor", headers=h["sec"], json=other).status_code == 428
    stale = c.put("/api/v1/bodies/asoen/chair-anchor", headers=h["sec"] | {"If-Match": '"stale"'}, json=other)
    assert stale.status_code == 412 and stale.json()["current_etag"] == etag
    assert c.get("/api/v1/bodies/asoen/chair-anchor").json()["member_state"] == "MYS"  # nothing changed
    r = c.put("/api/v1/bodies/asoen/chair-anchor", headers=h["sec"] | {"If-Match": etag}, json=other)
    assert r.status_code == 200 and r.headers["etag"] != etag
    assert c.get("/api/v1/bodies/asoen/chair-anchor").json()["member_state"] == "LAO"
    # If-Match for an anchor that does not exist fails rather than creating one
    assert (
        c.put(
            "/api/v1/bodies/amme/chair-anchor", headers=h["chair"] | {"If-Match": etag}, json=first
        ).status_code
        == 412
    )

    fixed = {"year": 2027, "date": "2027-10-12", "reason": "host confirmed by SOM"}
    assert c.put("/api/v1/bodies/amme/cycle-overrides", headers=h["chair"], json=fixed).status_code == 200
    got = c.get("/api/v1/bodies/amme/cycle-overrides/2027")
    assert got.json()["date"] == "2027-10-12"
    moved = fixed | {"date": "2027-10-19"}
    assert c.put("/api/v1/bodies/amme/cycle-overrides", headers=h["chair"], json=moved).status_code == 428
    assert (
        c.put(
            "/api/v1/bodies/amme/cycle-overrides",
            headers=h["sec"] | {"If-Match": got.headers["etag"]},
            json=moved,
        ).status_code
        == 200
    )
    assert (
        c.put(
            "/api/v1/bodies/amme/cycle-overrides",
            headers=h["chair"] | {"If-Match": got.headers["etag"]},
            json=fixed,
        ).status_code
        == 412
    )  # the chair's copy is stale now
    # another year is another record: created without If-Match
    assert (
        c.put(
            "/api/v1/bodies/amme/cycle-overrides",
            headers=h["chair"],
            json=fixed | {"year": 2029, "date": None},
        ).status_code
        == 200
    )
    assert [(o["year"], o["date"]) for o in c.get("/api/v1/bodies/amme/cycle-overrides").json()["items"]] == [
        (2027, "2027-10-19"),
        (2029, None),
    ]


def test_meeting_record_and_report_lifecycle(site):
    c, h = site
    record = {
        "id": "ammswd-10",
        "body": "ammswd",
        "number": 10,
        "title_en": "10th ASEAN Ministerial Meeting on Social Welfare and Development",
        "date_start": "2026-10-20",
        "date_end": "2026-10-21",
        "host": "PHL",
        "chair": "PHL",
        "venue": "PICC",
        "city": "Manila",
        "member_states": ["IDN", "PHL"],
        "partners": ["CHN", "JPN", "KOR"],
    }
    assert c.put("/api/v1/meetings/ammswd-10", json=record, headers=h["fp"]).status_code == 403
    r = c.put("/api/v1/meetings/ammswd-10", json=record, headers=h["sec"])
    assert r.status_code == 200, r.text
    M = "/api/v1/meetings/ammswd-10"
    assert c.put(M, json=record, headers=h["sec"]).status_code == 428  # replacing needs its ETag
    assert (
        c.put(
            "/api/v1/meetings/ammswd-10",
            json=record | {"date_end": "2026-10-01"},
            headers=if_match(c, M, h["sec"]),
        ).status_code
        == 422
    )
    etag = c.get("/api/v1/meetings/ammswd-10", headers=h["sec"]).headers["etag"]
    c.post("/api/v1/meetings/ammswd-10/agenda", json={"number": "3.1", "title": "Ageing"}, headers=h["sec"])
    stale = c.put("/api/v1/meetings/ammswd-10", json=record, headers=h["sec"] | {"If-Match": etag})
    assert stale.status_code == 412  # the agenda changed since the record was read
    r = c.post(
        "/api/v1/meetings/ammswd-10/documents", json={"title": "Draft joint statement"}, headers=h["sec"]
    )
    assert r.json()["documents"][0]["due"] == "2026-09-29"  # derived: 21 days before
    assert (
        c.put(
            "/api/v1/meetings/ammswd-10/report",
            json={"text": "Draft report"},
            headers=if_match(c, M, h["sec"]),
        ).status_code
        == 200
    )
    assert (
        c.get("/api/v1/meetings/ammswd-10").json()["reports"] == []
    )  # the public sees published reports only
    assert (
        c.post(
            "/api/v1/meetings/ammswd-10/report/status",
            json={"to": "published"},
            headers=if_match(c, M, h["sec"]),
        ).status_code
        == 409
    )
    for to in ("circulated", "adopted_ad_referendum"):
        assert (
            c.post(
                "/api/v1/meetings/ammswd-10/report/status", json={"to": to}, headers=if_match(c, M, h["sec"])
            ).status_code
            == 200
        )
    # the adopted version is locked: writing starts version 2
    r = c.put(
        "/api/v1/meetings/ammswd-10/report", json={"text": "Corrigendum"}, headers=if_match(c, M, h["sec"])
    )
    reports = r.json()["reports"]
    assert [(x["number"], x["status"], x["locked"]) for x in reports] == [
        (1, "adopted_ad_referendum", True),
        (2, "draft", False),
    ]
    assert reports[0]["text"] == "Draft report"
    page = c.get("/meetings/ammswd-10", params={"lang": "en"})
    assert page.status_code == 200 and "Ageing" in page.text


def test_calendar_page_and_icalendar(site):
    c, h = site
    c.put(
        "/api/v1/meetings/amme-17",
        headers=h["sec"],
        json={
            "id": "amme-17",
            "body": "amme",
            "number": 17,
            "title_en": "17th AMME",
            "date_start": "2027-10-12",
            "venue": "Marina Bay",
            "city": "Singapore",
        },
    )
    c.put(
        "/api/v1/bodies/somswd/cycle-overrides",
        headers=h["sec"],
        json={"year": 2027, "date": "2027-06-02", "reason": "agreed at the previous SOMSWD"},
    )
    cal = icalendar.Calendar.from_ical(c.get("/calendar.ics", params={"year": 2027}).content)
    events = {str(e["summary"]): e for e in cal.walk("VEVENT")}
    assert events["17th AMME"]["location"] == "Marina Bay, Singapore"
    assert events["17th AMME"].decoded("dtstart") == dt.date(2027, 10, 12)
    assert "SOMSWD 2027" in events
    for lang, word in (("en", "Calendar of meetings"), ("id", "Kalender pertemuan")):
        page = c.get("/calendar", params={"year": 2027, "lang": lang})
        assert page.status_code == 200 and word in page.text and "17th AMME" in page.text
    assert c.get("/calendar", params={"year": "soon"}).status_code == 422


def test_calendar_month_view(site):
    """The month view: a Monday-first grid with each meeting on its day, links to the neighbouring
    months and the list view, and the year's expected meetings without a date in their own section."""
    import html
    import re

    c, h = site
    c.put(
        "/api/v1/meetings/amme-17",
        headers=h["sec"],
        json={
            "id": "amme-17",
            "body": "amme",
            "number": 17,
            "title_en": "17th AMME",
            "date_start": "2027-10-12",
            "date_end": "2027-10-13",
        },
    )
    c.put(
        "/api/v1/bodies/somswd/cycle-overrides",
        headers=h["sec"],
        json={"year": 2027, "date": "2027-06-02", "reason": "agreed at the previous SOMSWD"},
    )
    c.put(
        "/api/v1/bodies/asoen/chair-anchor",
        headers=h["sec"],
        json={"year": 2024, "member_state": "MYS", "reason": "chair of the 35th ASOEN"},
    )
    page = c.get("/calendar", params={"view": "month", "year": 2027, "month": 10, "lang": "en"})
    assert page.status_code == 200
    text = page.text
    assert "<caption>October 2027</caption>" in text
    heads = re.findall(r'<th scope="col"><abbr title="([^"]+)">', text)
    assert heads == ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
    rows = re.findall(r"<tr>(.*?)</tr>", text.split("<tbody>")[1].split("</tbody>")[0], re.S)
    assert len(rows) == 5  # 1 October 2027 is a Friday: 27 September … 31 October
    first = re.findall(r"<td[^>]*>", rows[0])
    assert [t for t in first].count('<td class="outside">') == 4  # Monday to Thursday are September's
    cells = {
        int(d): cell
        for d, cell in re.findall(r'<time datetime="2027-10-(\d\d)">\d+</time>(.*?)</td>', text, re.S)
    }
    assert "17th AMME" in cells[12] and "17th AMME" in cells[13] and "17th AMME" not in cells[11]
    assert 'href="/calendar?view=month&amp;year=2027&amp;month=9"' in text  # previous month
    assert 'href="/calendar?view=month&amp;year=2027&amp;month=11"' in text
    assert 'href="/calendar?view=list&amp;year=2027"' in text
    undated = html.unescape(text.split('id="undated-h"')[1])
    assert "Expected in 2027, date not fixed" in undated
    asoen = re.search(r'<a href="/bodies/asoen">ASOEN</a>:(.*?)</li>', undated, re.S).group(1)
    assert (
        "meets this year by its cycle rule" in asoen
        and "chair Myanmar, computed from the rotation, not confirmed" in asoen
    )
    amme = re.search(r'<a href="/bodies/amme">AMME</a>', undated)
    assert amme is None  # recorded in 2027: no longer expected
    assert "SOMSWD" not in undated  # its date is fixed: it sits on 2 June
    june = c.get("/calendar", params={"view": "month", "year": 2027, "month": 6, "lang": "en"}).text
    day2 = re.search(r'<time datetime="2027-06-02">2</time>(.*?)</td>', june, re.S).group(1)
    assert "expected" in day2 and 'href="/bodies/somswd"' in day2
    # Indonesian: month and day names from the locale, the sections translated
    idn = c.get("/calendar", params={"view": "month", "year": 2027, "month": 10, "lang": "id"}).text
    assert "<caption>Oktober 2027</caption>" in idn and 'title="Senin"' in idn
    assert "Diperkirakan pada 2027, tanggal belum ditetapkan" in html.unescape(idn)
    data = c.get("/calendar.json", params={"view": "month", "year": 2027, "month": 10, "lang": "en"}).json()
    assert data["month_name"] == "October 2027" and len(data["weeks"]) == 5
    # the list view leads to the month view
    listed = c.get("/calendar", params={"year": 2027, "lang": "en"}).text
    assert 'href="/calendar?view=month&amp;year=2027&amp;month=1"' in listed


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"view": "week"}, "view"),
        ({"view": "month", "month": 13}, "month"),
        ({"view": "month", "month": "may"}, "month"),
        ({"view": "month", "month": 0}, "month"),
    ],
)
def test_calendar_refuses_bad_parameters(site, params, parameter):
    c, _ = site
    page = c.get("/calendar", params={"year": 2027, "lang": "en"} | params)
    assert page.status_code == 422 and f"{parameter}=" in page.text
    problem = c.get("/calendar.json", params={"year": 2027} | params)
    assert problem.status_code == 422
    assert problem.headers["content-type"].startswith("application/problem+json")
    assert problem.json()["parameter"] == parameter


def test_chair_uses_the_forms_on_body_and_meeting_pages(fresh_url, reference):
    import html
    import re

    load(fresh_url, reference)
    make_user(
        fresh_url, email="chair@ammswd.org", role="chair", body_id="ammswd", password="a long enough password"
    )
    with TestClient(create_app(Settings(database_url=fresh_url))) as c:
        csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/login").text).group(1)
        c.post(
            "/login", data={"email": "chair@ammswd.org", "password": "a long enough password", "csrf": csrf}
        )
        page = c.get("/bodies/ammswd", params={"lang": "en"}).text
        assert "Meeting cycle" in page
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # a new session after sign-in
        assert (
            "Meeting cycle" not in c.get("/bodies/amme", params={"lang": "en"}).text
        )  # not this chair's body
        r = c.post(
            "/bodies/ammswd/chair-anchor",
            data={
                "csrf": csrf,
                "year": 2024,
                "member_state": "IDN",
                "reason": "chair of the 9th AMMSWD cycle",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303
        # the recorded anchor is in the form with its revision: a change without it is refused
        page = c.get("/bodies/ammswd", params={"lang": "en"}).text
        form = re.search(r'action="/bodies/ammswd/chair-anchor".*?</form>', page, re.S).group(0)
        anchor_rev = html.unescape(re.search(r'name="revision" value="([^"]+)"', form).group(1))
        assert 'value="IDN"' in form and 'value="2024"' in form
        change = {
            "csrf": csrf,
            "year": 2023,
            "member_state": "LAO",
            "reason": "chair of the 8th AMMSWD cycle",
        }
        assert c.post("/bodies/ammswd/chair-anchor", data=change).status_code == 428
        assert (
            c.post(
                "/bodies/ammswd/chair-anchor", data=change | {"revision": anchor_rev}, follow_redirects=False
            ).status_code
            == 303
        )
        assert c.get("/api/v1/bodies/ammswd/chair-anchor").json()["member_state"] == "LAO"
        r = c.post(
            "/bodies/ammswd/cycle-overrides",
            data={"csrf": csrf, "year": 2027, "date": "2027-11-03", "reason": "agreed at SOMSWD"},
        )
        assert r.status_code == 200
        expected = [
            e
            for e in every_item(c, "/api/v1/meetings/expected", params={"year": 2027})
            if e["body_id"] == "ammswd"
        ]
        assert expected[0]["date"] == "2027-11-03"
        assert (
            c.post(
                "/bodies/ammswd/chair-anchor",
                data={"csrf": "forged", "year": 2024, "member_state": "IDN", "reason": "xyz"},
            ).status_code
            == 403
        )
        assert (
            c.post(
                "/bodies/amme/chair-anchor",
                data={"csrf": csrf, "year": 2024, "member_state": "IDN", "reason": "xyz"},
            ).status_code
            == 403
        )

        def revision() -> str:  # the meeting's ETag, as the page's forms carry it
            page = c.get("/meetings/ammswd-9", params={"lang": "en"}).text
            return html.unescape(re.search(r'name="revision" value="([^"]+)"', page).group(1))

        assert (  # without the revision the page showed, the change is refused
            c.post("/meetings/ammswd-9/report", data={"csrf": csrf, "text": "Report"}).status_code == 428
        )
        assert (
            c.post(
                "/meetings/ammswd-9/report",
                data={"csrf": csrf, "text": "Report of the 9th AMMSWD", "revision": revision()},
            ).status_code
            == 200
        )
        for to in ("circulated", "adopted"):
            assert (
                c.post(
                    "/meetings/ammswd-9/report/status", data={"csrf": csrf, "to": to, "revision": revision()}
                ).status_code
                == 200
            )
        assert "Report of the 9th AMMSWD" in c.get("/meetings/ammswd-9", params={"lang": "id"}).text
        assert (
            c.post(
                "/meetings/ammswd-9/report/status", data={"csrf": csrf, "to": "draft", "revision": revision()}
            ).status_code
            == 409
        )


def test_the_asean_chair_by_year_page_in_both_languages(site):
    """The sourced chair table as a page and its JSON twin: recorded years with their summits and
    sources; years after the last announced chair computed by the rotation and marked so."""
    c, _ = site
    with clock.frozen(dt.datetime(2026, 12, 8, tzinfo=dt.UTC)):
        twin = c.get("/asean-chairs.json").json()["years"]
        pages = {lang: c.get("/asean-chairs", params={"lang": lang}) for lang in ("en", "id")}
    by_year = {y["year"]: y for y in twin}
    assert [y["year"] for y in twin] == sorted(by_year, reverse=True)
    recorded = asean_chairs()
    assert {y: by_year[y]["member_state"] for y in recorded} == recorded
    assert all(by_year[y]["recorded"] and by_year[y]["sources"] for y in recorded)
    assert by_year[2026]["member_state"] == "PHL" and by_year[2027]["member_state"] == "SGP"
    # after the last recorded year, up to three years after this one: computed by the rotation
    last = max(recorded)
    computed = [y for y in twin if not y["recorded"]]
    assert [y["year"] for y in computed] == list(range(2029, last, -1))
    members = [
        cycle.Member(m["code"], m["name"]["en"], dt.date.fromisoformat(m["joined"]))
        for m in c.get("/api/v1/member-states").json()["items"]
    ]
    assert by_year[last + 1]["member_state"] == cycle.next_in_order(
        members, recorded[last], dt.date(last + 1, 1, 1)
    )
    assert all(y["summits"] == [] and y["sources"] == [] for y in computed)
    summit = next(s for s in by_year[2026]["summits"] if s["number"] == 48)
    assert summit["city"] == "Cebu" and summit["url"].startswith("https://")
    assert 2008 not in by_year and min(by_year) == min(recorded)  # nothing before the first recorded year
    for lang, words in {
        "en": ["ASEAN chair by year", "Philippines", "ASEAN Summit 48", "computed by the rotation"],
        "id": ["Ketua ASEAN per tahun", "Filipina", "KTT ASEAN ke-48", "dihitung menurut rotasi"],
    }.items():
        page = pages[lang]
        assert page.status_code == 200 and page.headers["content-language"] == lang
        for w in words:
            assert w in page.text, (lang, w)
        assert f'href="{summit["url"]}"' in page.text
    calendar = c.get("/calendar", params={"lang": "en"}).text
    assert 'href="/asean-chairs"' in calendar
