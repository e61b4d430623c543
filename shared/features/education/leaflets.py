"""Leaflet documents as people read them outside the chat (pure, no I/O):

* the printable handout page (HTML, also rendered to PDF by a PdfRenderer);
* the e-mail (plain text + HTML) with the original, the translation, the references
  and the disclaimer;
* the strict e-mail address check used before anything is queued.

A leaflet is read into its title, headings, lists and paragraphs whatever Markdown a
model wrote (shared/domain/leaflet_format.py): the page and the e-mail's HTML show those
as tags and everything else escaped, so a leaflet can never inject markup, scripts or
remote resources into a page or an e-mail; the e-mail's text part is the plain form.

A grounded leaflet's Google Search Suggestions go wherever it goes. The handout page
embeds the searchEntryPoint HTML exactly as Gemini gave it (the terms ask for it
unchanged); its Content-Security-Policy allows exactly the inline styles on the page
(by hash) and nothing else: no script, no remote resource. Paper and e-mail cannot
hold the chips, so the PDF and the e-mail list each suggestion as a link.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any, Final

from shared.domain import leaflet_format
from shared.domain.i18n import t
from shared.domain.messages import Card

MAX_EMAIL_CHARS: Final = 254  # RFC 5321 path limit
_LOCAL_PART_CHARS: Final = 64
# Strict on purpose: dot-atom local part, ASCII domain of labels, alphabetic TLD. Quoted
# local parts, IP literals, comments and whitespace are refused (nothing to inject).
_EMAIL: Final = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
SUBJECT_TOPIC_CHARS: Final = 80

# Fonts the handout asks for: Noto CJK (Debian fonts-noto-cjk) covers Han, kana,
# Hangul, Latin and Cyrillic; DejaVu is the fallback for anything else.
HANDOUT_FONTS: Final = {
    "zh-TW": '"Noto Sans CJK TC"', "zh-CN": '"Noto Sans CJK SC"', "ja": '"Noto Sans CJK JP"',
    "ko": '"Noto Sans CJK KR"', "nan": '"Noto Sans CJK TC"',
}
_DEFAULT_FONTS: Final = '"Noto Sans CJK TC", "Noto Sans", "DejaVu Sans", sans-serif'


def normalize_email(text: str) -> str | None:
    """The address if `text` is one valid e-mail address (strict), else None."""
    address = text.strip()
    if not address or len(address) > MAX_EMAIL_CHARS or not _EMAIL.fullmatch(address):
        return None
    local, _, domain = address.rpartition("@")
    if len(local) > _LOCAL_PART_CHARS or ".." in address:
        return None
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class LeafletView:
    """What a reader gets: the leaflet, its latest translation and its references."""

    topic: str
    language: str
    text: str
    references: Sequence[Card] = ()
    translation_language: str | None = None
    translation: str | None = None
    offline_note: str = ""
    suggestions: Sequence[Card] = ()  # Google Search Suggestions: query, results link
    search_html: str = ""  # searchEntryPoint.renderedContent, as received

    @classmethod
    def from_doc(cls, doc: dict[str, Any], offline_note: str = "") -> LeafletView:
        code = doc.get("last_translation")
        translations = doc.get("translations") or {}
        entry = translations.get(code) if isinstance(code, str) else None
        search = doc.get("search") or {}
        return cls(
            topic=str(doc.get("topic", "")), language=str(doc.get("language", "en")),
            text=str(doc.get("text", "")),
            references=tuple(Card(title=str(s.get("title") or s.get("url")), url=str(s["url"]))
                             for s in doc.get("sources") or [] if s.get("url")),
            translation_language=code if entry else None,
            translation=str(entry["text"]) if entry else None,
            offline_note=offline_note,
            suggestions=tuple(Card(title=str(s["query"]), url=str(s["url"]))
                              for s in search.get("suggestions") or []
                              if s.get("query") and s.get("url")),
            search_html=str(search.get("html") or ""),
        )


@dataclass(frozen=True)
class EmailBodies:
    subject: str
    text: str
    html: str


def _references_html(lang: str, references: Sequence[Card]) -> str:
    if not references:
        return ""
    items = "".join(
        f'<li><a href="{html.escape(c.url, quote=True)}">{html.escape(c.title)}</a>'
        f"<br><small>{html.escape(c.url)}</small></li>"
        for c in references
    )
    return f"<h2>{html.escape(t(lang, 'education.references'))}</h2><ol>{items}</ol>"


def _suggestion_links_html(lang: str, suggestions: Sequence[Card]) -> str:
    """The search suggestions as plain links (PDF, e-mail): each query as given."""
    if not suggestions:
        return ""
    items = "".join(f'<li><a href="{html.escape(c.url, quote=True)}">{html.escape(c.title)}'
                    "</a></li>" for c in suggestions)
    return (f'<section class="search-suggestions"><h2>'
            f"{html.escape(t(lang, 'education.search_suggestions'))}</h2><ul>{items}</ul>"
            "</section>")


def _suggestions_html(lang: str, view: LeafletView, *, chips: bool) -> str:
    if chips and view.search_html:
        # Exactly as provided, at the width of the leaflet (the display requirements).
        return f'<section class="search-suggestions">{view.search_html}</section>'
    return _suggestion_links_html(lang, view.suggestions)


def _sections_html(lang: str, view: LeafletView, *, emergency: str, chips: bool = False) -> str:
    parts = []
    if view.offline_note:
        parts.append(f'<p class="note">{html.escape(view.offline_note)}</p>')
    parts.append(f'<section lang="{html.escape(view.language)}">'
                 f"{leaflet_format.html_body(view.text)}</section>")
    parts.append(_suggestions_html(lang, view, chips=chips))
    if view.translation and view.translation_language:
        name = t(lang, f"lang.{view.translation_language}")
        parts.append(
            f'<section class="translation" lang="{html.escape(view.translation_language)}">'
            f"<h2>{html.escape(t(lang, 'education.translation_heading', target=name))}</h2>"
            f"{leaflet_format.html_body(view.translation)}</section>"
        )
    parts.append(_references_html(lang, view.references))
    disclaimer = t(lang, "education.disclaimer", emergency=emergency)
    parts.append(f'<p class="disclaimer">{html.escape(disclaimer)}</p>')
    return "\n".join(p for p in parts if p)


class _InlineStyles(HTMLParser):
    """Every inline style of a page: <style> element bodies and style attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.blocks: list[str] = []
        self.attributes: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._in_style = tag == "style"
        if self._in_style:
            self.blocks.append("")
        self.attributes.extend(value for name, value in attrs
                               if name == "style" and value is not None)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:  # <style> is raw text: no entities are decoded in it
            self.blocks[-1] += data


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def content_security_policy(body: str) -> str:
    """A CSP for a self-contained page: nothing may load or run, and exactly the
    page's own inline styles apply (by hash), including those of embedded HTML."""
    found = _InlineStyles()
    found.feed(body)
    found.close()
    styles = sorted({_hash(b) for b in found.blocks} | {_hash(a) for a in found.attributes})
    unsafe_hashes = ["'unsafe-hashes'"] if found.attributes else []
    return ("default-src 'none'; " + " ".join(["style-src", *unsafe_hashes, *styles])
            + "; img-src data:; base-uri 'none'; form-action 'none'")


def handout_html(lang: str, view: LeafletView, *, emergency: str, printable: bool = False) -> str:
    """A self-contained page (no scripts, no remote resources). The web page embeds the
    search suggestions' own HTML; the printable one (PDF) lists them as links. The
    disclaimer names the emergency number (domain/emergency.py)."""
    fonts = HANDOUT_FONTS.get(view.language, "")
    family = f"{fonts}, {_DEFAULT_FONTS}" if fonts else _DEFAULT_FONTS
    title = html.escape(t(lang, "education.handout_title", topic=view.topic))
    style = (
        "<style>"
        "@page{size:A4;margin:18mm}"
        f"body{{font-family:{family};line-height:1.5;max-width:46em;margin:auto;"
        "padding:1em;color:#111}"
        "h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.2em}"
        ".translation{border-top:2px solid #999;margin-top:2em}"
        ".note,.disclaimer{color:#555;font-size:.9em}"
        "small{color:#555;word-break:break-all}"
        ".search-suggestions{margin:1.5em 0}"
        "</style>"
    )
    sections = _sections_html(lang, view, emergency=emergency, chips=not printable)
    body = f"<h1>{title}</h1>\n{sections}"
    policy = html.escape(content_security_policy(style + body), quote=True)
    return (
        f'<!DOCTYPE html><html lang="{html.escape(view.language)}"><head>'
        '<meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">'
        '<meta name="viewport" content="width=device-width">'
        "<meta name=\"robots\" content=\"noindex\">"
        f"<title>{title}</title>{style}</head><body>{body}</body></html>"
    )


def _subject(lang: str, topic: str) -> str:
    clean = " ".join(topic.split())  # no CR/LF can reach a header
    if len(clean) > SUBJECT_TOPIC_CHARS:
        clean = clean[: SUBJECT_TOPIC_CHARS - 1] + "…"
    return t(lang, "education.email_subject", topic=clean)


def email_bodies(lang: str, view: LeafletView, *, emergency: str) -> EmailBodies:
    text_parts = []
    if view.offline_note:
        text_parts.append(view.offline_note)
    text_parts.append(leaflet_format.normalize(view.text))
    if view.translation and view.translation_language:
        name = t(lang, f"lang.{view.translation_language}")
        heading = t(lang, "education.translation_heading", target=name)
        text_parts.append(f"—— {heading} ——\n\n{leaflet_format.normalize(view.translation)}")
    if view.suggestions:
        lines = [f"🔍 {c.title}\n   {c.url}" for c in view.suggestions]
        text_parts.append(t(lang, "education.search_suggestions") + ":\n" + "\n".join(lines))
    if view.references:
        lines = [f"{i}. {c.title}\n   {c.url}" for i, c in enumerate(view.references, 1)]
        text_parts.append(t(lang, "education.references") + ":\n" + "\n".join(lines))
    text_parts.append(t(lang, "education.disclaimer", emergency=emergency))
    subject = _subject(lang, view.topic)
    page = (
        f'<!DOCTYPE html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        '<body style="font-family:sans-serif;line-height:1.5">'
        f"{_sections_html(lang, view, emergency=emergency)}</body></html>"
    )
    return EmailBodies(subject=subject, text="\n\n".join(text_parts) + "\n", html=page)
