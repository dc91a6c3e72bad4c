"""The Indonesian catalog covers every interface message, and language negotiation behaves."""

from __future__ import annotations

import subprocess
import sys

from babel.messages.pofile import read_po

from ascc.web.i18n import LOCALE_DIR, negotiate
from tests.conftest import ROOT


def test_every_message_has_an_indonesian_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_",
            "-k",
            "gettext",
            "-k",
            "N_",
            "-k",
            "ngettext:1,2",
            "-o",
            str(pot),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    with pot.open("rb") as fh:
        wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (LOCALE_DIR / "id" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh)
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and (m.string if isinstance(m.string, str) else m.string[0])
    }
    assert sorted(wanted - translated) == []


def test_negotiation():
    assert negotiate("id-ID,id;q=0.9,en-US;q=0.8") == "id"
    assert negotiate("en-US,en;q=0.9,id;q=0.8") == "en"
    assert negotiate("fr-FR,fr;q=0.9,id;q=0.5") == "id"
    assert negotiate("ms-MY") == "id"
    assert negotiate("de") is None
    assert negotiate("") is None
    assert negotiate("id;q=abc,,;") in ("id", None)


def test_numbers_in_the_readers_format_with_the_indicators_precision():
    from ascc.web.i18n import number, number_filter

    assert (number(100000, "en"), number(100000, "id")) == ("100,000", "100.000")
    assert (number(2.7, "en", 1), number(2.7, "id", 1)) == ("2.7", "2,7")
    assert number(2.7, "en", 2) == "2.70"  # published with two decimals: the second is shown
    en, idn = number_filter("en"), number_filter("id")
    assert (en(90.9090909, 0), idn(1234567.891, 0)) == ("91", "1.234.568")  # data published as integers
    assert (en(2.7), idn(80.8), en(None)) == ("2.7", "80,8", "–")  # without a precision: the value's own
