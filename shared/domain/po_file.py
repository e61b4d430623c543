"""A reader for gettext .po catalogs, small enough for a cold start (stdlib only).

Babel writes and checks the catalogs (tests/unit/test_i18n.py reads every file with
Babel's own reader and compares); the functions read them with this, so no worker
or webhook imports Babel and nothing has to be compiled to .mo before a deploy.

What it reads is the part of the format the catalogs use: comments and flags, the
header, msgid / msgid_plural / msgstr / msgstr[N] with continuation lines, and the
escapes \\n \\t \\r \\" \\\\. A fuzzy or untranslated entry counts as missing, as it does
for msgfmt. Anything else (msgctxt, an unknown escape, a stray line) is an error
that names the line, so a broken catalog fails its test instead of a patient's message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

Message = str | tuple[str, ...]

_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPE: Final = re.compile(r"\\(.)")
_BODY: Final = re.compile(r'(?:[^"\\]|\\.)*\Z', re.DOTALL)
_KEYWORD: Final = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*")$')


class PoError(ValueError):
    pass


@dataclass
class PoCatalog:
    """Messages by id; a plural message is the tuple of its forms."""

    headers: dict[str, str] = field(default_factory=dict)
    messages: dict[str, Message] = field(default_factory=dict)
    flags: dict[str, frozenset[str]] = field(default_factory=dict)  # "#," flags by id

    @property
    def plural_forms(self) -> str | None:
        return self.headers.get("Plural-Forms")


@dataclass
class _Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgid: list[str] | None = None
    plural: list[str] | None = None
    strings: dict[int, list[str]] = field(default_factory=dict)
    last: list[str] | None = None  # where a continuation line goes


def _unquote(text: str, where: str) -> str:
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise PoError(f"{where}: expected a quoted string")
    body = text[1:-1]

    def replace(match: re.Match[str]) -> str:
        char = match.group(1)
        if char not in _ESCAPES:
            raise PoError(f"{where}: unknown escape \\{char}")
        return _ESCAPES[char]

    if not _BODY.match(body):
        raise PoError(f"{where}: unescaped quote or trailing backslash")
    return _ESCAPE.sub(replace, body)


def _finish(entry: _Entry, catalog: PoCatalog, name: str) -> None:
    where = f"{name}:{entry.line}"
    if entry.msgid is None:
        if entry.strings or entry.plural is not None:
            raise PoError(f"{where}: msgstr without msgid")
        return
    msgid = "".join(entry.msgid)
    if not entry.strings:
        raise PoError(f"{where}: msgid without msgstr")
    texts = ["".join(entry.strings[i]) for i in sorted(entry.strings)]
    if msgid == "":
        catalog.headers = _headers(texts[0])
        return
    if msgid in catalog.messages:
        raise PoError(f"{where}: {msgid!r} defined twice")
    if entry.plural is None and sorted(entry.strings) != [-1]:
        raise PoError(f"{where}: msgstr[N] without msgid_plural")
    if entry.plural is not None and sorted(entry.strings) != list(range(len(texts))):
        raise PoError(f"{where}: plural forms must be msgstr[0], msgstr[1], ...")
    if "fuzzy" in entry.flags or not all(texts):
        return  # not translated yet: the caller falls back
    catalog.messages[msgid] = texts[0] if entry.plural is None else tuple(texts)
    catalog.flags[msgid] = frozenset(entry.flags)


def _headers(text: str) -> dict[str, str]:
    pairs = (line.split(":", 1) for line in text.split("\n") if ":" in line)
    return {name.strip(): value.strip() for name, value in pairs}


def parse_po(text: str, name: str = "<po>") -> PoCatalog:
    catalog = PoCatalog()
    entry = _Entry(line=1)
    # Lines end at \n only: a message may hold other line separators (\x0b, \u2028...)
    # that str.splitlines() would cut at, and .po writers leave those as they are.
    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.strip(" \t\r")
        where = f"{name}:{number}"
        if not line or line.startswith("#"):
            if entry.msgid is not None and entry.strings:
                _finish(entry, catalog, name)
                entry = _Entry(line=number)
            if line.startswith("#,"):
                entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue  # comments, including obsolete (#~) entries
        if line.startswith('"'):
            if entry.last is None:
                raise PoError(f"{where}: continuation line without a keyword")
            entry.last.append(_unquote(line, where))
            continue
        match = _KEYWORD.match(line)
        if match is None:
            raise PoError(f"{where}: not a .po line (msgctxt is not used here)")
        keyword, index, quoted = match.groups()
        value = [_unquote(quoted, where)]
        if keyword == "msgid":
            if entry.msgid is not None:
                _finish(entry, catalog, name)
                entry = _Entry(line=number)
            entry.msgid = value
        elif keyword == "msgid_plural":
            if entry.msgid is None or entry.strings:
                raise PoError(f"{where}: msgid_plural out of place")
            entry.plural = value
        else:
            slot = -1 if index is None else int(index)
            if entry.msgid is None or slot in entry.strings:
                raise PoError(f"{where}: msgstr out of place")
            entry.strings[slot] = value
        entry.last = value
    _finish(entry, catalog, name)
    return catalog
