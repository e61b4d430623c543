"""Leaflets as chat text: Markdown never shows raw, headings are bold on Telegram and
section lines on LINE, every page is one the platform accepts, and the cap holds."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.channels import Channel
from shared.domain.leaflet_format import (
    BULLET,
    HEADING_MARK,
    LEAFLET_MAX_PAGES,
    PAGE_LIMITS,
    SUB_BULLET,
    Block,
    LeafletText,
    Section,
    clean_inline,
    headings,
    html_body,
    normalize,
    pages,
    parse,
    plain,
)
from shared.domain.text_split import utf16_len
from shared.fakes.platform_rules import line_message_problems
from shared.fakes.telegram_rules import telegram_call_problems, telegram_segments

# What models actually send back when told "plain text, no Markdown", in each language.
MARKDOWN = {
    "zh-TW": (
        "# 糖尿病衛教\n\n"
        "## 概述\n糖尿病是**血糖**長期偏高的疾病，需要*長期*控制。\n\n"
        "## 重點\n- 控制飲食\n  - 少吃甜食\n* 規律運動\n+ 按時服藥\n\n"
        "### 常見問題\n**問：糖尿病會好嗎？**\n答：可以控制，但要持續追蹤。\n\n"
        "**什麼時候要聯絡醫護人員**\n1. 血糖一直很高\n2) 頭暈、冒冷汗\n\n"
        "---\n> 本單張為一般資訊，不是醫療建議。"
    ),
    "en": (
        "**Diabetes**\n\n"
        "Overview\n========\nDiabetes means your blood sugar stays __too high__. "
        "See [the WHO page](https://www.who.int/diabetes) or <https://medlineplus.gov>.\n\n"
        "Key facts\n---------\n* Eat **regular** meals.\n* Take `metformin` as prescribed.\n"
        "    * Never double a dose.\n\n"
        "| Sign | What to do |\n|:-----|-----------:|\n| Thirst | Drink water |\n"
        "| Confusion | Call 911 |\n\n"
        "```\nBlood sugar goal: 80-130\n```\n"
        "~~Old advice~~ This is general information, not medical advice."
    ),
    "ru": (
        "### **Сахарный диабет**\n\n"
        "**Кратко:**\nПри диабете уровень сахара в крови ***долго*** остаётся высоким.\n\n"
        "#### Главное\n• Следите за питанием\n- Двигайтесь каждый день\n\n"
        "**Когда обращаться к врачу?**\n(1) Сильная жажда\n（2） Слабость\n\n"
        "Это общая информация, а не медицинский совет."
    ),
}
RAW_MARKUP = re.compile(r"\*\*|__|`|~~|^\s*#|^\s*[-*+>]\s|\]\(|^\s*\||<https?:|={3,}|-{3,}",
                        re.MULTILINE)


def shown_telegram(page: str) -> tuple[str, list[str]]:
    """(the text Telegram shows, the bold runs) of an HTML page."""
    segments, _ = telegram_segments(page, "HTML")
    return "".join(s["text"] for s in segments), [s["text"] for s in segments if s["b"]]


# ------------------------------------------------------------------ reading Markdown
@pytest.mark.parametrize("lang", sorted(MARKDOWN))
def test_markdown_never_shows_raw_in_any_language(lang: str) -> None:
    text = normalize(MARKDOWN[lang])
    assert not RAW_MARKUP.search(text), text
    for page in pages(Channel.TELEGRAM, MARKDOWN[lang]):
        shown, _ = shown_telegram(page)
        assert not RAW_MARKUP.search(shown), shown
    for page in pages(Channel.LINE, MARKDOWN[lang]):
        assert not RAW_MARKUP.search(page), page


def test_the_structure_is_read_from_markdown_zh() -> None:
    doc = parse(MARKDOWN["zh-TW"])
    assert doc.title == "糖尿病衛教"
    assert headings(doc) == ["概述", "重點", "常見問題", "問：糖尿病會好嗎？",
                             "什麼時候要聯絡醫護人員"]
    key_facts = doc.sections[1].blocks
    assert key_facts == (Block("控制飲食", BULLET), Block("少吃甜食", SUB_BULLET),
                         Block("規律運動", BULLET), Block("按時服藥", BULLET))
    assert doc.sections[-1].blocks[:2] == (Block("血糖一直很高", "1."), Block("頭暈、冒冷汗", "2."))
    assert doc.sections[0].blocks == (Block("糖尿病是血糖長期偏高的疾病，需要長期控制。"),)


def test_the_structure_is_read_from_markdown_en() -> None:
    doc = parse(MARKDOWN["en"])
    assert doc.title == "Diabetes"
    assert headings(doc) == ["Overview", "Key facts"]
    overview = doc.sections[0].blocks[0].text
    assert overview == ("Diabetes means your blood sugar stays too high. See the WHO page "
                        "(https://www.who.int/diabetes) or https://medlineplus.gov.")
    facts = [(b.marker, b.text) for b in doc.sections[1].blocks]
    assert facts[:3] == [(BULLET, "Eat regular meals."), (BULLET, "Take metformin as prescribed."),
                         (SUB_BULLET, "Never double a dose.")]
    assert ("", "Sign — What to do") in facts and (BULLET, "Confusion — Call 911") in facts
    assert ("", "Blood sugar goal: 80-130") in facts  # a code block's text stays
    assert facts[-1] == ("", "Old advice This is general information, not medical advice.")


def test_the_structure_is_read_from_markdown_ru() -> None:
    doc = parse(MARKDOWN["ru"])
    assert doc.title == "Сахарный диабет"  # first heading followed by another heading
    assert headings(doc) == ["Кратко", "Главное", "Когда обращаться к врачу?"]
    assert doc.sections[0].blocks[0].text.startswith("При диабете уровень сахара в крови долго")
    assert [b.marker for b in doc.sections[2].blocks] == ["1.", "2.", ""]


@pytest.mark.parametrize(("line", "expected"), [
    ("**bold** and *italic* and _under_ and __strong__", "bold and italic and under and strong"),
    ("***both***", "both"),
    ("snake_case_name and https://example.org/a_b_c stay", "snake_case_name and "
     "https://example.org/a_b_c stay"),
    ("`code` and ``more code``", "code and more code"),
    ("![chart](https://x.org/c.png) [WHO](https://who.int) [#top](#top)", "chart WHO "
     "(https://who.int) #top"),
    ("stray ** marks * left", "stray marks left"),
    ("  many    spaces  ", "many spaces"),
    ("血糖**偏高**時", "血糖偏高時"),
])
def test_inline_markup_goes_and_the_words_stay(line: str, expected: str) -> None:
    assert clean_inline(line) == expected


def test_escaped_markup_is_removed_like_any_other() -> None:
    doc = parse(r"\# Flu" + "\n\n" + r"Rest \*well\* and \_drink\_ 2 \- 3 L.")
    assert doc.title == "Flu"
    assert doc.sections[0].blocks[0].text == "Rest well and drink 2 - 3 L."


def test_html_a_model_slips_in_is_removed_and_entities_read() -> None:
    doc = parse("<b>Flu</b><br>\n\n<p>Rest &amp; drink &lt;plenty&gt;.</p><ul><li>Sleep</li></ul>")
    assert doc.title == "Flu"
    assert [b.text for b in doc.sections[0].blocks] == ["Rest & drink <plenty>.", "Sleep"]


@pytest.mark.parametrize(("text", "title", "first_heading"), [
    ("Diabetes\n\n■ Overview\nText.", "Diabetes", "Overview"),  # our own plain form
    ("糖尿病\n■ 概述\n內容。", "糖尿病", "概述"),
    ("【糖尿病】\n【概述】\n內容。", "糖尿病", "概述"),
    ("# Flu\nRest.", "Flu", None),
    ("## Overview\nText.\n## Care\nMore.", "", "Overview"),  # no title written
    ("Here is your leaflet:\n\n■ Overview\nText.", "", "Overview"),
    ("The flu spreads fast.\n\n■ Care\nRest.", "", "Care"),  # a sentence is no title
    ("＃ 流感\n＊＊重點＊＊\n多休息。", "流感", "重點"),  # full-width markup
])
def test_a_title_is_only_what_reads_as_one(text: str, title: str, first_heading: str | None,
                                           ) -> None:
    doc = parse(text)
    assert doc.title == title
    assert next(iter(headings(doc)), None) == first_heading


def test_a_bold_paragraph_is_not_a_heading() -> None:
    long_bold = "**If you have chest pain or trouble breathing, call for help right away.**"
    doc = parse(f"Heart\n\n{long_bold}")
    assert headings(doc) == []
    assert doc.sections[0].blocks[0].text.startswith("If you have chest pain")


def test_the_plain_form_is_stable_and_is_what_it_reads() -> None:
    for text in MARKDOWN.values():
        once = normalize(text)
        assert normalize(once) == once
        assert parse(once) == parse(text)


def test_the_plain_form_layout() -> None:
    doc = LeafletText("Flu", (Section("", (Block("Intro."),)),
                              Section("Care", (Block("Rest", BULLET), Block("Fluids", SUB_BULLET),
                                               Block("Then call.", gap=True))),))
    assert plain(doc) == (f"Flu\n\nIntro.\n\n{HEADING_MARK} Care\n{BULLET} Rest\n"
                          f"  {SUB_BULLET} Fluids\n\nThen call.")


def test_nothing_but_markup_is_an_empty_leaflet() -> None:
    assert parse("**\n---\n```\n```\n#\n").empty
    assert pages(Channel.TELEGRAM, "") == []


# ------------------------------------------------------------------ Telegram
def test_telegram_title_and_headings_are_bold_and_the_rest_is_not() -> None:
    [page] = pages(Channel.TELEGRAM, MARKDOWN["zh-TW"], lead="(離線示範)")
    assert telegram_call_problems("sendMessage", {"text": page, "parse_mode": "HTML"}) == []
    shown, bold = shown_telegram(page)
    assert bold == ["糖尿病衛教", "概述", "重點", "常見問題", "問：糖尿病會好嗎？",
                    "什麼時候要聯絡醫護人員"]
    assert shown.startswith("(離線示範)\n\n糖尿病衛教\n\n概述\n糖尿病是血糖")
    assert HEADING_MARK not in shown  # bold says it on Telegram


def test_telegram_escapes_what_would_be_markup() -> None:
    text = "A <b> & B\n\n■ <script>alert(1)</script>\nx < y && y > z"
    [page] = pages(Channel.TELEGRAM, text, lead="<i>not a tag</i>")
    assert telegram_call_problems("sendMessage", {"text": page, "parse_mode": "HTML"}) == []
    shown, bold = shown_telegram(page)
    assert "<script>alert(1)</script>" in bold[1] and "x < y && y > z" in shown
    assert "<i>not a tag</i>" in shown


# ------------------------------------------------------------------ LINE
def test_line_shows_section_lines() -> None:
    [page] = pages(Channel.LINE, MARKDOWN["en"])
    assert page.startswith(f"Diabetes\n\n{HEADING_MARK} Overview\nDiabetes means")
    assert f"\n\n{HEADING_MARK} Key facts\n{BULLET} Eat regular meals." in page
    assert line_message_problems([{"type": "text", "text": page}]) == []


# ------------------------------------------------------------------ the cap
def _long(lang_word: str, sections: int, lines: int) -> str:
    parts = ["Title"]
    for s in range(sections):
        body = "\n".join(f"{BULLET} {lang_word} {s}-{i}." for i in range(lines))
        parts.append(f"{HEADING_MARK} Heading {s}\n{body}")
    return "\n\n".join(parts)


@pytest.mark.parametrize("channel", list(Channel))
def test_a_long_leaflet_is_cut_between_blocks_and_says_so(channel: Channel) -> None:
    text = _long("高血壓需要長期控制，請按時服藥並定期量血壓" * 3, sections=40, lines=8)
    note = "(Shortened: the printable handout and the e-mail have the whole leaflet.)"
    out = pages(channel, text, shortened=note)
    assert len(out) == LEAFLET_MAX_PAGES
    assert out[-1].endswith(note)
    for page in out:
        shown = shown_telegram(page)[0] if channel is Channel.TELEGRAM else page
        assert utf16_len(shown) <= PAGE_LIMITS[channel]
        last_line = shown.rstrip().split("\n")[-1]
        assert not last_line.startswith("Heading")  # no heading ends a page
        assert not last_line.startswith(HEADING_MARK)


def test_a_leaflet_within_the_cap_is_never_cut() -> None:
    text = _long("Take your medicine every day", sections=20, lines=10)  # ~7,000 chars
    out = pages(Channel.TELEGRAM, text, shortened="cut!")
    assert len(out) == 2 and not out[-1].endswith("cut!")
    shown = "\n".join(shown_telegram(p)[0] for p in out)
    assert all(f"Take your medicine every day 19-{i}." in shown for i in range(10))


def test_a_heading_starts_the_next_page_with_its_text() -> None:
    text = f"T\n\n{HEADING_MARK} A\n{'x' * 3500}\n\n{HEADING_MARK} B\n{'y' * 3000}"
    first, second = pages(Channel.TELEGRAM, text)
    assert shown_telegram(second)[0].startswith("B\nyyy")
    assert shown_telegram(first)[1] == ["T", "A"]
    assert shown_telegram(first)[0].endswith("x")


def test_a_paragraph_longer_than_a_page_is_split_between_sentences() -> None:
    sentence = "Walk thirty minutes a day. "
    text = "Walking\n\n" + sentence * 300  # ~8,100 characters in one paragraph
    out = pages(Channel.TELEGRAM, text, max_pages=5)
    shown = [shown_telegram(p)[0] for p in out]
    assert 2 <= len(out) <= 3 and all(utf16_len(s) <= 4096 for s in shown)
    assert all(s.rstrip().endswith("day.") for s in shown)  # cut after a sentence
    assert "".join(shown).count("Walk thirty") == 300


def test_telegram_pages_stay_within_100_entities() -> None:
    text = "\n\n".join(f"{HEADING_MARK} H{i}\nline {i}" for i in range(150))
    out = pages(Channel.TELEGRAM, "T\n\n" + text, max_pages=5)
    assert len(out) >= 2
    for page in out:
        _, entities = telegram_segments(page, "HTML")
        assert entities <= 100


# ------------------------------------------------------------------ HTML (handout, e-mail)
def test_html_body_is_escaped_and_structured() -> None:
    out = html_body("# Flu <script>\n\n## Care\n- Rest & **sleep**\n1. Drink\n\nCall us.")
    assert out == ("<h2>Flu &lt;script&gt;</h2>\n<h3>Care</h3>\n<ul>\n<li>Rest &amp; sleep</li>\n"
                   "</ul>\n<ol>\n<li>Drink</li>\n</ol>\n<p>Call us.</p>")


# ------------------------------------------------------------------ any text at all
LEAFLET_CHARS = st.sampled_from([*"ab 中文Яя.,!?:;*#_-+=>|`~[]()（）<>&\n\t\\",
                                 "■", "•", "◦", "【", "】", "＊", "＃", "😀", "0", "1", "9"])


@settings(max_examples=300, deadline=None)
@given(st.text(LEAFLET_CHARS, max_size=400))
def test_any_text_gives_pages_the_platforms_accept(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once
    for page in pages(Channel.TELEGRAM, text, lead="lead <&>", tail="1. Button"):
        assert telegram_call_problems("sendMessage", {"text": page, "parse_mode": "HTML"}) == []
    for page in pages(Channel.LINE, text, lead="lead", tail="1. Button"):
        assert line_message_problems([{"type": "text", "text": page}]) == []


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.sampled_from(list("abc 中. ")), min_size=1, max_size=300),
                min_size=1, max_size=60))
def test_pages_fit_and_lose_no_words_within_the_cap(paragraphs: list[str]) -> None:
    text = "\n\n".join(f"{HEADING_MARK} H\n{p}" for p in paragraphs)
    out = pages(Channel.TELEGRAM, text, max_pages=100, limit=500)
    shown = [shown_telegram(p)[0] for p in out]
    assert all(utf16_len(s) <= 500 for s in shown)
    words = "".join(normalize(text).split()).replace(HEADING_MARK, "")
    assert "".join("".join(shown).split()) == words
