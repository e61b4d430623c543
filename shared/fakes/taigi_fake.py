"""FakeTaigi: an in-memory TaigiSpeech for tests and the embedded local stack.

It follows the port's rules as the real adapter does (tests/contract/
test_taigi_contract.py runs one suite on both): whitespace-only text is refused with
ValueError, romanize() gives TLPA-looking syllables with tone numbers, synthesize()
gives a real WAV file (16 kHz, 16-bit mono) whose length grows with the text, and
`fail_next` makes calls raise TaigiUnavailable as a dead iVoice would.
"""

from __future__ import annotations

import io
import math
import struct
import threading
import wave

from shared.ports import TaigiUnavailable

WAV_RATE = 16_000
SECONDS_PER_SYLLABLE = 0.15

# A few common characters of medical chats, so the offline romanisation looks real.
SYLLABLES: dict[str, str] = {
    "我": "gua2", "你": "li2", "頭": "thau5", "痛": "thiann3", "三": "sann1", "天": "thinn1",
    "了": "liau2", "有": "u7", "無": "bo5", "藥": "ioh8", "醫": "i1", "生": "sing1",
    "發": "huat4", "燒": "sio1", "肚": "too2", "子": "tsi2", "吃": "tsiah8", "食": "tsiah8",
    "好": "ho2", "病": "pinn7", "咳": "ka1", "嗽": "sau3", "血": "hueh4", "壓": "ap4",
    "高": "ko1", "水": "tsui2", "人": "lang5", "不": "m7", "要": "beh4", "是": "si7",
}


def pseudo_tlpa(text: str) -> str:
    """Deterministic TLPA-looking syllables: known characters mapped, other CJK
    characters 'a1', Latin words kept, punctuation dropped."""
    words: list[str] = []
    for char in text:
        if char in SYLLABLES:
            words.append(SYLLABLES[char])
        elif "\u4e00" <= char <= "\u9fff":
            words.append("a1")
        elif char.isascii() and char.isalnum():
            if words and words[-1].isalpha() and words[-1].isascii():
                words[-1] += char.lower()
            else:
                words.append(char.lower())
    return " ".join(words) or "a1"


def tone_wav(syllables: int, rate: int = WAV_RATE) -> bytes:
    """A WAV file: one short tone per syllable (audible, deterministic)."""
    samples = int(rate * SECONDS_PER_SYLLABLE * max(1, min(syllables, 400)))
    frames = b"".join(
        struct.pack("<h", int(6000 * math.sin(2 * math.pi * (220 + 40 * (i // 2400 % 5))
                                              * i / rate)))
        for i in range(samples)
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


class FakeTaigi:
    offline = True  # the embedded stack labels its Taigi output as a stand-in

    def __init__(self) -> None:
        self.calls: list[str] = []  # method names only, never text
        self._failures = 0
        self._lock = threading.Lock()

    def fail_next(self, count: int = 1) -> None:
        with self._lock:
            self._failures += count

    def romanize(self, text: str) -> str:
        self._enter("romanize", text)
        return pseudo_tlpa(text)

    def synthesize(self, tlpa: str) -> bytes:
        self._enter("synthesize", tlpa)
        return tone_wav(len(tlpa.split()))

    def _enter(self, method: str, text: str) -> None:
        with self._lock:
            self.calls.append(method)
            if not text.strip():
                raise ValueError("nothing to speak")
            if self._failures:
                self._failures -= 1
                raise TaigiUnavailable("injected iVoice failure")
