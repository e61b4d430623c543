"""Issue 15 (care circle) through the real entry points, on fakes: invites across apps,
wrong / used / own / expired codes and the brute-force limit, the missed-dose alert
(once per dose slot and caregiver, in the caregiver's language, only what the patient
shares), "I called them" for the other caregivers, quiet hours, and erasure."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest

from shared.clock import FixedClock
from shared.domain.channels import Channel
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.fakes.recording_messenger import RecordingMessenger
from shared.ports import Filter
from tests.support import (
    DEV_TOKEN,
    LINE_USER,
    TELEGRAM_USER,
    client,
    fake_container,
    line_body,
    line_event,
    post_line,
    post_telegram,
    pump,
    registered_store,
    serving,
    telegram_update,
)

PATIENT = f"telegram-{TELEGRAM_USER}"
CAREGIVER = f"line-{LINE_USER}"
SECOND_TG = 777000111  # a second caregiver, on Telegram
SECOND_LINE = "U" + "fedcba9876543210" * 2
START = datetime(2026, 3, 2, 22, 0, tzinfo=UTC)  # 06:00 on the 3rd in Taipei


def taipei(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@pytest.fixture
def c():
    container = fake_container()
    container.__dict__["store"] = registered_store()
    container.__dict__["clock"] = FixedClock(START)
    with serving(container):
        yield container


@pytest.fixture(params=["memory", "firestore"])
def on_store(request: pytest.FixtureRequest):
    """The in-memory store, and the Firestore emulator (the real adapter)."""
    container = fake_container()
    container.__dict__["clock"] = FixedClock(START)
    if request.param == "firestore":
        from shared.adapters.firestore_store import FirestoreStore

        container.__dict__["store"] = FirestoreStore(
            project=request.getfixturevalue("firestore_project"))
    else:
        container.__dict__["store"] = registered_store()
    with serving(container):
        yield container


def m(c, channel: Channel) -> RecordingMessenger:
    found = c.messengers[channel]
    assert isinstance(found, RecordingMessenger)
    return found


def tg(c, text=None, data=None, user=TELEGRAM_USER, language="en"):
    update = telegram_update(text=text, data=data, user=user, language_code=language)
    assert post_telegram(update).status_code == 200
    pump(c)


def line(c, text=None, data=None, user=LINE_USER):
    event = line_event("postback", data=data, user=user) if data else \
        line_event(text=text, user=user)
    assert post_line(line_body(event)).status_code == 200
    pump(c)


def said(c, channel: Channel, chat: str) -> list[str]:
    return [x.text for x in m(c, channel).messages_to(chat) if isinstance(x, Text)]


def tick(c, when):
    c.clock.current = when
    response = client("reminder_tick").post("/", headers={"Authorization": f"Bearer {DEV_TOKEN}"})
    assert response.status_code == 200
    pump(c)


def invite(c, name="Grandma Li") -> str:
    tg(c, "invite a caregiver")
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t("en", "circle.ask_name")
    tg(c, name)
    text = said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1]
    code = re.search(r"Invite code: ([A-Z0-9]{6,10})", text)
    assert code is not None, text
    return code.group(1)


def patient_with_metformin(c):
    tg(c, data="mode:med")
    tg(c, data="med:tz:Asia/Taipei")
    tg(c, "add metformin 500 mg at 08:00")
    tg(c, "add omeprazole 20 mg at 20:00")


def russian_caregiver_joins(c, code: str, user: str = LINE_USER) -> None:
    line(c, "русский", user=user)
    # As people copy it: lower case, a space in the middle.
    line(c, f"{code[:4].lower()} {code[4:].lower()}", user=user)


def alerts_to(c, channel: Channel, chat: str) -> list[Text]:
    return [x for x in m(c, channel).messages_to(chat) if isinstance(x, Text)
            and any(b.data.startswith("cgok:") for b in x.buttons)]


# --------------------------------------------------------------------------- invites
def test_an_invite_code_links_a_caregiver_on_the_other_app_and_the_patient_is_told(c):
    code = invite(c)
    assert len(code) == 8 and re.search(r"\d", code) and re.search(r"[A-Z]", code)
    text = said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1]
    assert f"https://t.me/medbot_bot?start=cg_{code}" in text
    assert f"https://line.me/R/oaMessage/%40medbot/?{code}" in text
    # Only a hash of the code is stored.
    assert code not in json.dumps([d for _, d in c.store.query("care_invites")], default=str)
    russian_caregiver_joins(c, code)
    assert said(c, Channel.LINE, LINE_USER)[-1].startswith("Готово")
    assert "Grandma Li" in said(c, Channel.LINE, LINE_USER)[-1]
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t(
        "en", "circle.patient.joined", name=t("en", "circle.a_caregiver"))
    # Both see the link in "my caregivers".
    tg(c, "my caregivers")
    assert "1." in said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1]
    line(c, "мои опекуны")
    assert "Grandma Li" in said(c, Channel.LINE, LINE_USER)[-1]


def test_the_telegram_deep_link_links_too(c):
    code = invite(c, "Mama")
    other = SECOND_TG
    tg(c, f"/start cg_{code}", user=other)
    assert said(c, Channel.TELEGRAM, str(other))[-1] == t("en", "circle.joined", name="Mama")
    # Telegram gives the caregiver's first name: the patient is told who joined.
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t(
        "en", "circle.patient.joined", name="Test")


def test_wrong_used_own_and_expired_codes_get_clear_answers_and_guessing_is_limited(c):
    code = invite(c)
    tg(c, code)  # the patient's own code
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t("en", "circle.join.self")
    russian_caregiver_joins(c, code)
    line(c, code, user=SECOND_LINE)
    assert said(c, Channel.LINE, SECOND_LINE)[-1] == t("zh-TW", "circle.join.used")
    later = invite(c)
    c.clock.current = START + timedelta(hours=25)
    line(c, later, user=SECOND_LINE)
    assert said(c, Channel.LINE, SECOND_LINE)[-1] == t("zh-TW", "circle.join.expired")
    # The expired code and these: 5 wrong codes in this hour (the used one was earlier).
    for guess in ("AB2CD345", "Z9Z9Z9Z9", "Q2W3E4R5", "A2B3C4D5"):
        line(c, guess, user=SECOND_LINE)
        assert said(c, Channel.LINE, SECOND_LINE)[-1] == t("zh-TW", "circle.join.unknown")
    line(c, "A2B3C4D6", user=SECOND_LINE)
    assert said(c, Channel.LINE, SECOND_LINE)[-1] == t("zh-TW", "circle.join.tries")
    fresh = invite(c)  # even the right code waits for the hour to pass
    line(c, fresh, user=SECOND_LINE)
    assert said(c, Channel.LINE, SECOND_LINE)[-1] == t("zh-TW", "circle.join.tries")
    c.clock.current += timedelta(hours=1)
    line(c, fresh, user=SECOND_LINE)
    assert said(c, Channel.LINE, SECOND_LINE)[-1] == t("zh-TW", "circle.joined", name="Grandma Li")


def test_at_most_five_caregivers(c):
    for n in range(5):
        tg(c, f"/start cg_{invite(c)}", user=SECOND_TG + n)
    tg(c, "invite a caregiver")
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t(
        "en", "circle.full", most=5)


# --------------------------------------------------------------------------- alerts
def test_a_missed_dose_alerts_the_caregiver_once_in_russian_naming_only_that_medicine(c):
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c, "Бабушка Ли"))
    tick(c, taipei(3, 8))  # the 08:00 reminder; the patient does not answer
    assert alerts_to(c, Channel.LINE, LINE_USER) == []
    tick(c, taipei(3, 8, 59))
    assert alerts_to(c, Channel.LINE, LINE_USER) == []
    tick(c, taipei(3, 9))  # the repeat, and the alert an hour after the dose
    tick(c, taipei(3, 9, 1))
    tick(c, taipei(3, 10))  # later ticks and repeats alert nobody again
    [alert] = alerts_to(c, Channel.LINE, LINE_USER)
    assert alert.text == t("ru", "circle.alert", name="Бабушка Ли", medicine="metformin",
                           time="08:00")
    for leak in ("500", "omeprazole", str(TELEGRAM_USER), "mg"):
        assert leak not in alert.text
    assert [b.label for b in alert.buttons] == [t("ru", "circle.button.called")]
    assert len(c.store.query("care_alerts")) == 1


def test_an_answered_dose_alerts_nobody(c):
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    tick(c, taipei(3, 8))
    tg(c, "I took metformin")
    tick(c, taipei(3, 9))
    tick(c, taipei(3, 11))
    assert alerts_to(c, Channel.LINE, LINE_USER) == []


def test_the_patient_can_stop_sharing_alerts_with_one_caregiver(c):
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    [link] = c.store.query("care_links")
    lid = link[0].rsplit("/", 1)[1]
    tg(c, data=f"cgone:{lid}")
    tg(c, data=f"cgsh:{lid}:alerts")
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1].startswith("Changed.")
    tick(c, taipei(3, 8))
    tick(c, taipei(3, 9))
    assert alerts_to(c, Channel.LINE, LINE_USER) == []


def test_i_called_them_shows_the_others_that_it_is_handled(c):
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    tg(c, f"/start cg_{invite(c)}", user=SECOND_TG)
    tick(c, taipei(3, 8))
    tick(c, taipei(3, 9))
    [on_line] = alerts_to(c, Channel.LINE, LINE_USER)
    [on_tg] = alerts_to(c, Channel.TELEGRAM, str(SECOND_TG))
    tg(c, data=on_tg.buttons[0].data, user=SECOND_TG)
    assert said(c, Channel.TELEGRAM, str(SECOND_TG))[-1] == t("en", "circle.alert.thanks")
    # LINE cannot edit: a follow-up line in Russian, naming the Telegram caregiver.
    assert said(c, Channel.LINE, LINE_USER)[-1] == t("ru", "circle.alert.handled", name="Test")
    line(c, data=on_line.buttons[0].data)
    assert said(c, Channel.LINE, LINE_USER)[-1] == t("ru", "circle.alert.already", name="Test")


def test_an_alert_in_the_caregivers_quiet_hours_waits_until_they_end(c):
    tg(c, data="mode:med")
    tg(c, data="med:tz:Asia/Taipei")
    tg(c, "add metformin 500 mg at 21:30")
    tg(c, "/start cg_" + invite(c), user=SECOND_TG)
    tg(c, data="mode:med", user=SECOND_TG)
    tg(c, data="med:tz:Asia/Taipei", user=SECOND_TG)  # quiet 22:00-07:00 by default
    tick(c, taipei(3, 21, 30))
    tick(c, taipei(3, 22, 30))  # the alert is due now, in the caregiver's night
    assert alerts_to(c, Channel.TELEGRAM, str(SECOND_TG)) == []
    tick(c, taipei(4, 7, 0))
    pump(c)
    [alert] = alerts_to(c, Channel.TELEGRAM, str(SECOND_TG))
    assert "21:30" in alert.text


# --------------------------------------------------------------------------- erasure
def test_the_patients_erasure_removes_links_invites_and_pending_alerts(on_store):
    c = on_store
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    invite(c)  # an open invite too
    tick(c, taipei(3, 8))  # an alert check is pending now
    queue = c.tasks
    assert any(task.payload.get("kind") == "alert" for task in queue.tasks)
    tg(c, "delete my data")
    tg(c, data="del:yes")
    for name in ("care_links", "care_invites", "care_alerts", "care_circles"):
        assert c.store.query(name) == [], name
    tick(c, taipei(3, 9))  # the pending check runs: the patient was erased, it is void
    assert not any(task.payload.get("kind") == "alert" for task in queue.tasks)
    assert alerts_to(c, Channel.LINE, LINE_USER) == []
    # The caregiver still has their own account; their list is empty.
    line(c, "мои опекуны")
    assert said(c, Channel.LINE, LINE_USER)[-1].startswith(t("ru", "circle.list.empty"))


def test_a_caregivers_erasure_removes_their_side_only(on_store):
    c = on_store
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    line(c, "удалить мои данные")
    line(c, data="del:yes")
    assert c.store.query("care_links") == []
    assert c.store.query("care_invites", [Filter("caregiver_id", "==", CAREGIVER)]) == []
    tick(c, taipei(3, 8))
    tick(c, taipei(3, 9))  # the patient's schedule runs on; nobody is alerted
    assert c.store.query("care_alerts") == []
    tg(c, "my caregivers")
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1].startswith(
        t("en", "circle.list.empty"))


# --------------------------------------------------------------------------- privacy
def test_a_caregiver_sees_only_what_each_patient_shares_and_logs_hold_no_names(c, caplog):
    caplog.set_level("DEBUG")
    # Two patients (Telegram, LINE) share with one caregiver (Telegram, second user).
    patient_with_metformin(c)
    tg(c, "Tell me about asthma")  # a leaflet: never shared
    first = invite(c, "Grandma Li")
    tg(c, f"/start cg_{first}", user=SECOND_TG)
    line(c, data="mode:med", user=SECOND_LINE)
    line(c, data="med:tz:Asia/Taipei", user=SECOND_LINE)
    line(c, "add warfarin 5 mg at 08:00", user=SECOND_LINE)
    line(c, "邀請家人", user=SECOND_LINE)
    line(c, "Uncle Wang", user=SECOND_LINE)
    other = re.search(r"[A-Z0-9]{8}", said(c, Channel.LINE, SECOND_LINE)[-1])
    assert other is not None
    tg(c, other.group(0), user=SECOND_TG)
    # Uncle Wang shares alerts only.
    lid = next(p.rsplit("/", 1)[1] for p, d in c.store.query("care_links")
               if d["user_id"] == f"line-{SECOND_LINE}")
    line(c, data=f"cgsh:{lid}:summary", user=SECOND_LINE)

    tick(c, taipei(3, 8))
    tick(c, taipei(3, 9))
    alerts = alerts_to(c, Channel.TELEGRAM, str(SECOND_TG))
    assert sorted(a.text for a in alerts) == sorted([
        t("en", "circle.alert", name="Grandma Li", medicine="metformin", time="08:00"),
        t("en", "circle.alert", name="Uncle Wang", medicine="warfarin", time="08:00")])
    for hour in (10, 11, 12, 13):  # the repeats, then the slot is recorded missed
        tick(c, taipei(3, hour))
    tg(c, "my caregivers", user=SECOND_TG)
    listing = m(c, Channel.TELEGRAM).messages_to(str(SECOND_TG))[-1]
    assert isinstance(listing, Text)
    summaries = [b.data for b in listing.buttons if b.data.startswith("cgsum:")]
    assert len(summaries) == 1  # Uncle Wang does not share his summary
    tg(c, data=summaries[0], user=SECOND_TG)
    summary = said(c, Channel.TELEGRAM, str(SECOND_TG))[-1]
    assert "Grandma Li" in summary and "metformin" in summary
    tg(c, data=f"cgsum:{lid}", user=SECOND_TG)  # a forged tap on the other's summary
    assert said(c, Channel.TELEGRAM, str(SECOND_TG))[-1] == t(
        "en", "circle.summary.not_shared", name="Uncle Wang")

    seen = "\n".join(said(c, Channel.TELEGRAM, str(SECOND_TG)))
    for leak in ("asthma", "500 mg", "5 mg", str(TELEGRAM_USER), SECOND_LINE,
                 "Asia/Taipei", "omeprazole 20"):
        assert leak not in seen, leak
    # Logs: metadata only (no names, medicines, codes or texts).
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for secret in ("Grandma", "Uncle Wang", "metformin", "warfarin", first, other.group(0)):
        assert secret not in logged, secret


def test_telegram_alerts_are_edited_when_another_caregiver_handled_them(c):
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    tg(c, f"/start cg_{invite(c)}", user=SECOND_TG)
    tick(c, taipei(3, 8))
    tick(c, taipei(3, 9))
    [on_line] = alerts_to(c, Channel.LINE, LINE_USER)
    before = len(m(c, Channel.TELEGRAM).messages_to(str(SECOND_TG)))
    line(c, data=on_line.buttons[0].data)
    assert said(c, Channel.LINE, LINE_USER)[-1] == t("ru", "circle.alert.thanks")
    edited = [text for (chat, _), text in m(c, Channel.TELEGRAM).edited.items()
              if chat == str(SECOND_TG)]
    handled = t("en", "circle.alert.handled", name=t("en", "circle.a_caregiver"))
    assert len(edited) == 1 and edited[0].text.endswith(handled)
    assert edited[0].buttons == []  # "I called them" is gone from the edited alert
    assert len(m(c, Channel.TELEGRAM).messages_to(str(SECOND_TG))) == before  # no new one


def test_the_patient_chooses_how_long_after_a_dose_caregivers_hear(c):
    patient_with_metformin(c)
    russian_caregiver_joins(c, invite(c))
    tg(c, "my caregivers")
    assert t("en", "circle.delay.now", minutes=60) in said(c, Channel.TELEGRAM,
                                                          str(TELEGRAM_USER))[-1]
    tick(c, taipei(3, 8))  # the check is planned for 09:00 ...
    tg(c, data="cgdelay")
    tg(c, data="cgafter:120")  # ... and follows the patient's new choice
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t(
        "en", "circle.delay.set", minutes="120")
    tick(c, taipei(3, 9))
    tick(c, taipei(3, 9, 30))
    assert alerts_to(c, Channel.LINE, LINE_USER) == []
    tick(c, taipei(3, 10))
    [alert] = alerts_to(c, Channel.LINE, LINE_USER)
    assert "08:00" in alert.text
    tg(c, data="cgafter:45")  # not one of the choices: nothing changes
    assert c.store.get(f"care_circles/{PATIENT}")["alert_after_s"] == 7200


def test_the_patient_removes_a_caregiver_and_a_caregiver_leaves_each_told(c):
    russian_caregiver_joins(c, invite(c, "Grandma Li"))
    tg(c, f"/start cg_{invite(c, 'Grandma Li')}", user=SECOND_TG)
    links = {d["caregiver_id"]: p.rsplit("/", 1)[1] for p, d in c.store.query("care_links")}
    # The patient removes the LINE caregiver from its card.
    tg(c, data=f"cgone:{links[CAREGIVER]}")
    tg(c, data=f"cgrm:{links[CAREGIVER]}")
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t(
        "en", "circle.removed", name=t("en", "circle.a_caregiver"))
    assert said(c, Channel.LINE, LINE_USER)[-1] == t(
        "ru", "circle.caregiver.removed", name="Grandma Li")
    # The Telegram caregiver leaves from their list.
    tg(c, "my caregivers", user=SECOND_TG)
    tg(c, data=f"cgrm:{links[f'telegram-{SECOND_TG}']}", user=SECOND_TG)
    assert said(c, Channel.TELEGRAM, str(SECOND_TG))[-1] == t(
        "en", "circle.left", name="Grandma Li")
    assert said(c, Channel.TELEGRAM, str(TELEGRAM_USER))[-1] == t(
        "en", "circle.patient.left", name="Test")
    assert c.store.query("care_links") == []
    assert c.store.get(f"care_circles/{PATIENT}")["links"] == []
    # Someone else's link id does nothing.
    tg(c, data=f"cgrm:{links[CAREGIVER]}", user=SECOND_TG)
    assert said(c, Channel.TELEGRAM, str(SECOND_TG))[-1] == t("en", "circle.gone")
