"""Time zones from what users type: IANA names, UTC offsets and common city names."""

from __future__ import annotations

import re
import zoneinfo
from functools import cache

from shared.medication.text import fold_key

MAX_OFFSET_MINUTES = 14 * 60  # UTC+14 (Kiribati) is the furthest real offset

# City or country (folded) -> IANA zone. Only places inside a single zone.
CITY_ZONES: dict[str, str] = {
    # English
    "taipei": "Asia/Taipei", "kaohsiung": "Asia/Taipei", "taichung": "Asia/Taipei",
    "tainan": "Asia/Taipei", "hsinchu": "Asia/Taipei", "taoyuan": "Asia/Taipei",
    "taiwan": "Asia/Taipei", "tokyo": "Asia/Tokyo", "osaka": "Asia/Tokyo",
    "japan": "Asia/Tokyo", "seoul": "Asia/Seoul", "korea": "Asia/Seoul",
    "south korea": "Asia/Seoul", "hong kong": "Asia/Hong_Kong", "macau": "Asia/Macau",
    "shanghai": "Asia/Shanghai", "beijing": "Asia/Shanghai", "singapore": "Asia/Singapore",
    "bangkok": "Asia/Bangkok", "manila": "Asia/Manila", "kuala lumpur": "Asia/Kuala_Lumpur",
    "hanoi": "Asia/Ho_Chi_Minh", "ho chi minh city": "Asia/Ho_Chi_Minh",
    "jakarta": "Asia/Jakarta", "delhi": "Asia/Kolkata", "new delhi": "Asia/Kolkata",
    "mumbai": "Asia/Kolkata", "india": "Asia/Kolkata", "dubai": "Asia/Dubai",
    "tel aviv": "Asia/Jerusalem", "jerusalem": "Asia/Jerusalem", "istanbul": "Europe/Istanbul",
    "moscow": "Europe/Moscow", "saint petersburg": "Europe/Moscow",
    "st petersburg": "Europe/Moscow", "st. petersburg": "Europe/Moscow",
    "kaliningrad": "Europe/Kaliningrad", "samara": "Europe/Samara",
    "yekaterinburg": "Asia/Yekaterinburg", "omsk": "Asia/Omsk",
    "novosibirsk": "Asia/Novosibirsk", "krasnoyarsk": "Asia/Krasnoyarsk",
    "irkutsk": "Asia/Irkutsk", "yakutsk": "Asia/Yakutsk", "vladivostok": "Asia/Vladivostok",
    "khabarovsk": "Asia/Vladivostok", "magadan": "Asia/Magadan", "minsk": "Europe/Minsk",
    "kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "almaty": "Asia/Almaty",
    "tashkent": "Asia/Tashkent", "tbilisi": "Asia/Tbilisi", "yerevan": "Asia/Yerevan",
    "baku": "Asia/Baku", "riga": "Europe/Riga", "vilnius": "Europe/Vilnius",
    "tallinn": "Europe/Tallinn", "warsaw": "Europe/Warsaw", "prague": "Europe/Prague",
    "vienna": "Europe/Vienna", "berlin": "Europe/Berlin", "munich": "Europe/Berlin",
    "germany": "Europe/Berlin", "paris": "Europe/Paris", "france": "Europe/Paris",
    "london": "Europe/London", "uk": "Europe/London", "united kingdom": "Europe/London",
    "dublin": "Europe/Dublin", "amsterdam": "Europe/Amsterdam", "brussels": "Europe/Brussels",
    "madrid": "Europe/Madrid", "rome": "Europe/Rome", "italy": "Europe/Rome",
    "zurich": "Europe/Zurich", "stockholm": "Europe/Stockholm", "helsinki": "Europe/Helsinki",
    "athens": "Europe/Athens", "lisbon": "Europe/Lisbon", "new york": "America/New_York",
    "nyc": "America/New_York", "boston": "America/New_York",
    "miami": "America/New_York", "toronto": "America/Toronto", "chicago": "America/Chicago",
    "houston": "America/Chicago", "dallas": "America/Chicago", "denver": "America/Denver",
    "phoenix": "America/Phoenix", "los angeles": "America/Los_Angeles",
    "san francisco": "America/Los_Angeles", "seattle": "America/Los_Angeles",
    "vancouver": "America/Vancouver", "honolulu": "Pacific/Honolulu",
    "mexico city": "America/Mexico_City", "sao paulo": "America/Sao_Paulo",
    "buenos aires": "America/Argentina/Buenos_Aires", "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne", "brisbane": "Australia/Brisbane",
    "perth": "Australia/Perth", "auckland": "Pacific/Auckland",
    # Chinese
    "台北": "Asia/Taipei", "臺北": "Asia/Taipei", "高雄": "Asia/Taipei", "台中": "Asia/Taipei",
    "臺中": "Asia/Taipei", "台南": "Asia/Taipei", "臺南": "Asia/Taipei", "新竹": "Asia/Taipei",
    "桃園": "Asia/Taipei", "基隆": "Asia/Taipei", "花蓮": "Asia/Taipei", "台東": "Asia/Taipei",
    "臺東": "Asia/Taipei", "宜蘭": "Asia/Taipei", "嘉義": "Asia/Taipei", "屏東": "Asia/Taipei",
    "台灣": "Asia/Taipei", "臺灣": "Asia/Taipei", "東京": "Asia/Tokyo", "大阪": "Asia/Tokyo",
    "日本": "Asia/Tokyo", "首爾": "Asia/Seoul", "韓國": "Asia/Seoul", "香港": "Asia/Hong_Kong",
    "澳門": "Asia/Macau", "上海": "Asia/Shanghai", "北京": "Asia/Shanghai",
    "新加坡": "Asia/Singapore", "曼谷": "Asia/Bangkok", "馬尼拉": "Asia/Manila",
    "吉隆坡": "Asia/Kuala_Lumpur", "胡志明市": "Asia/Ho_Chi_Minh", "河內": "Asia/Ho_Chi_Minh",
    "倫敦": "Europe/London", "英國": "Europe/London", "巴黎": "Europe/Paris",
    "法國": "Europe/Paris", "柏林": "Europe/Berlin", "德國": "Europe/Berlin",
    "莫斯科": "Europe/Moscow", "紐約": "America/New_York", "洛杉磯": "America/Los_Angeles",
    "舊金山": "America/Los_Angeles", "西雅圖": "America/Los_Angeles",
    "溫哥華": "America/Vancouver", "多倫多": "America/Toronto", "芝加哥": "America/Chicago",
    "雪梨": "Australia/Sydney", "墨爾本": "Australia/Melbourne", "奧克蘭": "Pacific/Auckland",
    # Abbreviations that name one zone only (EST, CST, ... are ambiguous and left out)
    "msk": "Europe/Moscow", "мск": "Europe/Moscow", "jst": "Asia/Tokyo", "kst": "Asia/Seoul",
}  # fmt: skip

# Russian city -> zone, nominative; the other case forms are derived below.
RU_CITY_ZONES: dict[str, str] = {
    "москва": "Europe/Moscow", "санкт-петербург": "Europe/Moscow", "петербург": "Europe/Moscow",
    "питер": "Europe/Moscow", "спб": "Europe/Moscow", "калининград": "Europe/Kaliningrad",
    "самара": "Europe/Samara", "казань": "Europe/Moscow", "сочи": "Europe/Moscow",
    "екатеринбург": "Asia/Yekaterinburg", "челябинск": "Asia/Yekaterinburg",
    "пермь": "Asia/Yekaterinburg", "омск": "Asia/Omsk", "новосибирск": "Asia/Novosibirsk",
    "томск": "Asia/Tomsk", "красноярск": "Asia/Krasnoyarsk", "иркутск": "Asia/Irkutsk",
    "якутск": "Asia/Yakutsk", "владивосток": "Asia/Vladivostok",
    "хабаровск": "Asia/Vladivostok", "магадан": "Asia/Magadan",
    "токио": "Asia/Tokyo", "берлин": "Europe/Berlin", "лондон": "Europe/London",
    "париж": "Europe/Paris", "нью-йорк": "America/New_York", "тайбэй": "Asia/Taipei",
    "тайбей": "Asia/Taipei", "минск": "Europe/Minsk", "киев": "Europe/Kyiv",
    "алматы": "Asia/Almaty", "ташкент": "Asia/Tashkent", "тбилиси": "Asia/Tbilisi",
    "ереван": "Asia/Yerevan", "баку": "Asia/Baku", "рига": "Europe/Riga",
    "прага": "Europe/Prague", "варшава": "Europe/Warsaw", "рим": "Europe/Rome",
    "мадрид": "Europe/Madrid", "стамбул": "Europe/Istanbul", "дубай": "Asia/Dubai",
    "пекин": "Asia/Shanghai", "сеул": "Asia/Seoul", "бангкок": "Asia/Bangkok",
}  # fmt: skip

# Words around a zone that add nothing: "Taipei time", "время Москвы" is not handled.
_ZONE_NOISE = re.compile(r"^(?:(?:to|is|the|на|в|во)\s+|[=為是成到]\s*)|\s+(?:time|now)$|\s*時間$")
_OFFSET_RE = re.compile(r"^(?:(?:utc|gmt)\s*)?(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$")
_UTC_WORDS = frozenset({"utc", "gmt", "z"})


def _ru_forms(city: str) -> tuple[str, ...]:
    """Nominative, prepositional and accusative forms ("москва", "москве", "москву")."""
    if city.endswith("а"):
        return city, city[:-1] + "е", city[:-1] + "у"
    if city.endswith("ь"):
        return city, city[:-1] + "и"
    if city[-1] in "оиыэую" or city == "спб":
        return (city,)  # "Токио", "Сочи", "Алматы" do not decline
    return city, city + "е"


@cache
def _city_table() -> dict[str, str]:
    table = dict(CITY_ZONES)
    for city, zone in RU_CITY_ZONES.items():
        for form in _ru_forms(city):
            table[form] = zone
    return table


@cache
def _iana_zones() -> dict[str, str]:
    """Folded IANA name -> proper name ("europe/berlin" -> "Europe/Berlin")."""
    return {name.lower(): name for name in zoneinfo.available_timezones() if "/" in name}


def normalise_offset(sign: str, hours: int, minutes: int) -> str | None:
    """The offset as "+03:00"; None beyond UTC±14 or with impossible minutes."""
    if minutes > 59 or hours * 60 + minutes > MAX_OFFSET_MINUTES:
        return None
    return f"{sign}{hours:02d}:{minutes:02d}"


def resolve_zone(text: str) -> str | None:
    """An IANA zone name or "+HH:MM" offset for what the user wrote, or None."""
    key = fold_key(text)
    previous = None
    while previous != key:  # strip "to", "time", ... around the zone
        previous, key = key, _ZONE_NOISE.sub("", key).strip()
    if not key:
        return None
    if key in _UTC_WORDS:
        return "UTC"
    offset = _OFFSET_RE.match(key)
    if offset:
        return normalise_offset(offset["sign"], int(offset["h"]), int(offset["m"] or 0))
    zone = _iana_zones().get(key.replace(" ", "_"))
    if zone is None:
        zone = _city_table().get(key)
    if zone is None:
        return None
    try:
        zoneinfo.ZoneInfo(zone)  # the table must only hold zones tzdata knows
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None
    return zone
