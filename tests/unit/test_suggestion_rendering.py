"""Google Search Suggestions in chat: LINE shows them as a bubble of tappable texts in
the carousel of the sources, Telegram as links in the same message as the sources;
each query exactly as given, each tap opening its Google results page."""

from __future__ import annotations

from infra.local.platforms import line_message_errors, telegram_segments
from shared.adapters.line_messenger import render_messages
from shared.adapters.telegram_messenger import card_pages
from shared.domain.messages import Card, Cards

SUGGESTIONS = [Card(title="高血壓 飲食 少鹽", url="https://www.google.com/search?q=%E9%AB%98"),
               Card(title="salt & blood pressure <2g>", url="https://www.google.com/search?q=salt")]


def _cards(sources: int) -> Cards:
    return Cards(alt_text="References",
                 cards=[Card(title=f"site {i}", url=f"https://example.org/{i}")
                        for i in range(sources)],
                 suggestions=SUGGESTIONS, suggestions_title="Google Search suggestions")


def test_line_shows_the_suggestions_in_the_carousel_of_the_sources() -> None:
    [flex] = render_messages([_cards(10)])
    assert line_message_errors([flex]) == []
    bubbles = flex["contents"]["contents"]
    assert len(bubbles) == 11
    rows = bubbles[-1]["body"]["contents"]
    assert rows[0]["text"] == "Google Search suggestions"
    assert [(r["text"], r["action"]["uri"]) for r in rows[1:]] == [
        (s.title, s.url) for s in SUGGESTIONS]


def test_line_shows_suggestions_even_without_sources() -> None:
    [flex] = render_messages([_cards(0)])
    assert line_message_errors([flex]) == []
    assert flex["altText"] == "References"


def test_line_keeps_a_suggestion_whose_link_is_too_long_as_text() -> None:
    # LINE's URI actions take up to 10,000 characters (1,000 before 2026-10-27).
    long = Cards(alt_text="x", cards=[], suggestions=[Card(title="q", url="https://www.google"
                                                             ".com/search?q=" + "a" * 10_000)])
    [flex] = render_messages([long])
    [_, row] = flex["contents"]["contents"][0]["body"]["contents"]
    assert row["text"] == "q" and "action" not in row


def test_telegram_lists_the_suggestions_after_the_sources_in_the_same_message() -> None:
    [page] = card_pages(_cards(3))
    segments = telegram_segments(page, "HTML")
    links = [(s["text"], s["url"]) for s in segments if s["url"]]
    assert links[:3] == [(f"site {i}", f"https://example.org/{i}") for i in range(3)]
    assert links[3:] == [(s.title, s.url) for s in SUGGESTIONS]
    assert "Google Search suggestions" in page


def test_telegram_splits_a_long_message_but_keeps_every_suggestion() -> None:
    many = Cards(alt_text="R", cards=[Card(title="x" * 100, url=f"https://e.org/{i}")
                                      for i in range(60)], suggestions=SUGGESTIONS,
                 suggestions_title="Google Search suggestions")
    pages = card_pages(many)
    assert len(pages) > 1
    found = [s["text"] for p in pages for s in telegram_segments(p, "HTML")
             if (s["url"] or "").startswith("https://www.google.com/search")]
    assert found == [s.title for s in SUGGESTIONS]
