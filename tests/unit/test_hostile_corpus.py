"""The hostile corpus is complete and real: every event type the LINE SDK knows and
every Update field the Telegram SDK knows is in it, and each payload parses with the
platform's own SDK models (generated from LINE's OpenAPI spec; python-telegram-bot
mirrors the Bot API), except the few that are hostile on purpose."""

from __future__ import annotations

import warnings
from collections import Counter

import pytest
from linebot.v3.webhooks import Event, MessageContent  # type: ignore[import-untyped]
from telegram import Bot, Update

from tests.hostile import EXPECTATIONS, Case, line_cases, telegram_cases

# Hostile on purpose: the SDK refuses them, MedBot must still answer 200.
LINE_NOT_PARSEABLE = {
    "message-unknown-content-type": "unknown message type",
    "unknown-event-type": "unknown event type (the SDK's own sample has one)",
    "string-timestamp": "timestamp is a string",
}
TELEGRAM_NOT_PARSEABLE = {"message-huge-date": "date of 10^30 seconds"}


def _discriminators(model: type) -> set[str]:
    return set(vars(model)[f"_{model.__name__}__discriminator_value_class_map"])


def test_every_line_event_and_message_type_the_sdk_knows_is_in_the_corpus() -> None:
    events = [c.payload for c in line_cases()]
    assert _discriminators(Event) <= {e["type"] for e in events}
    messages = {e["message"]["type"] for e in events if e["type"] == "message"}
    assert _discriminators(MessageContent) <= messages
    assert {"user", "group", "room"} <= {(e.get("source") or {}).get("type") for e in events}
    assert {"active", "standby"} <= {e["mode"] for e in events}


def test_every_update_type_of_the_bot_api_is_in_the_corpus() -> None:
    kinds = {k for c in telegram_cases() for k in c.payload if k != "update_id"}
    assert {str(t) for t in Update.ALL_TYPES} <= kinds
    assert len(kinds) >= len(Update.ALL_TYPES) + 1  # and one Telegram may add later


@pytest.mark.parametrize("case", line_cases(), ids=str)
def test_line_payloads_are_what_line_sends(case: Case) -> None:
    if case.name in LINE_NOT_PARSEABLE:
        with pytest.raises(ValueError):  # pydantic's ValidationError is a ValueError
            Event.from_dict(case.payload)
    else:
        assert Event.from_dict(case.payload) is not None


@pytest.mark.parametrize("case", telegram_cases(), ids=str)
def test_telegram_payloads_are_what_telegram_sends(case: Case) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB's deprecation notes
        if case.name in TELEGRAM_NOT_PARSEABLE:
            with pytest.raises((ValueError, OverflowError)):
                Update.de_json(case.payload, Bot("123456789:token"))
        else:
            assert Update.de_json(case.payload, Bot("123456789:token")) is not None


def test_names_are_unique_and_expectations_known() -> None:
    for cases in (line_cases(), telegram_cases()):
        names = Counter(c.name for c in cases)
        assert [n for n, k in names.items() if k > 1] == []
        assert {c.expect for c in cases} <= EXPECTATIONS
    ids = Counter(c.payload["update_id"] for c in telegram_cases())
    assert max(ids.values()) == 1
