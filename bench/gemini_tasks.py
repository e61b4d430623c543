"""Tokens and latency per model task, through the real Gemini adapter (google-genai).

Each task runs as MedBot runs it (shared/adapters/gemini.py, shared/domain/prompts.py),
with the thinking level the service asks for; translation and command parsing also run
once more at the model's default level, to show what minimal thinking saves.

    .venv/bin/python -m bench.gemini_tasks [--repeat 5]          # local stand-in
    GEMINI_BACKEND=vertex GCP_PROJECT=... .venv/bin/python -m bench.gemini_tasks --real
    GEMINI_API_KEY=... .venv/bin/python -m bench.gemini_tasks --real   # made-up data only

Against the local Gemini-protocol server (the default; no network) the token counts
are that server's model of the service (about 4 Latin characters or 1 CJK character
per token; a Gemini 3 model thinking 3x its prompt unless asked for MINIMAL) and the
latency is only the local round trip: the figures show the method and the relative
cost of thinking, not Google's numbers. `--real` measures the configured backend
with the functions' own settings. No prompt or answer text is printed.
"""

from __future__ import annotations

import argparse
import io
import math
import statistics
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.local.gemini_server import GeminiServer, sine_pcm
from shared.adapters.gemini import GeminiModel
from shared.domain import prompts
from shared.medication.model_command import ModelCommand, schedule_data
from shared.ports import Thinking
from shared.settings import Settings, load_settings

LEAFLET_TOPIC = "高血壓"
LEAFLET = ("# 高血壓衛教\n\n## 概述\n" + "高血壓是血管壓力長期偏高，會增加中風與心臟病的風險。" * 8
           + "\n\n## 重點\n" + "- 每天量血壓並記錄。\n- 少鹽、多蔬果、規律運動。\n" * 6
           + "\n## 常見問題\n" + "問：需要一直吃藥嗎？答：請依醫師指示，不要自行停藥。\n" * 6
           + "\n本單張為一般資訊，不是醫療建議。")
MESSAGE = "I have had a headache for three days and the pills from the pharmacy don't help."
COMMAND = "my doctor wants me on the blood pressure pill lisinopril 10 mg each morning at 7"
SCHEDULE = schedule_data([("m1", "aspirin", "100 mg", ["08:00"])])
SPOKEN = "Take one tablet twice a day, after breakfast and after dinner, with water."


@dataclass
class Row:
    task: str
    thinking: str
    latencies_ms: list[float] = field(default_factory=list)
    input_tokens: list[int] = field(default_factory=list)
    output_tokens: list[int] = field(default_factory=list)
    thought_tokens: list[int] = field(default_factory=list)
    calls: int = 0


class Usage:
    """Collects usage_metadata of each answer (the adapter's usage observer)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    def __call__(self, model: str, usage: Any) -> None:
        self.seen.append(usage)


def _wav(seconds: float) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(sine_pcm(seconds, rate=16_000))
    return buffer.getvalue()


def tasks(model: GeminiModel) -> list[tuple[str, str, Callable[[], object]]]:
    audio = _wav(4.0)

    def leaflet() -> object:
        return model.generate(prompts.leaflet_system("zh-TW"),
                              prompts.leaflet_prompt(LEAFLET_TOPIC), grounded=True)

    def leaflet_translation(thinking: Thinking) -> Callable[[], object]:
        return lambda: model.generate(prompts.leaflet_translation_system("en"),
                                      prompts.leaflet_translation_prompt(LEAFLET),
                                      thinking=thinking)

    def translation(thinking: Thinking) -> Callable[[], object]:
        return lambda: model.generate_json(prompts.translation_system("zh-TW"),
                                           prompts.translation_prompt(MESSAGE),
                                           prompts.MedicalTranslation, thinking=thinking)

    def command(thinking: Thinking) -> Callable[[], object]:
        return lambda: model.generate_json(prompts.medication_system(),
                                           prompts.medication_prompt(COMMAND, SCHEDULE),
                                           ModelCommand, thinking=thinking)

    return [
        ("leaflet (grounded)", "default", leaflet),
        ("leaflet translation", "minimal", leaflet_translation("minimal")),
        ("leaflet translation", "default", leaflet_translation("default")),
        ("medical translation", "minimal", translation("minimal")),
        ("medical translation", "default", translation("default")),
        ("command parsing", "minimal", command("minimal")),
        ("command parsing", "default", command("default")),
        ("transcription (4 s)", "minimal", lambda: model.transcribe(audio, "audio/wav")),
        ("speech (TTS)", "-", lambda: model.speak(SPOKEN, "en")),
    ]


def run(model: GeminiModel, usage: Usage, repeat: int,
        before_each: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    model.available(Settings().gemini_model)  # warm-up: SDK import and client, not timed
    for name, thinking, call in tasks(model):
        row = Row(name, thinking)
        for _ in range(repeat):
            before_each(name)
            first = len(usage.seen)
            started = time.perf_counter()
            call()
            row.latencies_ms.append((time.perf_counter() - started) * 1000)
            for meta in usage.seen[first:]:
                row.calls += 1
                row.input_tokens.append(meta.prompt_token_count or 0)
                row.output_tokens.append(meta.candidates_token_count or 0)
                row.thought_tokens.append(meta.thoughts_token_count or 0)
        rows.append(row)
    return rows


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def report(rows: list[Row], repeat: int, where: str) -> str:
    lines = [f"Gemini tasks through the adapter, {repeat} run(s) each, {where}",
             f"{'task':<22}{'thinking':<10}{'calls/run':>10}{'in tok':>9}{'out tok':>9}"
             f"{'thought':>9}{'p50 ms':>9}{'p95 ms':>9}"]
    for r in rows:
        per_run = r.calls / max(1, len(r.latencies_ms))
        lines.append(
            f"{r.task:<22}{r.thinking:<10}{per_run:>10.1f}"
            f"{statistics.mean(r.input_tokens or [0]):>9.0f}"
            f"{statistics.mean(r.output_tokens or [0]):>9.0f}"
            f"{statistics.mean(r.thought_tokens or [0]):>9.0f}"
            f"{_p(r.latencies_ms, 0.5):>9.1f}{_p(r.latencies_ms, 0.95):>9.1f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--real", action="store_true",
                        help="the configured backend (GEMINI_BACKEND, ...), not the stand-in")
    args = parser.parse_args()
    usage = Usage()
    if args.real:
        from shared.bootstrap import Container

        settings = load_settings()
        gemini = Container(settings).gemini
        if gemini is None:
            raise SystemExit("no Gemini backend configured (set GEMINI_BACKEND=vertex and "
                             "GCP_PROJECT, or GEMINI_API_KEY)")
        gemini.observe_usage(usage)  # the bench's own counter, never the text
        print(report(run(gemini, usage, args.repeat, lambda _n: None), args.repeat,
                     f"{settings.gemini_backend} backend, {settings.gemini_model} / "
                     f"{settings.gemini_tts_model}"))
        return
    server = GeminiServer().start()
    try:
        defaults = Settings()
        model = GeminiModel("bench-key", model=defaults.gemini_model,
                            tts_model=defaults.gemini_tts_model, base_url=server.url,
                            usage_observer=usage)

        def script(name: str) -> None:
            if name.startswith("leaflet ("):
                server.script_text(LEAFLET)
            elif name == "leaflet translation":
                server.script_text(LEAFLET.replace("高血壓", "High blood pressure"))
            elif name == "transcription (4 s)":
                server.script_transcript(MESSAGE)

        print(report(run(model, usage, args.repeat, script), args.repeat,
                     f"local Gemini-protocol stand-in, {defaults.gemini_model} / "
                     f"{defaults.gemini_tts_model} (modelled tokens; local latency)"))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
