"""The one place that wires adapters to services, from Settings.

Everything is built lazily on first use (cached_property), never at import: the
webhook touches only the store, the queue and the clock, so it never imports the
LINE, Telegram or Gemini SDKs.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, cached_property
from typing import TYPE_CHECKING

from shared.clock import OffsetClock, SystemClock
from shared.domain.channels import Channel
from shared.jobs import Job
from shared.log import configure_logging
from shared.settings import Settings, load_settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from shared.adapters.gemini import GeminiModel
    from shared.adapters.local_identity import LocalIdentity
    from shared.ports import (
        BlobStore,
        Clock,
        DocumentStore,
        LanguageModel,
        Mailer,
        Messenger,
        PdfRenderer,
        Speaker,
        TaigiSpeech,
        TaskQueue,
    )
    from shared.services.auth import CallerVerifier
    from shared.services.delivery import Delivery
    from shared.services.dialog import DialogService
    from shared.services.education_dialog import EducationDialog
    from shared.services.email import EmailService
    from shared.services.intake import Intake
    from shared.services.jobkit import JobHandler, JobKit
    from shared.services.limits import UserLimits
    from shared.services.medchat import TaigiVoiceService
    from shared.services.medication import MedicationService
    from shared.services.privacy import Eraser
    from shared.services.reminders import ReminderService
    from shared.services.speech import SpeechService


class Container:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    # ------------------------------------------------------------------ adapters
    @cached_property
    def store(self) -> DocumentStore:
        if self.settings.store_backend == "firestore":
            from shared.adapters.firestore_store import FirestoreStore

            return FirestoreStore(project=self.settings.gcp_project)
        from shared.fakes.memory_store import MemoryStore

        return MemoryStore()

    @cached_property
    def clock(self) -> Clock:
        # The local stack lets the simulator move time forward; nothing else may.
        if self.settings.movable_clock:
            return OffsetClock(self.store)
        return SystemClock()

    @cached_property
    def tasks(self) -> TaskQueue:
        s = self.settings
        if s.tasks_backend == "cloudtasks":
            from shared.adapters.cloud_tasks_queue import CloudTasksQueue

            # The emulator signs no OIDC token: the local identity mints Cloud Tasks'.
            local = s.cloud_tasks_emulator_host and s.local_identity_key
            return CloudTasksQueue(
                s.gcp_project, s.tasks_location, s.worker_base_url,
                oidc_service_account=s.tasks_invoker_sa,
                emulator_host=s.cloud_tasks_emulator_host,
                emulator_id_token=self._invoker_token if local else None,
            )
        if s.tasks_backend == "http":
            from shared.adapters.http_tasks import HttpTaskQueue

            return HttpTaskQueue(s.worker_base_url, self._invoker_token, clock=self.clock)
        from shared.fakes.memory_tasks import MemoryTaskQueue

        return MemoryTaskQueue()

    def _invoker_token(self, audience: str) -> str:
        """The ID token Cloud Tasks would attach, from the local stand-in of Google."""
        return self.local_identity.mint(self.settings.tasks_invoker_sa, audience)

    @cached_property
    def local_identity(self) -> LocalIdentity:
        """Google's token service played locally (LOCAL_IDENTITY_KEY); local stack only."""
        from shared.adapters.local_identity import LocalIdentity

        return LocalIdentity(self.settings.local_identity_key)

    @cached_property
    def blobs(self) -> BlobStore:
        s = self.settings
        if s.blob_backend == "gcs":
            from shared.adapters.gcs_blobs import GcsBlobStore

            return GcsBlobStore(s.bucket, project=s.gcp_project,
                                api_endpoint=s.storage_emulator_host or None)
        if s.blob_backend == "s3":
            from shared.adapters.s3_blobs import S3BlobStore

            return S3BlobStore(s.bucket, endpoint_url=s.s3_endpoint_url or None)
        if s.blob_backend == "local":
            from shared.adapters.local_blobs import LocalBlobStore

            return LocalBlobStore(s.local_blob_dir, s.public_base_url,
                                  (s.local_link_key or secrets.token_hex(16)).encode())
        from shared.fakes.memory_blobs import MemoryBlobStore

        return MemoryBlobStore()

    @cached_property
    def mailer(self) -> Mailer:
        s = self.settings
        if s.smtp_host:
            from shared.adapters.smtp_mailer import SmtpMailer

            return SmtpMailer(s.smtp_host, s.smtp_port, s.smtp_security, s.smtp_user,
                              s.smtp_password, s.mail_from)
        from shared.fakes.memory_mailer import MemoryMailer

        return MemoryMailer()

    @property
    def model_backend(self) -> str:
        """Which model answers: "vertex", "api-key" or "offline" (GEMINI_BACKEND; the
        api-key backend without a key is the offline engine)."""
        s = self.settings
        if s.gemini_backend == "api-key" and not s.gemini_api_key:
            return "offline"
        return s.gemini_backend

    def describe_model(self) -> dict[str, str]:
        """The model backend as the start-up log line shows it (never the key)."""
        s = self.settings
        backend = self.model_backend
        described = {"backend": backend}
        if backend == "vertex":
            described.update(project=s.gcp_project, location=s.gemini_location)
        if backend != "offline":
            described.update(model=s.gemini_model, tts_model=s.gemini_tts_model)
        return described

    @cached_property
    def gemini(self) -> GeminiModel | None:
        """Gemini on the configured backend (None: the offline engine answers)."""
        s = self.settings
        backend = self.model_backend
        if backend == "offline":
            return None
        from shared.adapters.gemini import GeminiModel, VertexTarget

        vertex = VertexTarget(s.gcp_project, s.gemini_location) if backend == "vertex" else None
        return GeminiModel(
            s.gemini_api_key if vertex is None else "", vertex=vertex,
            model=s.gemini_model, tts_model=s.gemini_tts_model,
            base_url=s.gemini_base_url, timeout_s=s.gemini_timeout_s,
            attempts=s.gemini_attempts, max_wait_s=s.gemini_max_wait_s)

    @cached_property
    def llm(self) -> LanguageModel:
        """The model, metered: every call counts in the usage of the task making it."""
        from shared.services.metering import MeteredModel

        if self.gemini is not None:
            return MeteredModel(self.gemini)
        from shared.fakes.offline_llm import OfflineModel

        return MeteredModel(OfflineModel())

    @cached_property
    def speaker(self) -> Speaker:
        """Gemini TTS unless the model is offline, else espeak-ng (Debian package)."""
        if self.model_backend != "offline":
            from shared.adapters.model_speaker import ModelSpeaker

            return ModelSpeaker(self.llm)
        from shared.adapters.espeak_speaker import EspeakSpeaker

        return EspeakSpeaker()

    @cached_property
    def speech(self) -> SpeechService:
        from shared.adapters.audio_codec import PyAvEncoder  # PyAV: tts worker only
        from shared.services.speech import SpeechService

        return SpeechService(self.job_kit, self.speaker, PyAvEncoder(), self.blobs,
                             signed_url_ttl_s=self.settings.signed_url_ttl_s)

    @cached_property
    def messengers(self) -> dict[Channel, Messenger]:
        from shared.adapters.line_messenger import LineMessenger
        from shared.adapters.telegram_messenger import TelegramMessenger

        s = self.settings
        return {
            Channel.LINE: LineMessenger(s.line_channel_access_token,
                                        api_base_url=s.line_api_base_url,
                                        data_api_base_url=s.line_data_api_base_url,
                                        # local blob links are plain HTTP (no TLS here)
                                        local_origins=(s.public_base_url,)
                                        if s.blob_backend == "local" else ()),
            Channel.TELEGRAM: TelegramMessenger(s.telegram_bot_token,
                                                base_url=s.telegram_api_base_url,
                                                base_file_url=s.telegram_file_base_url),
        }

    @cached_property
    def verifier(self) -> CallerVerifier:
        if self.settings.worker_auth == "oidc":
            from shared.adapters.oidc import OidcVerifier

            return OidcVerifier(self.settings.tasks_invoker_sa)
        from shared.services.auth import DevTokenVerifier

        return DevTokenVerifier(self.settings.dev_auth_token)

    # ------------------------------------------------------------------ services
    @cached_property
    def intake(self) -> Intake:
        from shared.services.intake import Intake

        return Intake(self.store, self.tasks, self.clock, self.settings.idempotency_ttl_s)

    @cached_property
    def delivery(self) -> Delivery:
        from shared.services.delivery import Delivery

        return Delivery(self.store, self.clock, self.messengers)

    @cached_property
    def eraser(self) -> Eraser:
        from shared.services.privacy import Eraser

        return Eraser(self.store, self.blobs)

    def _limits(self) -> UserLimits:
        from shared.services.limits import UserLimits

        s = self.settings
        return UserLimits(s.limit_messages_per_minute, s.limit_generations_per_day,
                          s.limit_emails_per_day)

    @cached_property
    def dialog(self) -> DialogService:
        from shared.services.dialog import DialogService
        from shared.services.medchat_dialog import TranslationDialog
        from shared.services.speech import actions as speech_actions

        return DialogService(self.store, self.tasks, self.clock, self.delivery, self.eraser,
                             session_ttl_s=self.settings.session_ttl_s,
                             max_text_chars=self.settings.max_text_chars,
                             limits=self._limits(),
                             medication=self.medication,
                             feature_handlers={**self.medication.actions(),
                                               **self.reminders.actions(),
                                               **speech_actions(),
                                               **TranslationDialog().actions(),
                                               **self.education_dialog.actions()},
                             preparers={"medication_command": self.medication.interpret})

    @cached_property
    def medication(self) -> MedicationService:
        from shared.services.medication import MedicationService

        return MedicationService(self.store, model=lambda: self.llm)

    @cached_property
    def reminders(self) -> ReminderService:
        from shared.services.reminders import ReminderService

        return ReminderService(self.store, self.tasks, self.clock, self.delivery)

    @cached_property
    def education_dialog(self) -> EducationDialog:
        from shared.services.education_dialog import EducationDialog

        return EducationDialog(self.store, self.settings.max_emails_per_day)

    @cached_property
    def pdf(self) -> PdfRenderer:
        from shared.adapters.weasy_pdf import WeasyPdfRenderer  # imports weasyprint lazily

        return WeasyPdfRenderer()

    @cached_property
    def email(self) -> EmailService:
        from shared.services.email import EmailService

        return EmailService(self.job_kit, self.mailer, self.blobs,
                            self.settings.max_emails_per_day)

    @cached_property
    def job_kit(self) -> JobKit:
        from shared.services.jobkit import JobKit

        return JobKit(self.store, self.clock, self.llm, self.delivery, blobs=self.blobs,
                      tasks=self.tasks)

    @cached_property
    def taigi_speech(self) -> TaigiSpeech:
        """NYCU iVoice when configured, else the labelled offline stand-in."""
        s = self.settings
        if s.ivoice_base_url:
            from shared.adapters.taigi_ivoice import IVoiceTaigi

            return IVoiceTaigi(s.ivoice_base_url, timeout_s=s.ivoice_timeout_s,
                               attempts=s.ivoice_attempts)
        from shared.fakes.taigi_fake import FakeTaigi

        return FakeTaigi()

    @cached_property
    def taigi(self) -> TaigiVoiceService:
        from shared.services.medchat import TaigiVoiceService

        return TaigiVoiceService(self.job_kit, self.taigi_speech, self.blobs,
                                 link_ttl_s=self.settings.signed_url_ttl_s)

    @cached_property
    def job_handlers(self) -> dict[Job, JobHandler]:
        """Which use case runs each job kind (one worker function per kind)."""
        from shared.services.education import EducationService
        from shared.services.medchat import MedicalTranslationService

        kit = self.job_kit
        medchat = MedicalTranslationService(kit, self.settings.max_audio_bytes)
        return {
            Job.GENERATE: EducationService(kit, self.blobs, self.pdf,
                                           self.settings.signed_url_ttl_s).generate,
            Job.TRANSLATE: medchat.translate,
            Job.TTS: lambda task: self.speech.tts(task),  # lazy: PyAV only in tts_worker
            Job.STT: medchat.voice,
            Job.TAIGI: lambda task: self.taigi.speak(task),  # lazy: iVoice + PyAV
            Job.EMAIL: lambda task: self.email.send(task),
        }


@cache
def _process_container() -> Container:
    configure_logging()
    built = Container(load_settings())
    log.info("model backend", extra=built.describe_model())
    return built


_overrides: list[Container] = []


def container() -> Container:
    """The process-wide container, built on the first request (or a test's own)."""
    return _overrides[-1] if _overrides else _process_container()


@contextmanager
def using(replacement: Container) -> Iterator[Container]:
    """Serve requests from another container (tests, the embedded local stack)."""
    _overrides.append(replacement)
    try:
        yield replacement
    finally:
        _overrides.remove(replacement)
