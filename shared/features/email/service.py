"""E-mail a leaflet (Job.EMAIL): the original, its latest translation, the references
and the disclaimer, as HTML + plain text through the Mailer port, with a copy archived
in the private bucket (archive/<user>/email/<id>.html).

Exactly once, at most N a day:

    decide (one transaction): count the user's e-mails today (mail_quota), refuse over
        the limit; otherwise count this one and write mail_outbox/{id} = pending
        (with the address) and the decision "sent".
    apply: if the outbox entry is pending: archive, send, mark it sent and forget
        the address; then deliver the decision. A redelivered task finds the entry
        sent and only replays the (deduplicated) chat message, so the mail goes out once.

A temporary SMTP failure raises (Cloud Tasks retries and the apply replays); a
permanent one marks the entry failed and tells the user. The address, the subject and
the bodies are never logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Text
from shared.domain.signatures import stable_id
from shared.features.education.leaflets import email_bodies, normalize_email
from shared.features.education.views import (
    latest_translation,
    leaflet_buttons,
    leaflet_view,
    own_leaflet,
)
from shared.jobs import Job
from shared.plumbing.files import user_file_key
from shared.plumbing.jobkit import JobKit, Task, emergency, language
from shared.plumbing.runner import Outcome
from shared.ports import OFFLINE_MODEL, BlobStore, Doc, Email, Mailer, Transaction

log = logging.getLogger(__name__)

QUOTA: Final = "mail_quota"  # e-mails per user per UTC day
OUTBOX: Final = "mail_outbox"  # each e-mail until sent (the address, then forgotten)
QUOTA_TTL: Final = timedelta(days=2)
OUTBOX_TTL: Final = timedelta(days=7)


def quota_path(user: str, now: datetime) -> str:
    """The user's e-mail counter for the UTC day of `now`."""
    return f"{QUOTA}/{stable_id('mail-quota', user, now.date().isoformat())}"


def sent_today(doc: Doc | None, now: datetime) -> int:
    if not doc or doc.get("day") != now.date().isoformat():
        return 0
    return int(doc.get("count") or 0)


@dataclass
class EmailService:
    kit: JobKit
    mailer: Mailer
    blobs: BlobStore
    max_per_day: int = 5

    def send(self, task: Task) -> Outcome:
        lang = language(task)
        outbox = f"{OUTBOX}/{stable_id('mail', str(task['id']))}"

        def decide(txn: Transaction, _: object) -> Decision:
            now = self.kit.clock.now()
            quota = txn.get(quota_path(str(task["user"]), now))
            leaflet = own_leaflet(txn.get, task, task.get("leaflet_id"))
            address = normalize_email(str(task.get("to") or ""))
            if leaflet is None:
                return self._say(task, "education.no_leaflet")
            if address is None:  # the dialog checked it; a forged task gets this
                return self._say(task, "education.email_invalid")
            count = sent_today(quota, now)
            if count >= self.max_per_day:
                return self._say(task, "education.email_limit", count=self.max_per_day)
            txn.set(quota_path(str(task["user"]), now), {
                "user_id": task["user"], "day": now.date().isoformat(), "count": count + 1,
                "expires_at": now + QUOTA_TTL})
            txn.set(outbox, {"user_id": task["user"], "status": "pending", "to": address,
                             "leaflet_id": task["leaflet_id"], "language": lang,
                             "created_at": now, "expires_at": now + OUTBOX_TTL})
            buttons = leaflet_buttons(lang, task.get("leaflet_id"))
            return self.kit.decision(task, [Text(text=t(lang, "education.email_sent"),
                                                 buttons=buttons)])

        def apply(decision: Decision) -> None:
            if self._send_pending(task, outbox) == "failed":
                decision = self._say(task, "education.email_failed")
            self.kit.delivery.deliver(decision)

        return self.kit.once(Job.EMAIL, task, decide, apply=apply)

    def _send_pending(self, task: Task, outbox: str) -> str:
        entry = self.kit.store.get(outbox)
        if entry is None or entry.get("status") != "pending":
            return str((entry or {}).get("status") or "none")
        lang = str(entry.get("language") or language(task))
        leaflet = own_leaflet(self.kit.store.get, task, entry.get("leaflet_id"))
        if leaflet is None:  # erased between the decision and now
            self.kit.store.set(outbox, {"status": "failed", "to": ""}, merge=True)
            return "failed"
        translation = latest_translation(self.kit.store.get, task, leaflet)
        # Labelled when the offline engine wrote it, as recorded with the text: this
        # worker has no model of its own to ask (shared/bootstrap.py).
        offline = any((doc or {}).get("model") == OFFLINE_MODEL for doc in (leaflet, translation))
        view = leaflet_view(leaflet, translation,
                            t(lang, "offline.label").strip() if offline else "")
        bodies = email_bodies(lang, view, emergency=emergency(task))
        archive_key = user_file_key("archive", str(task["user"]),
                                    f"email/{outbox.rsplit('/', 1)[1]}.html")
        self.blobs.put(archive_key, bodies.html.encode(), "text/html; charset=utf-8")
        try:
            message_id = self.mailer.send(Email(to=str(entry["to"]), subject=bodies.subject,
                                                text=bodies.text, html=bodies.html))
        except Exception as error:
            if getattr(error, "retryable", False):
                log.warning("mail deferred", extra={"error": type(error).__name__})
                raise  # the task is retried; this entry is still pending
            log.warning("mail refused", extra={"error": type(error).__name__})
            self.kit.store.set(outbox, {"status": "failed", "to": ""}, merge=True)
            return "failed"
        self.kit.store.set(outbox, {"status": "sent", "to": "", "message_id": message_id,
                                    "archive_key": archive_key}, merge=True)
        log.info("mail sent", extra={"chars": len(bodies.text),
                                     "references": len(view.references)})
        return "sent"

    def _say(self, task: Task, key: str, count: int | None = None) -> Decision:
        lang = language(task)
        buttons = leaflet_buttons(lang, task.get("leaflet_id"))
        return self.kit.decision(task, [Text(text=t(lang, key, count=count), buttons=buttons)])
