"""Message -> reply latency through the whole local stack, as `make dev` runs it.

Run: .venv/bin/python -m bench.e2e_latency [--messages 100] [--memory]

The stack is infra/local/dev.py's LocalStack: the simulator plays LINE and Telegram
(signed webhooks in, the Messaging API / Bot API out), every function runs on the
functions host behind the Cloud Run stand-in (ID tokens checked), the local task
dispatcher (shared/adapters/http_tasks.py) posts tasks to the workers over HTTP, and
state is in the Firestore emulator (`--memory`: the in-memory store). No Gemini key:
the labelled offline engine answers.

Three kinds of message, `--messages` of each, one at a time (latency, not throughput),
alternately on LINE and Telegram, each from its own simulated user (so no per-user
limit or ordering wait is in the figures):

* menu tap: the patient taps "Medication reminders" in the main menu;
* medication command: a command the deterministic parser understands ("add aspirin
  100 mg at 08:00", in en / ru / zh-TW; checked with parse_command first);
* leaflet: in health-education mode the patient types a topic; the reply is the
  leaflet from the offline engine (dialog worker -> generate task -> generate worker).

A latency is from just before the simulator posts the signed webhook to the moment the
platform stand-in records the bot's answer (a hook on PlatformState.add_entry, so no
polling interval is in the figure). Two users (one per channel) go through every step
first, unmeasured, so the figures are warm instances; the first answer after start
(cold: lazy imports, SDK clients) is printed separately. No message text is printed.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from infra.local.dev import LocalStack
from infra.local.platforms.records import ChannelName, ChatEntry, SimUser, line_id
from infra.local.platforms.state import PlatformState
from shared.domain.i18n import t
from shared.medication import parse_command

LANGUAGES = ("en", "ru", "zh-TW")
TELEGRAM_CODES = {"en": "en", "ru": "ru", "zh-TW": "zh-hant"}
COMMANDS = {
    "en": ("add aspirin 100 mg at 08:00", "add metformin 500 mg at 8am and 8pm",
           "remind me to take lisinopril 10 mg at 07:30", "add atorvastatin 20 mg at 21:00"),
    "ru": ("добавь аспирин 100 мг в 08:00", "добавь метформин 500 мг в 9 утра и в 21:00",
           "добавь лизиноприл 10 мг в 07:30"),
    "zh-TW": ("新增 阿斯匹靈 100毫克 早上8點", "我要吃 普拿疼 500毫克 晚上9點",
              "新增 二甲雙胍 500 毫克 每天 08:00 和 20:00"),
}
TOPICS = {"en": ("diabetes", "high blood pressure", "asthma", "flu"),
          "ru": ("диабет", "высокое давление", "астма"),
          "zh-TW": ("糖尿病", "高血壓", "氣喘")}
KINDS = ("menu tap", "medication command", "leaflet")
ANSWER_TIMEOUT_S = 60.0


class Arrivals:
    """When each chat bubble was recorded (monotonic seconds), by entry id."""

    def __init__(self, state: PlatformState) -> None:
        self.state = state
        self.at: dict[int, float] = {}
        self.changed = threading.Condition()
        original = state.add_entry

        def add_entry(**fields: Any) -> ChatEntry:
            entry = original(**fields)
            with self.changed:
                self.at[entry.id] = time.monotonic()
                self.changed.notify_all()
            return entry

        state.add_entry = add_entry  # type: ignore[method-assign]

    def last_id(self) -> int:
        with self.changed:
            return max(self.at, default=0)

    def wait(self, channel: ChannelName, user: SimUser, after: int,
             wanted: Callable[[ChatEntry], bool]) -> float:
        """Monotonic time of the first bot bubble newer than `after` that is wanted."""
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        with self.changed:
            while True:
                for entry in self.state.bot_entries(channel, user):
                    if entry.id > after and wanted(entry) and entry.id in self.at:
                        return self.at[entry.id]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no answer on {channel} within {ANSWER_TIMEOUT_S} s")
                self.changed.wait(min(left, 0.5))


@dataclass
class Samples:
    ms: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    by_channel: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    webhook_ms: list[int] = field(default_factory=list)

    def add(self, kind: str, channel: str, ms: float) -> None:
        self.ms[kind].append(ms)
        self.by_channel.setdefault((kind, channel), []).append(ms)


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def users(count: int) -> list[SimUser]:
    return [SimUser(f"bench{i}", f"Bench {i}", LANGUAGES[i % 3], line_id(f"bench-{i}"),
                    700_000_000 + i, TELEGRAM_CODES[LANGUAGES[i % 3]])
            for i in range(count)]


def any_bot_text(entry: ChatEntry) -> bool:
    return entry.kind == "text"


def leaflet(entry: ChatEntry) -> bool:
    return any(entry.text.startswith(t(lang, "offline.label")) for lang in LANGUAGES)


class Session:
    """One simulated patient on one channel, stepping through the flows."""

    def __init__(self, stack: LocalStack, arrivals: Arrivals, user: SimUser,
                 channel: ChannelName, index: int) -> None:
        self.stack, self.arrivals, self.user = stack, arrivals, user
        self.channel, self.index = channel, index
        self.state = stack.state

    def _timed(self, act: Callable[[], Any], wanted: Callable[[ChatEntry], bool]
               ) -> tuple[float, int]:
        after = self.arrivals.last_id()
        started = time.monotonic()
        result = act()
        if result.status != 200:
            raise RuntimeError(f"webhook answered {result.status} ({result.error})")
        arrived = self.arrivals.wait(self.channel, self.user, after, wanted)
        return (arrived - started) * 1000, int(result.elapsed_ms)

    def say(self, text: str, wanted: Callable[[ChatEntry], bool] = any_bot_text
            ) -> tuple[float, int]:
        return self._timed(lambda: self.state.send_text(self.channel, self.user, text), wanted)

    def tap(self, prefix: str, wanted: Callable[[ChatEntry], bool] = any_bot_text
            ) -> tuple[float, int]:
        """Tap the newest button whose data starts with `prefix`, as the page does."""
        found = next(((str(b["data"]), entry.message_id)
                      for entry in reversed(self.state.bot_entries(self.channel, self.user))
                      for b in entry.buttons if str(b.get("data") or "").startswith(prefix)),
                     None)
        if found is None:
            raise KeyError(f"no button {prefix!r} in the chat")
        data, message_id = found
        return self._timed(lambda: self.state.tap(self.channel, self.user, data,
                                                  message_id=message_id), wanted)

    def run(self, samples: Samples | None) -> float:
        """Every step once; returns the first answer's latency (the menu)."""
        lang = self.user.language
        first, _ = self.say("hello")
        menu_ms, hook = self.tap("mode:med")
        # The first command asks for the time zone; the measured one is the next.
        commands = COMMANDS[lang]
        self.say(commands[(self.index + 1) % len(commands)])
        self.tap("med:tz:")
        command = commands[self.index % len(commands)]
        parsed = parse_command(command)
        names = [item.name for item in parsed.items] if parsed else []
        # The answer that counts is the confirmation naming the medicine.
        command_ms, hook2 = self.say(command, lambda e: any(n in e.text for n in names))
        self.say("menu")
        self.tap("mode:edu")
        topic = TOPICS[lang][self.index % len(TOPICS[lang])]
        leaflet_ms, hook3 = self.say(topic, leaflet)
        if samples is not None:
            samples.add("menu tap", self.channel, menu_ms)
            samples.add("medication command", self.channel, command_ms)
            samples.add("leaflet", self.channel, leaflet_ms)
            samples.webhook_ms += [hook, hook2, hook3]
        return first


def check_commands() -> None:
    """The commands are ones the parser answers (no model call, no fallback)."""
    for lang, commands in COMMANDS.items():
        for command in commands:
            parsed = parse_command(command)
            if parsed is None or parsed.kind != "add":
                raise SystemExit(f"the parser does not answer a {lang} command of the bench")


def row(name: str, values: list[float]) -> str:
    return (f"{name:<28} n={len(values):<4} p50 {percentile(values, 0.5):7.1f}  "
            f"p90 {percentile(values, 0.9):7.1f}  p99 {percentile(values, 0.99):7.1f}  "
            f"max {max(values):7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=100, help="of each kind")
    parser.add_argument("--memory", action="store_true", help="no Firestore emulator")
    args = parser.parse_args()
    check_commands()
    load_before = os.getloadavg()[0]
    people = users(args.messages + 2)
    with tempfile.TemporaryDirectory(prefix="medbot-latency-") as blobs:
        stack = LocalStack(port=0, functions_port=0, use_firestore=not args.memory,
                           blob_dir=blobs)
        stack.state.users = {u.key: u for u in people}
        arrivals = Arrivals(stack.state)
        stack.start()
        try:
            started = time.monotonic()
            cold = Session(stack, arrivals, people[0], "line", 0).run(None)
            Session(stack, arrivals, people[1], "telegram", 1).run(None)
            samples = Samples()
            for i, person in enumerate(people[2:]):
                channel: ChannelName = "line" if i % 2 == 0 else "telegram"
                Session(stack, arrivals, person, channel, i).run(samples)
            wall = time.monotonic() - started
            tasks: Any = stack.container.tasks if stack.container else None
            if tasks is not None and hasattr(tasks, "wait_idle"):
                tasks.wait_idle(30)
        finally:
            stack.stop()
    store = "in-memory store" if args.memory else (
        "Firestore emulator" if stack.firestore is not None else "in-memory store")
    print(f"local stack ({store}, offline engine, local task dispatcher); "
          f"{args.messages} messages of each kind, one at a time; {wall:.0f} s wall")
    print(f"load average (2 shared cores): {load_before:.1f} before, "
          f"{os.getloadavg()[0]:.1f} after")
    print(f"first answer after start (cold): {cold:.0f} ms")
    for kind in KINDS:
        print(row(kind, samples.ms[kind]))
        for channel in ("line", "telegram"):
            print(row(f"  {channel}", samples.by_channel[(kind, channel)]))
    hooks = [float(v) for v in samples.webhook_ms]
    print(row("webhook answered (of those)", hooks))


if __name__ == "__main__":
    main()
