"""The emergency-number rule: time zone, then UI language, then the setting."""

from importlib.resources import files
from zoneinfo import available_timezones

import pytest

from shared.domain.emergency import GSM_EMERGENCY, LANGUAGE_REGIONS, NUMBERS, emergency_number
from shared.domain.zone_countries import LEGACY, LEGACY_FOLDERS, ZONES, country_of_zone


def _tab(name):
    # The tzdata package (requirements.txt) that zoneinfo reads the zones from.
    text = (files("tzdata") / "zoneinfo" / name).read_text(encoding="utf-8")
    return [line.split("\t") for line in text.splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize(
    ("zone", "language", "number"),
    [("Asia/Taipei", "zh-TW", "119"), ("Asia/Taipei", "en", "119"), ("Asia/Taipei", "ru", "119"),
     ("Europe/Moscow", "ru", "112"), ("Asia/Vladivostok", "en", "112"),
     ("Europe/Berlin", "en", "112"), ("Europe/Paris", "zh-TW", "112"),
     ("America/New_York", "ru", "911"), ("America/Toronto", "en", "911"),
     ("America/Los_Angeles", "zh-TW", "911"), ("US/Eastern", "en", "911"),
     ("ROC", "en", "119"), ("Asia/Tokyo", "en", "119"), ("Asia/Hong_Kong", "zh-TW", "999"),
     ("Europe/London", "en", "999"), ("Europe/Oslo", "en", "113"),
     ("Europe/Zurich", "en", "144"), ("Australia/Sydney", "en", "000"),
     ("Asia/Bangkok", "en", "1669"), ("Asia/Ho_Chi_Minh", "en", "115")],
)
def test_the_time_zone_decides_first(zone, language, number):
    assert emergency_number(zone, language) == number


@pytest.mark.parametrize(
    ("zone", "language", "number"),
    [(None, "zh-TW", "119"), (None, "ru", "112"), ("+08:00", "zh-TW", "119"),
     ("UTC", "ru", "112"), ("Etc/GMT-8", "zh-TW", "119"),
     # A country without a listed number falls through to the language.
     ("Africa/Lagos", "zh-TW", "119")],
)
def test_without_a_known_zone_the_language_decides(zone, language, number):
    assert emergency_number(zone, language) == number


@pytest.mark.parametrize("zone", [None, "", "UTC", "+03:00", "Africa/Lagos", "Nowhere/City"])
def test_english_alone_gives_the_setting_and_112_when_unset(zone):
    assert emergency_number(zone, "en") == GSM_EMERGENCY == "112"
    assert emergency_number(zone, "en", "911") == "911"
    assert emergency_number(zone, None, "119") == "119"
    assert emergency_number(zone, "en", "") == "112"


def test_every_zone_of_tzdata_maps_to_its_country():
    rows = _tab("zone.tab")
    assert len(rows) > 400
    for country, _coordinates, zone, *_ in rows:
        assert country_of_zone(zone) == country, zone
    listed = {zone for zones in ZONES.values() for zone in zones.split()}
    assert listed == {zone for _, _, zone, *_ in rows}


def test_legacy_names_are_real_zone_names_of_real_countries():
    countries = {row[0] for row in _tab("iso3166.tab")}
    names = available_timezones()
    assert set(LEGACY) <= names
    assert set(LEGACY.values()) <= countries
    assert all(any(n.startswith(prefix) for n in names) for prefix in LEGACY_FOLDERS)
    assert set(NUMBERS) <= countries and set(LANGUAGE_REGIONS.values()) <= set(NUMBERS)
    # Every stored zone name of the big countries resolves (US/*, Canada/*, ...).
    for name in names:
        if name.split("/")[0] in ("US", "Canada", "Brazil", "Mexico", "Australia"):
            assert country_of_zone(name) is not None, name


def test_numbers_are_dialable_digits():
    assert all(n.isdigit() and 3 <= len(n) <= 5 for n in NUMBERS.values())
