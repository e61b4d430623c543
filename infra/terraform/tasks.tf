# One Cloud Tasks queue per Job kind (shared/jobs.py), each feeding one worker function.
#
# Gemini budget: the queues whose tasks call Gemini share var.gemini_requests_per_minute
# equally, and a queue whose task makes k calls dispatches k times slower, so together
# they never schedule more calls than the quota allows. (Client-side retries on 429 back
# off and are not budgeted; max_attempts on those queues is low for that reason.)
# The dialog, e-mail and remind queues make no Gemini calls and have fixed rates.
locals {
  gemini_calls_per_second_per_queue = var.gemini_requests_per_minute / 60 / length(local.gemini_queues)
}

resource "google_cloud_tasks_queue" "queue" {
  for_each = local.queues

  project  = var.project
  location = var.region
  name     = each.key

  rate_limits {
    max_dispatches_per_second = (
      each.value.gemini_calls_per_task > 0
      ? local.gemini_calls_per_second_per_queue / each.value.gemini_calls_per_task
      : each.value.max_dispatches_per_second
    )
    # Never more in flight than the worker can take (max instances x concurrency):
    # beyond that Cloud Run answers 429 and every bounced task burns one of its attempts.
    # A worker fed by several queues (remind: the old queue and its lanes) splits that
    # between them (max_concurrent_dispatches in the queue's entry, locals.tf).
    max_concurrent_dispatches = lookup(
      each.value, "max_concurrent_dispatches",
      local.workers[each.value.worker].max_instances * local.workers[each.value.worker].concurrency
    )
  }

  retry_config {
    max_attempts       = each.value.max_attempts
    min_backoff        = each.value.min_backoff
    max_backoff        = each.value.max_backoff
    max_doublings      = each.value.max_doublings
    max_retry_duration = each.value.max_retry_duration
  }

  # Cloud Tasks logs a sample of its task operations (attempts and their results) to
  # Cloud Logging: a tenth shows dispatch failure patterns without a log line per task.
  stackdriver_logging_config {
    sampling_ratio = 0.1
  }

  depends_on = [google_project_service.api]
}
