"""audio_codec: PCM -> m4a (AAC, LINE) and OGG/Opus (Telegram), WAV -> PCM 24 kHz.
Each result is decoded back with PyAV, so the checks are about real files."""

from __future__ import annotations

import io
import math
import struct
import wave

import av
import pytest

from shared.adapters.audio_codec import (
    AudioError,
    PyAvEncoder,
    duration_ms,
    pcm_to_m4a,
    pcm_to_ogg_opus,
    wav_to_pcm,
)


def sine(seconds: float, rate: int = 24_000, hz: float = 440.0) -> bytes:
    n = int(rate * seconds)
    return struct.pack(f"<{n}h", *(int(8000 * math.sin(2 * math.pi * hz * i / rate))
                                   for i in range(n)))


def decoded(data: bytes) -> tuple[str, str, int, int, float]:
    """(container, codec, channels, stream sample rate, decoded seconds)"""
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        samples = 0
        rate = 0
        for frame in container.decode(stream):
            samples += frame.samples
            rate = frame.sample_rate
        return (container.format.name, stream.codec_context.name,
                stream.codec_context.channels, stream.codec_context.sample_rate,
                samples / rate)


def wav_file(pcm: bytes, rate: int, channels: int = 1) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm)
    return buffer.getvalue()


def test_duration_of_24k_pcm_is_bytes_over_48():
    assert duration_ms(b"\0" * 48_000) == 1000
    assert duration_ms(sine(2.5)) == 2500
    assert duration_ms(b"\0" * 32_000, 16_000) == 1000


def test_m4a_is_aac_in_mp4_with_the_right_length():
    data = pcm_to_m4a(sine(2.0))
    assert data[4:8] == b"ftyp" and b"M4A" in data[8:12]  # an .m4a brand, as LINE wants
    container, codec, channels, rate, seconds = decoded(data)
    assert "mp4" in container and codec == "aac"
    assert channels == 1 and rate == 24_000
    # AAC adds one frame of priming (1024 samples = 43 ms at 24 kHz).
    assert abs(seconds - 2.0) < 0.1


def test_ogg_opus_is_a_telegram_voice_file_with_the_right_length():
    data = pcm_to_ogg_opus(sine(2.0))
    assert data[:4] == b"OggS" and b"OpusHead" in data[:200]
    container, codec, channels, _, seconds = decoded(data)
    assert container == "ogg" and codec == "opus" and channels == 1
    assert abs(seconds - 2.0) < 0.1


def test_opus_accepts_a_rate_libopus_lacks_by_resampling():
    _, codec, _, _, seconds = decoded(pcm_to_ogg_opus(sine(1.0, rate=22_050), 22_050))
    assert codec == "opus" and abs(seconds - 1.0) < 0.1


def test_port_encoder_chooses_the_container():
    encoder = PyAvEncoder()
    assert encoder.encode(sine(0.5), 24_000, "m4a")[4:8] == b"ftyp"
    assert encoder.encode(sine(0.5), 24_000, "ogg")[:4] == b"OggS"
    with pytest.raises(AudioError):
        encoder.encode(sine(0.5), 24_000, "mp3")  # type: ignore[arg-type]


@pytest.mark.parametrize("encode", [pcm_to_m4a, pcm_to_ogg_opus])
@pytest.mark.parametrize("bad", [b"", b"\x01\x02\x03"])
def test_empty_or_odd_pcm_is_refused(encode, bad):
    with pytest.raises(AudioError):
        encode(bad)


def test_wav_is_resampled_to_24k_mono():
    pcm = wav_to_pcm(wav_file(sine(1.0, rate=22_050, hz=300), 22_050))
    assert len(pcm) % 2 == 0
    assert abs(duration_ms(pcm) - 1000) < 30
    samples = struct.unpack(f"<{len(pcm) // 2}h", pcm)
    assert max(samples) > 6000  # the tone survived, not silence


def test_stereo_wav_becomes_mono():
    mono = sine(0.5, rate=48_000)
    stereo = b"".join(mono[i:i + 2] * 2 for i in range(0, len(mono), 2))
    pcm = wav_to_pcm(wav_file(stereo, 48_000, channels=2))
    assert abs(duration_ms(pcm) - 500) < 30


def test_the_same_rate_keeps_the_samples():
    original = sine(0.5)
    assert abs(len(wav_to_pcm(wav_file(original, 24_000))) - len(original)) <= 96


@pytest.mark.parametrize("bad", [b"", b"not a wav file at all" * 10])
def test_unreadable_wav_is_refused(bad):
    with pytest.raises(AudioError):
        wav_to_pcm(bad)
