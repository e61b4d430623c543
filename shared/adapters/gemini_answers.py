"""Reading what the Gemini API answers, without the SDK: finish reasons, Google Search
Suggestions, retry hints of a 429 and the format of generated speech.

Pure functions on plain values, so they are tested without a server. The Gemini
adapter (adapters/gemini.py) feeds them the SDK's fields.
"""

from __future__ import annotations

import array
import io
import re
import sys
import wave
from dataclasses import dataclass
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any, Final
from urllib.parse import quote_plus, urlsplit
from zoneinfo import ZoneInfo

from shared.ports import LlmError, LlmFailure, SearchSuggestion, Speech

GOOGLE_SEARCH: Final = "https://www.google.com/search?q="
# Per-day quotas of the Gemini API reset at midnight Pacific time (rate-limits page).
QUOTA_DAY_ZONE: Final = ZoneInfo("America/Los_Angeles")
_DURATION: Final = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")


# --------------------------------------------------------------------------- finish
def finish_failure(reason: str | None) -> LlmFailure | None:
    """None for a complete answer (STOP); else why it is not one. MAX_TOKENS is a cut-off
    answer; RECITATION stopped at a recited source; every other reason (SAFETY,
    PROHIBITED_CONTENT, BLOCKLIST, SPII, OTHER, ...) or none at all is a refusal."""
    if reason == "STOP":
        return None
    if reason == "MAX_TOKENS":
        return "truncated"
    if reason == "RECITATION":
        return "recitation"
    return "refused"


# --------------------------------------------------------------------------- suggestions
class _Chips(HTMLParser):
    """The <a class="chip" href=...>query</a> links of searchEntryPoint.renderedContent."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chips: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a" and "chip" in (values.get("class") or "").split():
            self._href, self._text = values.get("href") or "", []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.chips.append((" ".join("".join(self._text).split()), self._href))
            self._href = None


def _results_page(url: str) -> bool:
    """A link that opens a Google results page directly (no redirect in between)."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    return (parts.scheme == "https" and parts.path == "/search"
            and (host == "google.com" or host.startswith("www.google.")))


def search_url(query: str) -> str:
    return GOOGLE_SEARCH + quote_plus(query)


def suggestions(queries: list[str] | None, rendered: str | None) -> tuple[SearchSuggestion, ...]:
    """Each webSearchQueries entry, exactly as given, with the link of its chip in
    renderedContent (or the results-page URL built from the query when no chip
    matches); then any chip without a query of its own. Duplicates once."""
    parser = _Chips()
    if rendered:
        parser.feed(rendered)
        parser.close()
    chips = {text: href for text, href in parser.chips if text}
    out: dict[str, SearchSuggestion] = {}
    for query in queries or []:
        if not query.strip() or query in out:
            continue
        href = chips.get(" ".join(query.split()), "")
        out[query] = SearchSuggestion(query, href if _results_page(href) else search_url(query))
    matched = {" ".join(q.split()) for q in out}
    for text, href in parser.chips:
        if text and text not in matched and text not in out:
            out[text] = SearchSuggestion(text, href if _results_page(href) else search_url(text))
    return tuple(out.values())


# --------------------------------------------------------------------------- retry hints
@dataclass(frozen=True)
class RetryHint:
    delay_s: float | None  # google.rpc.RetryInfo.retryDelay
    per_day: bool  # a google.rpc.QuotaFailure names a per-day quota


def retry_hint(details: Any) -> RetryHint:
    """RetryInfo and QuotaFailure from an error body ({"error": {"details": [...]}})."""
    error = details.get("error", details) if isinstance(details, dict) else {}
    items = error.get("details") if isinstance(error, dict) else None
    delay: float | None = None
    per_day = False
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        kind = str(item.get("@type", ""))
        if kind.endswith("google.rpc.RetryInfo"):
            delay = _seconds(item.get("retryDelay"))
        elif kind.endswith("google.rpc.QuotaFailure"):
            for violation in item.get("violations") or []:
                quota = str((violation or {}).get("quotaId", ""))
                per_day = per_day or "PerDay" in quota
    return RetryHint(delay, per_day)


def _seconds(value: Any) -> float | None:
    """A protobuf Duration as JSON ("37s", "20.04466179s") or {"seconds", "nanos"}."""
    if isinstance(value, str):
        match = _DURATION.match(value)
        return float(match.group(1)) if match else None
    if isinstance(value, dict):
        return float(value.get("seconds", 0)) + float(value.get("nanos", 0)) / 1e9
    return None


def quota_reset(now: datetime) -> datetime:
    """When a per-day quota exhausted at `now` is available again (midnight Pacific)."""
    local = now.astimezone(QUOTA_DAY_ZONE)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(),
                                tzinfo=QUOTA_DAY_ZONE)
    return midnight.astimezone(now.tzinfo)


# --------------------------------------------------------------------------- speech
_L16 = frozenset({"audio/l16", "audio/pcm"})
_WAV = frozenset({"audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"})


def _mime_parts(mime: str) -> tuple[str, dict[str, str]]:
    main, *params = mime.split(";")
    values: dict[str, str] = {}
    for param in params:
        key, _, value = param.partition("=")
        values[key.strip().lower()] = value.strip().strip('"')
    return main.strip().lower(), values


def speech_from(data: bytes, mime: str) -> Speech:
    """16-bit mono speech from generated audio: raw L16 PCM at the rate its mime type
    declares (`audio/L16;codec=pcm;rate=24000`, little-endian as Gemini sends it), or a
    complete WAV file (its header tells the rate). Anything else is refused clearly."""
    kind, params = _mime_parts(mime)
    if kind in _L16:
        if params.get("codec", "pcm").lower() != "pcm":
            raise _unreadable(mime)
        try:
            rate = int(params["rate"])
            channels = int(params.get("channels", "1"))
        except (KeyError, ValueError):
            raise LlmError(f"speech format {mime!r} has no usable rate", retryable=False,
                           kind="invalid") from None
        pcm = data[: len(data) - len(data) % (2 * channels)]
        return _checked(_mono(pcm, channels), rate, mime)
    if kind in _WAV:
        try:
            with wave.open(io.BytesIO(data), "rb") as audio:
                if audio.getsampwidth() != 2:
                    raise LlmError(f"WAV speech with {8 * audio.getsampwidth()}-bit samples "
                                   "is not supported", retryable=False, kind="invalid")
                channels, rate = audio.getnchannels(), audio.getframerate()
                pcm = audio.readframes(audio.getnframes())
        except (wave.Error, EOFError) as exc:
            raise LlmError(f"speech is not a readable WAV file ({exc})", retryable=False,
                           kind="invalid") from None
        return _checked(_mono(pcm, channels), rate, mime)
    raise _unreadable(mime)


def _unreadable(mime: str) -> LlmError:
    return LlmError(f"unsupported speech format {mime!r} (expected audio/L16 PCM or WAV)",
                    retryable=False, kind="invalid")


def _checked(pcm: bytes, rate: int, mime: str) -> Speech:
    if not 1000 <= rate <= 384_000:
        raise LlmError(f"speech format {mime!r} declares an impossible rate", retryable=False,
                       kind="invalid")
    return Speech(pcm=pcm, rate=rate)


def _mono(pcm: bytes, channels: int) -> bytes:
    """Interleaved 16-bit little-endian frames averaged down to one channel."""
    if channels <= 1:
        return pcm
    samples = array.array("h")
    samples.frombytes(pcm)
    if sys.byteorder != "little":
        samples.byteswap()
    mono = array.array("h", (sum(samples[i:i + channels]) // channels
                             for i in range(0, len(samples) - channels + 1, channels)))
    if sys.byteorder != "little":
        mono.byteswap()
    return mono.tobytes()
