"""Each port's adapter, or its in-memory fake, as Settings choose (the local stack, the
tests and production differ only here). Built lazily on first use, never at import: an
entry point imports only the SDKs it reaches. bootstrap.Container adds the plumbing and
the features on top, and records in `wiring` what each entry point was handed."""

from __future__ import annotations

import secrets
from collections.abc import Container
from functools import cached_property
from typing import TYPE_CHECKING

from shared.clock import OffsetClock, SystemClock
from shared.domain.channels import Channel
from shared.settings import Settings
from shared.wiring import Wiring

if TYPE_CHECKING:
    from shared.adapters.audio_codec import PyAvEncoder
    from shared.adapters.gemini import GeminiModel
    from shared.adapters.local_identity import LocalIdentity
    from shared.plumbing.auth import CallerVerifier
    from shared.ports import (
        AudioEncoder,
        BlobStore,
        Clock,
        DocumentStore,
        Mailer,
        Messenger,
        PdfRenderer,
        TaigiSpeech,
        TaskQueue,
        WavDecoder,
        ZoneFinder,
    )


class Infrastructure:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.wiring = Wiring()  # what the services built here were handed

    def registered_collections(self) -> Container[str]:
        """The collections the features registered (the in-memory store refuses others,
        so "delete my data" can find them all); the Container knows the features."""
        return ()

    @cached_property
    def store(self) -> DocumentStore:
        self.wiring.firestore = True
        if self.settings.store_backend == "firestore":
            from shared.adapters.firestore_store import FirestoreStore

            return FirestoreStore(project=self.settings.gcp_project)
        from shared.fakes.memory_store import MemoryStore

        # Writes only to the collections the features registered (erasure finds them).
        return MemoryStore(registered=self.registered_collections)

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

    @property
    def blobs(self) -> BlobStore:
        """The bucket itself (tests, the local blob route); services take bucket()."""
        self.wiring.bucket = self.wiring.signs_urls = True
        return self._blob_store

    @cached_property
    def _blob_store(self) -> BlobStore:
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
    def _pyav(self) -> PyAvEncoder:
        from shared.adapters.audio_codec import PyAvEncoder  # PyAV: speech workers only

        return PyAvEncoder()

    @property
    def encoder(self) -> AudioEncoder:
        return self._pyav

    @property
    def wav_decoder(self) -> WavDecoder:
        return self._pyav

    @cached_property
    def pdf(self) -> PdfRenderer:
        from shared.adapters.weasy_pdf import WeasyPdfRenderer  # imports weasyprint lazily

        return WeasyPdfRenderer()

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
    def zones(self) -> ZoneFinder:
        """Time zones of shared locations, offline (tzfpy is imported on first use)."""
        from shared.adapters.zone_lookup import OfflineZoneFinder

        return OfflineZoneFinder()

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
        from shared.plumbing.auth import DevTokenVerifier

        return DevTokenVerifier(self.settings.dev_auth_token)
