"""What the webhooks let in (shared/domain/admission.py), over the hostile corpus and
the edges of each rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shared.domain.admission import (
    MAX_SAFE_INT,
    TELEGRAM_KINDS,
    admit_line,
    admit_telegram,
)
from tests.hostile import Case, line_cases, telegram_cases

NOW_MS = 1_780_000_100_000  # just after the corpus' events
NOW_S = NOW_MS // 1000


@pytest.mark.parametrize("case", line_cases(), ids=str)
def test_every_line_event_the_bot_must_answer_is_admitted(case: Case) -> None:
    verdict = admit_line(case.payload, NOW_MS)
    if case.expect in ("reply", "leave", "reply-or-silent"):
        assert verdict.admitted, verdict.reason


@pytest.mark.parametrize("case", telegram_cases(), ids=str)
def test_every_telegram_update_the_bot_must_answer_is_admitted(case: Case) -> None:
    verdict = admit_telegram(case.payload, NOW_S)
    if case.expect in ("reply", "leave", "reply-or-silent"):
        assert verdict.admitted, verdict.reason


def by_name(cases: list[Case], name: str) -> dict[str, Any]:
    return copy.deepcopy(next(c.payload for c in cases if c.name == name))


@pytest.mark.parametrize(("name", "reason"), [
    ("standby-message-text", "standby"), ("standby-follow", "standby"),
    ("absurd-timestamp", "absurd timestamp"), ("negative-timestamp", "absurd timestamp"),
    ("string-timestamp", "absurd timestamp"), ("huge-event-id", "absurd event id"),
    ("bad-user-id", "absurd source id"), ("no-source", "no source"),
    ("huge-audio-duration", "absurd number"), ("message-text-in-group", "group chat"),
    ("postback-in-group", "group chat"), ("leave-group", "group chat"),
    ("beacon-enter", "unused event: beacon"), ("message-edited", "unused event: messageEdited"),
    ("unknown-event-type", "unused event: undefined"),
    ("sample-style-ids", "absurd source id"),
])
def test_line_events_dropped_at_intake_say_why(name: str, reason: str) -> None:
    verdict = admit_line(by_name(line_cases(), name), NOW_MS)
    assert (verdict.admitted, verdict.reason) == (False, reason)


@pytest.mark.parametrize(("name", "reason"), [
    ("message-huge-date", "absurd number"), ("message-text-in-group", "group chat"),
    ("message-bot-added-to-group", "group chat"), ("message-from-a-bot", "from a bot"),
    ("message-without-from", "no sender"), ("message-successful-payment", "service message"),
    ("callback-query-game", "no callback data"),
    ("callback-query-inline-message", "no message"),
    ("callback-query-in-group", "group chat"), ("edited-message", "unused update: edited_message"),
    ("inline-query", "unused update: inline_query"), ("chat-member", "unused update: chat_member"),
    ("my-chat-member-removed-from-group", "membership"),
    ("unknown-update-type", "unused update: hologram"),
])
def test_telegram_updates_dropped_at_intake_say_why(name: str, reason: str) -> None:
    verdict = admit_telegram(by_name(telegram_cases(), name), NOW_S)
    assert (verdict.admitted, verdict.reason) == (False, reason)


def test_every_subscribed_update_kind_is_one_the_dialog_reads() -> None:
    from shared.adapters.operator_admin import TELEGRAM_UPDATES

    assert tuple(TELEGRAM_UPDATES) == TELEGRAM_KINDS


@pytest.mark.parametrize(("timestamp", "admitted"), [
    # Ahead of our clock is admitted (a clock behind must not lose messages); past
    # 2100 is absurd (issue 13: 10^30 overflowed Firestore).
    (NOW_MS, True), (NOW_MS + 86_400_001, True), (4_102_444_800_000, True),
    (4_102_444_800_001, False),
    (1_451_606_400_000, True), (1_451_606_399_999, False), (0, False), (True, False),
    (float(NOW_MS), False), (10**30, False),
])
def test_line_timestamps_within_the_platforms_life_and_before_2100(timestamp: Any,
                                                                   admitted: bool) -> None:
    event = by_name(line_cases(), "message-text")
    event["timestamp"] = timestamp
    assert admit_line(event, NOW_MS).admitted is admitted


@pytest.mark.parametrize(("date", "admitted"), [
    (NOW_S, True), (NOW_S + 86_401, True), (4_102_444_800, True), (4_102_444_801, False),
    (1_375_315_200, True),
    (1_375_315_199, False), (0, False), (-1, False), ("1780000000", False),
])
def test_telegram_dates_within_the_platforms_life_and_before_2100(date: Any,
                                                                  admitted: bool) -> None:
    update = by_name(telegram_cases(), "message-text")
    update["message"]["date"] = date
    assert admit_telegram(update, NOW_S).admitted is admitted
    change = by_name(telegram_cases(), "my-chat-member-blocked")
    change["my_chat_member"]["date"] = date
    assert admit_telegram(change, NOW_S).admitted is admitted


@pytest.mark.parametrize(("value", "admitted"), [
    (MAX_SAFE_INT, True), (MAX_SAFE_INT + 1, False), (-(MAX_SAFE_INT + 1), False),
    (1e308, False), (float("nan"), False), (3.5, True),
])
def test_numbers_that_would_not_fit_a_document_are_refused(value: Any, admitted: bool) -> None:
    event = by_name(line_cases(), "message-audio")
    event["message"]["duration"] = value
    assert admit_line(event, NOW_MS).admitted is admitted
    update = by_name(telegram_cases(), "message-voice")
    update["message"]["voice"]["file_size"] = value
    assert admit_telegram(update, NOW_S).admitted is admitted


def test_callback_data_longer_than_telegram_allows_is_forged() -> None:
    update = by_name(telegram_cases(), "callback-query")
    update["callback_query"]["data"] = "x" * 65
    assert admit_telegram(update, NOW_S).reason == "absurd callback"
    update["callback_query"]["data"] = "é" * 32  # 64 bytes
    assert admit_telegram(update, NOW_S).admitted


def test_the_bot_promoted_inside_a_group_it_is_in_is_not_a_new_arrival() -> None:
    update = by_name(telegram_cases(), "my-chat-member-added-to-group")
    update["my_chat_member"]["old_chat_member"]["status"] = "member"
    update["my_chat_member"]["new_chat_member"]["status"] = "administrator"
    assert admit_telegram(update, NOW_S).reason == "membership"


@pytest.mark.parametrize("payload", [None, [], "x", 5, {}, {"update_id": "1"},
                                     {"update_id": 1}, {"update_id": 1, "message": []},
                                     {"update_id": -1, "message": {}}])
def test_malformed_updates_are_refused_not_raised(payload: Any) -> None:
    assert not admit_telegram(payload, NOW_S).admitted
    assert not admit_line(payload, NOW_MS).admitted
