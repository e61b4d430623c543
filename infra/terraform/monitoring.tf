# Log-based metrics and alerts. 2nd gen functions log as Cloud Run revisions; the filters
# select this bot's services by name (local.run_service_ids).
locals {
  service_filter = "resource.type=\"cloud_run_revision\" AND resource.labels.service_name=(${join(" OR ", [for s in local.run_service_ids : "\"${s}\""])})"
}

# Errors per function: application logs at ERROR or worse (shared/log.py sets severity;
# uncaught exceptions are logged by the framework at ERROR) and Cloud Run request logs
# with a 5xx status (crashes, timeouts, out-of-memory kills that log nothing themselves).
# One failure may count twice (request log + traceback): fine for a rate alarm.
# 429 is excluded on purpose: workers answer 429 "busy" to make Cloud Tasks back off.
resource "google_logging_metric" "function_errors" {
  project     = var.project
  name        = "${var.name_prefix}/function_errors"
  description = "ERROR-or-worse log entries and 5xx responses per function."
  filter      = "${local.service_filter} AND (severity>=ERROR OR httpRequest.status>=500)"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "service"
      value_type  = "STRING"
      description = "Cloud Run service (function) name"
    }
  }
  label_extractors = {
    service = "EXTRACT(resource.labels.service_name)"
  }

  depends_on = [google_project_service.api]
}

# How late reminders go out: seconds between a dose's due time and the send, from the
# structured field lateness_s. The tick runs every minute, so most values should be < 60.
resource "google_logging_metric" "reminder_lateness" {
  project     = var.project
  name        = "${var.name_prefix}/reminder_lateness"
  description = "Seconds between a dose's due time and the reminder being sent (jsonPayload.lateness_s)."
  filter      = "${local.service_filter} AND jsonPayload.message=\"${local.log_contract.reminder_sent}\" AND jsonPayload.lateness_s>=0"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "DISTRIBUTION"
    unit        = "s"
  }
  value_extractor = "EXTRACT(jsonPayload.lateness_s)"

  # 1 s .. ~1 h in doubling buckets: resolves "within the minute" and "badly late" alike.
  bucket_options {
    exponential_buckets {
      num_finite_buckets = 12
      growth_factor      = 2
      scale              = 1
    }
  }

  depends_on = [google_project_service.api]
}

# Gemini calls that failed for good: rejected (4xx other than 408/429) or still failing
# after the adapter's GEMINI_ATTEMPTS retries. Retried attempts log at INFO and are not
# counted. The adapter's messages start "gemini <model> ...".
resource "google_logging_metric" "gemini_failures" {
  project     = var.project
  name        = "${var.name_prefix}/gemini_failures"
  description = "Gemini calls rejected or failed after retries (WARNING from the Gemini adapter)."
  filter      = "${local.service_filter} AND jsonPayload.logger=\"${local.log_contract.gemini_logger}\" AND severity>=WARNING"

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "model"
      value_type  = "STRING"
      description = "Gemini model (text or TTS)"
    }
  }
  label_extractors = {
    model = "REGEXP_EXTRACT(jsonPayload.message, \"^gemini ([^ ]+) \")"
  }

  depends_on = [google_project_service.api]
}

# LINE push messages count against the channel's monthly quota (reply messages do not):
# this shows how fast it is being used.
resource "google_logging_metric" "line_pushes" {
  project     = var.project
  name        = "${var.name_prefix}/line_pushes"
  description = "LINE Messaging API push calls; pushes are billed against the monthly quota."
  filter      = "${local.service_filter} AND jsonPayload.message=\"${local.log_contract.line_push}\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
  }

  depends_on = [google_project_service.api]
}

# A log-based metric can be used in an alert policy only minutes after it was created:
# creating both in one apply fails with "Cannot find metric(s) ... it could take up to
# 10 minutes to become available" (provider issue #11102, still open on v7.28). Every
# alert policy waits for this; it sleeps on the first apply, and again only when a
# metric is added or renamed (triggers), while the functions build in parallel.
resource "time_sleep" "metrics_propagation" {
  create_duration = "600s"

  triggers = {
    metrics = jsonencode([
      google_logging_metric.function_errors.name,
      google_logging_metric.reminder_lateness.name,
      google_logging_metric.gemini_failures.name,
      google_logging_metric.line_pushes.name,
      [for m in google_logging_metric.gemini_operator : m.name],
    ])
  }
}

resource "google_monitoring_notification_channel" "email" {
  project      = var.project
  display_name = "MedBot alerts (${var.alert_email})"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }

  depends_on = [google_project_service.api]
}

resource "google_monitoring_alert_policy" "function_errors" {
  project      = var.project
  display_name = "MedBot: function error rate"
  combiner     = "OR"

  conditions {
    display_name = "ERROR log rate per function above threshold"
    condition_threshold {
      filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.function_errors.name}\" AND resource.type=\"cloud_run_revision\""
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_RATE"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.service"]
      }
      comparison      = "COMPARISON_GT"
      threshold_value = var.error_rate_alert_threshold
      # Sustained for two windows: a single failed cold start does not page anyone.
      duration = "600s"
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "A MedBot function is logging errors. Check Logs Explorer for the service in the alert (severity>=ERROR). Failed tasks are retried by Cloud Tasks up to each queue's max_attempts."
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  depends_on = [time_sleep.metrics_propagation]
}

resource "google_monitoring_alert_policy" "gemini_failures" {
  project      = var.project
  display_name = "MedBot: Gemini failures"
  combiner     = "OR"

  conditions {
    display_name = "Gemini calls failing after retries"
    condition_threshold {
      filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.gemini_failures.name}\" AND resource.type=\"cloud_run_revision\""
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      comparison      = "COMPARISON_GT"
      threshold_value = var.gemini_failure_alert_threshold
      duration        = "0s"
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Gemini calls are being rejected, refused or failing after the adapter's retries (see the WARNING entries of logger shared.adapters.gemini: HTTP 429 = quota exhausted, lower var.gemini_requests_per_minute or raise the quota; 5xx/timeouts = service trouble; 401/403 = the function's service account lacks roles/aiplatform.user or the Vertex AI API is off; other 4xx = a bad request; \"no usable answer\" = safety refusals or cut-off answers). Users get an answer in kind meanwhile."
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  depends_on = [time_sleep.metrics_propagation]
}

# Reminders going out late: the 95th percentile of lateness_s over 5 minutes. The tick
# runs every minute, so a healthy p95 is under a minute; a sustained p95 above the
# threshold means ticks are failing, the remind queue is backed up, or more doses fall
# due in one minute than one tick handles (ReminderService.page).
resource "google_monitoring_alert_policy" "reminder_lateness" {
  project      = var.project
  display_name = "MedBot: reminders late"
  combiner     = "OR"

  conditions {
    display_name = "p95 reminder lateness above threshold"
    condition_threshold {
      filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.reminder_lateness.name}\" AND resource.type=\"cloud_run_revision\""
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_PERCENTILE_95"
        cross_series_reducer = "REDUCE_MAX"
      }
      comparison      = "COMPARISON_GT"
      threshold_value = var.reminder_lateness_alert_s
      duration        = "600s"
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "3600s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "Medication reminders are going out late (jsonPayload.lateness_s of \"reminder sent\" lines). Check the reminder_tick function (errors, its Cloud Scheduler job not paused: `python -m infra.ops reminders resume`), the medbot-remind queue depth, and the \"reminder tick\" log lines (due vs enqueued)."
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  depends_on = [time_sleep.metrics_propagation]
}

# LINE push messages used: reminders are always pushes (no reply token), and so are job
# answers that arrive after the reply token expired. Alert when the pushes of the last
# 24 h exceed the plan's monthly quota spread over 30 days.
resource "google_monitoring_alert_policy" "line_push_quota" {
  project      = var.project
  display_name = "MedBot: LINE push quota"
  combiner     = "OR"

  conditions {
    display_name = "LINE pushes per day above the plan's daily share"
    condition_threshold {
      filter = "metric.type=\"logging.googleapis.com/user/${google_logging_metric.line_pushes.name}\" AND resource.type=\"cloud_run_revision\""
      aggregations {
        alignment_period     = "86400s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
      }
      comparison      = "COMPARISON_GT"
      threshold_value = var.line_monthly_push_quota / 30
      duration        = "0s"
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = "LINE push messages are being used faster than the plan's monthly quota allows (var.line_monthly_push_quota). When the quota is exhausted LINE rejects pushes (HTTP 429) and reminders stop reaching LINE patients. Upgrade the LINE Official Account plan or raise var.line_monthly_push_quota to match it; `python -m infra.ops usage` shows reminders sent per channel."
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  depends_on = [time_sleep.metrics_propagation]
}

# Operator action needed, at once: a configured model the backend does not serve (a
# retired id answers 404 NOT_FOUND: every model call fails and patients are told the
# service is unavailable), or a per-day quota used up (calls stop until it resets at
# midnight Pacific). The Gemini adapter logs each at ERROR with jsonPayload.outcome.
resource "google_logging_metric" "gemini_operator" {
  for_each = {
    model_not_found = local.log_contract.model_not_found
    daily_quota     = local.log_contract.daily_quota
  }

  project     = var.project
  name        = "${var.name_prefix}/gemini_${each.key}"
  description = "Gemini adapter ERROR lines with jsonPayload.outcome=${each.value}."
  filter      = "${local.service_filter} AND jsonPayload.logger=\"${local.log_contract.gemini_logger}\" AND jsonPayload.outcome=\"${each.value}\""

  metric_descriptor {
    metric_kind = "DELTA"
    value_type  = "INT64"
    unit        = "1"
    labels {
      key         = "model"
      value_type  = "STRING"
      description = "Gemini model (text or TTS)"
    }
  }
  label_extractors = {
    model = "EXTRACT(jsonPayload.model)"
  }

  depends_on = [google_project_service.api]
}

resource "google_monitoring_alert_policy" "gemini_operator" {
  for_each = google_logging_metric.gemini_operator

  project      = var.project
  display_name = each.key == "model_not_found" ? "MedBot: Gemini model not found" : "MedBot: Gemini daily quota used up"
  combiner     = "OR"

  conditions {
    display_name = "any occurrence"
    condition_threshold {
      filter = "metric.type=\"logging.googleapis.com/user/${each.value.name}\" AND resource.type=\"cloud_run_revision\""
      aggregations {
        alignment_period     = "300s"
        per_series_aligner   = "ALIGN_SUM"
        cross_series_reducer = "REDUCE_SUM"
        group_by_fields      = ["metric.label.model"]
      }
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "0s"
      trigger {
        count = 1
      }
    }
  }

  alert_strategy {
    auto_close = "86400s"
  }

  documentation {
    mime_type = "text/markdown"
    content   = each.key == "model_not_found" ? "A configured Gemini model is not served (HTTP 404 NOT_FOUND): it was retired or never existed for this backend and location. The log line names the variable (GEMINI_MODEL or GEMINI_TTS_MODEL). Run `python -m infra.ops models` with the functions' settings, then set var.gemini_model / var.gemini_tts_model to a current model and apply. Patients are told the service is temporarily unavailable until then." : "A per-day Gemini quota is used up (429 with a per-day google.rpc.QuotaFailure). Calls stop until it resets at midnight Pacific time; patients are told to try again tomorrow. Raise the quota (Cloud console, IAM & Admin > Quotas) or lower usage (LIMIT_GENERATIONS_PER_DAY)."
  }

  notification_channels = [google_monitoring_notification_channel.email.id]

  depends_on = [time_sleep.metrics_propagation]
}
