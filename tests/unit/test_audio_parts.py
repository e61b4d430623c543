"""Cutting long speech into voice notes (domain/audio_parts.py, plumbing/voice_out.py)."""

from __future__ import annotations

import math
import struct

import pytest

from shared.domain.audio_parts import duration_ms, pieces, split_points
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Audio, Button
from shared.plumbing.voice_out import FORMATS, AudioFormat, audio_messages, encode_parts

RATE = 24_000


def tone(seconds: float, amplitude: int = 12_000) -> bytes:
    n = int(RATE * seconds)
    return b"".join(struct.pack("<h", int(amplitude * math.sin(i / 7))) for i in range(n))


def silence(seconds: float) -> bytes:
    return b"\x00\x00" * int(RATE * seconds)


def test_cuts_land_in_the_pauses_near_the_even_positions():
    # 3 "sentences" of 10 s with 0.4 s pauses after the first and the second.
    pcm = tone(10) + silence(0.4) + tone(10) + silence(0.4) + tone(10)
    cuts = split_points(pcm, RATE, 3)
    assert len(cuts) == 2
    for cut, pause_start in zip(cuts, (10.0, 20.4), strict=True):
        at = cut / 2 / RATE
        assert pause_start <= at <= pause_start + 0.4, at
    assert b"".join(pieces(pcm, cuts)) == pcm


def test_without_pauses_the_parts_are_about_equal():
    pcm = tone(30)
    parts = pieces(pcm, split_points(pcm, RATE, 4))
    lengths = [duration_ms(p, RATE) for p in parts]
    assert len(parts) == 4 and max(lengths) - min(lengths) < 3000
    assert split_points(pcm, RATE, 1) == []


class SizeEncoder:
    """Bytes proportional to the audio's length (24 kbit/s), with a fixed overhead."""

    def __init__(self) -> None:
        self.calls: list[int] = []

    def encode(self, pcm: bytes, rate: int, container: str) -> bytes:
        self.calls.append(len(pcm))
        return b"x" * (200 + duration_ms(pcm, rate) * 3)  # 3 bytes per ms


def test_long_speech_becomes_parts_within_the_limit_encoded_once():
    encoder = SizeEncoder()
    pcm = silence(540)  # 9 minutes: 1.62 MB at 3 bytes/ms
    parts = encode_parts(encoder, pcm, RATE, FORMATS[Channel.TELEGRAM])
    assert len(parts) == 2
    assert all(len(p.data) <= 1_000_000 for p in parts)
    assert abs(sum(p.duration_ms for p in parts) - 540_000) <= 2
    assert len(encoder.calls) == 1 + len(parts)  # a 30 s probe, then each part once


def test_short_speech_is_one_file_and_line_takes_long_speech_whole():
    parts = encode_parts(SizeEncoder(), silence(60), RATE, FORMATS[Channel.TELEGRAM])
    assert len(parts) == 1 and parts[0].duration_ms == 60_000
    line = encode_parts(SizeEncoder(), silence(1200), RATE, FORMATS[Channel.LINE])
    assert len(line) == 1  # LINE: m4a up to 200 MB, no length limit


def test_an_encoder_larger_than_its_probe_promised_is_cut_again():
    class Growing(SizeEncoder):
        def encode(self, pcm: bytes, rate: int, container: str) -> bytes:
            data = super().encode(pcm, rate, container)
            return data if len(pcm) <= RATE * 2 * 30 else data * 2  # beyond the probe

    parts = encode_parts(Growing(), silence(300), RATE, FORMATS[Channel.TELEGRAM])
    assert len(parts) >= 2 and all(len(p.data) <= 1_000_000 for p in parts)


def test_audio_that_never_fits_is_refused():
    with pytest.raises(ValueError):
        encode_parts(SizeEncoder(), silence(10), RATE, AudioFormat("ogg", "audio/ogg", 100))


def test_parts_are_numbered_and_the_buttons_go_under_the_last():
    menu = [Button(label="Menu", data="menu")]
    messages = audio_messages("en", [("https://a/1.ogg", 1000), ("https://a/2.ogg", 2000)],
                              "audio/ogg", menu)
    assert [m.caption for m in messages if isinstance(m, Audio)] == [
        t("en", "speech.part", part=1, parts=2), t("en", "speech.part", part=2, parts=2)]
    assert [m.buttons for m in messages] == [[], menu]
    [single] = audio_messages("en", [("https://a/1.ogg", 1000)], "audio/ogg", menu)
    assert isinstance(single, Audio) and single.caption == "" and single.buttons == menu
