"""Voice notes of a long read-aloud: durations, sizes and parts per channel.

A long zh-TW leaflet (capped as the tts worker caps it: shared/domain/speech_text.py) is
spoken offline by espeak-ng, at its configured pace and at a slower one that lasts about
as long as the Gemini voice does for such a leaflet (the issue measured 1.3-2.1 MB at 32
kbit/s, 5.5-9 minutes). Each is encoded as the tts worker encodes it
(plumbing/voice_out.py): Telegram OGG/Opus voice notes of at most 1 MB, in numbered
parts when longer; LINE m4a. The figures before this change (one OGG/Opus file at 32
kbit/s) are printed beside them.

    .venv/bin/python -m bench.voice_notes [--words-per-minute 160 90]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time

from shared.adapters import audio_codec
from shared.adapters.audio_codec import PCM_RATE, PyAvEncoder, wav_to_pcm
from shared.domain.audio_parts import duration_ms
from shared.domain.channels import TELEGRAM_VOICE_MAX_BYTES, Channel
from shared.domain.speech_text import spoken_text
from shared.plumbing.voice_out import FORMATS, encode_parts

LEAFLET_ZH = "\n\n".join([
    "# 高血壓衛教",
    "## 概述\n高血壓是指血管內的壓力長期偏高。它通常沒有明顯症狀，卻會慢慢傷害心臟、"
    "大腦、腎臟和眼睛，所以被稱為沉默的殺手。",
    "## 重點\n- 每天早上起床後和晚上睡前量血壓，並把數字寫下來。\n- 少吃鹽，每天不超過五公克。"
    "\n- 多吃蔬菜水果，選擇全穀類和低脂奶類。\n- 每週至少運動一百五十分鐘，例如快走或游泳。"
    "\n- 戒菸，少喝酒，維持理想體重。\n- 按時服藥，不要自行停藥或改變劑量。",
    "## 常見問題\n問：血壓正常了，可以停藥嗎？\n答：不可以。血壓正常通常是藥物的效果，"
    "請和醫師討論後再調整。\n問：忘記吃藥怎麼辦？\n答：想起來時盡快補吃；如果已經接近下一次"
    "的時間，就跳過這一次，不要一次吃兩倍的量。",
    "## 現在可以做的事\n準備一本血壓記錄本，記下日期、時間和數值，回診時帶給醫師看。",
    "## 什麼時候要聯絡醫療團隊\n如果出現劇烈頭痛、胸痛、呼吸困難、視力模糊、單側手腳無力"
    "或說話不清楚，請立刻就醫或撥打一一九。",
] * 4)


def speak(text: str, words_per_minute: int) -> bytes:
    espeak = shutil.which("espeak-ng")
    if espeak is None:
        raise SystemExit("espeak-ng is not installed (scripts/install.sh installs it)")
    done = subprocess.run(
        [espeak, "-v", "cmn", "-s", str(words_per_minute), "-b", "1", "--stdin", "--stdout"],
        input=text.encode(), capture_output=True, check=True)
    return wav_to_pcm(done.stdout, PCM_RATE)


def old_single_file(pcm: bytes) -> int:
    """Before: one OGG/Opus file at 32 kbit/s, default (audio) mode."""
    return len(audio_codec._encode(pcm, PCM_RATE, container="ogg", codec="libopus",
                                   codec_rate=PCM_RATE, bitrate=32_000, sample_format="s16"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words-per-minute", type=int, nargs="+", default=[160, 90])
    args = parser.parse_args()
    text = spoken_text(LEAFLET_ZH).text
    print(f"leaflet: {len(LEAFLET_ZH)} characters; spoken (capped): {len(text)} characters")
    print(f"Telegram voice note limit: {TELEGRAM_VOICE_MAX_BYTES} bytes; Opus "
          f"{audio_codec.OPUS_BITRATE // 1000} kbit/s mono ({audio_codec.OPUS_APPLICATION})")
    encoder = PyAvEncoder()
    for wpm in args.words_per_minute:
        pcm = speak(text, wpm)
        seconds = duration_ms(pcm, PCM_RATE) / 1000
        started = time.perf_counter()
        parts = encode_parts(encoder, pcm, PCM_RATE, FORMATS[Channel.TELEGRAM])
        took = time.perf_counter() - started
        line = encode_parts(encoder, pcm, PCM_RATE, FORMATS[Channel.LINE])
        sizes = ", ".join(f"{len(p.data):,} B / {p.duration_ms / 1000:.0f} s" for p in parts)
        print(f"\nespeak-ng cmn at {wpm} wpm: {seconds / 60:.1f} min of speech")
        print(f"  before: one OGG/Opus file at 32 kbit/s: {old_single_file(pcm):,} bytes")
        print(f"  Telegram now: {len(parts)} voice note(s): {sizes} "
              f"(effective {sum(len(p.data) for p in parts) * 8 / seconds / 1000:.1f} kbit/s;"
              f" encoded in {took:.1f} s)")
        print(f"  LINE now: {len(line)} m4a file(s): "
              + ", ".join(f"{len(p.data):,} B" for p in line))
        assert all(len(p.data) <= TELEGRAM_VOICE_MAX_BYTES for p in parts)


if __name__ == "__main__":
    main()
