"""Where to cut long speech into parts (pure: PCM in, byte offsets out).

A Telegram voice note shows as one only up to 1 MB, so a long read-aloud goes out as
numbered parts. Each cut is placed at the quietest 20 ms near its even position (a pause
between words or sentences), never in the middle of a loud syllable if a quieter moment
is close by.
"""

from __future__ import annotations

from itertools import pairwise
from typing import Final

SAMPLE_BYTES: Final = 2  # signed 16-bit mono
FRAME_MS: Final = 20  # the unit of "quiet"
SEARCH_FRACTION: Final = 0.15  # a cut may move this share of a part's length ...
SEARCH_MAX_MS: Final = 4000  # ... but at most this far from its even position


def split_points(pcm: bytes, rate: int, parts: int) -> list[int]:
    """Byte offsets that cut 16-bit mono `pcm` into `parts` pieces of about equal length
    (the end of each piece but the last), each at the quietest 20 ms nearby."""
    if parts < 1 or rate <= 0:
        raise ValueError("parts and rate must be positive")
    samples = memoryview(pcm)[: len(pcm) - len(pcm) % SAMPLE_BYTES].cast("h")
    total = len(samples)
    if parts == 1 or total == 0:
        return []
    frame = max(1, rate * FRAME_MS // 1000)
    part = total / parts
    reach = int(min(part * SEARCH_FRACTION, rate * SEARCH_MAX_MS / 1000))
    cuts: list[int] = []
    for k in range(1, parts):
        even = int(part * k)
        start = max(cuts[-1] + frame if cuts else frame, even - reach)
        stop = min(total - frame, even + reach)
        best, quietest = even, None
        for at in range(start, max(start, stop - frame) + 1, frame):
            loudness = sum(abs(s) for s in samples[at:at + frame])
            if quietest is None or loudness < quietest:
                best, quietest = at + frame // 2, loudness
        cuts.append(min(max(best, 1), total - 1))
    return [cut * SAMPLE_BYTES for cut in cuts]


def pieces(pcm: bytes, cuts: list[int]) -> list[bytes]:
    """`pcm` cut at the byte offsets `cuts`."""
    bounds = [0, *cuts, len(pcm)]
    return [pcm[a:b] for a, b in pairwise(bounds) if b > a]


def duration_ms(pcm: bytes, rate: int) -> int:
    return (len(pcm) // SAMPLE_BYTES) * 1000 // rate
