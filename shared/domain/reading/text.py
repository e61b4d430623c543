"""How a typed message is prepared for matching, and language names in typed text."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from shared.domain.i18n import UI_LANGUAGES, language_from_name

# Edges people add to a command: punctuation, quotes, brackets, emoji and the like.
_EDGE: Final = re.compile(r"^[\W_]+|[\W_]+$", re.UNICODE)
_SPACES: Final = re.compile(r"\s+")
_QUOTES: Final = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "ё": "е", "Ё": "Е"})
# Politeness and asking frames around a command ("please", "can you", "пожалуйста",
# "можешь", "請", "可以...嗎") change nothing.
_POLITE_START: Final = re.compile(
    r"^(?:please|pls|plz|kindly|(?:can|could|would|will) you(?: please)?|пожалуйста"
    r"|(?:можешь|можете|не могли бы вы|не мог бы ты)(?: пожалуйста)?|請你|請|请|麻煩你|麻煩"
    r"|麻烦|可以請你|可以请你|可以|能不能|能否)(?:[\s,，]+|(?=[^\sa-zа-я]))")
_POLITE_END: Final = re.compile(
    r"(?:[\s,，]+(?:please|pls|plz|пожалуйста|thanks|thank you|спасибо)|(?<=[^\sa-zа-я])"
    r"(?:吧|啊|呀|喔|哦|唷|嗎|吗|好嗎|好吗|可以嗎|可以吗|謝謝|谢谢))$")


@dataclass(frozen=True)
class Variant:
    """One way to read a message: `key` is folded for matching (case, width, spaces,
    edge punctuation); `shown` keeps the user's case for arguments (topics, addresses,
    deep-link payloads)."""

    key: str
    shown: str

    def span(self, start: int, end: int) -> str:
        """The user's own spelling of key[start:end] (folding rarely changes lengths)."""
        source = self.shown if len(self.shown) == len(self.key) else self.key
        return source[start:end].strip()


@dataclass(frozen=True)
class Typed:
    """A message ready to match: its variants, politeness removed first, then as typed
    ("no thanks" is a command only as typed)."""

    raw: str
    variants: tuple[Variant, ...]

    @property
    def key(self) -> str:
        return self.variants[0].key


def prepare(text: str) -> Typed:
    shown = _SPACES.sub(" ", unicodedata.normalize("NFKC", text).translate(_QUOTES)).strip()
    shown = _EDGE.sub("", shown)
    typed = Variant(shown.casefold(), shown)
    key, shown = typed.key, typed.shown
    for pattern in (_POLITE_START, _POLITE_END):
        match = pattern.search(key)
        if match and match.end() - match.start() < len(key):  # never the whole message
            key, shown = (key[:match.start()] + key[match.end():],
                          shown[:match.start()] + shown[match.end():])
            key, shown = _EDGE.sub("", key.strip()), _EDGE.sub("", shown.strip())
    polite = Variant(key, shown)
    return Typed(text, (polite,) if polite == typed else (polite, typed))


# Names the catalogs and i18n's aliases do not know, as patients type them.
_MORE_NAMES: Final[dict[str, str]] = {
    **dict.fromkeys(("英語", "英文", "英语", "english language"), "en"),
    **dict.fromkeys(("中文", "華語", "华语", "國語", "国语", "繁體中文", "繁体中文", "繁中",
                     "正體中文", "漢語", "汉语", "chinese", "mandarin", "китайский",
                     "traditional chinese"), "zh-TW"),
    **dict.fromkeys(("俄語", "俄文", "俄语", "russian", "русский", "русский язык"), "ru"),
    **dict.fromkeys(("日文", "日語", "日语"), "ja"),
    **dict.fromkeys(("韓文", "韩文", "韓語"), "ko"),
    **dict.fromkeys(("越南語", "越南文", "越南话", "越南話"), "vi"),
    **dict.fromkeys(("印尼文", "印尼語", "印尼话"), "id"),
    **dict.fromkeys(("泰文", "泰語"), "th"),
    **dict.fromkeys(("英文版",), "en"),
}
# Russian language adjectives in the prepositional ("на русском") and adverbial
# ("по-русски") forms, back to the form the tables know ("русский").
_RU_FORMS: Final = ((re.compile(r"^(?:на\s+)?(\w+?)ом(?:\s+языке)?$"), r"\1ий"),
                    (re.compile(r"^по-(\w+?)и$"), r"\1ий"))


def language_code(name: str) -> str | None:
    """The language code of a typed language name in any UI language ("越南文",
    "Vietnamese", "вьетнамский", "на вьетнамском", "по-английски"), or None."""
    key = _EDGE.sub("", name.strip().casefold().translate(_QUOTES))
    key = re.sub(r"\s+(?:language|язык)$", "", key)
    if not key:
        return None
    found = _MORE_NAMES.get(key) or language_from_name(key)
    if found is None:
        for pattern, nominative in _RU_FORMS:
            if pattern.match(key):
                base = pattern.sub(nominative, key)
                found = _MORE_NAMES.get(base) or language_from_name(base)
                break
    return found


def ui_language_code(name: str) -> str | None:
    """The UI language of a typed language name (any Chinese is zh-TW), or None."""
    code = language_code(name)
    if code in ("zh-CN", "nan"):
        code = "zh-TW" if code == "zh-CN" else None
    return code if code in UI_LANGUAGES else None
