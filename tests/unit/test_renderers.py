"""The adapters' pure renderers never produce what the platforms refuse or degrade, and
never two buttons alike in one message (shared/wire/line.py, shared/wire/telegram.py, checked
against shared/fakes/platform_rules.py). Issue 20."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.domain.labels import fold
from shared.domain.messages import Audio, Button, Card, Cards, Leaflet, OutMessage, Text
from shared.fakes.platform_rules import line_message_problems
from shared.fakes.telegram_rules import telegram_call_problems, telegram_segments
from shared.wire.line import batches, render_messages
from shared.wire.telegram import card_pages, render_calls

ER = "Metformin hydrochloride extended-release 500 mg"
IR = "Metformin hydrochloride immediate-release 850 mg"


def line_labels(wire: dict[str, Any]) -> list[str]:
    return [i["action"]["label"] for i in wire["quickReply"]["items"]]


def test_line_links_lines_refuses_are_dropped_not_sent():
    buttons = [Button(label="WHO", url="https://who.int/"), Button(label="Call", url="tel:119"),
               Button(label="Plain", url="http://who.int/"),
               Button(label="Script", url="javascript:alert(1)")]
    [wire] = render_messages([Text(text="Links", buttons=buttons)])
    assert [i["action"]["uri"] for i in wire["quickReply"]["items"]] == [
        "https://who.int/", "tel:119"]
    cards = Cards(alt_text="Sources", cards=[Card(title="a", url="http://x.example/a"),
                                             Card(title="b", url="https://x.example/b")])
    [flex] = render_messages([cards])
    assert len(flex["contents"]["contents"]) == 1


def test_line_keeps_the_local_stacks_plain_http_blob_links():
    cards = Cards(alt_text="Handout", cards=[Card(title="PDF", url="http://127.0.0.1:8081/b/x")])
    assert render_messages([cards]) == []
    [flex] = render_messages([cards], local_origins=("http://127.0.0.1:8081",))
    assert flex["type"] == "flex"


def test_line_and_telegram_tell_two_strengths_apart():
    message = Text(text="Which one?", buttons=[Button(label=ER, data="d:1"),
                                               Button(label=IR, data="d:2")])
    [wire] = render_messages([message])
    assert line_labels(wire) == ["Metformin…500 mg", "Metformin…850 mg"]
    assert [a["action"]["displayText"] for a in wire["quickReply"]["items"]] == [ER, IR]
    [call] = render_calls([message])
    assert [b["text"] for row in call.params["reply_markup"]["inline_keyboard"]
            for b in row] == [ER, IR]  # Telegram shows them whole


def test_numbered_options_are_listed_in_full_in_the_text():
    same = "Amoxicillin-clavulanate-potassium suspension"
    message = Text(text="Which one?", buttons=[Button(label=same, data="d:1"),
                                               Button(label=same + " forte", data="d:2")])
    [wire] = render_messages([message])
    assert [label[:3] for label in line_labels(wire)] == ["1. ", "2. "]
    assert wire["text"].endswith(f"1. {same}\n2. {same} forte")
    [call] = render_calls([message])
    assert call.params["text"] == "Which one?"  # 64 characters tell them apart on Telegram


def test_telegram_link_lists_stay_within_100_entities():
    cards = Cards(alt_text="Sources", cards=[Card(title=str(i), url=f"https://x.example/{i}")
                                             for i in range(250)])
    pages = card_pages(cards)
    assert len(pages) == 3
    assert all(page.count("<a ") + page.count("<b>") <= 100 for page in pages)


def test_a_voice_caption_is_cut_to_1024():
    [call] = render_calls([Audio(url="https://x/a.ogg", duration_ms=1, mime="audio/ogg",
                                 caption="c" * 2000)])
    assert call.method == "sendVoice" and len(call.params["caption"]) == 1024


def test_an_audio_title_is_its_caption_on_telegram_and_a_text_before_it_on_line():
    parts = [Audio(url=f"https://x/{i}.ogg", duration_ms=1000, mime="audio/ogg",
                   title="🔊 Read aloud: Flu", caption=f"Part {i} of 2") for i in (1, 2)]
    calls = render_calls(parts)
    assert [c.params["caption"] for c in calls] == ["🔊 Read aloud: Flu\nPart 1 of 2",
                                                    "🔊 Read aloud: Flu\nPart 2 of 2"]
    wire = render_messages(parts)
    assert [w["type"] for w in wire] == ["text", "audio", "audio"]
    assert wire[0]["text"] == "🔊 Read aloud: Flu"
    introduced = render_messages([Text(text="TLPA: ..."), parts[0]])
    assert [w["type"] for w in introduced] == ["text", "audio"]  # the text introduces it
    untitled = render_calls([Audio(url="https://x/a.ogg", duration_ms=1, mime="audio/ogg")])
    assert "caption" not in untitled[0].params


LEAFLET = ("# Flu <care>\n\n**Rest** & drink.\n\n## When to call\n- Fever over 3 days\n"
           "- Trouble breathing")


def test_a_telegram_leaflet_has_bold_headings_and_escaped_text():
    buttons = [Button(label="Translate", data="lftr"), Button(label="Menu", data="menu")]
    [call] = render_calls([Leaflet(text=LEAFLET, lead="(offline demo)", buttons=buttons)])
    assert call.method == "sendMessage" and call.params["parse_mode"] == "HTML"
    assert telegram_call_problems("sendMessage", call.params) == []
    segments, _ = telegram_segments(call.params["text"], "HTML")
    assert [s["text"] for s in segments if s["b"]] == ["Flu <care>", "When to call"]
    shown = "".join(s["text"] for s in segments)
    assert shown == ("(offline demo)\n\nFlu <care>\n\nRest & drink.\n\nWhen to call\n"
                     "• Fever over 3 days\n• Trouble breathing")
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "lftr"


def test_a_line_leaflet_has_section_lines_and_its_buttons():
    [wire] = render_messages([Leaflet(text=LEAFLET, buttons=[Button(label="Menu", data="menu")])])
    assert wire["text"] == ("Flu <care>\n\nRest & drink.\n\n■ When to call\n"
                            "• Fever over 3 days\n• Trouble breathing")
    assert line_labels(wire) == ["Menu"]


def test_a_leaflet_over_the_cap_is_cut_on_both_platforms():
    text = "Title\n\n" + "\n\n".join(f"■ H{i}\n" + "Rest well today. " * 60 for i in range(40))
    sent = [Leaflet(text=text, shortened="(shortened)", buttons=[Button(label="M", data="m")])]
    calls = render_calls(sent)
    assert len(calls) == 2 and calls[-1].params["text"].endswith("(shortened)")
    assert "reply_markup" in calls[-1].params and "reply_markup" not in calls[0].params
    wire = render_messages(sent)
    assert len(wire) == 2 and wire[-1]["text"].endswith("(shortened)")
    assert "quickReply" in wire[-1]


# ------------------------------------------------------------------ property
LABELS = st.sampled_from([ER, IR, "08:00 " + ER, "08:00 " + IR, "All of them", "Menu",
                          "二甲雙胍緩釋錠 500毫克", "Метформин 850 мг", "👨\u200d👩\u200d👧" * 12,
                          "x" * 80, "Aspirin", "aspirin", " ", "e\u0301" * 30])
TEXTS = st.one_of(st.text(max_size=60), st.sampled_from(["", "\n\n", "x" * 4096 + "\n\n",
                                                         "藥" * 5001, "😀" * 2600]))


@st.composite
def messages(draw: st.DrawFn) -> list[OutMessage]:
    out: list[OutMessage] = []
    for kind in draw(st.lists(st.sampled_from(["text", "audio", "cards", "leaflet"]),
                              min_size=1, max_size=4)):
        labels = draw(st.lists(LABELS, max_size=13))
        buttons = [Button(label=label, data=f"d:{i}") for i, label in enumerate(labels)]
        if kind == "text":
            out.append(Text(text=draw(TEXTS), buttons=buttons))
        elif kind == "leaflet":
            out.append(Leaflet(text=draw(TEXTS), lead=draw(st.text(max_size=40)),
                               shortened=draw(st.text(max_size=40)), buttons=buttons))
        elif kind == "audio":
            out.append(Audio(url="https://x.example/a.ogg", duration_ms=draw(st.integers(0, 10**7)),
                             mime=draw(st.sampled_from(["audio/ogg", "audio/mp4"])),
                             title=draw(st.text(max_size=200)),
                             caption=draw(st.text(max_size=1100)), buttons=buttons))
        else:
            out.append(Cards(alt_text=draw(st.text(max_size=30)), buttons=buttons, cards=[
                Card(title=draw(st.text(max_size=300)), url=f"https://x.example/{i}")
                for i in range(draw(st.integers(1, 30)))]))
    return out


@settings(max_examples=150, deadline=None)
@given(sent=messages())
def test_property_nothing_rendered_is_refused_and_no_labels_read_alike(sent):
    for batch in batches(render_messages(sent)):
        assert line_message_problems(batch) == []
        for wire in batch:
            if "quickReply" in wire:
                labels = line_labels(wire)
                assert len({fold(label) for label in labels}) == len(labels)
    for call in render_calls(sent):
        assert telegram_call_problems(call.method, {"chat_id": 1, **call.params}) == []
        markup = call.params.get("reply_markup")
        if markup:
            labels = [b["text"] for row in markup["inline_keyboard"] for b in row]
            assert len({fold(label) for label in labels}) == len(labels)
