"""All configuration, from environment variables (names are the field names, upper-case).

README's configuration table lists every field; tests/unit/test_settings.py and the
Terraform agreement test keep them in step.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Telegram's secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and - (setWebhook).
_TELEGRAM_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigurationError(ValueError):
    """Settings that cannot work together; the message names the variables to fix."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", frozen=True)

    # --- deployment
    gcp_project: str = "medbot-local"
    gcp_region: str = "asia-east1"
    # Base URL of the worker functions; a task for worker W goes to f"{base}/{W}".
    worker_base_url: str = "http://127.0.0.1:8081"
    # "oidc": workers accept the ID token Cloud Tasks / Scheduler attach for
    # tasks_invoker_sa with their URL as audience, as Cloud Run forwards it (signature
    # removed, shared/adapters/oidc.py). Production, the local stack and e2e tests.
    # "dev-token": a shared bearer token, only for the in-process function tests that
    # call entry points through functions-framework's test client.
    worker_auth: Literal["oidc", "dev-token"] = "oidc"
    dev_auth_token: str = ""
    tasks_invoker_sa: str = ""
    # The local stack only: the key with which its stand-ins of Cloud Tasks and Cloud
    # Scheduler sign ID tokens (PEM; shared/adapters/local_identity.py); the local
    # functions host checks them as Cloud Run does.
    local_identity_key: str = ""
    # The local stack only: the simulator may move this clock forward (OffsetClock).
    movable_clock: bool = False

    # --- backends
    store_backend: Literal["firestore", "memory"] = "memory"
    tasks_backend: Literal["cloudtasks", "http", "memory"] = "memory"
    tasks_location: str = "asia-east1"
    cloud_tasks_emulator_host: str = ""
    blob_backend: Literal["gcs", "s3", "local", "memory"] = "memory"
    bucket: str = "medbot-private"
    storage_emulator_host: str = ""
    s3_endpoint_url: str = ""
    local_blob_dir: str = ".local/blobs"
    public_base_url: str = "http://127.0.0.1:8080"  # where local blob links are served
    local_link_key: str = ""  # signs the local blob links; empty: a random key per process
    signed_url_ttl_s: int = 3600
    # The link to a patient's .ics (issue 14): a minute to 7 days, the longest a GCS V4 or
    # S3 SigV4 link lives (domain/storage_keys.py), so a bad value stops start-up, not a turn.
    calendar_link_ttl_s: int = Field(default=3600, ge=60, le=7 * 24 * 3600)
    idempotency_ttl_s: int = 86_400
    session_ttl_s: int = 86_400

    # --- LINE
    line_channel_secret: str = ""
    line_channel_access_token: str = ""
    line_api_base_url: str = "https://api.line.me"
    line_data_api_base_url: str = "https://api-data.line.me"

    # --- Telegram
    telegram_bot_token: str = ""
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_file_base_url: str = "https://api.telegram.org/file/bot"

    # --- Gemini. One setting chooses the backend (logged at start-up):
    #   vertex   Vertex AI in gcp_project / gemini_location, as the function's own
    #            service account (production: Cloud terms, no key to leak);
    #   api-key  the Gemini Developer API with gemini_api_key (local runs and tests;
    #            gemini_base_url points it at a stand-in); without a key the labelled
    #            offline engine answers;
    #   offline  the labelled offline engine.
    gemini_backend: Literal["api-key", "vertex", "offline"] = "api-key"
    gemini_api_key: str = ""
    gemini_base_url: str = ""
    gemini_location: str = "global"  # Vertex AI location (data processing location)
    # Current, generally available models (the Gemini API models and deprecations pages).
    gemini_model: str = "gemini-3.8-flash"
    gemini_tts_model: str = "gemini-3.8-flash-tts"
    gemini_timeout_s: float = 60.0
    gemini_attempts: int = 4
    # A retry hint up to this long is waited out in the worker; a longer one
    # reschedules the task for when the hint runs out.
    gemini_max_wait_s: float = 10.0

    # --- Taigi speech: NYCU iVoice (adapters/taigi_ivoice.py). Empty base URL: the
    # labelled offline fake answers (local dev).
    ivoice_base_url: str = ""
    ivoice_timeout_s: float = 8.0
    ivoice_attempts: int = 2

    # --- e-mail
    smtp_host: str = ""
    smtp_port: int = 465
    smtp_security: Literal["ssl", "starttls", "none"] = "ssl"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "MedBot <medbot@example.org>"

    # --- limits
    max_audio_bytes: int = 10 * 1024 * 1024
    max_text_chars: int = 2000
    # Per-user limits (plumbing/limits.py); Cloud Tasks queue rates are the global brake.
    limit_messages_per_minute: int = 20
    limit_generations_per_day: int = 30
    limit_emails_per_day: int = 5
    max_emails_per_day: int = 5  # leaflet e-mails per user per UTC day

    # --- reminders (issue 11): an unanswered dose is reminded again at most
    # remind_repeats times, remind_repeat_every_s apart, never in the patient's quiet
    # hours; "I took it" up to remind_early_s before a dose records that dose.
    remind_repeats: int = 3
    remind_repeat_every_s: int = 3600
    remind_early_s: int = 3 * 3600
    # --- refills (issue 15): one refill reminder when a supply lasts this many days or
    # fewer (features/supply); applies from the next count the patient gives.
    refill_warn_days: int = 7

    # --- care circle (issue 15): a caregiver hears of a dose still unanswered this
    # long after its time (each patient can change it: features/circle); a caregiver
    # may try this many wrong invite codes an hour.
    care_alert_after_s: int = 3600
    care_code_tries_per_hour: int = 5

    # --- safety
    # The emergency number named when neither the user's time zone nor UI language
    # tells the region (shared/domain/emergency.py); 112 reaches help from any mobile.
    emergency_number_default: str = "112"


    def security_problems(self) -> list[str]:
        """Security settings that contradict each other, each naming the variables
        (checked when a function starts: shared/bootstrap.py). An empty list: none."""
        problems: list[str] = []
        if self.worker_auth == "oidc" and not self.tasks_invoker_sa:
            problems.append(
                "WORKER_AUTH=oidc needs TASKS_INVOKER_SA: the service account whose ID "
                "tokens Cloud Tasks and Cloud Scheduler attach (Terraform sets it); "
                "without it no worker can accept a task")
        if self.worker_auth == "dev-token" and not self.dev_auth_token:
            problems.append("WORKER_AUTH=dev-token needs DEV_AUTH_TOKEN (the shared token "
                            "of the in-process function tests)")
        if self.worker_auth == "dev-token" and self.tasks_backend == "cloudtasks":
            problems.append(
                "WORKER_AUTH=dev-token cannot work with TASKS_BACKEND=cloudtasks: Cloud "
                "Tasks attaches OIDC tokens, never DEV_AUTH_TOKEN; set WORKER_AUTH=oidc "
                "and TASKS_INVOKER_SA")
        if self.line_channel_access_token and not self.line_channel_secret:
            problems.append("LINE_CHANNEL_ACCESS_TOKEN is set but LINE_CHANNEL_SECRET is "
                            "empty: every LINE webhook would be refused (401)")
        if self.telegram_bot_token and not _TELEGRAM_SECRET.match(self.telegram_webhook_secret):
            problems.append(
                "TELEGRAM_BOT_TOKEN is set but TELEGRAM_WEBHOOK_SECRET is "
                + ("empty" if not self.telegram_webhook_secret else
                   "not 1-256 characters of A-Za-z0-9_-")
                + ": every Telegram update would be refused (401)")
        return problems

    def check_security(self) -> None:
        """ConfigurationError naming every contradiction (security_problems)."""
        problems = self.security_problems()
        if problems:
            raise ConfigurationError("; ".join(problems))


# Fields whose values are secrets: deployed from Secret Manager (infra/terraform
# local.secrets), never as plain environment values. A function gets exactly those its
# wiring reads (shared/bootstrap.py needs_of).
SECRETS = frozenset({
    "line_channel_secret", "line_channel_access_token", "telegram_bot_token",
    "telegram_webhook_secret", "gemini_api_key", "smtp_password",
})


def load_settings() -> Settings:
    return Settings()
