# The deployment described as data: one entry per entry point of main.py, one entry per
# Cloud Tasks queue. Resources in the other files are generated from these maps, and
# tests/unit/test_terraform.py checks them against main.py, shared/jobs.py and
# shared/settings.py, so code and infrastructure cannot drift apart silently.
#
# Function entry fields (all entries carry every field so each.value.* always resolves):
#   memory/cpu      available_memory/available_cpu. cpu is "1" everywhere: Cloud Run only
#                   allows concurrency > 1 with at least one vCPU, and imports are
#                   CPU-bound: the ~2.2 s of client imports (PLATFORM.md) would take several
#                   times longer on the 0.167 vCPU a 256Mi function gets by default, and
#                   cold starts are on the webhooks' 2 s budget. CPU is billed only while
#                   a request runs (default CPU throttling), so idle instances cost little.
#   timeout_s       must cover the worst case of the work, or Cloud Tasks retries work that
#                   is still running. One Gemini call can take GEMINI_ATTEMPTS (4) x
#                   GEMINI_TIMEOUT_S (60 s) + backoff, about 255 s. Cloud Tasks' default
#                   dispatch deadline is 10 min, so no worker exceeds 600 s.
#   concurrency     requests per instance. I/O-bound handlers share an instance; CPU-bound
#                   audio encoding does not.
#   max_instances   caps cost; queues never dispatch more than max_instances x concurrency
#                   at once (tasks.tf), so tasks are not bounced with 429s that burn attempts.
#   secrets         Secret Manager secrets exposed as env vars (keys of local.secrets);
#                   each function can read only these.
#   enqueues        Cloud Tasks queues the function creates tasks in: it gets
#                   roles/cloudtasks.enqueuer on exactly those queues, plus actAs on the
#                   OIDC invoker account (needed to attach its OIDC token to a task).
#                   Taken from the code: webhooks -> dialog (intake.py), dialog -> the
#                   slow jobs (dialog.py), tick -> remind (reminders.py). A worker that
#                   starts enqueuing needs its list extended here, or Cloud Tasks answers
#                   PERMISSION_DENIED (visible on the error-rate alert).
#   bucket_access   roles/storage.objectAdmin on the private bucket.
#   signs_urls      may sign GCS URLs with its own identity (IAM signBlob, no key files).
#   env             function-specific Settings fields, merged over local.common_env.

locals {
  firestore_location = coalesce(var.firestore_location, var.region)
  bucket_name        = coalesce(var.bucket_name, "${var.project}-${var.name_prefix}-private")

  # Settings.worker_base_url: a task for worker W is sent to "<base>/<W>". Each function is
  # named after its entry point, so the stable cloudfunctions.net URL of the function is
  # exactly that. Built from project and region rather than from the functions' url
  # attributes, because every function needs it and that would be a dependency cycle.
  worker_base_url = "https://${var.region}-${var.project}.cloudfunctions.net"

  # Settings every function receives. Names are Settings fields upper-cased.
  common_env = {
    GCP_PROJECT      = var.project
    GCP_REGION       = var.region
    WORKER_BASE_URL  = local.worker_base_url
    WORKER_AUTH      = "oidc"
    TASKS_INVOKER_SA = google_service_account.invoker.email
    STORE_BACKEND    = "firestore"
    TASKS_BACKEND    = "cloudtasks"
    TASKS_LOCATION   = var.region
    BLOB_BACKEND     = "gcs"
    BUCKET           = google_storage_bucket.private.name
  }

  # Settings field (env var) -> Secret Manager secret id.
  secrets = {
    LINE_CHANNEL_SECRET       = "${var.name_prefix}-line-channel-secret"
    LINE_CHANNEL_ACCESS_TOKEN = "${var.name_prefix}-line-channel-access-token"
    TELEGRAM_BOT_TOKEN        = "${var.name_prefix}-telegram-bot-token"
    TELEGRAM_WEBHOOK_SECRET   = "${var.name_prefix}-telegram-webhook-secret"
    SMTP_PASSWORD             = "${var.name_prefix}-smtp-password"
  }

  # Public webhooks: verify the signature/secret, deduplicate, enqueue a dialog task,
  # answer. They never call an LLM and import no heavy SDK, so 256Mi is ample; 20
  # concurrent requests per instance keep LINE's 2 s limit even during bursts without
  # waiting for new instances; 30 s is far above the target latency and bounds a hung call.
  webhooks = {
    line_webhook = {
      description   = "LINE Messaging API webhook (public; x-line-signature verified in code)"
      memory        = "256Mi"
      cpu           = "1"
      timeout_s     = 30
      concurrency   = 20
      max_instances = var.webhook_max_instances
      secrets       = ["LINE_CHANNEL_SECRET"]
      enqueues      = ["medbot-dialog"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    }
    telegram_webhook = {
      description   = "Telegram Bot API webhook (public; X-Telegram-Bot-Api-Secret-Token verified in code)"
      memory        = "256Mi"
      cpu           = "1"
      timeout_s     = 30
      concurrency   = 20
      max_instances = var.webhook_max_instances
      secrets       = ["TELEGRAM_WEBHOOK_SECRET"]
      enqueues      = ["medbot-dialog"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    }
  }

  # Private functions, invoked only by Cloud Tasks (workers) or Cloud Scheduler (tick)
  # with an OIDC token of the invoker account. Every worker that talks to users imports
  # the LINE and Telegram SDKs besides the Google clients: 512Mi is the floor for those.
  workers = {
    dialog_worker = {
      description = "Dialog state machine: commands, menus; enqueues the slow jobs"
      memory      = "512Mi"
      cpu         = "1"
      # Most turns are Firestore + a reply. A medication command the deterministic parser
      # does not understand makes one structured Gemini call (with its retries), and
      # "delete my data" pages through the user's documents and files: 300 s, which is
      # also the dialog's task lease (DIALOG_LEASE_S in shared/services/dialog.py).
      timeout_s     = 300
      concurrency   = 10
      max_instances = 10
      # The medication fallback calls the model (Vertex AI, vertex.tf), rarely.
      secrets = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # The jobs a dialog turn can start (Reply.jobs in shared/services/dialog.py).
      enqueues = ["medbot-generate", "medbot-translate", "medbot-tts", "medbot-stt", "medbot-email"]
      # "Delete my data" runs here (privacy.Eraser): lists and deletes the user's files.
      bucket_access = true
      signs_urls    = false
      env           = {}
    }
    generate_worker = {
      description = "Health-education leaflets with Gemini + Google Search grounding"
      # 1Gi: up to 4 grounded generations in flight, each holding the response, its
      # grounding metadata and the rendered cards, on top of ~250 MB of SDKs.
      memory = "1Gi"
      cpu    = "1"
      # One grounded call (search + generation, the slowest Gemini request) can take
      # ~255 s with retries; 600 s, Cloud Tasks' default dispatch deadline, leaves room
      # for slow grounding without Cloud Tasks retrying a generation still in progress.
      timeout_s     = 600
      concurrency   = 4
      max_instances = 5
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      enqueues      = []
      # Archives each leaflet under archive/ for clinical review (JobKit.archive).
      bucket_access = true
      signs_urls    = false
      env           = { GEMINI_MODEL = var.gemini_model }
    }
    translate_worker = {
      description = "Medical translation chat: plain-language rewrite, then translation"
      memory      = "512Mi"
      cpu         = "1"
      # One structured Gemini call returns both the plain-language rewrite and the
      # translation (services/jobs.py): ~255 s worst case with retries.
      timeout_s     = 360
      concurrency   = 8
      max_instances = 5
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # Target Taigi: the iVoice speech is a follow-up job (services/medchat.py).
      enqueues = ["medbot-taigi"]
      # Archives each translation under archive/ for clinical review (JobKit.archive).
      bucket_access = true
      signs_urls    = false
      env           = { GEMINI_MODEL = var.gemini_model }
    }
    tts_worker = {
      description = "Speech synthesis (Gemini TTS / espeak-ng), AAC/m4a encoding, signed URL"
      # 1Gi: Gemini TTS returns raw PCM (48 kB per second of speech, base64 in the JSON
      # response, so a 3-minute leaflet is ~20 MB in flight) and PyAV/FFmpeg buffers the
      # AAC encode; two of those at once plus the SDKs.
      memory = "1Gi"
      cpu    = "1"
      # One Gemini call (~255 s worst case) plus encoding and upload.
      timeout_s = 360
      # Encoding is CPU-bound: more than 2 per vCPU only makes each one slower.
      concurrency   = 2
      max_instances = 3
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      enqueues      = []
      bucket_access = true
      signs_urls    = true
      env           = { GEMINI_MODEL = var.gemini_model, GEMINI_TTS_MODEL = var.gemini_tts_model }
    }
    stt_worker = {
      description = "Voice messages: download from LINE/Telegram, transcribe with Gemini"
      # 512Mi: audio up to MAX_AUDIO_BYTES (10 MiB) is sent inline, i.e. held raw and
      # base64-encoded (~2.4x) per request; 4 concurrent requests stay under ~100 MB.
      memory        = "512Mi"
      cpu           = "1"
      timeout_s     = 600 # two Gemini calls: transcription, then the translation
      concurrency   = 4
      max_instances = 3
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # The transcript is translated in the same task; target Taigi -> a taigi job.
      enqueues = ["medbot-taigi"]
      bucket_access = false
      signs_urls    = false
      env           = { GEMINI_MODEL = var.gemini_model }
    }
    taigi_worker = {
      description = "Taiwanese (Taigi) speech: NYCU iVoice romanisation + WAV, AAC/Opus encoding"
      # No LLM: two plain-HTTP iVoice requests (IVOICE_TIMEOUT_S x IVOICE_ATTEMPTS each,
      # a circuit breaker fails fast while iVoice is down), then PyAV encoding.
      memory        = "1Gi"
      cpu           = "1"
      timeout_s     = 120
      concurrency   = 2
      max_instances = 3
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      enqueues      = []
      bucket_access = true
      signs_urls    = true
      env           = { IVOICE_BASE_URL = var.ivoice_base_url }
    }
    email_worker = {
      description = "E-mails leaflets (SMTP) and archives a copy under archive/"
      memory      = "512Mi"
      cpu         = "1"
      # SMTP sessions are short; 120 s bounds a hung server so Cloud Tasks retries.
      timeout_s     = 120
      concurrency   = 5
      max_instances = 2
      secrets       = ["SMTP_PASSWORD", "LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      enqueues      = []
      bucket_access = true
      signs_urls    = false
      env = {
        SMTP_HOST     = var.smtp_host
        SMTP_PORT     = tostring(var.smtp_port)
        SMTP_SECURITY = var.smtp_security
        SMTP_USER     = var.smtp_user
        MAIL_FROM     = var.mail_from
      }
    }
    remind_worker = {
      description = "Sends one reminder (a user's due doses) with a Taken button"
      memory      = "512Mi"
      cpu         = "1"
      # One Firestore transaction and one message: 60 s is generous.
      timeout_s     = 60
      concurrency   = 20
      max_instances = 5
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # "Repeats until taken" is driven by doses.next_due_at and the tick, not by tasks.
      enqueues      = []
      bucket_access = false
      signs_urls    = false
      env           = {}
    }
    reminder_tick = {
      description = "Every minute (Cloud Scheduler): indexed query of due doses -> remind tasks"
      # Firestore and Cloud Tasks clients only.
      memory    = "256Mi"
      cpu       = "1"
      timeout_s = 60
      # One tick at a time: a tick is a single indexed query plus enqueues. Overlapping
      # firings (a Scheduler retry, at-least-once delivery) are deduplicated in code.
      concurrency   = 1
      max_instances = 1
      secrets       = []
      enqueues      = ["medbot-remind"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    }
  }

  functions = merge(local.webhooks, local.workers)

  # One queue per Job kind, named queue_name(job) in shared/jobs.py; worker = WORKERS[job].
  #   gemini_calls_per_task > 0 marks a queue whose tasks call Gemini: its dispatch rate
  #     comes from the Gemini budget (tasks.tf), not from max_dispatches_per_second.
  #   Retry: max_attempts counts the first attempt; backoff doubles max_doublings times
  #     from min_backoff, then grows linearly up to max_backoff.
  queues = {
    "medbot-dialog" = {
      worker = "dialog_worker"
      # Every user message passes through this queue. Only the few medication commands
      # the deterministic parser leaves call Gemini (about 2% on the labelled corpus), so
      # the queue stays outside the Gemini budget; Gemini's own 429s are retried.
      gemini_calls_per_task = 0
      # Telegram allows a bot ~30 messages/s overall; LINE's limits are far higher.
      max_dispatches_per_second = 20
      # Retry fast. The span (15 min) outlasts the 300 s lease of a killed worker's
      # claim (shared/services/runner.py), so such a message is still answered.
      max_attempts       = 40
      min_backoff        = "1s"
      max_backoff        = "30s"
      max_doublings      = 4
      max_retry_duration = "900s"
    }
    "medbot-generate" = {
      worker                    = "generate_worker"
      gemini_calls_per_task     = 1
      max_dispatches_per_second = null
      # Gemini 429/5xx need real spacing, and generations are expensive: few attempts.
      max_attempts       = 4
      min_backoff        = "10s"
      max_backoff        = "300s"
      max_doublings      = 3
      max_retry_duration = "3600s"
    }
    "medbot-translate" = {
      worker                    = "translate_worker"
      gemini_calls_per_task     = 1
      max_dispatches_per_second = null
      max_attempts              = 5
      min_backoff               = "5s"
      max_backoff               = "120s"
      max_doublings             = 3
      max_retry_duration        = "1800s"
    }
    "medbot-tts" = {
      worker                    = "tts_worker"
      gemini_calls_per_task     = 1
      max_dispatches_per_second = null
      max_attempts              = 4
      min_backoff               = "10s"
      max_backoff               = "300s"
      max_doublings             = 3
      max_retry_duration        = "1800s"
    }
    "medbot-stt" = {
      worker                    = "stt_worker"
      gemini_calls_per_task     = 2
      max_dispatches_per_second = null
      max_attempts              = 4
      min_backoff               = "5s"
      max_backoff               = "120s"
      max_doublings             = 3
      max_retry_duration        = "1800s"
    }
    "medbot-taigi" = {
      worker                    = "taigi_worker"
      gemini_calls_per_task     = 0
      max_dispatches_per_second = 2
      # The task itself answers "Taigi audio unavailable" when iVoice is down, so
      # retries only cover crashes: few, and soon (the audio belongs to a live chat).
      max_attempts       = 3
      min_backoff        = "5s"
      max_backoff        = "60s"
      max_doublings      = 2
      max_retry_duration = "600s"
    }
    "medbot-email" = {
      worker                = "email_worker"
      gemini_calls_per_task = 0
      # Typical SMTP relays throttle bursts; e-mail is never urgent.
      max_dispatches_per_second = 1
      # SMTP outages can last hours: keep trying for a day with long backoff.
      max_attempts       = 10
      min_backoff        = "30s"
      max_backoff        = "3600s"
      max_doublings      = 5
      max_retry_duration = "86400s"
    }
    "medbot-remind" = {
      worker                = "remind_worker"
      gemini_calls_per_task = 0
      # Stays under Telegram's ~30 messages/s per bot, leaving room for dialog replies.
      max_dispatches_per_second = 20
      # A dose reminder an hour late is worse than none: the repeat-until-taken loop sends
      # a fresh one anyway, so stop retrying after 15 minutes.
      max_attempts       = 5
      min_backoff        = "5s"
      max_backoff        = "60s"
      max_doublings      = 3
      max_retry_duration = "900s"
    }
  }

  # Flattened grants for for_each (keys are stable strings).
  secret_grants = merge([
    for fn, cfg in local.functions : {
      for s in cfg.secrets : "${fn}/${s}" => { function = fn, secret = s }
    }
  ]...)
  enqueue_grants = merge([
    for fn, cfg in local.functions : {
      for q in cfg.enqueues : "${fn}/${q}" => { function = fn, queue = q }
    }
  ]...)
  enqueuers       = { for fn, cfg in local.functions : fn => cfg if length(cfg.enqueues) > 0 }
  bucket_users    = { for fn, cfg in local.functions : fn => cfg if cfg.bucket_access }
  url_signers     = { for fn, cfg in local.functions : fn => cfg if cfg.signs_urls }
  gemini_queues   = { for q, cfg in local.queues : q => cfg if cfg.gemini_calls_per_task > 0 }
  # Cloud Run service behind each function: service names allow no '_', and Cloud
  # Functions derives the service name from the function name with '_' -> '-'.
  run_service_ids = [for fn in keys(local.functions) : replace(fn, "_", "-")]

  # What the metrics in monitoring.tf read from the code's JSON logs (shared/log.py:
  # the log message becomes jsonPayload.message, `extra=` fields become jsonPayload.*).
  log_contract = {
    # Logger of the Gemini adapter: WARNING = a call rejected, or failed after retries
    # (INFO = a retried attempt, not counted).
    gemini_logger = "shared.adapters.gemini"
    # log.info("reminder sent", extra={"lateness_s": <seconds after the dose was due>})
    reminder_sent = "reminder sent"
    # log.info("line push", extra={...}) once per Messaging API push call
    line_push = "line push"
    # Gemini adapter ERROR lines an operator must act on (jsonPayload.outcome): a model
    # id the backend does not serve (retired), and a used-up per-day quota.
    model_not_found = "model_not_found"
    daily_quota     = "quota_exhausted_daily"
  }
}
