"""Which emergency number to tell a patient (pure: no I/O).

One rule for every text that names an emergency number (help, leaflet and translation
disclaimers, red-flag answers): the country of the user's time zone, else the region of
the language spoken where they are (the clinician's language in a translation
conversation), else the home region of their UI language, else a setting
(Settings.emergency_number_default).

The fallback is 112 because mobile phones treat it as an emergency call everywhere
(3GPP TS 22.101 makes 112 and 911 emergency numbers on every GSM/UMTS/LTE/NR handset,
with or without a SIM), so it reaches help even where the local number differs.
English alone says nothing about where someone is, so it has no home region.
"""

from __future__ import annotations

from typing import Final

from shared.domain.zone_countries import country_of_zone

GSM_EMERGENCY: Final = "112"

# The European Union's members and Iceland and Liechtenstein (112 throughout).
_EU_112: Final = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU",
                  "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES",
                  "SE", "IS", "LI")

# The number for a medical emergency (an ambulance), by country. Only numbers we are
# sure of: a country not listed falls through to the language and then to 112.
# Sources and how to add a country: docs/i18n.md ("Emergency numbers").
NUMBERS: Final[dict[str, str]] = {
    **dict.fromkeys(_EU_112, "112"),
    "TW": "119", "JP": "119", "KR": "119", "CN": "120", "HK": "999", "MO": "999",
    "SG": "995", "MY": "999", "TH": "1669", "VN": "115", "PH": "911", "ID": "112",
    "IN": "112", "RU": "112", "UA": "112", "KZ": "112", "NO": "113", "CH": "144",
    "GB": "999", "TR": "112", "IL": "101", "AE": "998", "US": "911", "CA": "911",
    "MX": "911", "PR": "911", "AU": "000", "NZ": "111", "BR": "192",
}

# Where a UI language's speakers mostly are (zh-TW: Taiwan; ru: Russia).
LANGUAGE_REGIONS: Final[dict[str, str]] = {"zh-TW": "TW", "ru": "RU"}


# Where the people speaking a language mostly are, for a language spoken around the
# patient (a translation conversation's other side). English, Spanish, French, German
# and Arabic are spoken in too many countries to say.
PLACE_REGIONS: Final[dict[str, str]] = {
    **LANGUAGE_REGIONS, "nan": "TW", "zh-CN": "CN", "ja": "JP", "ko": "KR", "vi": "VN",
    "th": "TH", "id": "ID", "tl": "PH",
}


def emergency_number(zone: str | None, language: str | None,
                     fallback: str = GSM_EMERGENCY, place_language: str | None = None) -> str:
    """The emergency number for a user with this stored time zone and UI language
    (and, when known, the language spoken where they are)."""
    by_zone = NUMBERS.get(country_of_zone(zone) or "") if zone else None
    by_place = NUMBERS.get(PLACE_REGIONS.get(place_language or "", ""))
    by_language = NUMBERS.get(LANGUAGE_REGIONS.get(language or "", ""))
    return by_zone or by_place or by_language or fallback or GSM_EMERGENCY
