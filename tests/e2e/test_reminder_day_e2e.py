"""Issue 11's "done when", through the simulator's HTTP API of the local stack (what
`make dev --memory` runs): Telegram, English, Asia/Taipei; metformin 500 mg at 08:00,
aspirin 100 mg at 08:00, vitamin D at 22:00, omeprazole 20 mg at 08:00 and 20:00, and
nothing answered overnight.

The clock moves in 15-minute steps (the stack's cron ticks at each new time); each
bubble the bot sends carries the simulated time it arrived at, deleted (retracted)
reminders included, so every reminder ever sent is checked."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from infra.local.dev import LocalStack
from shared.domain.i18n import t

TAIPEI = ZoneInfo("Asia/Taipei")
USER = "en"
STEP = timedelta(minutes=15)


class Sim:
    """The simulator's HTTP API, as an acceptance check drives it."""

    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)

    def now(self) -> datetime:
        return datetime.fromisoformat(self.http.get("/sim/api/clock").json()["now"])

    def entries(self) -> list[dict[str, Any]]:
        answer = self.http.get("/sim/api/chat", params={"channel": "telegram", "user": USER})
        return list(answer.json()["entries"])

    def settle(self, quiet_s: float = 1.5, limit_s: float = 30.0) -> None:
        """Wait until the chat has not changed for quiet_s (the bot is done)."""
        deadline = time.monotonic() + limit_s
        last, since = None, time.monotonic()
        while time.monotonic() < deadline:
            answer = self.http.get("/sim/api/chat",
                                   params={"channel": "telegram", "user": USER}).json()
            if answer["version"] != last or answer.get("loading"):
                last, since = answer["version"], time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return
            time.sleep(0.2)

    def answered(self, before: int, limit_s: float = 60.0) -> None:
        """Wait for a bot bubble after the first `before` ones, then for quiet."""
        deadline = time.monotonic() + limit_s
        while len(self.bot()) <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        self.settle()

    def send(self, text: str) -> str:
        before = len(self.bot())
        self.http.post("/sim/api/send", json={"channel": "telegram", "user": USER, "text": text})
        self.answered(before)
        return str(self.bot()[-1]["text"])

    def tap(self, entry: dict[str, Any], label: str) -> None:
        index = next(i for i, b in enumerate(entry["buttons"])
                     if label in (b["label"], b.get("display")))
        self.http.post("/sim/api/tap", json={"channel": "telegram", "user": USER,
                                             "entry_id": entry["id"], "button": index})
        self.settle(quiet_s=2.0)

    def advance_to(self, when: datetime) -> None:
        seconds = (when - self.now()).total_seconds()
        if seconds > 0:
            self.http.post("/sim/api/clock/advance", json={"seconds": seconds})
        self.settle()

    def bot(self) -> list[dict[str, Any]]:
        return [e for e in self.entries() if e["sender"] == "bot"]


def is_reminder(entry: dict[str, Any]) -> bool:
    return str(entry["text"]).startswith((t("en", "remind.title"), t("en", "remind.again")))


def local(entry: dict[str, Any]) -> datetime:
    return datetime.fromtimestamp(entry["at"], UTC).astimezone(TAIPEI)


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    stack = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    stack.start()
    try:
        yield Sim(stack.simulator.url)
    finally:
        stack.stop()


def test_a_day_of_reminders_a_patient_can_live_with(sim: Sim) -> None:
    # Noon in Taipei, so that the first slots are this evening's and tomorrow's.
    start = sim.now().astimezone(TAIPEI)
    noon = start.replace(hour=12, minute=0, second=0, microsecond=0)
    sim.advance_to(noon if noon > start else noon + timedelta(days=1))
    day = sim.now().astimezone(TAIPEI).replace(hour=0, minute=0, second=0, microsecond=0)

    sim.send("hello")
    menu = sim.bot()[-1]
    before = len(sim.bot())
    sim.tap(menu, t("en", "menu.medication"))
    sim.answered(before)
    sim.send("add metformin 500 mg at 08:00")
    sim.send("Asia/Taipei")  # the time-zone question, answered by typing it
    sim.send("add aspirin 100 mg at 08:00")
    sim.send("add vitamin D at 22:00")
    sim.send("add omeprazole 20 mg at 08:00 and 20:00")
    listed = sim.send("list")
    assert all(name in listed for name in ("metformin", "aspirin", "vitamin D", "omeprazole"))

    # The evening and the night: nothing answered.
    at = day + timedelta(hours=19, minutes=30)
    sim.advance_to(at)
    while at < day + timedelta(days=1, hours=7, minutes=30):
        at += STEP
        sim.advance_to(at)
    early = sim.send("I took aspirin")  # 07:30, half an hour before its dose
    assert "aspirin" in early

    at = day + timedelta(days=1, hours=8)
    sim.advance_to(at)
    morning = [e for e in sim.bot() if is_reminder(e) and local(e) >= at]
    assert len(morning) == 1, [e["text"] for e in morning]
    [reminder] = morning
    text = str(reminder["text"])
    assert "metformin" in text and "omeprazole" in text
    assert "aspirin" not in text and "vitamin D" not in text
    assert "20:00" not in text and "22:00" not in text  # neither of yesterday's doses
    labels = [b.get("display") or b["label"] for b in reminder["buttons"]]
    assert t("en", "button.taken_one", name="metformin") in labels
    assert t("en", "button.taken_one", name="omeprazole") in labels
    sim.tap(reminder, t("en", "button.taken_one", name="metformin"))

    while at < day + timedelta(days=1, hours=19, minutes=30):
        at += STEP
        sim.advance_to(at)

    reminders = [e for e in sim.bot() if is_reminder(e)]
    night = [(local(e), e["text"]) for e in reminders
             if local(e).hour * 60 + local(e).minute >= 22 * 60 + 30 or local(e).hour < 7]
    assert night == []
    later = [e for e in reminders if local(e) > local(reminder)]
    assert later and all("metformin" not in e["text"] for e in later)
    omeprazole_repeats = [e for e in later if "omeprazole" in e["text"]]
    assert 1 <= len(omeprazole_repeats) <= 3
    assert t("en", "remind.last", names="omeprazole") in omeprazole_repeats[-1]["text"]
