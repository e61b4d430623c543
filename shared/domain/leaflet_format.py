"""Leaflets as chat text (pure, no I/O): the plain leaflet form (leaflet_text.py: the
model's answer read into a title and sections, whatever Markdown it wrote) -> what each
platform shows. On Telegram the title and headings are bold (parse_mode HTML,
everything escaped); LINE has no formatting, so a "■" line starts each section. The
handout page and the e-mail get it as escaped HTML (`html_body()`).

Length cap per platform: a leaflet is shown in at most LEAFLET_MAX_PAGES chat messages
of the platform's own size (Telegram 4096 characters as shown, LINE 5000 UTF-16
units), cut between blocks, never inside a tag and never right after a heading. That is
about 2,000 tokens, the source bot's cap. A longer one keeps its first pages and ends
with a note (in the user's language) that the printable handout and the e-mail have it
all; the stored leaflet is never cut. The prompt asks for less (prompts.py), so the
cap is a guard, not the rule.

The reading and the plain form are re-exported here, so callers need one module.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from shared.domain.channels import LINE_TEXT_LIMIT_UTF16, TELEGRAM_TEXT_LIMIT, Channel
from shared.domain.leaflet_text import (
    BULLET,
    HEADING_CUT,
    HEADING_MARK,
    HEADING_MAX_CHARS,
    SUB_BULLET,
    Block,
    LeafletText,
    Section,
    clean_inline,
    headings,
    normalize,
    parse,
    plain,
)
from shared.domain.text_split import split_text, truncate, utf16_len

__all__ = ["BULLET", "HEADING_MARK", "HEADING_MAX_CHARS", "LEAFLET_MAX_PAGES", "PAGE_LIMITS",
           "SUB_BULLET", "TELEGRAM_ENTITIES", "Block", "LeafletText", "Section",
           "clean_inline", "headings", "html_body", "normalize", "pages", "parse", "plain"]

LEAFLET_MAX_PAGES: Final = 2
PAGE_LIMITS: Final[dict[Channel, int]] = {
    Channel.TELEGRAM: TELEGRAM_TEXT_LIMIT,  # characters after entity parsing
    Channel.LINE: LINE_TEXT_LIMIT_UTF16,  # UTF-16 units of a text message
}
# Telegram shows at most 100 formatting entities per message (fakes/telegram_rules.py).
TELEGRAM_ENTITIES: Final = 100


@dataclass(frozen=True)
class _Piece:
    """One unit of a page: what is sent and how much of the limit it uses."""

    rendered: str
    size: int  # shown length, in the unit the platform counts
    entities: int = 0
    before: str = "\n"  # separator from the previous piece (dropped at a page start)
    keep_with_next: bool = False  # a title or heading never ends a page


@dataclass
class _Page:
    pieces: list[_Piece] = field(default_factory=list)
    size: int = 0
    entities: int = 0

    def cost(self, piece: _Piece) -> int:
        return piece.size + (len(piece.before) if self.pieces else 0)

    def add(self, piece: _Piece) -> None:
        self.size += self.cost(piece)
        self.entities += piece.entities
        self.pieces.append(piece)

    def text(self) -> str:
        return "".join((p.before if i else "") + p.rendered for i, p in enumerate(self.pieces))


_BARE_URL: Final = re.compile(r"(?:https?://|www\.)\S+")
_TAG: Final = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class _Style:
    """How one platform writes the pieces of a leaflet."""

    title: Callable[[str], str]
    heading: Callable[[str], str]
    text: Callable[[str], str]
    markup: bool  # Telegram HTML: the tags and entities do not count as shown text

    def piece(self, rendered: str, before: str, *, keep_with_next: bool = False) -> _Piece:
        shown = html.unescape(_TAG.sub("", rendered)) if self.markup else rendered
        entities = (rendered.count("<b>") + len(_BARE_URL.findall(shown))) if self.markup else 0
        return _Piece(rendered, utf16_len(shown), entities, before, keep_with_next)


def _bold(text: str) -> str:
    return f"<b>{html.escape(text, quote=False)}</b>"


_TELEGRAM: Final = _Style(title=_bold, heading=_bold,
                          text=lambda s: html.escape(s, quote=False), markup=True)
_LINE: Final = _Style(title=lambda s: s, heading=lambda s: f"{HEADING_MARK} {s}",
                      text=lambda s: s, markup=False)


def _text_pieces(style: _Style, text: str, before: str, limit: int,
                 marker: str = "") -> list[_Piece]:
    """A paragraph (or list item) as pieces of at most a quarter page each, so that a
    page break or the cap falls between sentences of a long paragraph (text_split.py)
    and never drops more than a quarter page. The pieces of one paragraph follow each
    other with nothing in between: on one page they read exactly as the paragraph."""
    shown = f"{marker} {text}" if marker else text
    chunks = [shown] if utf16_len(shown) <= limit // 4 else split_text(shown, limit // 4)
    return [style.piece(style.text(chunk), before if i == 0 else "")
            for i, chunk in enumerate(chunks)]


def _pieces(style: _Style, doc: LeafletText, lead: str, tail: str, limit: int) -> list[_Piece]:
    pieces: list[_Piece] = []
    for paragraph in _paragraphs(lead):
        pieces += _text_pieces(style, paragraph, "\n\n", limit)
    if doc.title:
        pieces.append(style.piece(style.title(truncate(doc.title, HEADING_CUT)), "\n\n",
                                  keep_with_next=True))
    for section in doc.sections:
        if section.heading:
            pieces.append(style.piece(style.heading(truncate(section.heading, HEADING_CUT)),
                                      "\n\n", keep_with_next=True))
        for index, block in enumerate(section.blocks):
            if index == 0:
                before = "\n" if section.heading else "\n\n"
            else:
                before = "\n\n" if block.gap else "\n"
            indent = "  " if block.marker == SUB_BULLET else ""
            pieces += _text_pieces(style, block.text, before, limit,
                                   marker=f"{indent}{block.marker}" if block.marker else "")
    for paragraph in _paragraphs(tail):
        pieces += _text_pieces(style, paragraph, "\n\n", limit)
    return pieces


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _fits(page: _Page, group: Sequence[_Piece], limit: int, max_entities: int) -> bool:
    size = page.size
    entities = page.entities
    for index, piece in enumerate(group):
        size += piece.size + (len(piece.before) if page.pieces or index else 0)
        entities += piece.entities
    return size <= limit and entities <= max_entities


def _paginate(pieces: list[_Piece], limit: int, max_entities: int) -> list[_Page]:
    pages: list[_Page] = [_Page()]
    index = 0
    while index < len(pieces):
        # A title or heading travels with the piece after it.
        end = index + 1
        while end < len(pieces) and pieces[end - 1].keep_with_next:
            end += 1
        group = pieces[index:end]
        page = pages[-1]
        if page.pieces and not _fits(page, group, limit, max_entities):
            page = _Page()
            pages.append(page)
        for piece in group:
            if page.pieces and not _fits(page, [piece], limit, max_entities):
                page = _Page()
                pages.append(page)
            page.add(piece)
        index = end
    return [p for p in pages if p.pieces]


def _shorten(pages: list[_Page], max_pages: int, note: _Piece, limit: int,
             max_entities: int) -> list[_Page]:
    """The first `max_pages` pages, the last one ending with `note`."""
    kept = pages[:max_pages]
    last = kept[-1]
    while last.pieces and (not _fits(last, [note], limit, max_entities)
                           or last.pieces[-1].keep_with_next):
        removed = last.pieces.pop()
        last.size -= removed.size + (len(removed.before) if last.pieces else 0)
        last.entities -= removed.entities
    last.add(note)
    return kept


def pages(channel: Channel, text: str, *, lead: str = "", tail: str = "",
          shortened: str = "", max_pages: int = LEAFLET_MAX_PAGES,
          limit: int | None = None) -> list[str]:
    """The leaflet `text` as the messages `channel` shows, in order: `lead` (plain
    lines above it, e.g. the offline label or "Translation (English)"), the leaflet,
    `tail` (plain lines below it). Telegram pages are HTML (send with parse_mode HTML);
    LINE pages are plain text. At most `max_pages`; a longer leaflet is cut between
    blocks and its last page ends with `shortened`."""
    style = _TELEGRAM if channel is Channel.TELEGRAM else _LINE
    room = limit or PAGE_LIMITS[channel]
    max_entities = TELEGRAM_ENTITIES if channel is Channel.TELEGRAM else 1 << 30
    pieces = _pieces(style, parse(text), lead, tail, room)
    laid = _paginate(pieces, room, max_entities)
    if len(laid) > max_pages and shortened.strip():
        note = style.piece(style.text(truncate(shortened.strip(), room // 4)), "\n\n")
        laid = _shorten(laid, max_pages, note, room, max_entities)
    elif len(laid) > max_pages:
        laid = laid[:max_pages]
    return [page.text() for page in laid]


def html_body(text: str) -> str:
    """The leaflet as escaped HTML (handout page, e-mail): the title as <h2>, headings
    as <h3>, list items as lists, paragraphs as paragraphs. No markup of the text
    survives, so a leaflet can inject nothing into a page."""
    doc = parse(text)
    out: list[str] = []
    if doc.title:
        out.append(f"<h2>{html.escape(doc.title)}</h2>")
    for section in doc.sections:
        if section.heading:
            out.append(f"<h3>{html.escape(section.heading)}</h3>")
        out += _html_blocks(section.blocks)
    return "\n".join(out)


def _html_blocks(blocks: Iterable[Block]) -> list[str]:
    out: list[str] = []
    open_list = ""
    for block in blocks:
        kind = "" if not block.marker else ("ol" if block.marker[0].isdigit() else "ul")
        if kind != open_list:
            if open_list:
                out.append(f"</{open_list}>")
            if kind:
                out.append(f"<{kind}>")
            open_list = kind
        if kind:
            out.append(f"<li>{html.escape(block.text)}</li>")
        else:
            out.append(f"<p>{html.escape(block.text)}</p>")
    if open_list:
        out.append(f"</{open_list}>")
    return out
