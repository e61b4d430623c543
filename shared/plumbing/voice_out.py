"""Speech as the platforms play it: the container each channel needs, in parts that
stay within its documented maxima.

* Telegram sendVoice: OGG/Opus; shown as a voice note only up to 1 MB (larger ones
  arrive as files). Long speech goes out as numbered voice notes of at most 1 MB.
* LINE audio message: m4a over HTTPS with its duration; at most 200 MB, no length limit.

Read-alouds (features/speech) and Taigi speech (features/translation/taigi.py) both go through
here. The encoder is measured, not trusted: a part still over the limit is cut again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

from shared.domain.audio_parts import duration_ms, pieces, split_points
from shared.domain.channels import LINE_AUDIO_MAX_BYTES, TELEGRAM_VOICE_MAX_BYTES, Channel
from shared.domain.i18n import t
from shared.domain.messages import Audio, Button, OutMessage
from shared.ports import AudioEncoder

# Aim a little under the limit: the part count is estimated from a probe's size.
FILL: Final = 0.9
PROBE_S: Final = 30
MAX_ROUNDS: Final = 8


@dataclass(frozen=True)
class AudioFormat:
    container: Literal["m4a", "ogg"]
    mime: str
    max_bytes: int


FORMATS: Final[dict[Channel, AudioFormat]] = {
    Channel.LINE: AudioFormat("m4a", "audio/mp4", LINE_AUDIO_MAX_BYTES),
    Channel.TELEGRAM: AudioFormat("ogg", "audio/ogg", TELEGRAM_VOICE_MAX_BYTES),
}


@dataclass(frozen=True)
class VoicePart:
    data: bytes
    duration_ms: int


def encode_parts(encoder: AudioEncoder, pcm: bytes, rate: int,
                 fmt: AudioFormat) -> list[VoicePart]:
    """16-bit mono PCM as one or more files of at most `fmt.max_bytes` each, in order.
    ValueError if the audio cannot be encoded (or not within the limit).

    The part count comes from the size of the first seconds, encoded as a probe, so a
    long read-aloud is encoded once, in its parts, not once whole and again in parts."""
    total_ms = max(1, duration_ms(pcm, rate))
    probe = pcm[: rate * PROBE_S * 2]
    if len(probe) < len(pcm):
        estimate = len(encoder.encode(probe, rate, fmt.container)) * total_ms \
            / max(1, duration_ms(probe, rate))
        count = max(1, math.ceil(estimate / (fmt.max_bytes * FILL)))
    else:
        count = 1
    for _ in range(MAX_ROUNDS):
        chunks = pieces(pcm, split_points(pcm, rate, count)) if count > 1 else [pcm]
        parts = [VoicePart(encoder.encode(chunk, rate, fmt.container),
                           max(1, duration_ms(chunk, rate))) for chunk in chunks]
        largest = max(len(part.data) for part in parts)
        if largest <= fmt.max_bytes:
            return parts
        count = max(count + 1, math.ceil(count * largest / (fmt.max_bytes * FILL)))
    raise ValueError(f"audio does not fit {fmt.max_bytes} bytes per part")


def audio_messages(lang: str, parts: list[tuple[str, int]], mime: str,
                   buttons: list[Button], *, title: str = "") -> list[OutMessage]:
    """One Audio per part, each titled with what it is ("🔊 Read aloud: Diabetes") and
    numbered when there are several ("Part 1 of 3"), the buttons under the last one."""
    messages: list[OutMessage] = []
    for index, (url, duration) in enumerate(parts):
        caption = t(lang, "speech.part", part=index + 1, parts=len(parts)) \
            if len(parts) > 1 else ""
        last = index == len(parts) - 1
        messages.append(Audio(url=url, duration_ms=max(1, duration), mime=mime, title=title,
                              caption=caption, buttons=buttons if last else []))
    return messages
