"""Message catalogs and language resolution.

Every text the bot says comes from a catalog; handlers only name keys. The catalogs
are gettext .po files, one per feature (core, education, translation, medication,
...) in shared/locales/<locale>/LC_MESSAGES/; a key (the msgid) lives in exactly one
file. Plural messages follow the language's CLDR plural rules: t(lang, key, count=n)
picks the form. Why gettext, and how to add a message: docs/i18n.md.

A language's files are read on its first message (a few milliseconds, measured by
bench/catalogs.py) with the small reader in po_file.py: neither Babel nor a compiled
.mo file is needed at run time.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from shared.domain.channels import Channel
from shared.domain.po_file import Message, PoError, parse_po

UI_LANGUAGES: Final = ("zh-TW", "en", "ru")
LOCALE_DIR: Final = Path(__file__).resolve().parent.parent / "locales"

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


@dataclass(frozen=True)
class Catalog:
    messages: Mapping[str, Message]
    plural_forms: str  # the gettext Plural-Forms header, e.g. "nplurals=2; plural=(n != 1);"
    plural_index: Callable[[int], int]  # count -> index of the form


def locale_dir(language: str) -> Path:
    """Where a UI language's .po files are ("zh-TW" -> .../locales/zh_TW/LC_MESSAGES)."""
    return LOCALE_DIR / language.replace("-", "_") / "LC_MESSAGES"


def _plural_index(plural_forms: str, where: str) -> Callable[[int], int]:
    from gettext import c2py  # stdlib; the same evaluator GNUTranslations uses

    parts = dict(p.strip().split("=", 1) for p in plural_forms.split(";") if "=" in p)
    if "plural" not in parts or not parts.get("nplurals", "").isdigit():
        raise PoError(f"{where}: bad Plural-Forms {plural_forms!r}")
    return c2py(parts["plural"])


@cache
def load_catalog(language: str) -> Catalog:
    """All of a language's messages (its .po files merged), read once per process."""
    messages: dict[str, Message] = {}
    forms: set[str] = set()
    for path in sorted(locale_dir(language).glob("*.po")):
        part = parse_po(path.read_text(encoding="utf-8"), str(path))
        clash = messages.keys() & part.messages.keys()
        if clash:
            raise PoError(f"catalog keys defined twice: {sorted(clash)}")
        messages.update(part.messages)
        forms.add(part.plural_forms or "")
    if len(forms) != 1 or not next(iter(forms)):
        raise PoError(f"{language}: its .po files need one and the same Plural-Forms: {forms}")
    plural_forms = forms.pop()
    return Catalog(messages, plural_forms, _plural_index(plural_forms, language))


def catalog(language: str) -> Mapping[str, Message]:
    """Messages by key; a plural message is the tuple of its forms (CLDR order)."""
    return load_catalog(language).messages


def t(language: str, key: str, *, count: int | None = None, **values: object) -> str:
    """The text for key in language (English if the language lacks it).

    A plural message needs count=: the form is the one the language's CLDR plural
    rule gives for it ("1 письмо", "2 письма", "5 писем"), and {count} is filled in.
    """
    lang = language if language in UI_LANGUAGES else "en"
    book = load_catalog(lang)
    message = book.messages.get(key)
    if message is None:
        book = load_catalog("en")
        message = book.messages[key]
    if count is not None:
        values["count"] = count
    if isinstance(message, tuple):
        if count is None:
            raise TypeError(f"message {key!r} has plural forms: pass count=")
        text = message[min(book.plural_index(count), len(message) - 1)]
    else:
        text = message
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


_TRADITIONAL_CHINESE: Final = ("zh-tw", "zh-hant", "zh-hk", "zh-mo")


def profile_ui_language(tag: str | None) -> str | None:
    """The UI language for a platform profile's BCP 47 tag (LINE's profile `language`:
    "en", "ru", "zh-TW", "zh-Hant", "ja", ...); None when MedBot does not speak it
    (the patient is asked, with buttons). Simplified Chinese is asked too: MedBot's
    Chinese is Taiwan's."""
    code = (tag or "").strip().lower().replace("_", "-")
    if code.split("-")[0] in ("en", "ru"):
        return code.split("-")[0]
    if any(code == z or code.startswith(z + "-") for z in _TRADITIONAL_CHINESE):
        return "zh-TW"
    return None


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


@cache
def _language_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for code in TARGET_LANGUAGES:
        names[_fold(code)] = code
        for ui in UI_LANGUAGES:
            names[_fold(t(ui, f"lang.{code}"))] = code
        for alias in _ALIASES.get(code, ()):
            names[_fold(alias)] = code
    return names


def language_from_name(text: str) -> str | None:
    """A target-language code from what a user typed ("英文", "English", "английский")."""
    return _language_names().get(_fold(text))
