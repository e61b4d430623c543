variable "project" {
  description = "Google Cloud project id."
  type        = string
}

variable "region" {
  description = "Region for functions, queues, scheduler and the private bucket. asia-east1 (Taiwan) is closest to the zh-TW users and to LINE's Japanese/Taiwanese endpoints."
  type        = string
  default     = "asia-east1"
}

variable "firestore_location" {
  description = "Firestore location id; null means the function region (keeps every Firestore round trip in-region)."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix for service accounts, secrets, the bucket, the scheduler job and metrics. Function names are NOT prefixed: the code builds worker URLs as WORKER_BASE_URL/<entry point>, so each function is named exactly after its entry point; Cloud Tasks queue names come from shared/jobs.py (queue_name)."
  type        = string
  default     = "medbot"

  validation {
    # Service account ids are at most 30 chars; the longest suffix is "-telegram-webhook" (17).
    condition     = can(regex("^[a-z][a-z0-9-]{0,12}$", var.name_prefix))
    error_message = "name_prefix must be 1-13 chars of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "source_bucket" {
  description = "Existing bucket holding the zipped function source (uploaded by CI; not managed here)."
  type        = string
}

variable "source_object" {
  description = "Object name of the zipped source in source_bucket. Use a content-addressed name (e.g. source-<sha>.zip): a new name is what makes Terraform redeploy the functions."
  type        = string
}

variable "python_runtime" {
  description = "Cloud Functions runtime. python311 matches pyproject's requires-python/target-version and the dev venv, so what is type-checked and tested is what runs."
  type        = string
  default     = "python311"

  validation {
    condition     = contains(["python311", "python312"], var.python_runtime)
    error_message = "python_runtime must be python311 or python312."
  }
}

variable "alert_email" {
  description = "E-mail address that receives monitoring alerts."
  type        = string

  validation {
    # example.com/.org/.net are reserved (RFC 2606) and receive no mail: an unedited
    # medbot.tfvars must not deploy alerts that reach nobody.
    condition     = can(regex("^[^@ ]+@[^@ ]+[.][^@ ]+$", var.alert_email)) && !can(regex("@example[.](com|org|net)$", lower(var.alert_email)))
    error_message = "alert_email must be a real mailbox (set it in infra/terraform/medbot.tfvars)."
  }
}

variable "gemini_requests_per_minute" {
  description = "Requests per minute the project may send to the Gemini models on Vertex AI (its quota, or the share of the shared capacity you plan for). The Gemini-calling Cloud Tasks queues split this budget between them (tasks.tf). The default is deliberately conservative; raise it to the real figure."
  type        = number
  default     = 60

  validation {
    condition     = var.gemini_requests_per_minute > 0
    error_message = "gemini_requests_per_minute must be positive."
  }
}

variable "gemini_model" {
  description = "GEMINI_MODEL for leaflets, translation, transcription and command parsing: a current, generally available model (check the deprecations page; `python -m infra.ops models` lists what the backend serves)."
  type        = string
  default     = "gemini-3.8-flash"

  validation {
    condition     = !can(regex("(preview|exp)", var.gemini_model))
    error_message = "gemini_model must be a generally available model: preview and experimental models are withdrawn at short notice."
  }
}

variable "gemini_tts_model" {
  description = "GEMINI_TTS_MODEL for read-aloud speech: a current, generally available speech model."
  type        = string
  default     = "gemini-3.8-flash-tts"

  validation {
    condition     = !can(regex("(preview|exp)", var.gemini_tts_model))
    error_message = "gemini_tts_model must be a generally available model: preview and experimental models are withdrawn at short notice."
  }
}

variable "gemini_location" {
  description = "GEMINI_LOCATION: the Vertex AI location serving the models, i.e. where prompts (patient data) are processed. \"global\" serves the Gemini 3.8 models but lets Google route each request to any region; choose a regional or multi-regional location that serves both models when data must stay in a region (README: Before serving patients)."
  type        = string
  default     = "global"
}

variable "ivoice_base_url" {
  description = "NYCU iVoice Taigi speech service (plain HTTP; see README 'Taigi (NYCU iVoice)'). Empty: a labelled offline stand-in answers."
  type        = string
  default     = "http://tts001.ivoice.tw:8804"
}

variable "smtp_host" {
  description = "SMTP server for the e-mail worker. Empty means the code falls back to its in-memory mailer (shared/bootstrap.py) and sends no e-mail; `terraform plan` warns about that (check block below)."
  type        = string
  # A concrete default (not required/null) so checkov can expand the function map offline.
  default = ""
}

# Warn (plan/apply keep going) when e-mail would be silently disabled.
check "smtp_configured" {
  assert {
    condition     = var.smtp_host != ""
    error_message = "smtp_host is empty: the e-mail worker will use the in-memory mailer and send nothing."
  }
}

variable "smtp_port" {
  description = "SMTP port (465 with implicit TLS by default)."
  type        = number
  default     = 465
}

variable "smtp_security" {
  description = "SMTP_SECURITY: ssl, starttls or none."
  type        = string
  default     = "ssl"

  validation {
    condition     = contains(["ssl", "starttls", "none"], var.smtp_security)
    error_message = "smtp_security must be ssl, starttls or none."
  }
}

variable "smtp_user" {
  description = "SMTP user name (the password is the SMTP_PASSWORD secret)."
  type        = string
  default     = ""
}

variable "mail_from" {
  description = "From header of e-mails sent by the bot."
  type        = string
  default     = "MedBot <medbot@example.org>"
}

variable "bucket_name" {
  description = "Name of the private bucket (audio, e-mail archive); null means <project>-<name_prefix>-private (bucket names are global)."
  type        = string
  default     = null
}

variable "audio_retention_days" {
  description = "Days after which objects under audio/ are deleted. Audio is only needed while LINE fetches it through a signed URL (valid SIGNED_URL_TTL_S, 1 h), and voice recordings are personal health data: keep them as briefly as GCS allows (1 day is the lifecycle minimum)."
  type        = number
  default     = 1

  validation {
    condition     = var.audio_retention_days >= 1
    error_message = "audio_retention_days must be at least 1 (lifecycle age is in whole days)."
  }
}

variable "handout_retention_days" {
  description = "Days after which objects under handouts/ (printable leaflet pages and PDFs) and reports/ (the doctor's PDF reports) are deleted. A handout is rendered for each request and opened through a signed link valid SIGNED_URL_TTL_S (1 h); it holds health information, so 1 day (the lifecycle minimum) is enough."
  type        = number
  default     = 1

  validation {
    condition     = var.handout_retention_days >= 1
    error_message = "handout_retention_days must be at least 1 (lifecycle age is in whole days)."
  }
}

variable "archive_retention_days" {
  description = "Days after which objects under archive/ (copies of generated leaflets and translations kept for clinical review, and of e-mailed leaflets) are deleted."
  type        = number
  default     = 365

  validation {
    condition     = var.archive_retention_days >= 1
    error_message = "archive_retention_days must be at least 1."
  }
}

variable "emergency_number_default" {
  description = "Emergency number the bot names when neither the patient's time zone nor UI language tells the region (119 Taiwan, 112 EU/Russia, 911 US)."
  type        = string
  default     = "112"

  validation {
    condition     = can(regex("^[0-9]{2,4}$", var.emergency_number_default))
    error_message = "emergency_number_default is a short dialling number such as 119, 112 or 911."
  }
}

variable "webhook_max_instances" {
  description = "Upper bound on instances per webhook function (each serves up to 20 concurrent requests); caps cost if a platform floods the endpoint."
  type        = number
  default     = 10
}

variable "error_rate_alert_threshold" {
  description = "Alert when a function logs more than this many ERROR entries per second, averaged over 5 minutes (0.02/s = 6 errors in 5 min)."
  type        = number
  default     = 0.02
}

variable "gemini_failure_alert_threshold" {
  description = "Alert when more than this many Gemini calls fail (after the client's own retries) within 5 minutes."
  type        = number
  default     = 5
}

variable "reminder_lateness_alert_s" {
  description = "Alert when the 95th percentile of reminder lateness (seconds after a dose was due) stays above this for 10 minutes."
  type        = number
  default     = 180
}

variable "line_monthly_push_quota" {
  description = "Push messages per month included in the LINE Official Account plan (free plans: a few hundred; check your plan). The LINE push alert fires when a day uses more than 1/30 of it."
  type        = number
  default     = 200

  validation {
    condition     = var.line_monthly_push_quota >= 30
    error_message = "line_monthly_push_quota must be at least 30."
  }
}
