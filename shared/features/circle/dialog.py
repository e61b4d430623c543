"""The care circle's part of the conversation (rows as data) and its handlers.

Patient: "invite a caregiver" (typed in any mode, or the medication screen's button)
-> "what name should they see for you?" (typed, or Skip) -> a one-time code and a link
for each app. "My caregivers" lists them; each one's card changes what is shared with
them or removes them. Caregiver: the code typed (any mode, any case, spaces allowed) or
the Telegram link (/start cg_<code>) links them; "my caregivers" lists whom they
follow, with the shared weekly summary and Leave. "I called them" under an alert marks
the dose slot handled for every caregiver (the others' alerts say so: alerts.py).

Claiming a code is its own Firestore transaction (handlers otherwise see none): two
caregivers racing for one code cannot both win, and a replayed turn of the winner
finds the code claimed by itself and answers the same.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Final
from urllib.parse import quote, unquote

from shared.domain import invite_codes
from shared.domain.buttons import ID, ButtonKind, one_of
from shared.domain.channels import Channel, user_key
from shared.domain.dialog import ANY, DialogPart, Intent, ScreenOf, State, Step
from shared.domain.i18n import t
from shared.domain.messages import Button, Text
from shared.domain.reading import Mode, Question
from shared.features.circle import texts
from shared.features.circle.model import (
    INVITE_TTL,
    MAX_CAREGIVERS,
    Invite,
    JoinRefusal,
    Link,
    Share,
    clean_name,
    link_id,
    refusal,
)
from shared.features.circle.repository import (
    CircleRepository,
    alert_path,
    circle_path,
    invite_doc,
    invite_from,
    invite_path,
    link_doc,
    link_from,
    link_path,
    tries_path,
)
from shared.jobs import Job
from shared.plumbing.turns import Handler, Reply, Turn
from shared.ports import Doc, DocumentStore, Transaction

NAMING: Final = "circle.name"  # the patient is asked the name to show


class CircleIntent(StrEnum):
    INVITE = "circle.invite"
    NO_NAME = "circle.noname"
    LIST = "circle.list"
    JOIN = "circle.join"
    SHOW = "circle.show"
    SHARE = "circle.share"
    REMOVE = "circle.remove"
    CALLED = "circle.called"
    SUMMARY = "circle.summary"
    DELAY = "circle.delay"  # ask how long after a dose an alert comes
    AFTER = "circle.after"  # set it (minutes)


DELAYS: Final = ("30", "60", "90", "120", "180")  # minutes a patient may choose

KINDS: Final = {
    "invite": ButtonKind("cginv"), "noname": ButtonKind("cgnoname"),
    "list": ButtonKind("cglist"), "show": ButtonKind("cgone", (ID,)),
    "share": ButtonKind("cgsh", (ID, one_of(s.value for s in Share))),
    "remove": ButtonKind("cgrm", (ID,)), "called": ButtonKind("cgok", (ID,)),
    "summary": ButtonKind("cgsum", (ID,)),
    "delay": ButtonKind("cgdelay"), "after": ButtonKind("cgafter", (one_of(DELAYS),)),
}

DIALOG: Final = DialogPart(
    states={NAMING: None},
    kinds={KINDS["invite"]: CircleIntent.INVITE, KINDS["noname"]: CircleIntent.NO_NAME,
           KINDS["list"]: CircleIntent.LIST, KINDS["show"]: CircleIntent.SHOW,
           KINDS["share"]: CircleIntent.SHARE, KINDS["remove"]: CircleIntent.REMOVE,
           KINDS["called"]: CircleIntent.CALLED, KINDS["summary"]: CircleIntent.SUMMARY,
           KINDS["delay"]: CircleIntent.DELAY, KINDS["after"]: CircleIntent.AFTER},
    readings={"global:invite": CircleIntent.INVITE, "global:circle": CircleIntent.LIST,
              "global:join": CircleIntent.JOIN},
    screens={NAMING: ScreenOf(Mode.MENU, Question.TEXT)},
    links={invite_codes.LINK_PREFIX: CircleIntent.JOIN},
    rows={
        (ANY, CircleIntent.INVITE): Step("circle_invite", NAMING),
        (NAMING, Intent.TEXT): Step("circle_named", State.MENU),
        (ANY, CircleIntent.NO_NAME): Step("circle_noname", State.MENU),
        (ANY, CircleIntent.LIST): Step("circle_list"),
        (ANY, CircleIntent.JOIN): Step("circle_join"),
        (ANY, CircleIntent.SHOW): Step("circle_show"),
        (ANY, CircleIntent.SHARE): Step("circle_share"),
        (ANY, CircleIntent.REMOVE): Step("circle_remove"),
        (ANY, CircleIntent.CALLED): Step("circle_called"),
        (ANY, CircleIntent.SUMMARY): Step("circle_summary"),
        (ANY, CircleIntent.DELAY): Step("circle_delay"),
        (ANY, CircleIntent.AFTER): Step("circle_after"),
    },
)


def app_links(telegram_chat: str | None, line_chat: str | None, code: str) -> dict[str, str]:
    """The invite's deep link for each app whose bot link is known: Telegram
    t.me/<bot>?start=cg_<code> (the bot receives "/start cg_<code>"), LINE
    https://line.me/R/oaMessage/<LINE ID>/?<code> (opens the chat with the code typed in,
    adding the account as a friend first if needed; the LINE URL scheme)."""
    links: dict[str, str] = {}
    if telegram_chat:
        links["telegram"] = f"{telegram_chat}?start={invite_codes.LINK_PREFIX}{code}"
    if line_chat and "/ti/p/" in line_chat:
        account = quote(unquote(line_chat.rsplit("/ti/p/", 1)[1]), safe="")
        links["line"] = f"https://line.me/R/oaMessage/{account}/?{quote(code)}"
    return links


@dataclass
class CircleDialog:
    store: DocumentStore
    tries_per_hour: int = 5
    alert_after_s: int = 3600  # settings.care_alert_after_s: a patient's default

    def actions(self) -> dict[str, Handler]:
        return {"circle_invite": self.invite, "circle_named": self.named,
                "circle_noname": self.noname, "circle_list": self.list,
                "circle_join": self.join, "circle_show": self.show,
                "circle_share": self.share, "circle_remove": self.remove,
                "circle_called": self.called, "circle_summary": self.summary,
                "circle_delay": self.delay, "circle_after": self.after}

    @property
    def repo(self) -> CircleRepository:
        return CircleRepository(self.store)

    # ------------------------------------------------------------------ invite
    def invite(self, turn: Turn) -> Reply:
        if len(self.repo.links_of_patient(_me(turn))) >= MAX_CAREGIVERS:
            return Reply([texts.say(turn.lang, "circle.full", most=MAX_CAREGIVERS)],
                         next_state=State.MENU)
        return Reply([Text(text=t(turn.lang, "circle.ask_name"), buttons=[
            Button(label=t(turn.lang, "circle.button.noname"), data=KINDS["noname"].data())])])

    def named(self, turn: Turn) -> Reply:
        name = clean_name(turn.argument)
        if name is None:
            return Reply([Text(text=t(turn.lang, "circle.ask_name"), buttons=[
                Button(label=t(turn.lang, "circle.button.noname"),
                       data=KINDS["noname"].data())])], next_state=NAMING)
        return self._issue(turn, name)

    def noname(self, turn: Turn) -> Reply:
        return self._issue(turn, "")

    def _issue(self, turn: Turn, name: str) -> Reply:
        code = invite_codes.generate()
        invite = Invite(_me(turn), name, turn.now + INVITE_TTL)
        chats = turn.prepared if isinstance(turn.prepared, dict) else {}
        links = app_links(chats.get("telegram"), chats.get("line"), code)
        return Reply([texts.invite(turn.lang, code, links, name)],
                     writes=[(invite_path(invite_codes.digest(code)), invite_doc(invite))])

    # ------------------------------------------------------------------ join
    def join(self, turn: Turn) -> Reply:
        me = _me(turn)
        tries = self.store.get(tries_path(me)) or {}
        window = turn.now.replace(minute=0, second=0, microsecond=0)
        count = int(tries.get("count") or 0) if tries.get("window") == window else 0
        code = invite_codes.read(turn.argument)
        if count >= self.tries_per_hour:
            return Reply([texts.say(turn.lang, "circle.join.tries")])
        if code is None:
            why: JoinRefusal | Link = JoinRefusal.UNKNOWN
        else:
            label = turn.event.display_name or ""
            why = self.store.transaction(
                lambda txn: self._claim(txn, code, me, label, turn.now))
        if isinstance(why, Link):
            return Reply([texts.say(turn.lang, "circle.joined", name=texts.patient(
                turn.lang, why.patient_name))], jobs=[(Job.CARE, {
                    "kind": "tell", "to": why.patient, "key": "circle.patient.joined",
                    "link": why.id})])
        writes: list[tuple[str, Doc | None]] = []
        if why in (JoinRefusal.UNKNOWN, JoinRefusal.EXPIRED, JoinRefusal.USED):
            writes.append((tries_path(me), {"window": window, "count": count + 1,
                                            "expires_at": window + timedelta(hours=2)}))
        return Reply([texts.say(turn.lang, f"circle.join.{why.value}",
                                most=MAX_CAREGIVERS)], writes=writes)

    @staticmethod
    def _claim(txn: Transaction, code: str, me: str, label: str,
               now: datetime) -> JoinRefusal | Link:
        path = invite_path(invite_codes.digest(code))
        invite = invite_from(txn.get(path))
        lid = link_id(invite.patient, me) if invite is not None else ""
        if invite is not None and invite.used and invite.claimed_by == me:
            existing = txn.get(link_path(lid))  # a replayed turn of the winner
            if existing is not None:
                return link_from(lid, existing)
        links = CircleRepository.live_links(txn, invite.patient) if invite else []
        why = refusal(invite, me, now, len(links), any(k.caregiver == me for k in links))
        if why is not None or invite is None:
            return why or JoinRefusal.UNKNOWN
        link = Link(lid, invite.patient, me, invite.name, label, created_at=now)
        circle = txn.get(circle_path(invite.patient))  # reads before writes (Firestore)
        txn.set(path, invite_doc(replace(invite, used=True, claimed_by=me)))
        txn.set(link_path(lid), link_doc(link))
        txn.set(circle_path(invite.patient),
                CircleRepository.circle_doc(invite.patient, [*links, link], circle))
        return link

    # ------------------------------------------------------------------ lists
    def list(self, turn: Turn) -> Reply:
        me = _me(turn)
        mine = self.repo.links_of_patient(me)
        listing = texts.circle(turn.lang, mine, self.repo.links_of_caregiver(me))
        if mine:  # when their caregivers hear of a dose left unanswered
            after = self._after_min(me)
            listing = listing.model_copy(update={
                "text": listing.text + "\n\n" + t(turn.lang, "circle.delay.now", minutes=after),
                "buttons": [*listing.buttons[:12], Button(
                    label=t(turn.lang, "circle.button.delay"), data=KINDS["delay"].data())]})
        return Reply([listing])

    def delay(self, turn: Turn) -> Reply:
        return Reply([Text(text=t(turn.lang, "circle.delay.ask",
                                  minutes=self._after_min(_me(turn))), buttons=[
            Button(label=t(turn.lang, "circle.button.minutes", minutes=m),
                   data=KINDS["after"].data(m)) for m in DELAYS])])

    def after(self, turn: Turn) -> Reply:
        """The patient's own alert delay (care_circles/<patient>.alert_after_s); alert
        checks already planned follow it (alerts.py)."""
        if turn.argument not in DELAYS:
            return self._gone(turn)
        me = _me(turn)
        circle = self.store.get(circle_path(me)) or {"links": []}
        return Reply([texts.say(turn.lang, "circle.delay.set", minutes=turn.argument)],
                     writes=[(circle_path(me), {**circle,
                                                "alert_after_s": int(turn.argument) * 60})])

    def _after_min(self, patient: str) -> int:
        circle = self.store.get(circle_path(patient)) or {}
        return int(circle.get("alert_after_s") or self.alert_after_s) // 60

    def show(self, turn: Turn) -> Reply:
        link = self._mine(turn, patient=True)
        if link is None:
            return self._gone(turn)
        return Reply([texts.card(turn.lang, link)])

    def share(self, turn: Turn) -> Reply:
        lid, _, what = turn.argument.partition(":")
        link = self._mine(turn, patient=True, lid=lid)
        if link is None:
            return self._gone(turn)
        changed = link.toggled(Share(what))
        return Reply([texts.card(turn.lang, changed, said="circle.share.changed")],
                     writes=[(link_path(link.id), link_doc(changed))])

    def remove(self, turn: Turn) -> Reply:
        link = self._mine(turn, patient=True) or self._mine(turn, patient=False)
        if link is None:
            return self._gone(turn)
        me = _me(turn)
        circle = self.store.get(circle_path(link.patient)) or {}
        left = [str(i) for i in circle.get("links") or [] if str(i) != link.id]
        writes: list[tuple[str, Doc | None]] = [
            (link_path(link.id), None), (circle_path(link.patient), {**circle, "links": left})]
        if me == link.patient:
            return Reply([texts.say(turn.lang, "circle.removed",
                                    name=texts.caregiver(turn.lang, link.caregiver_label))],
                         writes=writes, jobs=[(Job.CARE, {
                             "kind": "tell", "to": link.caregiver,
                             "key": "circle.caregiver.removed", "name": link.patient_name})])
        return Reply([texts.say(turn.lang, "circle.left",
                                name=texts.patient(turn.lang, link.patient_name))],
                     writes=writes, jobs=[(Job.CARE, {
                         "kind": "tell", "to": link.patient, "key": "circle.patient.left",
                         "name": link.caregiver_label})])

    def summary(self, turn: Turn) -> Reply:
        link = self._mine(turn, patient=False)
        if link is None:
            return self._gone(turn)
        if not link.has(Share.SUMMARY):
            return Reply([texts.say(turn.lang, "circle.summary.not_shared",
                                    name=texts.patient(turn.lang, link.patient_name))])
        return Reply([texts.summary(turn.lang, self.store, link, turn.now)])

    # ------------------------------------------------------------------ "I called them"
    def called(self, turn: Turn) -> Reply:
        me = _me(turn)
        doc = self.store.get(alert_path(turn.argument))
        if doc is None or doc.get("caregiver_id") != me:
            return self._gone(turn)
        group = self.repo.alerts_of_group(str(doc.get("group")))
        done = next((d for _, d in group if d.get("handled")), None)
        if done is not None:
            return Reply([texts.say(turn.lang, "circle.alert.already", name=texts.caregiver(
                turn.lang, str(done.get("handled_by") or "")))])
        label = _label(self.repo.link(str(doc.get("link_id"))))
        writes: list[tuple[str, Doc | None]] = [
            (alert_path(aid), {**d, "handled": True, "handled_by": label, "handled_at": turn.now})
            for aid, d in group]
        jobs: list[tuple[Job, dict[str, Any]]] = [
            (Job.CARE, {"kind": "handled", "alert": aid}) for aid, _ in group
            if aid != turn.argument]
        return Reply([texts.say(turn.lang, "circle.alert.thanks")], writes=writes, jobs=jobs,
                     edits=texts.handled_edits(turn, doc))

    # ------------------------------------------------------------------ helpers
    def _mine(self, turn: Turn, *, patient: bool, lid: str | None = None) -> Link | None:
        """The link a button names, if this user is its patient (or its caregiver)."""
        link = self.repo.link(lid if lid is not None else turn.argument)
        me = _me(turn)
        if link is None or (link.patient if patient else link.caregiver) != me:
            return None
        return link

    @staticmethod
    def _gone(turn: Turn) -> Reply:
        return Reply([texts.say(turn.lang, "circle.gone")])


def _me(turn: Turn) -> str:
    return user_key(turn.event.channel, turn.event.user_id)


def _label(link: Link | None) -> str:
    return link.caregiver_label if link is not None else ""


def preparer_for(chat_links: dict[Channel, Any]) -> Any:
    """The bots' chat links (asked of the platforms once per process, before the
    transaction): the invite shows a link for each app."""
    def prepare(_event: object, _text: str) -> dict[str, str | None]:
        return {channel.value: link() for channel, link in chat_links.items()}
    return prepare
