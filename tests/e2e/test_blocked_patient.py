"""Issue 13's acceptance, through the simulator's HTTP API of the local stack started as
a developer starts it (`python -m infra.local.dev --memory --port P --functions-port Q`).

GIVEN a Telegram patient with a dose at 08:00, WHEN they block the bot for 12 hours
around it, THEN at most one send fails in those 12 hours (none: the my_chat_member
update marks them unreachable before the reminder is due) and the schedule runs on;
WHEN they unblock it and send /start, THEN they are told once what they missed, and
the next 08:00 reminder arrives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.servers._util import free_port

ROOT = Path(__file__).resolve().parents[2]
USER = "en"  # one of the simulator's users (GET /sim/api/users)
CHANNEL = "telegram"


class Sim:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)

    def now(self) -> datetime:
        return datetime.fromisoformat(self.http.get("/sim/api/clock").json()["now"])

    def advance(self, seconds: float) -> None:
        answer = self.http.post("/sim/api/clock/advance", json={"seconds": seconds})
        assert answer.status_code == 200, answer.text
        self.settle()

    def entries(self) -> list[dict[str, Any]]:
        answer = self.http.get("/sim/api/chat", params={"channel": CHANNEL, "user": USER})
        entries: list[dict[str, Any]] = answer.json()["entries"]
        return entries

    def bot_texts(self) -> list[str]:
        return [e["text"] for e in self.entries() if e["sender"] == "bot"]

    def calls(self) -> list[dict[str, Any]]:
        answer = self.http.get("/sim/api/calls", params={"channel": CHANNEL, "user": USER})
        calls: list[dict[str, Any]] = answer.json()["calls"]
        return calls

    def answered(self, bot_entries: int, limit_s: float = 60.0) -> None:
        """Wait for the bot's answer (a cold worker takes seconds), then for quiet."""
        deadline = time.monotonic() + limit_s
        while len(self.bot_texts()) <= bot_entries:
            assert time.monotonic() < deadline, "the bot did not answer"
            time.sleep(0.2)
        self.settle()

    def send(self, text: str) -> None:
        bot = len(self.bot_texts())
        answer = self.http.post("/sim/api/send",
                                json={"channel": CHANNEL, "user": USER, "text": text})
        assert answer.status_code == 200 and answer.json()["status"] == 200, answer.text
        self.answered(bot)

    def tap(self, data: str) -> None:
        for entry in reversed(self.entries()):
            for index, button in enumerate(entry["buttons"]):
                if str(button.get("data", "")).startswith(data):
                    bot = len(self.bot_texts())
                    answer = self.http.post("/sim/api/tap", json={
                        "channel": CHANNEL, "user": USER, "entry_id": entry["id"],
                        "button": index})
                    assert answer.status_code == 200, answer.text
                    self.answered(bot)
                    return
        raise AssertionError(f"no button {data!r} in the chat")

    def post(self, path: str) -> None:
        answer = self.http.post(path, json={"channel": CHANNEL, "user": USER})
        assert answer.status_code == 200 and answer.json()["status"] == 200, answer.text
        self.settle()

    def settle(self, quiet_s: float = 1.5, limit_s: float = 30.0) -> None:
        """Wait until the bot has made no call and sent nothing for quiet_s."""
        deadline = time.monotonic() + limit_s
        seen = (len(self.calls()), len(self.entries()))
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.2)
            now = (len(self.calls()), len(self.entries()))
            if now != seen:
                seen, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= quiet_s:
                return


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    port, functions_port = free_port(), free_port()
    log = (tmp_path_factory.mktemp("dev") / "dev.log").open("wb")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GEMINI_", "FIRESTORE_"))}
    process = subprocess.Popen(
        [sys.executable, "-m", "infra.local.dev", "--memory", "--port", str(port),
         "--functions-port", str(functions_port)],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert process.poll() is None, "the local stack exited"
            try:
                if httpx.get(f"{url}/sim/api/users", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "the local stack did not start"
            time.sleep(0.5)
        yield Sim(url)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def until(sim: Sim, hour: int, minute: int = 0) -> float:
    """Seconds from the simulated now to the next hour:minute UTC."""
    now = sim.now()
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    return (target - now).total_seconds()


def reminders(texts: list[str]) -> list[str]:
    return [t for t in texts if "aspirin" in t and t.startswith(("Time for", "Reminder:"))]


def test_a_patient_who_blocks_the_bot_for_12_hours_gets_the_next_reminder_after_coming_back(
        sim: Sim) -> None:
    sim.send("/start")
    sim.tap("mode:med")
    sim.send("add aspirin 100 mg at 08:00")
    sim.tap("med:tz:UTC")
    assert any("aspirin 100 mg at 08:00" in t for t in sim.bot_texts()[-1:])

    # 02:00: the patient blocks the bot for 12 hours, 08:00 inside them.
    sim.advance(until(sim, 2))
    before = len(reminders(sim.bot_texts()))
    sim.post("/sim/api/block")
    blocked_at = len(sim.calls())
    for _ in range(24):  # 12 h in half-hour steps: Cloud Scheduler ticks at each one
        sim.advance(1800)
    during = sim.calls()[blocked_at:]
    failed = [c for c in during if c["status"] >= 400]
    assert len(failed) <= 1, failed
    sends = [c for c in during if c["endpoint"].startswith("send")]
    print("blocked 12 h:", json.dumps({"api_calls": len(during), "send_attempts": len(sends),
                                       "failed": len(failed)}))
    assert len(sends) <= 1, sends  # no reminder attempts (and no hourly repeats)
    assert len(reminders(sim.bot_texts())) == before  # nothing reached the chat

    # 14:00: back. Unblocking posts my_chat_member "member", then they send /start.
    sim.post("/sim/api/unblock")
    sim.send("/start")
    texts = sim.bot_texts()
    missed = [t for t in texts if t.startswith("While you had blocked me")]
    assert len(missed) == 1, texts[-4:]  # told once
    assert "08:00 aspirin 100 mg" in missed[0]

    # The next 08:00 reminder arrives.
    sim.advance(until(sim, 8, 1))
    assert len(reminders(sim.bot_texts())) == before + 1
    last_send = [c for c in sim.calls() if c["endpoint"] == "sendMessage"][-1]
    assert last_send["status"] == 200
