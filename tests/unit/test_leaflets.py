"""Pure leaflet rendering and the strict e-mail address check."""

from __future__ import annotations

import pytest

from shared.bootstrap import registry
from shared.domain.dialog import Intent
from shared.domain.i18n import UI_LANGUAGES, catalog, t
from shared.domain.messages import Card
from shared.features.education.leaflets import (
    LeafletView,
    email_bodies,
    handout_html,
    normalize_email,
)
from shared.features.education.states import EducationState
from shared.features.email.states import EmailIntent, EmailState


@pytest.mark.parametrize(("text", "expected"), [
    ("name@example.com", "name@example.com"),
    (" A.B+c@Sub.Example.ORG ", "A.B+c@sub.example.org"),
    ("o'brien@example.ie", "o'brien@example.ie"),
])
def test_valid_addresses_are_accepted(text, expected):
    assert normalize_email(text) == expected


@pytest.mark.parametrize("text", [
    "", "plain", "a@b", "@example.com", "a@", "a b@example.com", "a@exa mple.com",
    "a..b@example.com", ".a@example.com", "a@-example.com", "a@example.c0m",
    "a@example.com\r\nBcc: x@example.com", "\"quoted\"@example.com", "a@[127.0.0.1]",
    "Name <a@example.com>", "a@example.com,b@example.com", "x" * 65 + "@example.com",
    "a@" + "b" * 250 + ".com", "名字@example.com",
])
def test_invalid_addresses_are_refused(text):
    assert normalize_email(text) is None


def test_markdown_becomes_escaped_html_without_any_mark():
    # Leaflets are plain text: the page shows the title, headings and lists as tags,
    # Markdown's marks go and anything else is escaped (leaflet_format.html_body).
    view = LeafletView(topic="x", language="en", text=(
        "# Title <script>x</script>\n\n## Signs\n- one **two**\n- three\n\nplain & simple"))
    page = handout_html("en", view, emergency="911")
    assert ("<h2>Title &lt;script&gt;x&lt;/script&gt;</h2>\n<h3>Signs</h3>\n<ul>\n"
            "<li>one two</li>\n<li>three</li>\n</ul>\n<p>plain &amp; simple</p>") in page
    assert "**" not in page and "##" not in page
    text = email_bodies("en", view, emergency="911").text
    assert "■ Signs\n• one two\n• three" in text and "**" not in text and "#" not in text


def test_email_and_handout_carry_everything_a_reader_needs():
    view = LeafletView(topic="flu\r\nBcc: x@example.com", language="en", text="# Flu\nRest.",
                       references=(Card(title="WHO", url="https://who.int/flu?a=1&b=2"),),
                       translation_language="ru", translation="Отдыхайте.")
    bodies = email_bodies("en", view, emergency="911")
    assert "\n" not in bodies.subject and "\r" not in bodies.subject
    for body in (bodies.text, bodies.html):
        assert "Rest." in body and "Отдыхайте." in body
        assert t("en", "education.disclaimer", emergency="911") in body
        assert "call 911." in body
    assert "https://who.int/flu?a=1&b=2" in bodies.text
    assert 'href="https://who.int/flu?a=1&amp;b=2"' in bodies.html
    page = handout_html("en", view, emergency="911")
    assert "call 911." in page
    assert page.startswith("<!DOCTYPE html>") and "Noto Sans CJK" in page
    # No script, no remote resource (the head names no URL; its CSP forbids loading).
    assert "<script" not in page and "://" not in page.split("<body>")[0]


def test_every_leaflet_text_exists_in_every_ui_language():
    keys = [k for k in catalog("en") if k.startswith("education.")]
    for lang in UI_LANGUAGES:
        assert [k for k in keys if k not in catalog(lang)] == []


def test_leaflet_states_are_declared_in_the_state_machine():
    table = registry().dialog
    step_for = table.step
    assert step_for(EducationState.MODIFY, Intent.TEXT).handler == "modify_leaflet"
    assert step_for(EducationState.TRANSLATE, Intent.TEXT).handler == "translate_leaflet"
    assert step_for(EmailState.ADDRESS, Intent.TEXT).handler == "email_leaflet"
    assert table.rows[("*", EmailIntent.LEAFLET_EMAIL)].next_state is EmailState.ADDRESS
    verbs = {kind.verb for kind in table.kinds}
    for verb in ("lfmod", "lftr", "lfto", "lforig", "lfmail", "lfpdf"):
        assert verb in verbs
    # Typed commands still work while the bot waits for a change, language or address.
    assert step_for(EmailState.ADDRESS, Intent.MENU).handler == "show_menu"
