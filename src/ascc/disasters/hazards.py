"""Hazard classification: GLIDE hazard codes (glidenumber.net) grouped by the IRDR peril
classification (Integrated Research on Disaster Risk, "Peril Classification and Hazard Glossary",
2014). Source feeds' own hazard names map onto them here."""

from __future__ import annotations

#: GLIDE code → (IRDR family, English name, Indonesian name)
HAZARDS: dict[str, tuple[str, str, str]] = {
    "EQ": ("geophysical", "Earthquake", "Gempa bumi"),
    "TS": ("geophysical", "Tsunami", "Tsunami"),
    "VO": ("geophysical", "Volcanic activity", "Aktivitas gunung api"),
    "LS": ("geophysical", "Landslide / mass movement", "Tanah longsor / gerakan tanah"),
    "FL": ("hydrological", "Flood", "Banjir"),
    "FF": ("hydrological", "Flash flood", "Banjir bandang"),
    "SS": ("hydrological", "Storm surge", "Gelombang badai"),
    "WV": ("hydrological", "Wave / surge", "Gelombang tinggi"),
    "TC": ("meteorological", "Tropical cyclone", "Siklon tropis"),
    "ST": ("meteorological", "Severe local storm", "Badai lokal"),
    "TO": ("meteorological", "Tornado", "Puting beliung"),
    "DR": ("climatological", "Drought", "Kekeringan"),
    "WF": ("climatological", "Wildfire", "Kebakaran hutan dan lahan"),
    "EP": ("biological", "Epidemic", "Epidemi"),
    "FR": ("technological", "Fire", "Kebakaran"),
    "AC": ("technological", "Technological disaster", "Bencana teknologi"),
    "OT": ("other", "Other", "Lainnya"),
}

#: a feed's hazard name (lower case) → GLIDE code
SOURCE_NAMES: dict[str, str] = {
    "earthquake": "EQ",
    "tsunami": "TS",
    "volcanic hazard": "VO",
    "volcano": "VO",
    "mass movement": "LS",
    "landslide": "LS",
    "flood": "FL",
    "flooding": "FL",
    "flash flood": "FF",
    "storm surge": "SS",
    "big waves": "WV",
    "tropical cyclone": "TC",
    "typhoon": "TC",
    "other weather disturbances": "ST",
    "severe storm": "ST",
    "tornado": "TO",
    "drought": "DR",
    "wildfire": "WF",
    "forest fire": "WF",
    "epidemic": "EP",
    "fire": "FR",
    "human-induced hazard": "AC",
    "others": "OT",
    "other": "OT",
}


def glide_code(source_name: str) -> str | None:
    return SOURCE_NAMES.get(source_name.strip().lower())
