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
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"),
         "-k", "_", "-k", "gettext", "-k", "N_", "-k", "ngettext:1,2", "-o", str(pot), str(ROOT)],
        check=True, capture_output=True, cwd=ROOT,
    )  # fmt: skip
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
