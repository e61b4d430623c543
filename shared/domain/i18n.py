"""Message catalogs and language resolution.

Every text the bot says comes from a catalog; handlers only name keys. Each UI
language has a folder, shared/catalogs/<language>/, with one JSON file per feature
(core, education, translation, medication, ...); a key lives in exactly one file.
"""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from pathlib import Path
from typing import Final

from shared.domain.channels import Channel

UI_LANGUAGES: Final = ("zh-TW", "en", "ru")
_CATALOG_DIR = Path(__file__).resolve().parent.parent / "catalogs"

# The ten translation targets offered as buttons, most used first (Taiwan's
# migrant and visitor languages, then the UI languages).
COMMON_TARGETS: Final = ("en", "zh-TW", "nan", "vi", "id", "th", "tl", "ja", "ko", "ru")
TARGET_LANGUAGES: Final = (*COMMON_TARGETS, "zh-CN", "es", "fr", "de")

# Names people type for a language, beyond the catalog labels.
_ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "en": ("english", "eng", "英語", "英文", "английский", "англ"),
    "zh-TW": ("中文", "國語", "華語", "繁中", "chinese", "mandarin", "китайский"),
    "zh-CN": ("简体中文", "簡中", "简体"),
    "nan": ("台語", "臺語", "台语", "閩南語", "taigi", "taiwanese", "hokkien", "тайваньский"),
    "vi": ("vietnamese", "越南語", "tiếng việt", "вьетнамский"),
    "id": ("indonesian", "bahasa indonesia", "印尼語", "индонезийский"),
    "th": ("thai", "泰語", "тайский"),
    "tl": ("tagalog", "filipino", "菲律賓語", "他加祿語", "тагальский"),
    "ja": ("japanese", "日語", "日本語", "японский"),
    "ko": ("korean", "韓語", "한국어", "корейский"),
    "ru": ("russian", "俄語", "русский", "по-русски"),
    "es": ("spanish", "español", "西班牙語", "испанский"),
    "fr": ("french", "français", "法語", "французский"),
    "de": ("german", "deutsch", "德語", "немецкий"),
}


@cache
def catalog(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for path in sorted((_CATALOG_DIR / language).glob("*.json")):
        part: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        clash = merged.keys() & part.keys()
        if clash:
            raise ValueError(f"catalog keys defined twice: {sorted(clash)}")
        merged.update(part)
    return merged


def t(language: str, key: str, **values: object) -> str:
    """The text for key in language (English if the language lacks it)."""
    lang = language if language in UI_LANGUAGES else "en"
    text = catalog(lang).get(key) or catalog("en")[key]
    return text.format(**values) if values else text


def ui_language(language_code: str | None, channel: Channel) -> str:
    """The UI language for a platform language code.

    LINE does not send one; its users are mostly in Taiwan, so they start in zh-TW.
    """
    if not language_code:
        return "zh-TW" if channel is Channel.LINE else "en"
    code = language_code.lower()
    if code.startswith("zh"):
        return "zh-TW"
    if code.split("-")[0] in ("ru", "uk", "be", "kk"):
        return "ru"
    return "en"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


@cache
def _language_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code in TARGET_LANGUAGES:
        names[_fold(code)] = code
        for ui in UI_LANGUAGES:
            names[_fold(catalog(ui)[f"lang.{code}"])] = code
        for alias in _ALIASES.get(code, ()):
            names[_fold(alias)] = code
    return names


def language_from_name(text: str) -> str | None:
    """A target-language code from what a user typed ("英文", "English", "английский")."""
    return _language_names().get(_fold(text))
