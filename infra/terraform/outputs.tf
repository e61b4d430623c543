output "line_webhook_url" {
  description = "Set as the webhook URL in the LINE Developers console (Messaging API)."
  value       = google_cloudfunctions2_function.webhook["line_webhook"].url
}

output "telegram_webhook_url" {
  description = "Pass to Telegram setWebhook together with secret_token = the TELEGRAM_WEBHOOK_SECRET value."
  value       = google_cloudfunctions2_function.webhook["telegram_webhook"].url
}

output "bucket_name" {
  description = "Private bucket for audio and the e-mail archive (Settings.bucket)."
  value       = google_storage_bucket.private.name
}

output "worker_base_url" {
  description = "Settings.worker_base_url given to every function."
  value       = local.worker_base_url
}

output "tasks_invoker_service_account" {
  description = "OIDC identity of Cloud Tasks / Cloud Scheduler requests (Settings.tasks_invoker_sa)."
  value       = google_service_account.invoker.email
}

output "secret_ids" {
  description = "Setting -> Secret Manager secret id; operators add a version to each before the functions deploy. From name_prefix only, so it is there after the first, targeted apply (README), and Cloud Build reads the Telegram secrets by these ids."
  value       = local.secrets
}
