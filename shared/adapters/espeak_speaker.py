"""Speaker on espeak-ng (Debian package): offline speech for the embedded stack and
for deployments without a Gemini key.

The text goes to espeak-ng on stdin (never through a shell, never as an argument, so
a text starting with '-' is still text); SSML is off. espeak-ng writes WAV (22 050 Hz)
to stdout, which audio_codec turns into 16-bit mono PCM at 24 kHz.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from typing import Final

from shared.ports import LlmError, Speech

log = logging.getLogger(__name__)

# MedBot language code -> espeak-ng voice (`espeak-ng --voices`, espeak-ng 1.51).
VOICES: Final[dict[str, str]] = {
    "zh-TW": "cmn",  # Mandarin reads Traditional characters
    "zh-CN": "cmn",
    "nan": "cmn",  # no Taigi voice in espeak-ng: Han text read in Mandarin
    "yue": "yue",
    "en": "en-us",
    "ru": "ru",
    "vi": "vi",
    "id": "id",
    "th": "th",
    "tl": "id",  # no Tagalog voice: Indonesian phonology is the closest
    "ja": "ja",
    "ko": "ko",
    "es": "es-419",
    "fr": "fr-fr",
    "de": "de",
}
DEFAULT_VOICE: Final = "en-us"
WORDS_PER_MINUTE: Final = 160  # a little slower than espeak's 175 for patients


def voice_for(language: str) -> str:
    """The espeak-ng voice for a language code (base code tried, English last)."""
    if language in VOICES:
        return VOICES[language]
    base = language.split("-")[0].lower()
    return VOICES.get(base, DEFAULT_VOICE)


class EspeakSpeaker:
    def __init__(self, binary: str = "espeak-ng", timeout_s: float = 120.0) -> None:
        self._binary = binary
        self._timeout_s = timeout_s

    def speak(self, text: str, language: str) -> Speech:
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        path = shutil.which(self._binary)
        if path is None:
            raise LlmError("espeak-ng is not installed", retryable=False)
        voice = voice_for(language)
        try:
            done = subprocess.run(  # noqa: S603 (fixed argv, text on stdin, no shell)
                [path, "-v", voice, "-s", str(WORDS_PER_MINUTE), "-b", "1",
                 "--stdin", "--stdout"],
                input=text.encode("utf-8"), capture_output=True,
                timeout=self._timeout_s, check=False,
            )
        except subprocess.TimeoutExpired:
            log.warning("espeak-ng timed out", extra={"voice": voice})
            raise LlmError("espeak-ng timed out", retryable=True) from None
        if done.returncode != 0 or not done.stdout:
            log.warning("espeak-ng failed", extra={"voice": voice, "code": done.returncode})
            raise LlmError(f"espeak-ng failed (exit {done.returncode})", retryable=False)
        from shared.adapters.audio_codec import PCM_RATE, AudioError, wav_to_pcm  # PyAV

        try:
            pcm = wav_to_pcm(done.stdout, PCM_RATE)
        except AudioError as exc:
            raise LlmError(f"espeak-ng audio unreadable: {exc}", retryable=False) from None
        if not pcm:
            raise LlmError("espeak-ng produced no audio", retryable=False)
        return Speech(pcm, PCM_RATE)
