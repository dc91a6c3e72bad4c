"""A signed-out reader's crawl of the public site in real Chromium: from ``/``, every internal link is
followed (every distinct page template; of a template with many pages — a body, an indicator, a
search — only a sample), in English and in Bahasa Indonesia, on a 1280 px screen and a 375 px phone.

Each page is checked for what a reader relies on:

- it answers below 500, has a ``<title>``, exactly one ``<h1>`` and ``<html lang>`` of its language;
- axe-core (``axe-playwright-python``, which bundles it) finds no violation of serious or critical
  impact;
- on the phone, the page does not scroll sideways (``scrollWidth <= clientWidth``);
- no internal code shows where a name belongs: no visible text (outside ``code``/``pre``, form
  fields and URLs) holds a ``snake_case`` word such as ``title_en`` or ``focal_point``, or ``id``/``#``
  followed by a number; no link's whole text is a bare number (except a year, and a pagination
  link inside a ``nav``, whose number is its name), and no link is named by the code in its own
  address (``<a href="/bodies/ammswd">ammswd</a>``; a compact ISO code such as the scorecard's
  column ``IDN`` passes only with the name as its ``aria-label``);
- every chart (``svg[data-chart]``: an indicator's, the disaster statistics', an index's trend, the
  plan report's) shows a label on each of its two axes (``text.axis-label``, not white, not empty),
  or says it has no data (``data-empty``); it has its data table (``details.chart-data table``)
  unless it has no data, and its SVG and CSV download links;
- on Indonesian pages, no text (header, footer, navigation or the page itself; text marked with
  another ``lang`` and quotations of sources aside) is an English catalogue message
  that has an Indonesian translation (``locale/id/LC_MESSAGES/messages.po``).

Screenshots of the first page of each template go to ``test-artifacts/screenshots/crawl/``.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Error as PlaywrightError

from ascc.db.engine import make_engine
from ascc.db.uow import unit_of_work
from ascc.disasters import importer as disaster_importer
from ascc.disasters import service as disaster_service
from ascc.indices import store as index_store
from ascc.knowledge import service as knowledge_service
from ascc.web.i18n import LOCALE_DIR
from ascc.wiring import session_factory
from tests.browser.conftest import serve
from tests.browser.test_pages import ARTIFACTS, CHROMIUM
from tests.conftest import ROOT, SEEDS, load
from tests.indices.conftest import EXAMPLES, STORE
from tests.monitoring.progress_data import seed as seed_progress
from tests.results.test_results import load_results

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
]

DISASTERS = ROOT.parent / "shared" / "data" / "disaster_events.csv"
#: where the crawl starts: the home page, a search (a form, which no link leads to) and the ASEAN
#: chair table (linked from the calendar, deeper than the page cap may reach)
START = ("/", "/search?q=youth", "/asean-chairs")
#: at most this many pages of one template (path with its ids replaced, and the query's names), and
#: of one path whatever its query (a search's facets combine into many queries)
PER_TEMPLATE, PER_PATH = 2, 4
#: and this many pages in all, per language and width
MAX_PAGES = 90
#: not pages: files, feeds and the API (their own tests check them)
NOT_PAGES = re.compile(
    r"^/(api|sdmx|static|docs|openapi|swagger)|\.(json|geojson|csv|svg|png|xlsx|xml|txt|pdf|zip|ics|atom|yaml)$"
)
#: the fixed path segments of the site's pages, kept as they are in a template's key; every other
#: segment names a record (a body, an indicator, a year) and varies between pages of one template
FIXED = {
    "account",
    "asean-chairs",
    "activities",
    "alerts",
    "bodies",
    "calendar",
    "data-calls",
    "decisions",
    "disasters",
    "documents",
    "edit",
    "indicators",
    "indices",
    "login",
    "map",
    "meetings",
    "member-states",
    "network",
    "new",
    "notifications",
    "outbox",
    "partners",
    "plans",
    "programmes",
    "progress",
    "requests",
    "search",
    "sectors",
    "sitreps",
    "stats",
    "submissions",
    "users",
}

CHECKS = """() => {
  const visible = el => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.visibility !== 'hidden' && s.display !== 'none' && r.width > 0 && r.height > 0; };
  const skip = 'code, pre, input, textarea, select, script, style, svg, [aria-hidden="true"]';
  const texts = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const n = walker.currentNode; const el = n.parentElement; const t = n.textContent.trim();
    if (!t || !el || el.closest(skip) || !visible(el)) continue;
    const own = el.closest('[lang]');  // text marked as in another language is not the page's
    // a quotation reproduces its source word for word (a seed's English names among them): not UI text
    texts.push({text: t, chrome: !!el.closest('header, footer, nav'), quote: !!el.closest('q, blockquote'),
                foreign: !!own && own.getAttribute('lang') !== document.documentElement.lang});
  }
  const links = [...document.querySelectorAll('a[href]')].filter(visible).map(a => ({
    text: (a.innerText ?? a.textContent ?? '').trim(), label: a.getAttribute('aria-label'), in_nav: !!a.closest('nav'), href: a.getAttribute('href')}));
  const charts = [...document.querySelectorAll('svg[data-chart]')].map(svg => ({
    kind: svg.dataset.chart,
    labels: [...svg.querySelectorAll('text.axis-label')].filter(t => t.textContent.trim()
      && getComputedStyle(t).fill !== 'rgb(255, 255, 255)' && t.getBBox().width > 0).length,
    empty: svg.dataset.empty === 'true',
    table: !!svg.closest('figure')?.querySelector('details.chart-data table'),
    downloads: svg.closest('figure')?.querySelectorAll('a.export-svg[href], a.export-csv[href]').length ?? 0}));
  return {
    title: document.title.trim(), h1: document.querySelectorAll('h1').length,
    lang: document.documentElement.lang,
    scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth,
    texts, links, charts,
  };
}"""

SNAKE = re.compile(r"(?<![\w@./:-])[a-z][a-z0-9]*(_[a-z0-9]+)+(?![\w@/-])")
ID_NUMBER = re.compile(r"(?<!\w)(id|ID|Id)\s*[:#]?\s*\d+\b|(?<![\w&])#\d+\b")
YEAR = re.compile(r"(19|20)\d\d")  # a year names a period: a link may be named by it
URL_LIKE = re.compile(r"https?://\S+|\S+@\S+")


def english_messages() -> set[str]:
    """The catalogue's English messages that have an Indonesian translation of their own."""
    with (LOCALE_DIR / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="id")
    out, indonesian = set(), set()
    for m in catalog:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        indonesian.update(strings)
        for en in ids:
            if "%" not in en and en not in strings and re.search(r"[A-Za-z]{3}", en):
                out.add(en)
    return out - indonesian  # "Unit" is English, and Indonesian for "Units"


def template_key(url: str) -> str:
    parts = urlsplit(url)
    segments = [s if s in FIXED else "*" for s in parts.path.strip("/").split("/")]
    names = sorted({k for k, _ in parse_qsl(parts.query)} - {"lang"})
    return "/" + "/".join(segments) + ("?" + "&".join(names) if names else "")


def normalise(base: str, here: str, href: str) -> str | None:
    """The page ``href`` leads to, without its fragment and language, or None if it is not a page
    of this site."""
    url = urljoin(here, href)
    parts = urlsplit(url)
    if not url.startswith(base) or NOT_PAGES.search(parts.path):
        return None
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "lang"]
    return base + parts.path + ("?" + urlencode(query) if query else "")


def check_page(url: str, seen: dict, lang: str, width: int, english: set[str]) -> list[str]:
    problems = []
    if not seen["title"]:
        problems.append("no <title>")
    if seen["h1"] != 1:
        problems.append(f"{seen['h1']} <h1> elements, not one")
    if seen["lang"] != lang:
        problems.append(f"<html lang={seen['lang']!r}>, not {lang!r}")
    if width < 600 and seen["scroll"] > seen["client"]:
        problems.append(f"scrolls sideways: {seen['scroll']} px wide in {seen['client']} px")
    for t in seen["texts"]:
        text = URL_LIKE.sub(" ", t["text"])
        for pattern, what in ((SNAKE, "an internal code"), (ID_NUMBER, "a raw id")):
            m = pattern.search(text)
            if m:
                problems.append(f"{what} shown as text: {m.group(0)!r} in {t['text'][:80]!r}")
        if lang == "id" and not t["foreign"] and not t["quote"] and t["text"] in english:
            where = "the header, footer or navigation" if t["chrome"] else "the page"
            problems.append(f"untranslated in {where}: {t['text']!r}")
    for a in seen["links"]:
        if re.fullmatch(r"\d+", a["text"]) and not a["in_nav"] and not YEAR.fullmatch(a["text"]):
            problems.append(f"a link named only by a number: {a['text']!r} → {a['href']}")
        own = urlsplit(a["href"] or "").path.rstrip("/").rsplit("/", 1)[-1]
        if own and (a["label"] or a["text"]) == own and not YEAR.fullmatch(own):
            problems.append(f"a link named by the code in its own address: {a['text']!r} → {a['href']}")
    for c in seen["charts"]:
        if not c["empty"] and c["labels"] < 2:
            problems.append(f"a {c['kind']} chart with {c['labels']} axis labels, not two")
        if not c["empty"] and not c["table"]:
            problems.append(f"a {c['kind']} chart without its data table")
        if c["downloads"] < 2:
            problems.append(f"a {c['kind']} chart without its SVG and CSV downloads")
    return problems


def crawl(browser, base: str, lang: str, width: int) -> tuple[list[str], Counter]:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    english = english_messages()
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        extra_http_headers={"Accept-Language": lang},
        is_mobile=width < 600,
        has_touch=width < 600,
    )
    page = context.new_page()
    queue = [base + path for path in START]
    queued, per_template = set(queue), Counter(template_key(url) for url in queue)
    per_path = Counter(k.split("?")[0] for k in per_template)
    problems: list[str] = []
    visited = 0
    while queue and visited < MAX_PAGES:
        url = queue.pop(0)
        visited += 1
        sep = "&" if "?" in url else "?"
        try:
            response = page.goto(f"{url}{sep}lang={lang}")
        except PlaywrightError as e:
            if "Download is starting" in str(e):
                continue  # a file offered for download, not a page
            raise
        status = response.status if response else 0
        where = url[len(base) :]
        if status >= 500 or status == 0:
            problems.append(f"{where}: answered {status}")
            continue
        # every group of the main menu open: its links are followed and checked with the page
        page.evaluate("document.querySelectorAll('nav.menu details').forEach(d => { d.open = true; })")
        seen = page.evaluate(CHECKS)
        problems += [f"{where}: {p}" for p in check_page(url, seen, lang, width, english)]
        result = axe.run(page, options={"resultTypes": ["violations"]})
        for v in result.response["violations"]:
            if v["impact"] in ("serious", "critical"):
                targets = [
                    " ".join(n["target"]) if isinstance(n["target"], list) else str(n["target"])
                    for n in v["nodes"][:3]
                ]
                problems.append(f"{where}: axe {v['impact']} {v['id']} ({v['help']}) at {targets}")
        key = template_key(url)
        if per_template[key] == 1 and visited <= MAX_PAGES:
            shot = (
                ARTIFACTS
                / "crawl"
                / f"{lang}-{width}-{re.sub(r'[^A-Za-z0-9]+', '-', key).strip('-') or 'home'}.png"
            )
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
        if status >= 400:
            continue  # an error page's links are the site's header, already followed
        for a in seen["links"]:
            nxt = normalise(base, page.url, a["href"])
            if nxt is None or nxt in queued:
                continue
            k = template_key(nxt)
            if per_template[k] >= PER_TEMPLATE or per_path[k.split("?")[0]] >= PER_PATH:
                continue
            per_template[k] += 1
            per_path[k.split("?")[0]] += 1
            queued.add(nxt)
            queue.append(nxt)
    context.close()
    return problems, per_template


@pytest.fixture(scope="module")
def site(new_database, reference, tmp_path_factory):
    """The reference registry, the plans' results frameworks, the seed documents, a small set of
    indicators with published values and targets, and, where the shared data is at hand, the latest
    disaster events and a stored index run (enough for every template to have a page)."""
    url = new_database("sqlite")
    load(url, reference)
    load_results(url)
    seed_progress(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as session:
        session.info["actor"] = "test"
        knowledge_service.load_seeds(session, folder=SEEDS)
        if DISASTERS.exists():
            lines = DISASTERS.read_text(encoding="utf-8").splitlines(keepends=True)
            sample = tmp_path_factory.mktemp("disasters") / "events.csv"
            sample.write_text("".join(lines[:1] + lines[-60:]), encoding="utf-8")
            members = {"BRN", "KHM", "IDN", "LAO", "MYS", "MMR", "PHL", "SGP", "THA", "TLS", "VNM"}
            records, problems = disaster_importer.read_events(sample, member_states=members)
            assert not problems, problems
            disaster_service.import_records(session, records=records)
        if STORE.exists():
            index_store.store_run(
                session, definition=EXAMPLES / "ydi-2022.yaml", data=STORE, uncertainty_n=20
            )
    engine.dispose()
    with serve(url) as base:
        yield base


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_public_page_reads_well(browser, site, lang, width):
    problems, templates = crawl(browser, site, lang, width)
    assert len(templates) >= 25, sorted(templates)  # the crawl reached the site, not one page
    assert problems == [], "\n".join(problems)
