"""ZIP-based files (DOCX, XLSX) checked before they are opened: how many parts they have and how
many bytes they expand to, from the archive's directory alone, so that a small file that would
expand to gigabytes (a "zip bomb") or that has a hundred thousand parts is refused before any of
it is decompressed or parsed.

The count of parts is the count of central-directory signatures in the bytes (every part has one,
so this never counts fewer than there are, and it needs no parsing); the expanded size is the sum
of the sizes the directory declares, which Python's ``zipfile`` (used by python-docx and openpyxl)
never reads past: a part whose data would expand further is cut there and fails its checksum.
"""

from __future__ import annotations

import dataclasses
import io
import zipfile

from ascc.kit.errors import DomainError

_CENTRAL = b"PK\x01\x02"


@dataclasses.dataclass(frozen=True)
class ZipLimits:
    #: the most parts (members) the archive may have
    parts: int
    #: the most bytes all its parts may expand to together
    expanded: int


class ArchiveTooLarge(DomainError):
    """An archive over one of its :class:`ZipLimits`: 413 naming the file and the limit."""

    status = 413
    title = "Upload too large"


def _mib(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n} bytes"


def zip_problem(data: bytes, limits: ZipLimits) -> tuple[str, str] | None:
    """``(limit, reason)`` when ``data`` (a ZIP archive) is over ``limits``; ``None`` if it is within
    them or is not a readable archive at all (its reader then says what is wrong with it)."""
    count = data.count(_CENTRAL)
    if count > limits.parts:
        return "parts", f"the archive has {count} parts, more than the {limits.parts} allowed"
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        return None
    if len(infos) > limits.parts:  # cannot happen (see above); kept as the rule itself
        return "parts", f"the archive has {len(infos)} parts, more than the {limits.parts} allowed"
    expanded = sum(i.file_size for i in infos)
    if expanded > limits.expanded:
        return "expanded", (
            f"the archive expands to {_mib(expanded)}, more than the {_mib(limits.expanded)} allowed"
        )
    return None


def check_zip(filename: str, data: bytes, limits: ZipLimits) -> None:
    """Raise :class:`ArchiveTooLarge` naming ``filename`` and the limit when ``data`` is over ``limits``."""
    found = zip_problem(data, limits)
    if found is not None:
        limit, reason = found
        raise ArchiveTooLarge(f"{filename}: {reason}; nothing was stored", parameter="file", limit=limit)
