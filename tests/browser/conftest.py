"""What the browser tests share: one headless Chromium for a run of browser test files, and a real
uvicorn serving the platform on loopback.

Chromium starts when a test process reaches the first browser test and stays for the browser test
files that process runs next; it closes when the process moves on to a test outside
``tests/browser`` (Playwright's synchronous API marks the thread's event loop as running while it is
open, which an ``asyncio.run`` elsewhere would refuse) and at the end. Each test makes its own browser
contexts (no cookie or storage passes between tests); the contexts a test file opened close at its end.

A module's server runs in the test process (``tests.conftest.serving``, with the proxy options
``ascc serve`` gives uvicorn), which spares each module a Python start and an import of the whole
application. ``tests/test_multiprocess.py`` keeps testing ``ascc serve`` itself as separate processes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ascc.app import create_app
from ascc.cli.main import proxy_options
from ascc.config import Settings
from tests.conftest import serving

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).resolve().parent

#: the open (playwright, browser) pair, while browser test files run one after another
_open: list = []


def _close() -> None:
    while _open:
        playwright, chromium = _open.pop()
        try:
            chromium.close()
        finally:
            playwright.stop()


@pytest.fixture
def browser():
    """Headless Chromium, shared by the browser test files a test process runs in a row."""
    if CHROMIUM is None:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    if not _open:
        from playwright.sync_api import sync_playwright

        playwright = sync_playwright().start()
        try:
            _open.append(
                (playwright, playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS))
            )
        except BaseException:
            playwright.stop()
            raise
    return _open[0][1]


@pytest.fixture(scope="module", autouse=True)
def close_module_contexts() -> Iterator[None]:
    """The browser contexts of a test file close when its own fixtures have ended."""
    yield
    if _open:
        for context in _open[0][1].contexts:
            context.close()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    if nextitem is None or HERE not in Path(nextitem.path).resolve().parents:
        _close()


def pytest_sessionfinish() -> None:
    _close()


@contextmanager
def serve(url: str) -> Iterator[str]:
    """The platform on ``url``'s database, served by uvicorn on loopback as ``ascc serve`` serves it:
    its base URL while it runs."""
    settings = Settings(database_url=url)
    with serving(create_app(settings), **proxy_options(settings)) as base:
        yield base
