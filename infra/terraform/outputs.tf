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
  description = "Secret Manager secrets to which operators must add a version before the functions deploy."
  value       = { for k, s in google_secret_manager_secret.secret : k => s.secret_id }
}
