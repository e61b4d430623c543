"""Issue 14 items 3-5 in the simulator (`make dev --memory`: LocalStack), driven only
through /sim/api/*: a LINE patient in zh-TW sees the schedule in words, taps "Add to
calendar", and the signed link serves an .ics that parses; "what did I take today?"
is answered."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from icalendar import Calendar

from infra.local.dev import LocalStack
from shared.domain.i18n import t
from tests.e2e.test_say_it_anywhere import Simulator, texts, with_button

USER = "zh-TW"


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    local = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    local.start()
    try:
        yield Simulator(local.simulator.url)
    finally:
        local.stop()


def test_words_calendar_and_history_on_line(sim: Simulator) -> None:
    sim.send("line", USER, "選單")
    asked = sim.send("line", USER, "新增阿斯匹靈 100mg 每天早上8點和晚上8點")
    sim.tap("line", USER, with_button(asked, "med"), "med:tz:Asia/Taipei")
    listing = sim.send("line", USER, "我的藥")
    assert "每天 08:00、20:00" in texts(listing)

    answer = sim.tap("line", USER, with_button(listing, "med"), "med:cal")
    assert t("zh-TW", "med.calendar.ready", count=60) in texts(answer)
    [cards] = [e for e in answer if e.get("cards")]
    url = cards["cards"][0]["url"]
    served = httpx.get(url, timeout=30)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/calendar")
    calendar = Calendar.from_ical(served.content)
    starts = sorted(e.decoded("DTSTART").strftime("%H:%M") for e in calendar.walk("VEVENT"))
    assert starts == ["08:00", "20:00"]
    assert httpx.get(url.replace("sig=", "sig=0"), timeout=30).status_code != 200

    # Nothing answered yet today: a clear answer naming the day.
    history = sim.send("line", USER, "我今天吃了什麼藥？")
    assert texts(history).endswith("沒有服藥紀錄。")
