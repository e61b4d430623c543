"""Button labels that tell their options apart within one message (pure, no I/O).

A platform shows a label only up to its own limit: LINE quick-reply buttons 20
characters, Flex Message buttons 40; Telegram documents none (its clients shorten a long
label in the middle). Cutting the end of "Metformin hydrochloride extended-release
500 mg" and "Metformin hydrochloride immediate-release 850 mg" at 20 gives two buttons
that both read "Metformin hydrochlo…", and a patient may delete or confirm the wrong
medicine. So, for the labels of one message:

1. a label that fits stays as it is;
2. a label too long is cut at its end, if that still tells it apart from the others;
3. labels whose cut ends look alike keep what differs between them (a strength, a time,
   a release form), with as much of the shared name as fits around it:
   "Metformin…500 mg" / "Metformin…850 mg", "08:00 Metform…500 mg";
4. if nothing short tells them apart (identical names, or differences too long to
   show), those options are numbered ("1. Metformin hydro…") and their full names are
   listed, numbered, in the message text (`FittedLabels.legend`).

Labels are compared as a patient reads them: case, width and spacing do not count.
Lengths are UTF-16 units, never less than what LINE counts (grapheme clusters).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from shared.domain.text_split import ELLIPSIS, is_safe_cut, truncate, utf16_len

# CJK ideographs, kana and hangul: one token each, since their names have no spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
# A number with separators (08:00, 0.5, 1/2), a CJK character, a word of letters and
# digits ("D3", "B12", "500"; hyphenated words and apostrophes stay whole), or any
# other single character (brackets, slashes).
_TOKEN = re.compile(
    rf"\d+(?:[.,:/]\d+)+"
    rf"|[{_CJK}]"
    rf"|[^\W_{_CJK}]+(?:[-'’][^\W_{_CJK}]+)*"
    r"|\S"
)
# A cut label must differ from the others before its last few characters.
_CUT_MARGIN = 3
# At most this many gapless tokens make the unit after a number ("毫克", "毫升").
_UNIT_RUN = 3
# The smallest head worth showing before an ellipsis ("M…500 mg" helps nobody).
_MIN_HEAD = 3


@dataclass(frozen=True)
class FittedLabels:
    labels: list[str]  # one per input label, each within the limit, pairwise distinct
    legend: list[str]  # "1. <full label>" lines for numbered options ([] if none)


@dataclass(frozen=True)
class _Token:
    text: str
    gap: str  # what separated it from the token before ("" or " ")


def fold(label: str) -> str:
    """A label as a reader compares it: NFKC, case-insensitive, spacing collapsed."""
    return " ".join(unicodedata.normalize("NFKC", label).split()).casefold()


def fit_labels(labels: Sequence[str], limit: int) -> FittedLabels:
    """Labels for one message's buttons: each at most `limit` UTF-16 units, no two alike."""
    if limit < 8:
        raise ValueError("a label limit under 8 leaves no room to tell options apart")
    fitted = [label if utf16_len(label) <= limit else truncate(label, limit)
              for label in labels]
    # Cut labels of one family ("Metformin …") keep what differs, not just their start.
    for group in _families(labels, fitted):
        _improve(labels, fitted, group, limit)
    numbered: list[int] = []
    for cluster in _clashes(labels, fitted):
        if not _improve(labels, fitted, cluster, limit):
            numbered += cluster
    # Number what could not be told apart (and anything that still reads alike).
    seen: dict[str, int] = {}
    for i, label in enumerate(fitted):
        first = seen.setdefault(fold(label), i)
        if first != i:
            numbered += [first, i]
    if not numbered:
        return FittedLabels(fitted, [])
    legend: list[str] = []
    for n, i in enumerate(sorted(set(numbered)), start=1):
        mark = f"{n}. "
        fitted[i] = mark + truncate(labels[i], limit - utf16_len(mark))
        legend.append(mark + labels[i])
    return FittedLabels(fitted, legend)


def _improve(labels: Sequence[str], fitted: list[str], group: list[int], limit: int) -> bool:
    """Replace the group's labels by ones that tell them apart; False if none do."""
    others = {fold(fitted[j]) for j in range(len(labels)) if j not in group}
    better = _separate([labels[i] for i in group], limit, others)
    if better is None:
        return False
    for i, label in zip(group, better, strict=True):
        fitted[i] = label
    return True


def _families(labels: Sequence[str], fitted: Sequence[str]) -> list[list[int]]:
    """Groups of cut labels that start with the same word."""
    groups: dict[str, list[int]] = {}
    for i, label in enumerate(labels):
        tokens = _tokens(label)
        if fitted[i] != label and tokens:
            groups.setdefault(tokens[0].text.casefold(), []).append(i)
    return [group for group in groups.values() if len(group) > 1]


def _clashes(labels: Sequence[str], fitted: Sequence[str]) -> list[list[int]]:
    """Groups (indices) of labels that read alike, in order of first appearance.

    Two cut labels also read alike when they differ only in the few characters before
    the cut ("…500 m…" / "…550 m…" would show "5…" and "5…" at best): their difference
    must show with room to spare, or they are told apart the careful way."""
    groups: dict[tuple[bool, str], list[int]] = {}
    for i, label in enumerate(fitted):
        cut = label != labels[i]
        key = (cut, fold(label[:-1 - _CUT_MARGIN] if cut else label))
        groups.setdefault(key, []).append(i)
    return [group for group in groups.values() if len(group) > 1]


def _separate(labels: Sequence[str], limit: int, taken: set[str]) -> list[str] | None:
    """Short labels that tell `labels` apart from each other and from `taken`, or None."""
    tokens = [_tokens(label) for label in labels]
    keys = [[t.text.casefold() for t in row] for row in tokens]
    shortest = min(len(row) for row in keys)
    head = 0
    while head < shortest and all(row[head] == keys[0][head] for row in keys):
        head += 1
    tail = 0
    while tail < shortest - head and all(row[-1 - tail] == keys[0][-1 - tail] for row in keys):
        tail += 1
    for strategy in (_whole_middle, _numbers_of_middle, _start_of_middle):
        candidates: list[str] = []
        for row in tokens:
            middle = row[head:len(row) - tail]
            label = strategy(row[:head], middle, row[len(row) - tail:], limit)
            if label is None:
                break
            candidates.append(label)
        else:
            folded = [fold(c) for c in candidates]
            if len(set(folded)) == len(folded) and not taken.intersection(folded):
                return candidates
    return None


def _tokens(label: str) -> list[_Token]:
    found: list[_Token] = []
    end = 0
    for match in _TOKEN.finditer(label):
        gap = " " if label[end:match.start()].strip() == "" and match.start() > end else ""
        found.append(_Token(match.group(), gap))
        end = match.end()
    return found


def _join(tokens: Sequence[_Token]) -> str:
    return "".join((t.gap if i else "") + t.text for i, t in enumerate(tokens))


# ------------------------------------------------------------------ strategies
def _whole_middle(head: list[_Token], middle: list[_Token], tail: list[_Token],
                  limit: int) -> str | None:
    return _assemble(head, middle, tail, limit, joined_left=True, joined_right=True)


def _numbers_of_middle(head: list[_Token], middle: list[_Token], tail: list[_Token],
                       limit: int) -> str | None:
    """Only the middle's numbers (a strength, a time): what patients tell doses by."""
    keep = [i for i, t in enumerate(middle) if any(c.isdigit() for c in t.text)]
    if not keep or len(keep) == len(middle):
        return None
    parts: list[_Token] = []
    for n, i in enumerate(keep):
        adjacent = n == 0 or keep[n - 1] == i - 1
        parts.append(_Token(middle[i].text, middle[i].gap if adjacent else ELLIPSIS))
    return _assemble(head, parts, tail, limit, joined_left=keep[0] == 0,
                     joined_right=keep[-1] == len(middle) - 1)


def _start_of_middle(head: list[_Token], middle: list[_Token], tail: list[_Token],
                     limit: int) -> str | None:
    """The start of the differing part, cut to what fits after an ellipsis."""
    text = _join(middle)
    if not text or utf16_len(text) + 1 <= limit:
        return None  # it fits whole: _whole_middle already tried that
    room = limit - 1 if head else limit
    return (ELLIPSIS if head else "") + truncate(text, room)


def _assemble(head: list[_Token], core: list[_Token], tail: list[_Token], limit: int,
              *, joined_left: bool, joined_right: bool) -> str | None:
    """head + core + tail in `limit` units: the core whole, then the tail's first token
    (often a unit: "mg", "毫克"), then as much of the head as fits, then the rest of
    the tail. A cut or a skipped token shows as an ellipsis."""
    core_text = _join(core)
    if not core_text or utf16_len(core_text) > limit:
        return None
    used = utf16_len(core_text)
    right = ""
    kept = 0
    reserve = 1 if head else 0  # the head shows at least as an ellipsis
    if tail:
        # The tail's first word: a unit ("mg"), or a run of CJK characters ("毫克").
        word = 1
        while word < min(len(tail), _UNIT_RUN) and not tail[word].gap:
            word += 1
        first = (tail[0].gap if joined_right else ELLIPSIS) + _join(tail[:word])
        if used + utf16_len(first) + reserve <= limit:
            right, kept, used = first, word, used + utf16_len(first)
    gap = (core[0].gap if joined_left else ELLIPSIS) if head else ""
    left = _head(head, limit - used, gap)
    used += utf16_len(left)
    while 0 < kept < len(tail):
        piece = tail[kept].gap + tail[kept].text
        if used + utf16_len(piece) > limit:
            break
        right, kept, used = right + piece, kept + 1, used + utf16_len(piece)
    if (kept < len(tail) or (not tail and not joined_right)) and used < limit:
        right += ELLIPSIS  # more followed
    return left + core_text + right


def _head(head: list[_Token], room: int, gap: str) -> str:
    """The shared start of the label in `room` units, ending with `gap` (a space when
    the core follows it in the original, else an ellipsis)."""
    if not head or room <= 0:
        return ""
    text = _join(head)
    if utf16_len(text) + utf16_len(gap) <= room:
        return text + gap
    room -= 1  # the cut shows as an ellipsis
    if room < _MIN_HEAD:
        return ELLIPSIS if room >= 0 else ""
    end = 0
    used = 0
    for ch in text:
        width = utf16_len(ch)
        if used + width > room:
            break
        used += width
        end += 1
    while end > 0 and not is_safe_cut(text, end):
        end -= 1
    words = [m.start() for m in re.finditer(r"\s", text[:end + 1])]
    if words and words[-1] * 2 >= end:  # a word boundary that keeps half of it
        end = words[-1]
    return text[:end].rstrip() + ELLIPSIS
