# The reminder clock: every minute, Cloud Scheduler POSTs to reminder_tick with an OIDC
# token of the invoker account. The tick queries due doses (indexed, firestore.tf) and
# enqueues remind tasks deduplicated on (medication, dose slot), so a duplicate or retried
# firing sends nothing twice.
resource "google_cloud_scheduler_job" "reminder_tick" {
  project     = var.project
  region      = var.region
  name        = "${var.name_prefix}-reminder-tick"
  description = "Every minute: enqueue reminders for doses that are due"
  # Unix cron's finest resolution; per-user time zones are handled in code, in UTC.
  schedule  = "* * * * *"
  time_zone = "Etc/UTC"
  # From shared/runtime.json: longer than the tick's timeout, so Scheduler waits as long
  # as the tick may run.
  attempt_deadline = "${local.functions.reminder_tick.dispatch_deadline_s}s"

  # A missed tick is harmless (the next one a minute later picks up every due dose, not
  # only the current minute's), so retry once, quickly, to ride over a cold-start or
  # transient error. Like Cloud Tasks, Scheduler retries until BOTH retry_count and
  # max_retry_duration are reached: "0s" (no time limit) lets the count alone decide.
  retry_config {
    retry_count          = 1
    min_backoff_duration = "5s"
    max_backoff_duration = "10s"
    max_doublings        = 1
    max_retry_duration   = "0s"
  }

  http_target {
    http_method = "POST"
    uri         = "${local.worker_base_url}/reminder_tick"
    headers     = { "Content-Type" = "application/json" }
    body        = base64encode("{}")

    oidc_token {
      service_account_email = google_service_account.invoker.email
      # The code accepts tokens whose audience is its own URL (Settings.worker_auth=oidc).
      audience = "${local.worker_base_url}/reminder_tick"
    }
  }

  depends_on = [
    google_project_service.api,
    google_cloud_run_service_iam_member.invoker,
  ]
}
