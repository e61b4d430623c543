"""Issue 15 items 4-5 in the simulator, as a patient uses it: the stack `make dev
--memory` runs, driven only through the simulator's HTTP API (/sim/api/*). A count
typed in words, one Taken counting it down, and the report for the doctor as a link
that opens a PDF naming the medicine (Telegram in English, LINE in Chinese)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import httpx
import pytest
from pypdf import PdfReader

from infra.local.dev import LocalStack
from shared.domain.i18n import t
from tests.e2e.test_say_it_anywhere import Entry, Simulator, texts, with_button


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    stack = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    stack.start()
    try:
        yield Simulator(stack.simulator.url)
    finally:
        stack.stop()


def link(entries: list[Entry]) -> str:
    for entry in entries:
        if entry["kind"] == "cards":
            return str(entry["cards"][0]["url"])
        for segment in entry.get("segments") or []:
            if segment.get("url"):
                return str(segment["url"])
    raise AssertionError(f"no link in {[e['text'][:60] for e in entries]}")


def has_link(entries: list[Entry]) -> bool:
    try:
        return bool(link(entries))
    except AssertionError:
        return False


@pytest.mark.parametrize(("channel", "user", "lang", "add", "count", "ask", "name"), [
    ("telegram", "en", "en", "add metformin 1 tablet at 08:00", "I have 30 tablets of metformin",
     "report for my doctor", "metformin"),
    ("line", "zh-TW", "zh-TW", "新增 二甲雙胍 1顆 08:00", "二甲雙胍還有30顆", "給醫生的報告",
     "二甲雙胍"),
])
def test_a_count_then_the_report_link_opens_the_pdf(sim: Simulator, channel: str, user: str,
                                                    lang: str, add: str, count: str, ask: str,
                                                    name: str) -> None:
    answer = sim.send(channel, user, add)
    if any(str(b.get("data", "")).startswith("med:tz:") for e in answer for b in e["buttons"]):
        sim.tap(channel, user, with_button(answer, "med"), "med:tz:Asia/Taipei")
    counted = sim.send(channel, user, count)
    assert t(lang, "supply.set", name=name, left="30") in texts(counted)
    report = sim.send(channel, user, ask, until=has_link)
    url = link(report)
    pdf = httpx.get(url, timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = re.sub(r"\s", "", "".join(p.extract_text() for p in PdfReader(
        io.BytesIO(pdf.content)).pages))
    assert name in text and re.sub(r"\s", "", t(lang, "report.title")) in text
    tampered = re.sub(r"sig=[^&]+", "sig=0", url)
    assert httpx.get(tampered, timeout=30).status_code in (403, 404)  # signed: only this link
