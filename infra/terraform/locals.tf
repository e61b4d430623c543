# The deployment described as data. Resources in the other files are generated from
# these maps, and tests/unit/test_terraform.py (plus the offline plan in tests/tfplan.py)
# checks them against main.py, shared/jobs.py, shared/settings.py and shared/runtime.json,
# so code and infrastructure cannot drift apart silently.
#
# Runtime settings per function (memory, cpu, timeout, concurrency, THREADS, the task
# lease, the dispatch deadline, who calls it) are NOT here: they come from
# shared/runtime.json, the one table the code reads too (shared/runtime.py): each entry
# below is its function's row of that table merged with what the function may reach:
#   description     shown in the console
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
#   secrets, enqueues, bucket_access, signs_urls (and local.model_callers, vertex.tf) are
#   what the function's wiring in shared/bootstrap.py reaches (needs_of):
#   tests/unit/test_permissions.py fails when the IAM grants rendered from them differ
#   from it in either direction.
#   env             function-specific Settings fields, merged over local.common_env.

locals {
  # shared/runtime.json: functions.<name>.{caller, memory, cpu, timeout_s, concurrency,
  # threads, lease_s, dispatch_deadline_s}. The source zip carries the same file.
  runtime = jsondecode(file("${path.module}/../../shared/runtime.json"))

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
    # The region's emergency number when the patient's zone and language do not say
    EMERGENCY_NUMBER_DEFAULT = var.emergency_number_default
  }

  # Settings field (env var) -> Secret Manager secret id.
  secrets = {
    LINE_CHANNEL_SECRET       = "${var.name_prefix}-line-channel-secret"
    LINE_CHANNEL_ACCESS_TOKEN = "${var.name_prefix}-line-channel-access-token"
    TELEGRAM_BOT_TOKEN        = "${var.name_prefix}-telegram-bot-token"
    TELEGRAM_WEBHOOK_SECRET   = "${var.name_prefix}-telegram-webhook-secret"
    SMTP_PASSWORD             = "${var.name_prefix}-smtp-password"
  }

  # Public webhooks: called by LINE and Telegram from the internet (runtime caller
  # "platform"); they verify the platform's signature in code.
  webhooks = {
    line_webhook = merge(local.runtime.functions.line_webhook, {
      description   = "LINE Messaging API webhook (public; x-line-signature verified in code)"
      max_instances = var.webhook_max_instances
      secrets       = ["LINE_CHANNEL_SECRET"]
      enqueues      = ["medbot-dialog"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    })
    telegram_webhook = merge(local.runtime.functions.telegram_webhook, {
      description   = "Telegram Bot API webhook (public; X-Telegram-Bot-Api-Secret-Token verified in code)"
      max_instances = var.webhook_max_instances
      secrets       = ["TELEGRAM_WEBHOOK_SECRET"]
      enqueues      = ["medbot-dialog"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    })
  }

  # Private functions, invoked only by Cloud Tasks (workers) or Cloud Scheduler (tick)
  # with an OIDC token of the invoker account.
  workers = {
    dialog_worker = merge(local.runtime.functions.dialog_worker, {
      description   = "Dialog state machine: commands, menus; enqueues the slow jobs"
      max_instances = 10
      # The medication fallback calls the model (Vertex AI, vertex.tf), rarely.
      secrets = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # The jobs a dialog turn can start (Reply.jobs; Feature.starts in shared/features/*).
      enqueues = ["medbot-generate", "medbot-translate", "medbot-tts", "medbot-stt", "medbot-email",
      "medbot-care", "medbot-report"]
      # "Delete my data" runs here (privacy.Eraser): lists and deletes the user's files.
      bucket_access = true
      # "Add to calendar" answers with a signed link to the schedule's .ics (issue 14).
      signs_urls    = true
      env           = {}
    })
    generate_worker = merge(local.runtime.functions.generate_worker, {
      description   = "Health-education leaflets with Gemini + Google Search grounding"
      max_instances = 5
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # Its own queue (rescheduled tasks, JobKit); a leaflet translated into Taigi is a
      # taigi job (its TLPA and speech).
      enqueues      = ["medbot-generate", "medbot-taigi"]
      # Archives each leaflet under archive/ for clinical review (JobKit.archive).
      bucket_access = true
      # Printable handouts are signed links (features/education/generate.py).
      signs_urls    = true
      env           = { GEMINI_MODEL = var.gemini_model }
    })
    translate_worker = merge(local.runtime.functions.translate_worker, {
      description   = "Medical translation chat: plain-language rewrite, then translation"
      max_instances = 5
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # Its own queue (rescheduled tasks, JobKit); a Taigi target is a taigi job.
      enqueues = ["medbot-translate", "medbot-taigi"]
      # Archives each translation under archive/ for clinical review (JobKit.archive).
      bucket_access = true
      signs_urls    = false
      env           = { GEMINI_MODEL = var.gemini_model }
    })
    tts_worker = merge(local.runtime.functions.tts_worker, {
      description   = "Speech synthesis (Gemini TTS / espeak-ng), AAC/m4a encoding, signed URL"
      max_instances = 3
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # Its own queue: a task the model asks to retry later is rescheduled (JobKit).
      enqueues      = ["medbot-tts"]
      bucket_access = true
      signs_urls    = true
      env           = { GEMINI_MODEL = var.gemini_model, GEMINI_TTS_MODEL = var.gemini_tts_model }
    })
    stt_worker = merge(local.runtime.functions.stt_worker, {
      description   = "Voice messages: download from LINE/Telegram, transcribe with Gemini"
      max_instances = 3
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # Its own queue (rescheduled tasks, JobKit); a Taigi target is a taigi job.
      enqueues      = ["medbot-stt", "medbot-taigi"]
      # Archives each voice translation under archive/ (JobKit.archive).
      bucket_access = true
      signs_urls    = false
      env           = { GEMINI_MODEL = var.gemini_model }
    })
    taigi_worker = merge(local.runtime.functions.taigi_worker, {
      description   = "Taiwanese (Taigi) speech: NYCU iVoice romanisation + WAV, AAC/Opus encoding"
      max_instances = 3
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      enqueues      = []
      bucket_access = true
      signs_urls    = true
      env           = { IVOICE_BASE_URL = var.ivoice_base_url }
    })
    report_worker = merge(local.runtime.functions.report_worker, {
      description   = "The doctor's PDF report (WeasyPrint, no LLM) as a signed link, and its e-mail"
      max_instances = 3
      secrets       = ["SMTP_PASSWORD", "LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      enqueues      = []
      # Stores reports under reports/ and answers with signed links (features/supply).
      bucket_access = true
      signs_urls    = true
      env = {
        SMTP_HOST     = var.smtp_host
        SMTP_PORT     = tostring(var.smtp_port)
        SMTP_SECURITY = var.smtp_security
        SMTP_USER     = var.smtp_user
        MAIL_FROM     = var.mail_from
      }
    })
    email_worker = merge(local.runtime.functions.email_worker, {
      description   = "E-mails leaflets (SMTP) and archives a copy under archive/"
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
    })
    remind_worker = merge(local.runtime.functions.remind_worker, {
      description = "Sends one reminder (a user's due doses) with a Taken button"
      # The 08:00 burst: LINE lanes dispatch 1,800/s; a send (a transaction, a push,
      # its record) takes ~0.2-0.3 s, so ~540 in flight: 40 x 20 = 800 leaves room for
      # the Telegram lanes and the old queue (their max_concurrent_dispatches, below,
      # add up to at most this: tests/unit/test_queues.py).
      max_instances = 40
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # "Repeats until taken" is driven by doses.next_due_at and the tick, not by tasks;
      # a slot's first reminder plans its missed-dose check (features/circle/alerts.py).
      enqueues      = ["medbot-care"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    })
    care_worker = merge(local.runtime.functions.care_worker, {
      description = "Care circle: missed-dose alerts to caregivers, the circle's messages"
      max_instances = 10
      secrets       = ["LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN"]
      # An alert fans out to one task per caregiver; one in quiet hours waits in a copy.
      enqueues      = ["medbot-care"]
      bucket_access = false
      signs_urls    = false
      env           = {}
    })
    reminder_tick = merge(local.runtime.functions.reminder_tick, {
      description = "Every minute (Cloud Scheduler): due doses -> remind tasks, or shard sweeps"
      # One tick at a time (runtime.json): overlapping firings are deduplicated in code.
      max_instances = 1
      secrets       = []
      # Remind tasks go to their channel's lanes (shared/jobs.py LANES); a shard with
      # too many due doses is handed to a sweep task.
      enqueues = concat(local.remind_queues, ["medbot-sweep"])
      bucket_access = false
      signs_urls    = false
      env           = {}
    })
    sweep_worker = merge(local.runtime.functions.sweep_worker, {
      description = "Drains one shard of due doses at the 08:00 burst -> remind tasks"
      # One sweep per shard at most (64 shards, MedicationRepository.SHARDS).
      max_instances = 64
      secrets       = []
      # Remind tasks, and its own continuation when its time budget runs out.
      enqueues      = concat(local.remind_queues, ["medbot-sweep"])
      bucket_access = false
      signs_urls    = false
      env           = {}
    })
  }

  functions = merge(local.webhooks, local.workers)

  # One queue per Job kind, named queue_name(job) in shared/jobs.py; worker = WORKERS[job].
  #   gemini_calls_per_task > 0 marks a queue whose tasks call Gemini: its dispatch rate
  #     comes from the Gemini budget (tasks.tf), not from max_dispatches_per_second.
  #   Retry: Cloud Tasks stops only when BOTH max_attempts and max_retry_duration are
  #     reached, so every queue sets max_retry_duration = "0s" (no age limit) and
  #     max_attempts alone decides; it counts the first attempt. Backoff starts at
  #     min_backoff, doubles max_doublings times, then grows linearly to max_backoff.
  #   Retries only follow crashes, timeouts and 429 "busy" answers (a Gemini failure is
  #     answered with an apology, 200), and a crashed attempt's claim stays leased for
  #     its worker's timeout (shared/runtime.json): each queue's retries span longer than
  #     that lease, so such a task still runs once the lease has ended
  #     (tests/unit/test_queues.py computes the spans).
  queues = merge({
    "medbot-dialog" = {
      worker = "dialog_worker"
      # Every user message passes through this queue. Only the few medication commands
      # the deterministic parser leaves call Gemini (about 2% on the labelled corpus), so
      # the queue stays outside the Gemini budget; Gemini's own 429s are retried.
      gemini_calls_per_task = 0
      # Telegram allows a bot ~30 messages/s overall; LINE's limits are far higher.
      max_dispatches_per_second = 20
      # Retry fast, for ~17 minutes in all: a patient's message is answered even after
      # a crashed worker's 300 s lease.
      max_attempts       = 40
      min_backoff        = "1s"
      max_backoff        = "30s"
      max_doublings      = 4
      max_retry_duration = "0s"
    }
    "medbot-generate" = {
      worker                    = "generate_worker"
      gemini_calls_per_task     = 1
      max_dispatches_per_second = null
      # Generations are expensive: 5 attempts, 45 s .. 360 s apart (675 s in all, past
      # the 600 s lease of a crashed attempt).
      max_attempts       = 5
      min_backoff        = "45s"
      max_backoff        = "600s"
      max_doublings      = 3
      max_retry_duration = "0s"
    }
    "medbot-translate" = {
      worker                    = "translate_worker"
      gemini_calls_per_task     = 1
      max_dispatches_per_second = null
      # 5 attempts over 375 s (the lease is 360 s).
      max_attempts       = 5
      min_backoff        = "25s"
      max_backoff        = "600s"
      max_doublings      = 3
      max_retry_duration = "0s"
    }
    "medbot-tts" = {
      worker                    = "tts_worker"
      gemini_calls_per_task     = 1
      max_dispatches_per_second = null
      max_attempts              = 5
      min_backoff               = "25s"
      max_backoff               = "600s"
      max_doublings             = 3
      max_retry_duration        = "0s"
    }
    "medbot-stt" = {
      worker                    = "stt_worker"
      gemini_calls_per_task     = 2
      max_dispatches_per_second = null
      max_attempts              = 5
      min_backoff               = "45s"
      max_backoff               = "600s"
      max_doublings             = 3
      max_retry_duration        = "0s"
    }
    "medbot-taigi" = {
      worker                    = "taigi_worker"
      gemini_calls_per_task     = 0
      max_dispatches_per_second = 2
      # The task itself answers "Taigi audio unavailable" when iVoice is down, so
      # retries only cover crashes: few, and soon (the audio belongs to a live chat).
      max_attempts       = 4
      min_backoff        = "20s"
      max_backoff        = "120s"
      max_doublings      = 2
      max_retry_duration = "0s"
    }
    "medbot-report" = {
      worker                    = "report_worker"
      gemini_calls_per_task     = 0
      # A report is asked for by a patient waiting in the chat: a few renders a second
      # at most (WeasyPrint is CPU-bound); retries only cover crashes and SMTP outages.
      max_dispatches_per_second = 2
      max_attempts              = 8
      min_backoff               = "30s"
      max_backoff               = "600s"
      max_doublings             = 4
      max_retry_duration        = "0s"
    }
    "medbot-email" = {
      worker                = "email_worker"
      gemini_calls_per_task = 0
      # Typical SMTP relays throttle bursts; e-mail is never urgent.
      max_dispatches_per_second = 1
      # SMTP outages can last hours: 32 attempts reach about a day (~25 h), hourly at
      # the end.
      max_attempts       = 32
      min_backoff        = "30s"
      max_backoff        = "3600s"
      max_doublings      = 5
      max_retry_duration = "0s"
    }
    "medbot-remind" = {
      worker                = "remind_worker"
      gemini_calls_per_task = 0
      # Since the lanes (below) only for tasks queued before they existed, and for a
      # channel without lanes: under Telegram's ~30 messages/s per bot.
      max_dispatches_per_second = 20
      max_concurrent_dispatches = 40
      # A dose reminder an hour late is worse than none: the repeat-until-taken loop sends
      # a fresh one anyway, so retry for about 15 minutes (19 attempts, then every 60 s).
      max_attempts       = 19
      min_backoff        = "5s"
      max_backoff        = "60s"
      max_doublings      = 3
      max_retry_duration = "0s"
    }
    "medbot-care" = {
      worker                = "care_worker"
      gemini_calls_per_task = 0
      # Alerts follow the 08:00 reminders an hour later; LINE and Telegram each take
      # far more, and an alert a few minutes late still matters.
      max_dispatches_per_second = 20
      max_concurrent_dispatches = 40
      # An alert is worth retrying for a while (a platform outage): ~30 minutes.
      max_attempts       = 30
      min_backoff        = "5s"
      max_backoff        = "60s"
      max_doublings      = 3
      max_retry_duration = "0s"
    }
    "medbot-sweep" = {
      worker                = "sweep_worker"
      gemini_calls_per_task = 0
      # 64 sweeps at 08:00 (one per shard) and their continuations: Cloud Tasks' most.
      max_dispatches_per_second = 500
      # A crashed sweep is retried soon (its doses are late): 2 s doubling to 30 s,
      # ~3.5 min in all, past its 60 s lease; the next firing catches up anyway.
      max_attempts       = 10
      min_backoff        = "2s"
      max_backoff        = "30s"
      max_doublings      = 4
      max_retry_duration = "0s"
    }
  }, local.remind_lanes)

  # The remind queue's lanes (shared/jobs.py LANES): one channel's reminders, a patient
  # always in the same lane, each channel throttled at its platform's limit
  # (docs/reminders-at-scale.md):
  #   LINE: push 2,000 requests/s per channel. One Cloud Tasks queue dispatches at most
  #     500/s, so 4 lanes of 450/s: 1,800/s, 200/s left for the bot's other pushes (the
  #     margin LINE's rate-limit guide asks for).
  #   Telegram: about 30 messages/s per bot, whatever the design: 4 lanes of 6.25/s,
  #     25/s, the rest left for replies and a superseded reminder's deletion. 80,000
  #     Telegram reminders at 08:00 (100,000 patients) take 53 minutes; 4 lanes only
  #     spread task creation (500/s per cold queue).
  #   max_concurrent_dispatches: the lane's rate x a send's ~0.3 s, with room; with the
  #     old queue's they add up to remind_worker's max_instances x concurrency.
  #   A 429 from LINE or Telegram is waited out in the worker when short (Telegram's
  #     retry_after; plumbing/delivery.py), else the task fails and the lane retries it
  #     (the old queue's backoff); sent parts are recorded, so nothing is sent twice.
  remind_channels = {
    line     = { per_second = 1800, concurrent = 600 }
    telegram = { per_second = 25, concurrent = 40 }
  }
  remind_lane_ids = ["0", "1", "2", "3"]
  remind_lanes = merge([
    for channel, spec in local.remind_channels : {
      for lane in local.remind_lane_ids : "medbot-remind-${channel}-${lane}" => {
        worker                    = "remind_worker"
        gemini_calls_per_task     = 0
        max_dispatches_per_second = spec.per_second / length(local.remind_lane_ids)
        max_concurrent_dispatches = spec.concurrent / length(local.remind_lane_ids)
        max_attempts              = 19
        min_backoff               = "5s"
        max_backoff               = "60s"
        max_doublings             = 3
        max_retry_duration        = "0s"
      }
    }
  ]...)
  remind_queues = concat(["medbot-remind"], sort(keys(local.remind_lanes)))

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
