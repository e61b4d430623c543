"""Leaflet text (pure, no I/O): the model's answer read into a title and sections, and
the plain form written back. What each platform shows is leaflet_format.py.

Leaflets are plain text with a fixed structure (prompts.leaflet_system asks for it):

    Title
                                    (blank line)
    ■ Heading                       a heading line starts with HEADING_MARK
    A paragraph.
    • A list item                   BULLET; "◦" nested; "1." numbered
                                    (blank line: a new paragraph or section)

That form is what is stored (`plain()`), what LINE shows (a section line per heading:
LINE has no formatting) and what a model is given back to revise or translate.

Models write Markdown although told not to, so `parse()` reads it too and nothing of it
ever shows raw, in any language: ATX and setext headings, whole-line bold headings,
【bracketed】 headings, bullets (-, *, +, •, 1., 1), （1）), nested lists, bold, italic,
strike-through, inline code and code fences, links and images (their text stays, a
link's address in brackets), block quotes, rules, tables (cells joined by " — "), the
few HTML tags a model slips in, HTML entities and backslash escapes (an escaped mark is
removed like any other: a leaflet has no use for a literal asterisk). Full-width ＊ and
＃ used as markup count as the ASCII ones. The result is stable: the plain form reads
back as itself.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Final

from shared.domain.text_split import truncate

HEADING_MARK: Final = "■"
BULLET: Final = "•"
SUB_BULLET: Final = "◦"

# A title or heading longer than this is a paragraph that happened to be bold.
HEADING_MAX_CHARS: Final = 80
HEADING_CUT: Final = 200  # an absurdly long heading line is shortened, not split


@dataclass(frozen=True)
class Block:
    """A paragraph (marker "") or a list item (marker "•", "◦" or "3.")."""

    text: str
    marker: str = ""
    gap: bool = False  # a blank line before it: a new paragraph


@dataclass(frozen=True)
class Section:
    heading: str  # "" for the lines between the title and the first heading
    blocks: tuple[Block, ...] = ()


@dataclass(frozen=True)
class LeafletText:
    title: str
    sections: tuple[Section, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.title and not any(s.heading or s.blocks for s in self.sections)


# =========================================================================== reading
_HTML_BREAK = re.compile(r"<br\s*/?>|</(?:p|div|li|h[1-6]|tr|ul|ol|blockquote)\s*>",
                         re.IGNORECASE)
_HTML_TAG = re.compile(
    r"</?(?:b|strong|i|em|u|s|strike|del|ins|mark|small|big|sup|sub|span|div|p|ul|ol|li|"
    r"h[1-6]|blockquote|code|pre|table|thead|tbody|tr|td|th|font|center)\b[^>]*>",
    re.IGNORECASE)
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~>])")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_RULE = re.compile(r"^\s*(?:(?:[-*_]\s*){3,}|[=＝]{3,}|[━─—–_﹏＿]{3,}|#+|\*+|_+)\s*$")
_SETEXT = re.compile(r"^\s*(?:=+|-+)\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?(?:\s*:?-{2,}:?\s*\|)+\s*(?::?-{2,}:?\s*)?\|?\s*$")
_QUOTE = re.compile(r"^\s*(?:>\s?)+")
# "##概述" (no space) is common in Chinese answers; "#1 cause" is not a heading.
_ATX = re.compile(r"^\s{0,3}(#{1,6})(?:\s+|(?=[^\s#\d]))(.*?)(?:\s+#+)?\s*$")
_MARKED = re.compile(rf"^\s*[{HEADING_MARK}▌▍]\s*(.+)$")
_BRACKETED = re.compile(r"^\s*【([^】]{1,80})】\s*[:：]?\s*$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(.+?)\1\s*[:：]?\s*$")
_LIST_ITEM = re.compile(
    r"^(?P<indent>\s*)(?P<mark>[-*+•·▪●◦‣∙○◆◇►▶✓✔]|\d{1,3}[.)、．]|[（(]\d{1,3}[)）])"
    r"\s+(?P<text>.*\S.*)$")
_NUMBER = re.compile(r"\d{1,3}")
_SENTENCE_END = re.compile(r"[.!。！…]$")  # a question may be a heading (FAQ)
_NOT_A_TITLE = re.compile(r"[.!?。！？…:：;；,，]$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_CODE = re.compile(r"(`+)(.+?)\1")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<!\*)\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?!\*)")
_EM_UNDERSCORE = re.compile(r"(?<![\w_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\w_])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_LEFTOVER = re.compile(r"\*+|`+|~~|(?<![\w_])__+|__+(?![\w_])")
_SPACES = re.compile(r"[ \t\u00a0]{2,}")
_LEADING_MARKS = re.compile(rf"^\s*(?:[#>{HEADING_MARK}▌▍]+\s*)+")
_ONLY_MARKS = re.compile(r"[\s*_#`~\-=|>+]*")


def _link(match: re.Match[str]) -> str:
    label, url = match.group(1).strip(), match.group(2).strip()
    return label if label in (url, "") or url.startswith("#") else f"{label} ({url})"


def clean_inline(text: str) -> str:
    """One line without Markdown markup: the words stay, the marks go."""
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(_link, text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(lambda m: m.group(2).strip(), text)
    for _ in range(3):  # ***both*** and nested emphasis unwrap one level per round
        before = text
        text = _STRONG.sub(r"\2", text)
        text = _EM_STAR.sub(r"\1", text)
        text = _EM_UNDERSCORE.sub(r"\1", text)
        text = _STRIKE.sub(r"\1", text)
        if text == before:
            break
    while _LEFTOVER.search(text):  # removing one mark can join two halves of another
        text = _LEFTOVER.sub("", text)
    text = _LEADING_MARKS.sub("", text)  # a heading mark inside emphasis is still markup
    if _ONLY_MARKS.fullmatch(text):
        return ""  # a line of markup alone ("_", "- -", "|") says nothing
    return _SPACES.sub(" ", text).strip()


def _prepare(text: str) -> str:
    """HTML a model slipped in, entities, escapes and full-width markup, before lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _HTML_BREAK.sub("\n", text)
    text = _HTML_TAG.sub("", text)
    text = html.unescape(text)
    text = _ESCAPED.sub(r"\1", text)  # an escaped mark is a mark to remove all the same
    text = text.replace("＊＊", "**")
    return re.sub(r"^(\s*)＃", r"\1#", text, flags=re.MULTILINE)


@dataclass
class _Item:
    kind: str  # "heading" or "block"
    text: str
    level: int = 0  # heading level: 1 = a Markdown H1 (a title), 2 = any other heading
    marker: str = ""
    gap: bool = False
    plain_line: bool = False  # an unmarked one-line paragraph (could be the title)


def _heading_text(line: str) -> tuple[str, int] | None:
    """(heading, level) if the line is a heading in any of the forms models use."""
    atx = _ATX.match(line)
    if atx and atx.group(2).strip():
        return atx.group(2), 1 if len(atx.group(1)) == 1 else 2
    for pattern in (_MARKED, _BRACKETED):
        found = pattern.match(line)
        if found:
            return found.group(1), 2
    bold = _BOLD_LINE.match(line)
    if bold and "**" not in bold.group(2) and "__" not in bold.group(2):
        inner = clean_inline(bold.group(2)).rstrip(":：").strip()
        if inner and len(inner) <= HEADING_MAX_CHARS and not _SENTENCE_END.search(inner):
            return inner, 2
    return None


def _marker(mark: str, indent: str) -> str:
    number = _NUMBER.search(mark)
    if number:
        return f"{int(number.group())}."
    return SUB_BULLET if len(indent.expandtabs(4)) >= 2 else BULLET


def _table_cells(line: str) -> str:
    cells = [clean_inline(c) for c in line.strip().strip("|").split("|")]
    return " — ".join(c for c in cells if c)


def _items(text: str) -> list[_Item]:
    items: list[_Item] = []
    gap = False
    fenced = False
    table_rows = 0
    for raw in _prepare(text).split("\n"):
        line = raw.rstrip()
        if _FENCE.match(line):
            fenced = not fenced
            continue
        if not line.strip():
            gap, table_rows = True, 0
            continue
        if not fenced:
            previous = items[-1] if items else None
            if (_SETEXT.match(line) and previous is not None and previous.plain_line
                    and not gap and len(previous.text) <= HEADING_MAX_CHARS):
                previous.kind = "heading"
                previous.level = 1 if line.strip().startswith("=") else 2
                previous.plain_line = False
                continue
            if _RULE.match(line) or _TABLE_RULE.match(line):
                gap = True
                continue
            if _TABLE_ROW.match(line):
                cells = _table_cells(line)
                if cells:
                    table_rows += 1
                    items.append(_Item("block", cells, marker=BULLET if table_rows > 1 else "",
                                       gap=gap and table_rows == 1))
                gap = False
                continue
            table_rows = 0
            line = _QUOTE.sub("", line)
            heading = _heading_text(line)
            if heading is not None:
                title = clean_inline(clean_inline(heading[0]).rstrip(":："))
                if title:
                    items.append(_Item("heading", truncate(title, HEADING_CUT),
                                       level=heading[1]))
                gap = False
                continue
            listed = _LIST_ITEM.match(line) or _LIST_ITEM.match(clean_inline(line))
            if listed:  # (the second: a list mark that emphasis marks had hidden)
                body = clean_inline(listed.group("text"))
                if body:
                    items.append(_Item("block", body,
                                       marker=_marker(listed.group("mark"),
                                                      listed.group("indent")), gap=gap))
                gap = False
                continue
        body = clean_inline(line)
        if body:
            items.append(_Item("block", body, gap=gap, plain_line=True))
        gap = False
    return items


def _title(items: list[_Item]) -> str:
    """Take the title off the front of `items`, if the answer starts with one."""
    if not items:
        return ""
    first = items[0]
    following = items[1] if len(items) > 1 else None
    plain_title = (first.plain_line and len(first.text) <= HEADING_MAX_CHARS
                   and not _NOT_A_TITLE.search(first.text)
                   and (following is None or following.kind == "heading" or following.gap))
    if ((first.kind == "heading" and first.level == 1) or plain_title
            or (first.kind == "heading" and following is not None
                and following.kind == "heading")):
        items.pop(0)
        return first.text
    return ""


def parse(text: str) -> LeafletText:
    """A leaflet as the model wrote it (plain, Markdown, or a mix) -> title + sections.

    Read until its plain form reads the same, so that the stored form is stable: a
    line that only becomes markup once its emphasis is gone ("*#* x") is read again."""
    doc = _parse_once(text)
    for _ in range(3):
        again = _parse_once(plain(doc))
        if again == doc:
            break
        doc = again
    return doc


def _parse_once(text: str) -> LeafletText:
    items = _items(text)
    title = _title(items)
    sections: list[Section] = []
    heading = ""
    blocks: list[Block] = []
    for item in items:
        if item.kind == "heading":
            if heading or blocks:
                sections.append(Section(heading, tuple(blocks)))
            heading, blocks = item.text, []
        else:
            blocks.append(Block(item.text, item.marker, gap=item.gap and bool(blocks)))
    if heading or blocks:
        sections.append(Section(heading, tuple(blocks)))
    return LeafletText(title, tuple(sections))


def normalize(text: str) -> str:
    """The leaflet in its plain form (what is stored, and what LINE shows)."""
    return plain(parse(text))


# =========================================================================== writing
def _block_line(block: Block) -> str:
    if not block.marker:
        return block.text
    indent = "  " if block.marker == SUB_BULLET else ""
    return f"{indent}{block.marker} {block.text}"


def plain(doc: LeafletText) -> str:
    """The plain form: title, then each section under its "■ heading" line."""
    out: list[str] = []
    if doc.title:
        out.append(doc.title)
    for section in doc.sections:
        lines: list[str] = []
        if section.heading:
            lines.append(f"{HEADING_MARK} {section.heading}")
        for block in section.blocks:
            if block.gap and lines:
                lines.append("")
            lines.append(_block_line(block))
        if lines:
            out.append("\n".join(lines))
    return "\n\n".join(out)


def headings(doc: LeafletText) -> list[str]:
    return [s.heading for s in doc.sections if s.heading]
