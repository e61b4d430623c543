"""The chat simulator page in headless Chromium (Debian's, never a downloaded browser):
a developer picks a platform and a user, types, taps buttons and sees the bot answer."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from infra.local.dev import LocalStack
from shared.domain.i18n import t

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# The flags the machine's probe found necessary in a closed network, as root.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    local = LocalStack(port=0, functions_port=0, use_firestore=False,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    local.start()
    yield local
    local.stop()


@pytest.fixture
def page(stack: LocalStack):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(stack.simulator.url + "/")
        yield page
        browser.close()


@pytest.mark.parametrize(("channel", "user", "lang"), [("line", "zh-TW", "zh-TW"),
                                                       ("telegram", "en", "en")])
def test_a_user_chooses_a_mode_in_the_page_and_gets_an_answer(page, channel, user, lang):
    page.click(f"[data-channel={channel}]")
    page.select_option("#user", user)
    page.fill("#text", "hello")
    page.press("#text", "Enter")
    page.get_by_text(t(lang, "menu.title").splitlines()[0]).first.wait_for(timeout=20_000)

    page.get_by_role("button", name=t(lang, "menu.education")).last.click()
    page.get_by_text(t(lang, "education.intro")).first.wait_for(timeout=20_000)
    page.get_by_role("button", name=t(lang, "topic.flu")).last.click()
    page.get_by_text(t(lang, "offline.label")).first.wait_for(timeout=30_000)


def test_the_clock_panel_moves_the_stacks_time(page, stack):
    before = stack.container.clock.now()
    page.click("[data-advance='3600']")
    page.wait_for_function(
        "document.querySelector('#clock').textContent.length > 2", timeout=10_000)
    moved = (stack.container.clock.now() - before).total_seconds()
    assert 3600 <= moved < 3600 + 60


@pytest.mark.parametrize("channel", ["line", "telegram"])
def test_the_block_toggle_blocks_and_unblocks_the_bot(page, stack, channel):
    page.click(f"[data-channel={channel}]")
    page.select_option("#user", "ru")
    page.click("#block")
    page.get_by_text("you blocked MedBot").first.wait_for(timeout=10_000)
    page.wait_for_function("document.querySelector('#block').textContent === 'Unblock'",
                           timeout=10_000)
    assert page.get_attribute("#block", "aria-pressed") == "true"
    assert page.is_disabled("#text")
    assert stack.simulator.state.blocked(channel, "ru")

    page.click("#block")
    page.get_by_text("you unblocked MedBot").first.wait_for(timeout=10_000)
    page.wait_for_function("document.querySelector('#block').textContent === 'Block'",
                           timeout=10_000)
    assert not page.is_disabled("#text")
    assert not stack.simulator.state.blocked(channel, "ru")


def test_the_page_shows_telegrams_command_menu_in_the_apps_language(page):
    page.click("[data-channel=telegram]")
    page.select_option("#user", "ru")
    page.locator("#commands-button").wait_for(state="visible", timeout=10_000)
    page.click("#commands-button")
    page.get_by_text(t("ru", "nav.command.help")).first.wait_for(timeout=5_000)
    page.locator("#commands button", has_text="/help").click()
    page.get_by_text(t("ru", "help.text").splitlines()[0]).first.wait_for(timeout=20_000)


# (Above the tests of the second stack: while gemini_stack is alive, the process-wide
# container is its own, and the first stack's answers reached the other simulator.)
@pytest.fixture(scope="module")
def gemini_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    local = LocalStack(port=0, functions_port=0, use_firestore=False, local_gemini=True,
                       blob_dir=str(tmp_path_factory.mktemp("blobs")))
    local.start()
    yield local
    local.stop()


@pytest.mark.parametrize(("channel", "user", "lang", "role"), [
    ("line", "zh-TW", "zh-TW", "button"),  # a bubble of tappable queries
    ("telegram", "en", "en", "link"),  # links in the message of the sources
])
def test_the_page_shows_a_leaflets_search_suggestions_as_links(gemini_stack: LocalStack,
                                                               channel, user, lang, role):
    # `make dev ARGS=--local-gemini`: the real google-genai path against the local server.
    from playwright.sync_api import sync_playwright

    assert gemini_stack.gemini is not None
    gemini_stack.gemini.search_queries = ("flu rest fluids", "流感 多喝水")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(gemini_stack.simulator.url + "/")
        page.click(f"[data-channel={channel}]")
        page.select_option("#user", user)
        page.fill("#text", "hello")
        page.press("#text", "Enter")
        page.get_by_text(t(lang, "menu.title").splitlines()[0]).first.wait_for(timeout=20_000)
        page.get_by_role("button", name=t(lang, "menu.education")).last.click()
        page.get_by_text(t(lang, "education.intro")).first.wait_for(timeout=20_000)
        page.get_by_role("button", name=t(lang, "topic.flu")).last.click()
        page.get_by_text(t(lang, "education.search_suggestions")).first.wait_for(timeout=30_000)
        for query in ("flu rest fluids", "流感 多喝水"):
            assert page.get_by_role(role, name=query, exact=True).count() == 1
        browser.close()


def test_the_page_shows_lines_rich_menu_and_a_tap_opens_its_mode(page):
    # Nobody is linked to a menu yet: the default (zh-TW) menu shows, open.
    page.click("[data-channel=line]")
    page.select_option("#user", "zh-TW")
    page.locator("#rich-menu-image img").wait_for(timeout=10_000)
    assert page.locator("#rich-menu-bar").inner_text().startswith(t("zh-TW", "nav.chat_bar"))
    page.get_by_role("button", name=t("zh-TW", "menu.education")).first.click()
    page.get_by_text(t("zh-TW", "education.intro")).first.wait_for(timeout=20_000)
    page.click("#rich-menu-bar")  # the chat bar closes the menu
    assert page.locator("#rich-menu-image").is_hidden()
