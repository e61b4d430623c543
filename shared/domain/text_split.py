"""Split long texts into chunks that fit a platform's message limit (pure).

Nothing but whitespace is ever lost: the chunks are consecutive slices of the text, and
what lies between or after them is only whitespace. No chunk is empty or whitespace
only: a platform refuses such a message (Telegram answers 400 "message text is empty"),
so a text of exactly the limit plus a trailing paragraph break is one chunk, not two.
Separators stay at the end of the chunk they close when they fit, so a chunk may end
with a newline or a space.

Boundaries are preferred in this order: paragraph (blank line), line, sentence (Latin
and CJK terminators), word (spaces, CJK commas), and only then a hard cut. A boundary
level is used only if it fills at least half the limit; otherwise the next level is
tried, so a stray early newline cannot produce a flood of tiny messages (LINE allows 5
messages per call and push messages cost quota). Every chunk but the last therefore
holds about half the limit or more.

Hard cuts never separate a UTF-16 surrogate pair (Python strings hold code points, and
the limit is counted in UTF-16 units), and they avoid splitting a user-perceived
character: a base and its combining marks, emoji ZWJ sequences, skin-tone and
variation selectors, flag pairs, CR LF.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from itertools import accumulate

from shared.domain.channels import LINE_TEXT_LIMIT_UTF16, TELEGRAM_TEXT_LIMIT, Channel

ELLIPSIS = "…"

# Ordered from most to least preferred. A cut goes right after the match.
_BOUNDARIES: tuple[re.Pattern[str], ...] = (
    re.compile(r"\r?\n(?:[ \t]*\r?\n)+"),  # paragraph: one or more blank lines
    re.compile(r"\n"),  # line
    # sentence: Latin/Cyrillic terminators need following spaces; CJK ones do not
    re.compile(r"[.!?…]+[\"'”’»)\]]*[ \t]+|[。！？]+[」』”’）]*"),
    re.compile(r"[ \t]+|[，、；：]"),  # word (CJK text has no spaces; commas will do)
)

_ZWJ = "\u200d"
_EXTENDERS = frozenset("\u200d\ufe0e\ufe0f")  # ZWJ and text/emoji variation selectors


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: what LINE counts (an emoji outside the BMP is 2)."""
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)


def _units(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


def _is_regional_indicator(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _continues_cluster(ch: str) -> bool:
    """True for code points that belong to the character before them."""
    code = ord(ch)
    return (
        ch in _EXTENDERS
        or unicodedata.category(ch) in ("Mn", "Mc", "Me")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (subdivision flags)
    )


def is_safe_cut(text: str, index: int) -> bool:
    """Whether cutting text[:index] | text[index:] keeps user-perceived characters whole."""
    if index <= 0 or index >= len(text):
        return True
    before, after = text[index - 1], text[index]
    if before == "\r" and after == "\n":
        return False
    if before == _ZWJ or _continues_cluster(after):
        return False
    if _is_regional_indicator(before) and _is_regional_indicator(after):
        # Flags are pairs of regional indicators: only cut after an even-length run.
        run = 0
        i = index - 1
        while i >= 0 and _is_regional_indicator(text[i]):
            run += 1
            i -= 1
        return run % 2 == 0
    return True


def _hard_cut(text: str, start: int, end: int) -> int:
    """The last cluster-safe index in (start, end]; end itself if there is none."""
    cut = end
    while cut > start + 1 and not is_safe_cut(text, cut):
        cut -= 1
    return cut if is_safe_cut(text, cut) else end


def _boundary_cut(text: str, start: int, end: int, prefix: list[int], limit: int) -> int | None:
    """The cut after the best boundary in text[start:end], or None."""
    window = text[start:end]
    half = limit // 2
    for pattern in _BOUNDARIES:
        cuts = [start + m.end() for m in pattern.finditer(window)]
        cuts = [c for c in cuts if start < c <= end and is_safe_cut(text, c)]
        if cuts and prefix[cuts[-1]] - prefix[start] >= half:
            return cuts[-1]
    return None


def split_text(text: str, limit: int, *, utf16: bool = True) -> list[str]:
    """Chunks of `text`, each at most `limit` units long (UTF-16 units or code points).

    A text that is empty or only whitespace gives no chunks. The chunks joined give back
    the text, except for whitespace-only pieces (e.g. a paragraph break after a chunk
    that fills the limit), which are dropped rather than sent as messages of their own.
    """
    if limit < 2:
        raise ValueError("limit must be at least 2 (one surrogate pair)")
    if not text:
        return []
    prefix = [0, *accumulate(_units(ch) if utf16 else 1 for ch in text)]
    chunks: list[str] = []
    start = 0
    while prefix[-1] - prefix[start] > limit:
        # Largest end with text[start:end] within the limit.
        end = bisect.bisect_right(prefix, prefix[start] + limit, lo=start) - 1
        cut = _boundary_cut(text, start, end, prefix, limit)
        if cut is None:
            cut = _hard_cut(text, start, end)
        chunks.append(text[start:cut])
        start = cut
    chunks.append(text[start:])
    return [chunk for chunk in chunks if not chunk.isspace()]


def split_for_line(text: str) -> list[str]:
    """LINE text messages: at most 5000 UTF-16 code units each."""
    return split_text(text, LINE_TEXT_LIMIT_UTF16, utf16=True)


def split_for_telegram(text: str) -> list[str]:
    """Telegram messages: at most 4096 characters each.

    Counted in UTF-16 units, which is never less than the code-point count: Telegram's
    entity offsets are UTF-16 based, and the stricter count is safe under either reading.
    """
    return split_text(text, TELEGRAM_TEXT_LIMIT, utf16=True)


def split_for(channel: Channel, text: str) -> list[str]:
    return split_for_line(text) if channel is Channel.LINE else split_for_telegram(text)


def truncate(text: str, limit: int, *, utf16: bool = True, ellipsis: str = ELLIPSIS) -> str:
    """`text` if it fits in `limit` units, else a cluster-safe prefix ending in `ellipsis`.

    For labels and titles, where a platform rejects longer values and losing the tail
    is acceptable (never for message bodies: use split_text there).
    """
    measure = utf16_len if utf16 else len
    if measure(text) <= limit:
        return text
    room = limit - measure(ellipsis)
    if room <= 0:
        raise ValueError("limit too small for the ellipsis")
    end = 0
    used = 0
    for ch in text:
        width = _units(ch) if utf16 else 1
        if used + width > room:
            break
        used += width
        end += 1
    cut = _hard_cut(text, 0, end) if end > 0 else 0
    return text[:cut] + ellipsis
