"""Characters no text field may hold: NUL, and the invisible bidirectional controls that make text
display in another order than it is stored (U+202E RIGHT-TO-LEFT OVERRIDE makes ``exe.txt`` look
like ``txt.exe``). Fields, form posts and data files that contain them are refused naming the field;
text extracted from an uploaded document has them removed.
"""

from __future__ import annotations

import re
import unicodedata

#: NUL; ARABIC LETTER MARK; LEFT-TO-RIGHT and RIGHT-TO-LEFT MARK; the embeddings and overrides
#: U+202A-U+202E; the isolates U+2066-U+2069
UNSAFE = re.compile("[\x00\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def unsafe_in(text: str) -> str | None:
    """The first unsafe character of ``text`` described (``U+202E RIGHT-TO-LEFT OVERRIDE``), or None."""
    found = UNSAFE.search(text)
    if found is None:
        return None
    ch = found.group()
    return f"U+{ord(ch):04X} {unicodedata.name(ch, 'NULL')}"


def reason(text: str) -> str | None:
    """Why ``text`` cannot be stored, or None."""
    what = unsafe_in(text)
    if what is None:
        return None
    kind = "a NUL character" if what.startswith("U+0000") else "an invisible bidirectional control"
    return f"contains {kind} ({what}), which is not allowed in text"


def strip(text: str) -> str:
    return UNSAFE.sub("", text)
