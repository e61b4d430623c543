"""The messengers' profile language and native menu, on the real adapters against the
platform stand-ins and on the fake (issue 12): LINE reports a user's language in their
profile and links them to their language's rich menu; Telegram sets the chat's own
command list; neither ever fails a turn over a menu."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.platforms import PlatformServer
from infra.ops import install_rich_menus
from shared.adapters.line_messenger import LineMessenger
from shared.adapters.telegram_messenger import TelegramMessenger
from shared.domain.channels import Channel
from shared.fakes.recording_messenger import RecordingMessenger

pytestmark = pytest.mark.emulator


@pytest.fixture
def line(platform_server: PlatformServer) -> Iterator[LineMessenger]:
    messenger = LineMessenger(platform_server.state.line_access_token,
                              api_base_url=platform_server.url,
                              data_api_base_url=platform_server.url)
    yield messenger
    messenger.close()


@pytest.fixture
def telegram(platform_server: PlatformServer) -> Iterator[TelegramMessenger]:
    messenger = TelegramMessenger(platform_server.state.telegram_token,
                                  base_url=platform_server.telegram_base_url,
                                  base_file_url=platform_server.telegram_file_url)
    yield messenger
    messenger.close()


def test_line_reports_each_users_profile_language(platform_server: PlatformServer,
                                                  line: LineMessenger) -> None:
    state = platform_server.state
    assert line.profile_language(state.user("en").line_user_id) == "en"
    assert line.profile_language(state.user("ru").line_user_id) == "ru"
    assert line.profile_language(state.user("zh-TW").line_user_id) == "zh-TW"
    assert line.profile_language("U" + "0" * 32) is None  # not a friend: 404, no raise


def test_line_links_the_menu_of_the_language_and_survives_a_reinstall(
        platform_server: PlatformServer, line: LineMessenger) -> None:
    state = platform_server.state
    ivan = state.user("ru").line_user_id
    line.show_menu(ivan, "ru")  # no menus installed yet: nothing happens, nothing raised
    assert ivan not in state.line_menus.links
    install_rich_menus(state.line_access_token, platform_server.url, platform_server.url)
    line.show_menu(ivan, "ru")
    assert state.line_menus.links[ivan] == state.line_menus.aliases["medbot-ru"]
    install_rich_menus(state.line_access_token, platform_server.url, platform_server.url)
    line.show_menu(ivan, "ru")  # the cached id is gone: looked up again
    assert state.line_menus.links[ivan] == state.line_menus.aliases["medbot-ru"]
    shown = state.line_menus.shown_to(ivan)
    assert shown is not None and shown.body["chatBarText"] == "Меню"


def test_telegram_sets_the_chats_own_command_list(platform_server: PlatformServer,
                                                  telegram: TelegramMessenger) -> None:
    state = platform_server.state
    alice = str(state.user("en").telegram_id)
    assert telegram.profile_language(alice) is None
    telegram.show_menu(alice, "ru")  # Alice's app is in English; she chose Russian
    commands, button = state.telegram_menus.shown_to(alice, "en")
    assert commands[0] == {"command": "start", "description": "Начать"}
    assert button == {"type": "commands"}
    telegram.show_menu("999999", "en")  # no such chat: logged, not raised


def test_the_fake_answers_as_the_adapters_do() -> None:
    fake = RecordingMessenger(Channel.LINE)
    assert fake.profile_language("U" + "0" * 32) is None
    fake.profile_languages["U1"] = "ja"
    assert fake.profile_language("U1") == "ja"
    fake.show_menu("U1", "en")
    assert fake.menus == {"U1": "en"}
