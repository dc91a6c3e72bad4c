"""Validation rules that follow from an indicator's unit, and the code lists of the dimensions.

The range of a value is read off its unit, so it needs no per-indicator configuration:

- a percentage (``%`` …) lies in 0–100, except gross ratios (``% gross``, ``% of relevant age
  group``), which may pass 100 and are only non-negative;
- a bounded index or ratio states its bounds in the unit (``index (0-1)``, ``ratio (0-1)``,
  ``index (0-100)``);
- every other unit of the platform's indicators (persons, years, rates per 1,000, tonnes, …) is a
  non-negative quantity, unless the unit says it is a change, growth or balance.

Female + male = total is checked only for additive units (counts of persons or events): rates and
percentages of the sexes do not add up to the total.
"""

from __future__ import annotations

import datetime as dt
import math
import re

from ascc.kit import clock

SEX_CODES = {"_T": "total", "F": "female", "M": "male"}
URBANISATION_CODES = {"_T": "total", "U": "urban", "R": "rural"}
#: SDMX age codes: _T, Y15T24 (15 to 24), Y_GE65 (65 and over), Y_LT5 (under 5)
AGE_PATTERN = re.compile(r"^(_T|Y\d{1,3}T\d{1,3}|Y_GE\d{1,3}|Y_LT\d{1,3}|Y\d{1,3})$")
PERIOD_PATTERN = re.compile(r"^\d{4}$")
FIRST_YEAR = 1900
#: projections (e.g. UN WPP medium variant) run a few decades ahead; later years are impossible
YEARS_AHEAD = 30
#: longest accepted cell, in characters (a note or a source); codes are far shorter
MAX_CELL = 1000
MAX_CODE = 60
#: |female + male − total| may be at most this share of the total (rounding in published tables)
SEX_TOLERANCE = 0.01

#: the SDMX cross-domain code list SDMX:CL_OBS_STATUS (versions 2.0 to 2.2): A (normal) and P
#: (provisional) are stored as our ``final`` and ``provisional``; every other code is stored as given
OBS_STATUS_CODES: dict[str, dict[str, str]] = {
    "A": {"en": "Normal value", "id": "Nilai normal"},
    "B": {"en": "Time series break", "id": "Jeda deret waktu"},
    "D": {"en": "Definition differs", "id": "Definisi berbeda"},
    "E": {"en": "Estimated value", "id": "Nilai estimasi"},
    "F": {"en": "Forecast value", "id": "Nilai prakiraan"},
    "G": {"en": "Experimental value", "id": "Nilai eksperimental"},
    "H": {"en": "Missing value; holiday or weekend", "id": "Nilai hilang; hari libur atau akhir pekan"},
    "I": {"en": "Imputed value (CCSA definition)", "id": "Nilai imputasi (definisi CCSA)"},
    "J": {"en": "Derogation", "id": "Derogasi"},
    "K": {"en": "Data included in another category", "id": "Data termasuk dalam kategori lain"},
    "L": {
        "en": "Missing value; data exist but were not collected",
        "id": "Nilai hilang; data ada tetapi tidak dikumpulkan",
    },
    "M": {"en": "Missing value; data cannot exist", "id": "Nilai hilang; data tidak mungkin ada"},
    "N": {"en": "Not significant", "id": "Tidak signifikan"},
    "O": {"en": "Missing value", "id": "Nilai hilang"},
    "P": {"en": "Provisional value", "id": "Nilai sementara"},
    "Q": {"en": "Missing value; suppressed", "id": "Nilai hilang; dirahasiakan"},
    "S": {"en": "Strike and other special events", "id": "Pemogokan dan peristiwa khusus lainnya"},
    "U": {"en": "Low reliability", "id": "Keandalan rendah"},
    "V": {"en": "Unvalidated value", "id": "Nilai belum divalidasi"},
    "W": {"en": "Includes data from another category", "id": "Mencakup data dari kategori lain"},
}
SDMX_STATUS = {c: {"A": "final", "P": "provisional"}.get(c, c) for c in OBS_STATUS_CODES}
STATUS_SDMX = {"final": "A", "provisional": "P"}
#: statuses whose values are not final: a quotient of one of them is provisional too
PROVISIONAL = {"provisional", "F", "V"}


def status_code(status: str) -> str:
    """The SDMX code of a stored status (``final`` → A, ``provisional`` → P, ``E`` → E)."""
    return STATUS_SDMX.get(status, status)


#: UN M49 numeric codes of the member states (https://unstats.un.org/unsd/methodology/m49/), which
#: the UN SDG database and some SDMX producers use for REF_AREA instead of ISO 3166-1 alpha-3
M49 = {
    "096": "BRN",
    "104": "MMR",
    "116": "KHM",
    "360": "IDN",
    "418": "LAO",
    "458": "MYS",
    "608": "PHL",
    "626": "TLS",
    "702": "SGP",
    "704": "VNM",
    "764": "THA",
}


def from_m49(code: str) -> str | None:
    """The ISO alpha-3 code of a member state's M49 code (``360``, ``96`` or ``096``), else None."""
    return M49.get(code.zfill(3)) if code.isdigit() and len(code) <= 3 else None


#: an SDMX IDType has no dots: an indicator code such as ``SP.POP.TOTL`` is ``SP_POP_TOTL`` in SDMX
_NOT_IN_SDMX_ID = re.compile(r"[^A-Za-z0-9_@$\-]")


def sdmx_id(code: str) -> str:
    """An indicator code as an SDMX id (``SP.POP.TOTL`` → ``SP_POP_TOTL``; ``VC_DSR_MORT`` unchanged)."""
    return _NOT_IN_SDMX_ID.sub("_", code)


_BOUNDS = re.compile(r"\((-?\d+(?:\.\d+)?)\s*-\s*(-?\d+(?:\.\d+)?)\)")
_ADDITIVE = {"persons", "thousand persons", "number", "people", "deaths", "events"}


def value_range(unit: str | None) -> tuple[float, float]:
    """The closed interval a value in ``unit`` must lie in (see the module docstring)."""
    u = (unit or "").strip().lower()
    if m := _BOUNDS.search(u):
        return float(m.group(1)), float(m.group(2))
    if any(word in u for word in ("change", "growth", "balance")):
        return -math.inf, math.inf
    if u.startswith("%") and not ("gross" in u or "relevant age group" in u):
        return 0.0, 100.0
    return 0.0, math.inf


def is_additive(unit: str | None) -> bool:
    return (unit or "").strip().lower() in _ADDITIVE


def last_year(today: dt.date | None = None) -> int:
    return (today or clock.today()).year + YEARS_AHEAD


def status_from(raw: str, note: str) -> str | None:
    """Our status from a file's status cell (SDMX code or word); from the note when empty.

    An empty status is final unless the note calls the value a projection. None: not recognised.
    """
    if raw == "":
        return "provisional" if "projection" in note.lower() else "final"
    low = raw.lower()
    if low in ("final", "provisional"):
        return low
    return SDMX_STATUS.get(raw)
