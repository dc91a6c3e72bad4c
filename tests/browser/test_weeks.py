"""A focal point's week and a Secretariat officer's week, end to end in real Chromium, in English and
in Bahasa Indonesia, on a desk (1280 px) and a phone (375 px), with the e-mail arriving in a real
SMTP server on loopback (aiosmtpd).

Through the pages, by clicking and filling forms: Indonesia's focal point signs in and chooses the
language of its notifications; the Secretariat officer opens a data call for Indonesia and the
Philippines and finds it on the data-calls page; a chair posts a text on a decision item (through
the API: it is the chair's week, not theirs); the focal point finds the item on "My work", downloads
the call's pre-filled CSV template, fills in the values, uploads them as drafts and submits, then
records Indonesia's position; the officer finds the submission in the sign-off queue, sees the
call's completeness, approves and sees the completeness change; the notify job sends the e-mails;
the officer sees them on the outbox page, the focal point finds them in the SMTP server and on its
notifications page, unread, and marks them read. Every page is checked for its language (the
``lang`` attribute and a translated label) and for horizontal scrolling.

Each step is a small function so that a changed page changes one function. The server, the SMTP
server and the database are shared by the module; every walk has its own focal point account, data
call and decision item. Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from typer.testing import CliRunner

from ascc.cli.main import app as cli
from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.monitoring.loader import indicator_records
from ascc.monitoring.models import Indicator
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.steps import item_with_text
from tests.browser.test_decision_cycle import PASSWORD
from tests.browser.test_pages import CHROMIUM, shot
from tests.conftest import ROOT, load, make_user
from tests.test_notifications import SmtpServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]
DATA = ROOT.parent / "shared" / "data"
OFFICER = "officer@asean.org"
INDICATORS = ("SP.POP.TOTL", "SL.UEM.TOTL.ZS")
PERIODS = ("2022", "2023")
SITE_URL = "https://ascc.asean.test"
#: what each page says in each language (taken from the pages, not from the catalogue: a string
#: left untranslated fails)
WORDS = {
    "en": {
        "sign_in": "Sign in",
        "my_work": "My work",
        "positions": "Positions to record for IDN",
        "calls": "Data calls",
        "open_call": "Open a data call",
        "open": "Open the data call",
        "templates": "Templates",
        "enter": "Enter and submit data",
        "upload": "Upload",
        "submit": "Submit for approval",
        "submitted": "Submitted",
        "join": "Joins",
        "record": "Record position",
        "queue": "Sign-off queue",
        "approve": "Approve and publish",
        "approved": "Approved",
        "completeness": "Completeness",
        "outbox": "E-mail outbox",
        "sent": "Sent",
        "queued": "Queued",
        "notifications": "Notifications",
        "unread": "Unread",
        "mark_all": "Mark all read",
        "save": "Save",
        "saved": "Your preferences are saved.",
        "no_unread": "0 unread notifications",
        "position_requested": "Position requested: {title}",
        "approved_mail": "Submission {id} approved",
        "PHL": "Philippines",
        "call_mail": "Data call: {title}",
    },
    "id": {
        "sign_in": "Masuk",
        "my_work": "Pekerjaan saya",
        "positions": "Posisi yang perlu dicatat untuk IDN",
        "calls": "Permintaan data",
        "open_call": "Buka permintaan data",
        "open": "Buka permintaan data ini",
        "templates": "Templat",
        "enter": "Masukkan dan ajukan data",
        "upload": "Unggah",
        "submit": "Ajukan untuk persetujuan",
        "submitted": "Diajukan",
        "join": "Bergabung",
        "record": "Catat posisi",
        "queue": "Antrean persetujuan",
        "approve": "Setujui dan terbitkan",
        "approved": "Disetujui",
        "completeness": "Kelengkapan",
        "outbox": "Kotak keluar surel",
        "sent": "Dikirim",
        "queued": "Dalam antrean",
        "notifications": "Notifikasi",
        "unread": "Belum dibaca",
        "mark_all": "Tandai semua sudah dibaca",
        "save": "Simpan",
        "saved": "Preferensi Anda telah disimpan.",
        "no_unread": "0 notifikasi belum dibaca",
        "position_requested": "Posisi diminta: {title}",
        "approved_mail": "Pengajuan {id} disetujui",
        "PHL": "Filipina",
        "call_mail": "Permintaan data: {title}",
    },
}


@dataclass
class Site:
    url: str
    base: str
    chair: str
    smtp: SmtpServer


@pytest.fixture(scope="module")
def site(new_database, reference):
    url = new_database("sqlite")
    load(url, reference)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.add_all(Indicator(**r) for r in indicator_records(DATA) if r["code"] in INDICATORS)
    engine.dispose()
    make_user(url, email=OFFICER, role="secretariat", password=PASSWORD)
    chair = make_user(url, email="chair@asoen.org", role="chair", body_id="asoen")
    make_user(url, email="fp@ocd.gov.ph", role="focal_point", member_state="PHL")
    smtp = SmtpServer()
    smtp.start()
    try:
        with serve(url) as base:
            yield Site(url, base, chair, smtp)
    finally:
        smtp.stop()


# --- checks every step makes ----------------------------------------------------------------------


def check(page: Page, lang: str, label: str) -> None:
    """The page is in ``lang`` (its ``lang`` attribute and a label of it) and has no horizontal
    scroll at the window's width."""
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == lang, page.url
    expect(page.locator("body")).to_contain_text(label)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"{page.url} scrolls sideways: {width[0]} px in a {width[1]} px window"


def header_link(page: Page, href: str) -> None:
    """Follow a link of the page's header (the main navigation, opening its group, or the account links)."""
    group = page.locator(f"header.site nav.menu details:has(a[href='{href}']):not([open]) > summary")
    if group.count():
        group.first.click()
    page.locator(f"header.site a[href='{href}']").first.click()
    page.wait_for_load_state()


# --- steps ----------------------------------------------------------------------------------------


def sign_in(browser, base: str, email: str, lang: str, width: int):
    """Open the sign-in page in English, switch to ``lang`` with the language links if needed (the
    choice is remembered), sign in."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, extra_http_headers={"Accept-Language": "en-US,en;q=0.9"}
    )
    page = context.new_page()
    page.goto(f"{base}/login")
    if lang != "en":
        page.locator(f"nav.lang a[data-lang='{lang}']").click()
    check(page, lang, WORDS[lang]["sign_in"])
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.locator("form.stack button[type=submit]").click()
    page.wait_for_load_state()
    expect(page.locator("#my-work")).to_be_visible()
    check(page, lang, WORDS[lang]["my_work"])
    return context, page


def choose_notifications(page: Page, lang: str) -> None:
    """A focal point asks for its notifications at once by e-mail, in the language of its pages."""
    w = WORDS[lang]
    header_link(page, "/notifications")
    check(page, lang, w["notifications"])
    page.select_option("#pref-email", "immediate")
    page.select_option("#pref-language", lang)
    page.get_by_role("button", name=w["save"], exact=True).click()
    check(page, lang, w["saved"])


def open_data_call(page: Page, lang: str, *, title: str, member_states: tuple[str, ...]) -> int:
    """The officer opens a data call from the data-calls page: indicators × periods × member states,
    a deadline, a message; the call's page follows."""
    w = WORDS[lang]
    header_link(page, "/data-calls")
    check(page, lang, w["calls"])
    page.locator("#new-call").click()
    check(page, lang, w["open_call"])
    page.fill("#c-title", title)
    for code in INDICATORS:
        page.locator(f"#call-form input[name=indicators][value='{code}']").check()
    page.fill("#c-periods", ", ".join(PERIODS))
    for code in member_states:
        page.locator(f"#call-form input[name=member_states][value='{code}']").check()
    page.fill("#c-deadline", (dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.fill("#c-msg-en", "Please send the 2022 and 2023 values.")
    page.fill("#c-msg-id", "Mohon kirim nilai 2022 dan 2023.")
    page.get_by_role("button", name=w["open"], exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    check(page, lang, w["completeness"])
    return int(page.url.split("?")[0].rstrip("/").rsplit("/", 1)[1])


def see_data_call_listed(page: Page, lang: str, call_id: int, title: str) -> None:
    header_link(page, "/data-calls")
    check(page, lang, WORDS[lang]["calls"])
    expect(page.locator("#calls-table")).to_contain_text(title)
    page.locator(f"#calls-table a[href='/data-calls/{call_id}']").first.click()
    check(page, lang, WORDS[lang]["templates"])


def post_text(site: Site, title: str) -> int:
    """Setup through the API: a chair takes a new item to formulation with a text (Indonesia's
    position is requested)."""
    with httpx.Client(base_url=site.base, headers={"Authorization": f"Bearer {site.chair}"}) as api:
        return item_with_text(api, title)


def see_my_work(page: Page, lang: str, item: int, call_id: int | None = None) -> None:
    """ "My work" lists the item whose text waits for Indonesia's position and (``call_id``) the
    data call still waiting for its values."""
    header_link(page, "/me")
    check(page, lang, WORDS[lang]["positions"])
    expect(page.locator(f"#positions_due a[href='/decisions/{item}']")).to_be_visible()
    if call_id is not None:
        expect(page.locator(f"#data_calls a[href='/data-calls/{call_id}']")).to_be_visible()


def download_template(page: Page, lang: str, call_id: int, title: str, folder: Path) -> Path:
    """From the data-calls page to the call and its CSV template (Indonesia's only)."""
    see_data_call_listed(page, lang, call_id, title)
    links = page.locator("#templates a[href$='member_state=IDN']")
    assert page.locator("#templates li").count() == 1  # a focal point sees its own template only
    with page.expect_download() as download:
        links.filter(has_text="CSV").click()
    path = folder / download.value.suggested_filename
    download.value.save_as(path)
    return path


def fill_template(path: Path, values: dict[tuple[str, str], str]) -> None:
    """Fill the ``value`` column of the template's rows as a spreadsheet user would, nothing else."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert {(r["series_code"], r["period"]) for r in rows} == set(values)
    assert {r["country_iso3"] for r in rows} == {"IDN"} and all(r["unit"] for r in rows)
    for r in rows:
        r["value"] = values[(r["series_code"], r["period"])]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def upload_drafts(page: Page, lang: str, path: Path) -> None:
    """From the call's page to the data entry page; upload the file; its values are drafts."""
    w = WORDS[lang]
    page.locator("main a[href='/submissions/new']").click()
    check(page, lang, w["enter"])
    page.set_input_files("#up-file", str(path))
    page.get_by_role("button", name=w["upload"], exact=True).click()
    for code in INDICATORS:
        expect(page.locator(f"#drafts-table input[name=indicators][value='{code}']")).to_be_checked(
            timeout=30_000
        )
    check(page, lang, w["submit"])


def submit_drafts(page: Page, lang: str) -> int:
    w = WORDS[lang]
    page.get_by_role("button", name=w["submit"], exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("#submission-state")).to_have_text(w["submitted"])
    check(page, lang, w["submitted"])
    return int(page.url.split("?")[0].rstrip("/").rsplit("/", 1)[1])


def record_position(page: Page, lang: str, item: int) -> None:
    """From "My work" to the item; Indonesia joins."""
    w = WORDS[lang]
    see_my_work(page, lang, item)
    expect(page.locator("#data_calls a[href^='/data-calls/']")).to_have_count(0)  # all values submitted
    page.locator(f"#positions_due a[href='/decisions/{item}']").click()
    check(page, lang, w["record"])
    page.get_by_label(w["join"], exact=True).check()
    page.get_by_role("button", name=w["record"], exact=True).click()
    expect(page.locator("#pos-IDN")).to_contain_text(w["join"], timeout=30_000)
    check(page, lang, w["join"])
    header_link(page, "/me")
    expect(page.locator(f"#positions_due a[href='/decisions/{item}']")).to_have_count(0)


def see_completeness(page: Page, lang: str, call_id: int, title: str, status: str, count: int) -> None:
    """The call's page: Indonesia's row has ``count`` values in ``status`` (with its translated
    name); the Philippines' are missing."""
    see_data_call_listed(page, lang, call_id, title)
    check(page, lang, WORDS[lang]["completeness"])
    rows = page.locator("#completeness tbody tr")
    idn = rows.filter(has_text="Indonesia")
    expect(idn.locator(f"span.state-{status}")).to_have_count(count)
    expect(idn).to_contain_text(WORDS[lang][status])
    expect(rows.filter(has_text=WORDS[lang]["PHL"]).locator("span.state-missing")).to_have_count(
        len(INDICATORS) * len(PERIODS)
    )


def approve_submission(page: Page, lang: str, submission: int) -> None:
    """From "My work"'s sign-off queue to the submission; approve it."""
    w = WORDS[lang]
    header_link(page, "/me")
    check(page, lang, w["queue"])
    page.locator(f"#signoff_queue a[href='/submissions/{submission}']").click()
    check(page, lang, w["approve"])
    expect(page.locator("#submission-observations tbody tr")).to_have_count(len(INDICATORS) * len(PERIODS))
    page.get_by_role("button", name=w["approve"], exact=True).click()
    page.wait_for_load_state()
    page.locator("#confirm-button").click()  # the decision is confirmed on a second step
    page.wait_for_load_state()
    expect(page.locator("#submission-state")).to_have_text(w["approved"])
    check(page, lang, w["approved"])


def run_notify_job(site: Site, monkeypatch) -> None:
    """``ascc notify run``, as cron would run it, sending through the test SMTP server."""
    monkeypatch.setenv("DATABASE_URL", site.url)
    monkeypatch.setenv("ASCC_SMTP_URL", site.smtp.url)
    monkeypatch.setenv("ASCC_MAIL_FROM", "ASCC <noreply@asean.test>")
    monkeypatch.setenv("ASCC_SITE_URL", SITE_URL)
    result = CliRunner().invoke(cli, ["notify", "run"])
    assert result.exit_code == 0, result.output


def see_outbox(page: Page, lang: str, address: str, subjects: list[str], state: str) -> None:
    """The Secretariat's outbox page lists each e-mail to ``address`` once, in ``state``."""
    w = WORDS[lang]
    header_link(page, "/outbox")
    check(page, lang, w["outbox"])
    for subject in subjects:
        row = page.locator("#outbox tbody tr").filter(has_text=address).filter(has_text=subject)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(w[state])


def read_notifications(page: Page, lang: str, subjects: list[str]) -> None:
    """The notifications page: each one unread, then all marked read."""
    w = WORDS[lang]
    header_link(page, "/notifications")
    check(page, lang, w["notifications"])
    for subject in subjects:
        note = page.locator("#notifications li.unread").filter(has_text=subject)
        expect(note).to_have_count(1)
        expect(note).to_contain_text(w["unread"])
    page.get_by_role("button", name=w["mark_all"], exact=True).click()
    page.wait_for_load_state()
    expect(page.locator("#notifications li.unread")).to_have_count(0)
    for subject in subjects:
        expect(page.locator("#notifications li.read").filter(has_text=subject)).to_have_count(1)
    check(page, lang, w["no_unread"])


def mail_to(site: Site, address: str) -> dict[str, object]:
    """The e-mails the SMTP server received for ``address``, by subject (each subject once)."""
    got = [msg for to, msg in site.smtp.inbox.received if to == [address]]
    by_subject = {str(msg["Subject"]): msg for msg in got}
    assert len(by_subject) == len(got), [m["Subject"] for m in got]
    return by_subject


# --- the walk -------------------------------------------------------------------------------------

WALKS = [(lang, width) for lang in ("en", "id") for width in (1280, 375)]


@pytest.mark.parametrize(("lang", "width"), WALKS, ids=[f"{lang}-{width}" for lang, width in WALKS])
def test_a_focal_points_and_an_officers_week(browser, site, lang, width, tmp_path, monkeypatch):
    w = WORDS[lang]
    walk = WALKS.index((lang, width))
    fp = f"fp.{lang}.{width}@kemenlu.go.id"
    make_user(site.url, email=fp, role="focal_point", member_state="IDN", password=PASSWORD)
    title = f"Regional guidelines on green jobs ({lang}, {width} px)"
    call_title = f"ASCC scorecard {lang} {width}"
    values = {
        (code, period): str(277_000_000 + 1000 * walk + i)
        if code == "SP.POP.TOTL"
        else f"{3 + walk / 10 + i:.2f}"
        for i, (code, period) in enumerate((c, p) for c in INDICATORS for p in PERIODS)
    }

    fp_ctx, fp_page = sign_in(browser, site.base, fp, lang, width)
    choose_notifications(fp_page, lang)

    officer_ctx, officer = sign_in(browser, site.base, OFFICER, lang, width)
    call = open_data_call(officer, lang, title=call_title, member_states=("IDN", "PHL"))
    see_data_call_listed(officer, lang, call, call_title)
    shot(officer, f"{lang}-{width}-week-data-call")

    item = post_text(site, title)

    see_my_work(fp_page, lang, item, call)
    shot(fp_page, f"{lang}-{width}-week-my-work")
    template = download_template(fp_page, lang, call, call_title, tmp_path)
    fill_template(template, values)
    upload_drafts(fp_page, lang, template)
    shot(fp_page, f"{lang}-{width}-week-drafts")
    submission = submit_drafts(fp_page, lang)
    record_position(fp_page, lang, item)

    see_completeness(officer, lang, call, call_title, "submitted", len(values))
    approve_submission(officer, lang, submission)
    shot(officer, f"{lang}-{width}-week-approved")
    see_completeness(officer, lang, call, call_title, "approved", len(values))

    subjects = [
        w["position_requested"].format(title=title),
        w["approved_mail"].format(id=submission),
        w["call_mail"].format(title=call_title),
    ]
    see_outbox(officer, lang, fp, subjects, "queued")  # requests queue the e-mails; the job sends them
    assert mail_to(site, fp) == {}
    run_notify_job(site, monkeypatch)
    mail = mail_to(site, fp)
    assert set(subjects) <= set(mail), sorted(mail)
    assert f"{SITE_URL}/decisions/{item}" in mail[subjects[0]].get_content()
    assert f"{SITE_URL}/submissions/{submission}" in mail[subjects[1]].get_content()
    assert f"{SITE_URL}/data-calls/{call}" in mail[subjects[2]].get_content()
    see_outbox(officer, lang, fp, subjects, "sent")
    shot(officer, f"{lang}-{width}-week-outbox")

    read_notifications(fp_page, lang, subjects)
    shot(fp_page, f"{lang}-{width}-week-notifications")
    for ctx in (fp_ctx, officer_ctx):
        ctx.close()
