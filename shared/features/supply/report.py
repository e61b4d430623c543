"""The doctor's report (Job.REPORT, the report worker; no model): the last N days as a
PDF in the private bucket (reports/<user>/<report id>.pdf), answered with a signed,
expiring link and an "E-mail the report" button; and that e-mail (kind "email").

kind     what it does
report   prepare: read the schedule, the dose log of the period and the supplies,
         build the page (report_html.py), render it (PdfRenderer: WeasyPrint), store
         it; decide: the link (exactly once: kit.once)
email    the leaflet e-mail's protocol (features/email/service.py), on its records:
         decide counts the e-mail in the user's daily e-mails (mail_quota) and writes
         mail_outbox/{id} pending with the address; apply sends the PDF as an
         attachment, marks the entry sent and forgets the address. A redelivered task
         finds it sent and sends nothing again.

Only the patient gets the link (a signed URL to a private object that expires after
SIGNED_URL_TTL_S); the bucket deletes reports with the handouts' lifecycle rule. Logs
carry sizes and counts, never a name, a dose or an address.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from shared.domain.decision import Decision
from shared.domain.i18n import t
from shared.domain.messages import Button, Card, Cards, Text
from shared.domain.signatures import stable_id
from shared.features.email.service import OUTBOX, OUTBOX_TTL, QUOTA_TTL, quota_path, sent_today
from shared.features.medication.adherence import Logged
from shared.features.medication.repository import MedicationRepository
from shared.features.medication.views import facts_of, local_today
from shared.features.supply.report_html import report_html
from shared.features.supply.report_model import Medicine, build_report, since
from shared.features.supply.repository import SupplyRepository
from shared.jobs import Job
from shared.medication.describe import describe
from shared.plumbing.collections import user_path
from shared.plumbing.files import REPORTS, user_file_key
from shared.plumbing.jobkit import JobKit, Task, language
from shared.plumbing.runner import Outcome
from shared.ports import BlobStore, Email, Mailer, PdfRenderer, Transaction

log = logging.getLogger(__name__)

EMAIL_VERB: Final = "rp:mail"


def report_key(user: str, report_id: str) -> str:
    return user_file_key(REPORTS, user, f"{report_id}.pdf")


@dataclass(frozen=True)
class _Made:
    report_id: str
    days: int


@dataclass(frozen=True)
class _Nothing:
    """The patient has no medication: nothing to report."""


@dataclass
class ReportService:
    kit: JobKit
    blobs: BlobStore  # signs links
    pdf: PdfRenderer
    mailer: Mailer | None = None
    link_ttl_s: int = 3600
    days: int = 30
    max_emails_per_day: int = 5

    def run(self, task: Task) -> Outcome:
        if task.get("kind") == "email":
            return self._email(task)
        return self._report(task)

    # ------------------------------------------------------------------ the PDF
    def _report(self, task: Task) -> Outcome:
        lang = language(task)
        user = str(task["user"])
        report_id = stable_id("report", str(task["id"]))

        def prepare() -> _Made | _Nothing:
            repo = MedicationRepository(self.kit.store)
            meds = repo.medications(user)
            if not meds:
                return _Nothing()
            profile = self.kit.store.get(user_path(user)) or {}
            zone = str(profile.get("timezone") or "UTC")
            now = self.kit.clock.now()
            logged = [Logged(e.medication_id, e.slot_at, e.status, e.at)
                      for e in repo.logged_since(user, since(now, zone, self.days))]
            today = local_today(now, zone)
            medicines = [Medicine(m.id, m.name, m.dosage, tuple(m.times), m.schedule.rule,
                                  m.schedule.as_needed, describe(facts_of(m), lang, today))
                         for m in meds]
            report = build_report(medicines, logged,
                                  SupplyRepository(self.kit.store).of_user(user), now, zone,
                                  self.days)
            page = report_html(lang, report)
            pdf = self.pdf.render(page)
            self.blobs.put(report_key(user, report_id), pdf, "application/pdf")
            log.info("report rendered", extra={"medications": len(meds), "slots": len(logged),
                                               "html_bytes": len(page), "pdf_bytes": len(pdf)})
            return _Made(report_id, report.days)

        def decide(_txn: Transaction, made: _Made | _Nothing) -> Decision:
            if isinstance(made, _Nothing):
                return self.kit.decision(task, [Text(text=t(lang, "report.no_medicines"),
                                                     buttons=[_menu(lang)])])
            url = self.blobs.signed_url(report_key(user, made.report_id), self.link_ttl_s)
            return self.kit.decision(task, [
                Text(text=t(lang, "report.ready", days=made.days,
                            minutes=self.link_ttl_s // 60)),
                Cards(alt_text=t(lang, "report.pdf"),
                      cards=[Card(title=t(lang, "report.pdf"), url=url)],
                      buttons=[Button(label=t(lang, "report.email_button"),
                                      data=f"{EMAIL_VERB}:{made.report_id}"), _menu(lang)])])

        return self.kit.once(Job.REPORT, task, decide, prepare=prepare)

    # ------------------------------------------------------------------ the e-mail
    def _email(self, task: Task) -> Outcome:
        lang = language(task)
        user = str(task["user"])
        report_id = str(task.get("report_id") or "")
        outbox = f"{OUTBOX}/{stable_id('report-mail', str(task['id']))}"

        def decide(txn: Transaction, _: object) -> Decision:
            now = self.kit.clock.now()
            count = sent_today(txn.get(quota_path(user, now)), now)
            if count >= self.max_emails_per_day:
                return self._say(task, "education.email_limit", count=self.max_emails_per_day)
            txn.set(quota_path(user, now), {"user_id": user, "day": now.date().isoformat(),
                                            "count": count + 1, "expires_at": now + QUOTA_TTL})
            txn.set(outbox, {"user_id": user, "status": "pending", "to": str(task.get("to")),
                             "report_id": report_id, "language": lang, "created_at": now,
                             "expires_at": now + OUTBOX_TTL})
            return self._say(task, "report.email_sent")

        def apply(decision: Decision) -> None:
            if self._send_pending(user, outbox) == "gone":
                decision = self._say(task, "report.gone")
            self.kit.delivery.deliver(decision)

        return self.kit.once(Job.REPORT, task, decide, apply=apply)

    def _send_pending(self, user: str, outbox: str) -> str:
        entry = self.kit.store.get(outbox)
        if entry is None or entry.get("status") != "pending":
            return str((entry or {}).get("status") or "none")
        pdf = self.blobs.get(report_key(user, str(entry.get("report_id"))))
        if pdf is None or self.mailer is None:  # expired, erased, or no mail here
            self.kit.store.set(outbox, {"status": "gone", "to": ""}, merge=True)
            return "gone"
        lang = str(entry.get("language") or "en")
        try:
            message_id = self.mailer.send(Email(
                to=str(entry["to"]), subject=t(lang, "report.title"),
                text=t(lang, "report.email_body"), html=f"<p>{t(lang, 'report.email_body')}</p>",
                attachments=(("medbot-report.pdf", pdf, "application/pdf"),)))
        except Exception as error:
            if getattr(error, "retryable", False):
                log.warning("mail deferred", extra={"error": type(error).__name__})
                raise  # retried by the queue; the entry is still pending
            log.warning("mail refused", extra={"error": type(error).__name__})
            self.kit.store.set(outbox, {"status": "gone", "to": ""}, merge=True)
            return "gone"
        self.kit.store.set(outbox, {"status": "sent", "to": "", "message_id": message_id},
                           merge=True)
        log.info("report mailed", extra={"pdf_bytes": len(pdf)})
        return "sent"

    def _say(self, task: Task, key: str, count: int | None = None) -> Decision:
        lang = language(task)
        return self.kit.decision(task, [Text(text=t(lang, key, count=count),
                                             buttons=[_menu(lang)])])


def _menu(lang: str) -> Button:
    return Button(label=t(lang, "button.menu"), data="menu")
