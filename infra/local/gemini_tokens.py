"""About how many tokens Gemini's tokenizer counts in a text, and a text cut to a
number of tokens: what the local Gemini-protocol server (gemini_server.py) reports in
usageMetadata and where it cuts an answer that runs out of maxOutputTokens.

An estimate, not the real tokenizer: a wide (CJK) character is about one token, other
words about one per four characters; whitespace is free.
"""

from __future__ import annotations

import re
import unicodedata


def _piece_tokens(piece: str) -> int:
    if piece.isspace():
        return 0
    return 1  # a CJK character or a run of up to 4 other characters is about a token


def _pieces(text: str) -> list[str]:
    """Text in token-sized pieces: each wide (CJK) character alone, other words in runs
    of four characters, whitespace kept between them."""
    out: list[str] = []
    for match in re.finditer(r"\s+|[^\s]+", text):
        chunk = match.group()
        if chunk.isspace():
            out.append(chunk)
            continue
        run = ""
        for char in chunk:
            if unicodedata.east_asian_width(char) in ("W", "F"):
                if run:
                    out.append(run)
                    run = ""
                out.append(char)
            else:
                run += char
                if len(run) == 4:
                    out.append(run)
                    run = ""
        if run:
            out.append(run)
    return out


def tokens(text: str) -> int:
    """About how many tokens the real tokenizer counts (4 Latin chars, 1 CJK char)."""
    return sum(_piece_tokens(p) for p in _pieces(text))


def truncate(text: str, limit: int) -> str:
    """The first `limit` tokens of text, as a cut-off answer has them."""
    used, out = 0, []
    for piece in _pieces(text):
        cost = _piece_tokens(piece)
        if used + cost > limit:
            break
        used += cost
        out.append(piece)
    return "".join(out).rstrip()
