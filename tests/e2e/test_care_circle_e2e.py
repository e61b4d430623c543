"""Issue 15's "done when", through the simulator's HTTP API of the local stack (what
`make dev --memory` runs), and once more with other apps, languages and times: the
patient adds a medicine and types "invite a caregiver" in their language; the
caregiver sends the code on the other app; the dose stays unanswered; an hour and a
half later the caregiver has an alert in their own language naming the medicine.

The alert is a Cloud Task scheduled for the dose's time + CARE_ALERT_AFTER_S: the
local task queue holds it by the simulator's movable clock, as Cloud Tasks holds it by
real time."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from infra.local.dev import LocalStack
from shared.domain.i18n import t


class Chat:
    """One simulated user on one app, through /sim/api/*."""

    def __init__(self, http: httpx.Client, channel: str, user: str) -> None:
        self.http, self.channel, self.user = http, channel, user

    def bot(self) -> list[dict[str, Any]]:
        answer = self.http.get("/sim/api/chat", params={"channel": self.channel,
                                                        "user": self.user})
        return [e for e in answer.json()["entries"] if e["sender"] == "bot"]

    def send(self, text: str, limit_s: float = 60.0) -> str:
        before = len(self.bot())
        self.http.post("/sim/api/send", json={"channel": self.channel, "user": self.user,
                                              "text": text})
        deadline = time.monotonic() + limit_s
        while len(self.bot()) <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)  # a second bubble of the same answer
        return str(self.bot()[-1]["text"])

    def tap(self, label: str) -> str:
        entry = next(e for e in reversed(self.bot()) if any(
            label in (b["label"], b.get("display")) for b in e["buttons"]))
        index = next(i for i, b in enumerate(entry["buttons"])
                     if label in (b["label"], b.get("display")))
        before = len(self.bot())
        self.http.post("/sim/api/tap", json={"channel": self.channel, "user": self.user,
                                             "entry_id": entry["id"], "button": index})
        deadline = time.monotonic() + 60
        while len(self.bot()) <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        return str(self.bot()[-1]["text"])


class Sim:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=30)

    def chat(self, channel: str, user: str) -> Chat:
        return Chat(self.http, channel, user)

    def now(self) -> datetime:
        return datetime.fromisoformat(self.http.get("/sim/api/clock").json()["now"])

    def advance_to(self, when: datetime, settle_s: float = 4.0) -> None:
        seconds = (when - self.now()).total_seconds()
        if seconds > 0:
            self.http.post("/sim/api/clock/advance", json={"seconds": seconds})
        time.sleep(settle_s)  # the cron's tick at the new time, and the tasks it starts


@pytest.fixture
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sim]:
    stack = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    stack.start()
    try:
        yield Sim(stack.simulator.url)
    finally:
        stack.stop()


def alerts(chat: Chat, lang: str) -> list[dict[str, Any]]:
    label = t(lang, "circle.button.called")
    return [e for e in chat.bot() if any(label in (b["label"], b.get("display"))
                                         for b in e["buttons"])]


def wait_for(found: Any, limit_s: float = 60.0) -> Any:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        result = found()
        if result:
            return result
        time.sleep(0.5)
    return found()


@pytest.mark.parametrize(("patient_app", "patient", "zone", "medicine", "hhmm",
                          "carer_app", "carer", "carer_lang"), [
    # The issue's own: Telegram (en) patient, LINE (ru) caregiver, 08:00, by 09:30.
    ("telegram", "en", "Asia/Taipei", "metformin", "08:00", "line", "ru", "ru"),
    # Others: a LINE (zh-TW) patient in Berlin at 07:15, a Telegram (en) caregiver.
    ("line", "zh-TW", "Europe/Berlin", "lisinopril", "07:15", "telegram", "en", "en"),
])
def test_an_unanswered_dose_reaches_the_caregiver_on_the_other_app(
        sim: Sim, patient_app: str, patient: str, zone: str, medicine: str, hhmm: str,
        carer_app: str, carer: str, carer_lang: str) -> None:
    tz = ZoneInfo(zone)
    # Start at noon local time: the dose's first slot is tomorrow's.
    start = sim.now().astimezone(tz)
    noon = start.replace(hour=12, minute=0, second=0, microsecond=0)
    sim.advance_to(noon if noon > start else noon + timedelta(days=1), settle_s=1.0)
    day = sim.now().astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    hour, minute = (int(x) for x in hhmm.split(":"))
    dose_at = day + timedelta(days=1, hours=hour, minutes=minute)

    me = sim.chat(patient_app, patient)
    me.send(f"add {medicine} 10 mg at {hhmm}")
    me.send(zone)  # the time-zone question, answered by typing it
    listed = me.send("list")
    assert medicine in listed
    asked = me.send({"en": "invite a caregiver", "zh-TW": "邀請家人"}[patient])
    assert asked == t(patient, "circle.ask_name")
    answer = me.send("Grandma")
    code = re.search(r"[A-Z0-9]{8}", answer)
    assert code is not None, answer

    carer_chat = sim.chat(carer_app, carer)
    joined = carer_chat.send(code.group(0).lower())
    assert joined == t(carer_lang, "circle.joined", name="Grandma")

    sim.advance_to(dose_at)  # the reminder; the patient does not answer
    assert alerts(carer_chat, carer_lang) == []
    sim.advance_to(dose_at + timedelta(minutes=90))
    found = wait_for(lambda: alerts(carer_chat, carer_lang))
    assert len(found) == 1, [e["text"] for e in carer_chat.bot()]
    assert found[0]["text"] == t(carer_lang, "circle.alert", name="Grandma",
                                 medicine=medicine, time=hhmm)
    assert "10 mg" not in found[0]["text"]
