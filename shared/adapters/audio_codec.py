"""Audio encoding in-process with PyAV (its wheels bundle FFmpeg): no ffmpeg binary.

Speech engines give raw PCM, signed 16-bit little-endian mono (Gemini TTS: 24 kHz,
duration ms = bytes / 48). The platforms want containers:

* LINE audio messages: m4a (AAC in MP4) or mp3, with the duration in ms;
* Telegram sendVoice: OGG/Opus (shown as a voice message up to 1 MB).

Speech needs little: mono Opus at 24 kbit/s in its "voip" mode (tuned for speech
intelligibility) keeps a voice clear and a voice note small (about 5.5 minutes per MB);
AAC at 64 kbit/s for LINE, which plays m4a only and allows 200 MB.

Only the tts worker imports this module (PyAV loads FFmpeg's libraries): webhooks and
the other workers never do. Nothing here logs audio.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from fractions import Fraction
from typing import Literal

import av
from av.audio.frame import AudioFrame
from av.audio.resampler import AudioResampler
from av.audio.stream import AudioStream

from shared.ports import Speech

PCM_RATE = 24_000  # Hz, Gemini TTS output and what SpeechService works with
SAMPLE_BYTES = 2  # signed 16-bit
AAC_BITRATE = 64_000  # speech, mono: small files, clear voice
OPUS_BITRATE = 24_000  # speech: 16-24 kbit/s mono keeps it clear
OPUS_APPLICATION = "voip"  # libopus's speech mode (vs "audio" for music)
OPUS_RATES = (48_000, 24_000, 16_000, 12_000, 8_000)  # what libopus accepts
_CHUNK_SAMPLES = 4096


class AudioError(ValueError):
    """Audio that cannot be decoded or encoded (empty, odd-length, not WAV...)."""


def duration_ms(pcm: bytes, rate: int = PCM_RATE) -> int:
    """Length of 16-bit mono PCM in milliseconds (24 kHz: bytes / 48)."""
    if rate <= 0:
        raise AudioError("sample rate must be positive")
    return (len(pcm) // SAMPLE_BYTES) * 1000 // rate


def pcm_to_m4a(pcm: bytes, rate: int = PCM_RATE) -> bytes:
    """AAC-LC in an MP4 (.m4a) container, as LINE audio messages require."""
    return _encode(pcm, rate, container="ipod", codec="aac", codec_rate=rate,
                   bitrate=AAC_BITRATE, sample_format="fltp")


def pcm_to_ogg_opus(pcm: bytes, rate: int = PCM_RATE) -> bytes:
    """Opus in an OGG container: Telegram shows it as a voice message."""
    codec_rate = rate if rate in OPUS_RATES else 48_000
    return _encode(pcm, rate, container="ogg", codec="libopus", codec_rate=codec_rate,
                   bitrate=OPUS_BITRATE, sample_format="s16",
                   options={"application": OPUS_APPLICATION})


def wav_to_pcm(wav: bytes, target_rate: int = PCM_RATE) -> bytes:
    """Decode a WAV file (any rate, channels, sample format) to 16-bit mono PCM at
    target_rate."""
    if not wav:
        raise AudioError("no audio")
    resampler = AudioResampler(format="s16", layout="mono", rate=target_rate)
    out = bytearray()
    try:
        with av.open(io.BytesIO(wav), mode="r", format="wav") as source:
            stream = source.streams.audio[0]
            for frame in source.decode(stream):
                for converted in resampler.resample(frame):
                    out += _frame_bytes(converted)
            for converted in resampler.resample(None):
                out += _frame_bytes(converted)
    except (av.FFmpegError, IndexError) as exc:
        raise AudioError(f"not a readable WAV file ({type(exc).__name__})") from None
    return bytes(out)


# ---------------------------------------------------------------------- internals
def _check_pcm(pcm: bytes, rate: int) -> None:
    if not pcm:
        raise AudioError("no audio")
    if len(pcm) % SAMPLE_BYTES:
        raise AudioError("16-bit PCM must have an even number of bytes")
    if rate <= 0:
        raise AudioError("sample rate must be positive")


def _frames(pcm: bytes, rate: int) -> Iterator[AudioFrame]:
    step = _CHUNK_SAMPLES * SAMPLE_BYTES
    pts = 0
    for start in range(0, len(pcm), step):
        chunk = pcm[start:start + step]
        samples = len(chunk) // SAMPLE_BYTES
        frame = AudioFrame(format="s16", layout="mono", samples=samples)
        frame.planes[0].update(chunk)
        frame.sample_rate = rate
        frame.pts = pts
        frame.time_base = Fraction(1, rate)
        pts += samples
        yield frame


def _encode(pcm: bytes, rate: int, *, container: str, codec: str, codec_rate: int,
            bitrate: int, sample_format: str, options: dict[str, str] | None = None) -> bytes:
    _check_pcm(pcm, rate)
    buffer = io.BytesIO()
    resampler = AudioResampler(format=sample_format, layout="mono", rate=codec_rate)
    with av.open(buffer, mode="w", format=container) as output:
        stream = output.add_stream(codec, rate=codec_rate)
        if not isinstance(stream, AudioStream):
            raise AudioError(f"{codec} is not an audio codec")
        stream.layout = "mono"
        stream.bit_rate = bitrate
        if options:
            stream.codec_context.options = options
        for frame in _frames(pcm, rate):
            for converted in resampler.resample(frame):
                output.mux(stream.encode(converted))
        for converted in resampler.resample(None):
            output.mux(stream.encode(converted))
        output.mux(stream.encode(None))  # flush the encoder
    return buffer.getvalue()


def _frame_bytes(frame: AudioFrame) -> bytes:
    # Packed s16 mono: plane 0 holds the samples (the plane may be padded).
    return bytes(frame.planes[0])[: frame.samples * SAMPLE_BYTES]


class PyAvEncoder:
    """The AudioEncoder and WavDecoder ports on PyAV."""

    def decode_wav(self, wav: bytes) -> Speech:
        return Speech(wav_to_pcm(wav), PCM_RATE)

    def encode(self, pcm: bytes, rate: int, container: Literal["m4a", "ogg"]) -> bytes:
        if container == "m4a":
            return pcm_to_m4a(pcm, rate)
        if container == "ogg":
            return pcm_to_ogg_opus(pcm, rate)
        raise AudioError(f"unknown container: {container}")
