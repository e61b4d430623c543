"""The handout page in headless Chromium (Debian's): the Google Search Suggestions are
embedded exactly as Gemini gives them, and the page's Content-Security-Policy lets
their inline style apply while refusing any style, script or resource it does not
name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from infra.local.gemini_wire import rendered_content
from infra.local.gemini_wire import search_url as chip_url
from shared.domain.messages import Card
from shared.features.education.leaflets import LeafletView, handout_html
from tests.e2e.test_simulator_page import CHROMIUM, CHROMIUM_ARGS

QUERIES = ["flu rest fluids", "流感 多喝水"]


@pytest.fixture
def page() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def _handout() -> str:
    view = LeafletView(topic="flu", language="en", text="# Flu\n\nRest and drink water.",
                       suggestions=tuple(Card(title=q, url=chip_url(q)) for q in QUERIES),
                       search_html=rendered_content(QUERIES))
    return handout_html("en", view, emergency="112")


def _load(page: Any, html: str) -> list[str]:
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text)
            if "Content Security Policy" in m.text else None)
    page.set_content(html)
    return refused


def test_the_chips_keep_their_own_style_under_the_pages_policy(page: Any) -> None:
    refused = _load(page, _handout())
    chips = page.query_selector_all("a.chip")
    assert [c.inner_text() for c in chips] == QUERIES
    assert [c.get_attribute("href") for c in chips] == [chip_url(q) for q in QUERIES]
    assert page.eval_on_selector("a.chip", "e => getComputedStyle(e).borderRadius") == "16px"
    assert page.eval_on_selector("body", "e => getComputedStyle(e).maxWidth") != "none"
    assert refused == []


def test_anything_the_policy_does_not_name_is_refused(page: Any) -> None:
    tampered = _handout().replace(
        "</body>", "<style>a.chip{border-radius:3px}</style>"
                   "<script>document.title='ran'</script></body>")
    refused = _load(page, tampered)
    assert page.eval_on_selector("a.chip", "e => getComputedStyle(e).borderRadius") == "16px"
    assert page.title() != "ran"
    assert len(refused) >= 2  # the unknown style block and the script
