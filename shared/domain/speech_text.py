"""What gets read aloud: a leaflet or translation cleaned for a voice (no markdown
marks, no links) and capped so the audio stays short enough to listen to and to
synthesise within a worker's deadline. Pure functions, no I/O."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

# Budget in "Latin characters": ~3000 characters is about 4 minutes of speech.
# A CJK character carries about a syllable (what 2-3 Latin letters carry), so it
# counts double; 3000 then means ~1500 Chinese characters, also about 4-5 minutes.
MAX_SPOKEN_WEIGHT: Final = 3000
_WIDE_WEIGHT: Final = 2

_URL = re.compile(r"https?://\S+|www\.\S+")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")  # [label](url) -> label
# Markdown marks, and the heading mark of the plain leaflet form (leaflet_format.py).
_MD_MARKS = re.compile(r"(\*\*|__|\*|`+|~~|^#{1,6}\s*|^>\s*|^[■▌▍]\s*)", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-•·▪◦]|\d+[.)])\s+", re.MULTILINE)
_SENTENCE_END = re.compile(r"[.!?。！？；;\n]")


@dataclass(frozen=True)
class SpokenText:
    text: str
    truncated: bool  # the source was longer than what is spoken


def _weight(char: str) -> int:
    return _WIDE_WEIGHT if unicodedata.east_asian_width(char) in ("W", "F") else 1


def clean_for_speech(text: str) -> str:
    """Text a voice can read: markdown marks and links removed, bullets become lines."""
    text = unicodedata.normalize("NFC", text)
    text = _MD_LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    text = _BULLET.sub("", text)
    text = _MD_MARKS.sub("", text)
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def spoken_text(text: str, budget: int = MAX_SPOKEN_WEIGHT) -> SpokenText:
    """The cleaned text, cut at the last sentence end within the budget (or at the
    budget itself when no sentence ends in the last third of it)."""
    if budget <= 0:
        raise ValueError("budget must be positive")
    cleaned = clean_for_speech(text)
    used = 0
    for index, char in enumerate(cleaned):
        used += _weight(char)
        if used > budget:
            head = cleaned[:index]
            ends = [m.end() for m in _SENTENCE_END.finditer(head)]
            cut = ends[-1] if ends and ends[-1] >= len(head) * 2 // 3 else len(head)
            return SpokenText(head[:cut].rstrip(), truncated=True)
    return SpokenText(cleaned, truncated=False)
